#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Rootless: user namespaces and id mappings, run for real as an unprivileged user.

load ../helpers

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  burrow_setup
}

# The lines of an id map without the kernel's column padding: "0 1000 1".
normalized_map ()
{
  awk '{ print $1, $2, $3 }' <<<"$output"
}

@test "single-id mapping: uid_map and gid_map map 0 to the caller only" {
  set_args probe uidmap
  capture burrow run --bundle "$BUNDLE" single
  expect_status 0
  [ "$(normalized_map)" = "0 $(id -u) 1" ]
  set_args probe gidmap
  capture burrow run --bundle "$BUNDLE" single2
  expect_status 0
  [ "$(normalized_map)" = "0 $(id -g) 1" ]
}

@test "single-id mapping: root inside is the caller outside" {
  set_args probe sleep 60
  create_container whoami
  burrow start whoami
  local pid
  pid=$(container_pid whoami)
  # real, effective, saved, fs uid of the container's process as the host sees it
  [ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = \
    "$(id -u) $(id -u) $(id -u) $(id -u)" ]
  [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = "$(id -g)" ]
  # and it runs in another user namespace than ours
  [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
}

@test "subordinate-range mapping: both lines in uid_map and gid_map" {
  use_subid_mappings
  set_args probe uidmap
  capture burrow run --bundle "$BUNDLE" ranges
  expect_status 0
  [ "$(normalized_map)" = "0 $(id -u) 1
1 $SUBUID_START $SUBUID_COUNT" ]
  set_args probe gidmap
  capture burrow run --bundle "$BUNDLE" ranges2
  expect_status 0
  [ "$(normalized_map)" = "0 $(id -g) 1
1 $SUBGID_START $SUBGID_COUNT" ]
}

@test "subordinate-range mapping: process.user uid 1000 runs as 1000 inside, a subordinate id outside" {
  use_subid_mappings
  set_cfg '.process.user = {uid: 1000, gid: 1000}'
  set_args probe sleep 60
  create_container sub
  burrow start sub
  local pid
  pid=$(container_pid sub)
  [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$((SUBUID_START + 999))" ]
  [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = "$((SUBGID_START + 999))" ]
  burrow delete --force sub

  set_args probe ids
  capture burrow run --bundle "$BUNDLE" sub2
  expect_status 0
  expect_line uid=1000
  expect_line gid=1000
}

@test "subordinate-range mapping: a file made by uid 1000 inside is owned by a subordinate id" {
  use_subid_mappings
  set_cfg '.root.readonly = false | .process.user = {uid: 1000, gid: 1000}'
  set_args probe write /tmp/owned hello
  capture burrow run --bundle "$BUNDLE" owner
  expect_status 0
  [ "$(stat -c %u "$BUNDLE/rootfs/tmp/owned")" = "$((SUBUID_START + 999))" ]
}

@test "a rootless config without a user namespace still runs (burrow adds one)" {
  set_cfg '.linux.namespaces |= map(select(.type != "user"))
           | del(.linux.uidMappings) | del(.linux.gidMappings)'
  set_args probe uidmap
  capture burrow run --bundle "$BUNDLE" nouserns
  expect_status 0
  [ "$(normalized_map)" = "0 $(id -u) 1" ]
}

@test "a rootless config without a user namespace but with mappings uses them" {
  set_cfg '.linux.namespaces |= map(select(.type != "user"))'
  set_args probe ids
  capture burrow run --bundle "$BUNDLE" nouserns2
  expect_status 0
  expect_line uid=0
}

@test "bad input: a uid map with a host range the user does not own" {
  set_cfg '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
                                 {containerID: 1, hostID: 500000, size: 1000}]' \
    --argjson u "$(id -u)"
  capture --separate-stderr burrow create --bundle "$BUNDLE" notmine </dev/null
  expect_one_line_error
  [[ ${stderr,,} =~ map|subuid|500000 ]] || { echo "error does not name the mapping: $stderr" >&2; false; }
  assert_bad_input_left_nothing notmine
}

@test "bad input: a gid map with a host range the user does not own" {
  set_cfg '.linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
                                 {containerID: 1, hostID: 500000, size: 1000}]' \
    --argjson g "$(id -g)"
  capture --separate-stderr burrow create --bundle "$BUNDLE" notmine2 </dev/null
  expect_one_line_error
  [[ ${stderr,,} =~ map|subgid|500000 ]] || { echo "error does not name the mapping: $stderr" >&2; false; }
  assert_bad_input_left_nothing notmine2
}

@test "bad input: mapping root to another user's uid" {
  set_cfg '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]'
  capture --separate-stderr burrow create --bundle "$BUNDLE" hostroot </dev/null
  expect_one_line_error
  assert_bad_input_left_nothing hostroot
}

@test "without --root, state goes to \$XDG_RUNTIME_DIR/burrow" {
  local xdg=$BATS_TEST_TMPDIR/xdg
  mkdir -m 0700 "$xdg"
  set_args probe sleep 60
  XDG_RUNTIME_DIR=$xdg "$BURROW" create --bundle "$BUNDLE" xdgbox \
    >"$BATS_TEST_TMPDIR/xdg.out" 2>&1 </dev/null
  local ok=0
  [ -d "$xdg/burrow/xdgbox" ] || ok=1
  run env XDG_RUNTIME_DIR="$xdg" "$BURROW" list -q
  XDG_RUNTIME_DIR=$xdg "$BURROW" delete --force xdgbox
  [ "$ok" -eq 0 ]
  [ "$output" = xdgbox ]
  [ ! -e "$xdg/burrow/xdgbox" ]
}

@test "root inside is not root outside: a bind-mounted host file of root cannot be written" {
  # the host's /etc/hostname belongs to real root: bind it in read-write and try.
  [ -e /etc/hostname ] || skip "no /etc/hostname on this host"
  set_cfg '.mounts += [{destination: "/hostfile", type: "bind", source: "/etc/hostname",
                        options: ["rbind", "rw"]}]'
  touch "$BUNDLE/rootfs/hostfile"
  set_args probe write /hostfile pwned
  capture burrow run --bundle "$BUNDLE" noescalate
  expect_status 1
  expect_contains "$output" "probe: open: /hostfile"
  [ "$(cat /etc/hostname)" != pwned ]
}
