#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Root mode: what only real root gets, and what it must not leak to the host.

load ../helpers

setup ()
{
  [[ $(id -u) -eq 0 ]] || skip "the root suite runs as root"
  burrow_setup
}

@test "root without a user namespace: the process is real root with the host's id map" {
  [ "$(get_cfg '[.linux.namespaces[].type] | index("user")')" = null ]
  set_args probe uidmap
  capture burrow run --bundle "$BUNDLE" hostmap
  expect_status 0
  [ "$(awk '{ print $1, $2, $3 }' <<<"$output")" = "0 0 4294967295" ]
}

@test "root: process.user 1000 with additionalGids, seen from the host too" {
  set_cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}'
  set_args probe sleep 60
  create_container user1000
  burrow start user1000
  local pid
  pid=$(container_pid user1000)
  [ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "1000 1000 1000 1000" ]
  [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = 1000 ]
  [ "$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$pid/status" | xargs)" = "10 20" ]
}

@test "root: a user namespace with a mapping chosen by the config" {
  set_cfg '.linux.namespaces += [{type: "user"}]
           | .linux.uidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
           | .linux.gidMappings = [{containerID: 0, hostID: 300000, size: 65536}]'
  chown -R 300000:300000 "$BUNDLE/rootfs"
  set_args probe uidmap
  capture burrow run --bundle "$BUNDLE" mapped
  expect_status 0
  [ "$(awk '{ print $1, $2, $3 }' <<<"$output")" = "0 300000 65536" ]
}

@test "root: without --root, state goes to /run/burrow" {
  set_args probe sleep 60
  local id=rootdefault-$$-$RANDOM
  "$BURROW" create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/def.out" 2>&1 </dev/null
  local ok=0
  [ -d "/run/burrow/$id" ] || ok=1
  "$BURROW" delete --force "$id"
  [ "$ok" -eq 0 ]
  [ ! -e "/run/burrow/$id" ]
}

@test "root: the container's mounts do not appear on the host" {
  set_cfg '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
  mkdir -p "$BUNDLE/rootfs/scratch"
  set_args probe sleep 60
  create_container nomountleak
  burrow start nomountleak
  container_pid nomountleak >/dev/null
  refute grep -qF "$BUNDLE" /proc/self/mountinfo
  burrow delete --force nomountleak
  assert_nothing_left nomountleak
}

@test "root: a bind mount from the host is seen inside, read-only when asked" {
  mkdir -p "$BATS_TEST_TMPDIR/share" "$BUNDLE/rootfs/share"
  echo shared-data >"$BATS_TEST_TMPDIR/share/file"
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: ["rbind", "ro"]}]' \
    --arg src "$BATS_TEST_TMPDIR/share"
  set_args probe cat /share/file
  capture burrow run --bundle "$BUNDLE" bindro
  expect_status 0
  expect_line shared-data
  set_args probe write /share/file overwritten
  capture burrow run --bundle "$BUNDLE" bindro2
  expect_status 1
  expect_contains "$output" "Read-only file system"
  [ "$(cat "$BATS_TEST_TMPDIR/share/file")" = shared-data ]
}

@test "root: a symlink in the rootfs cannot redirect a mount to the host" {
  # /evil -> /tmp/outside-target on the host if followed outside the rootfs
  local target=$BATS_TEST_TMPDIR/outside-target
  mkdir -p "$target"
  ln -s "$target" "$BUNDLE/rootfs/evil"
  set_cfg '.mounts += [{destination: "/evil", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
  set_args probe exit 0
  capture burrow run --bundle "$BUNDLE" symlinkmount
  # whether it is refused or made inside the rootfs, the host dir gets no mount
  refute grep -qF " $target " /proc/self/mountinfo
  assert_nothing_left symlinkmount
}
