#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Rootless: an idmapped mount of a host filesystem needs CAP_SYS_ADMIN over it, which an
# unprivileged caller never has; it is refused up front, leaving nothing behind.

load ../helpers

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  burrow_setup
  SHARE=$BATS_TEST_TMPDIR/share
  mkdir -p "$SHARE" "$BUNDLE/rootfs/share"
  echo data >"$SHARE/file"
  N=$(get_cfg '.mounts | length')
}

# refused_idmap ID: `create` fails with the one-line rootless error and leaves nothing.
refused_idmap ()
{
  capture --separate-stderr burrow create --bundle "$BUNDLE" "$1" </dev/null
  expect_one_line_error "mounts[$N] (/share)" \
    "idmapped mounts need CAP_SYS_ADMIN over the source filesystem" \
    "a rootless caller cannot idmap a host filesystem"
  assert_bad_input_left_nothing "$1"
}

@test "rootless idmap: uidMappings on a bind mount are refused with a clear error" {
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: ["bind", "idmap"],
                        uidMappings: [{containerID: 0, hostID: $u, size: 1}],
                        gidMappings: [{containerID: 0, hostID: $g, size: 1}]}]' \
    --arg src "$SHARE" --argjson u "$(host_uid)" --argjson g "$(host_gid)"
  refused_idmap idmmaps
}

@test "rootless idmap: \`idmap\` with the container's own mapping is refused too" {
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: ["rbind", "ridmap"]}]' \
    --arg src "$SHARE"
  refused_idmap idmown
}

@test "rootless idmap: \`burrow run\` is refused the same way, exit 1" {
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: ["bind", "idmap"]}]' \
    --arg src "$SHARE"
  set_args probe cat /share/file
  capture --separate-stderr burrow run --bundle "$BUNDLE" idmrun </dev/null
  expect_one_line_error "mounts[$N] (/share)" "rootless caller cannot idmap"
  [ -z "$output" ]
  assert_bad_input_left_nothing idmrun
}
