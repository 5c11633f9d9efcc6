#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Root mode: idmapped bind mounts (mounts[].uidMappings/gidMappings, `idmap`, `ridmap`).
# Runtime-spec semantics (as runc 1.2): a mapping is written as the uid_map of the mount's
# user namespace, so containerID is the id on the source filesystem and hostID the id it
# shows as outside any user namespace; a container's own user namespace maps it on from there.

load ../helpers

setup ()
{
  [[ $(id -u) -eq 0 ]] || skip "the root suite runs as root"
  burrow_setup
  SHARE=$BATS_TEST_TMPDIR/share
  mkdir -p "$SHARE" "$BUNDLE/rootfs/share"
  require_idmap_fs "$SHARE"
  touch "$SHARE/owned1000" "$SHARE/owned0"
  chown 1000:1000 "$SHARE/owned1000"
  N=$(get_cfg '.mounts | length')
}

# require_idmap_fs DIR: skip unless DIR's filesystem takes idmapped mounts (tmpfs: Linux 6.3).
require_idmap_fs ()
{
  local fs
  fs=$(stat -f -c %T "$1")
  case $fs in
    ext2/ext3 | ext4 | xfs | btrfs | f2fs | erofs | vfat | msdos) return 0 ;;
    tmpfs)
      local major minor
      IFS=. read -r major minor _ <<<"$(uname -r)"
      ((major > 6 || (major == 6 && minor >= 3))) && return 0
      ;;
  esac
  skip "$1 is on $fs, which may not support idmapped mounts"
}

# add_share_mount OPTIONS_JSON [UIDMAP_JSON GIDMAP_JSON]: bind $SHARE at /share.
add_share_mount ()
{
  local opts=$1 uidm=${2:-null} gidm=${3:-null}
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: $opts}
                       + (if $u == null then {} else {uidMappings: $u, gidMappings: $g} end)]' \
    --arg src "$SHARE" --argjson opts "$opts" --argjson u "$uidm" --argjson g "$gidm"
}

use_container_userns ()
{
  set_cfg '.linux.namespaces += [{type: "user"}]
           | .linux.uidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
           | .linux.gidMappings = [{containerID: 0, hostID: 300000, size: 65536}]'
  chown -R 300000:300000 "$BUNDLE/rootfs"
}

@test "root idmap: uidMappings {containerID 1000, hostID 0} show a file of uid 1000 as 0" {
  add_share_mount '["bind", "idmap"]' '[{"containerID": 1000, "hostID": 0, "size": 1}]' \
    '[{"containerID": 1000, "hostID": 0, "size": 1}]'
  set_args stat -c %u:%g /share/owned1000
  capture burrow run --bundle "$BUNDLE" idm1000
  expect_status 0
  expect_line 0:0
  [ "$(stat -c %u:%g "$SHARE/owned1000")" = 1000:1000 ]
  assert_nothing_left idm1000
}

@test "root idmap: {containerID 0, hostID 1000} shows uid 0 as 1000, and 1000 as the overflow id" {
  add_share_mount '["bind"]' '[{"containerID": 0, "hostID": 1000, "size": 1}]' \
    '[{"containerID": 0, "hostID": 1000, "size": 1}]'
  set_args stat -c %u:%g /share/owned0 /share/owned1000
  capture burrow run --bundle "$BUNDLE" idmdir
  expect_status 0
  [ "${lines[0]}" = 1000:1000 ]
  [ "${lines[1]}" = "$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)" ]
  [ "$(stat -c %u:%g "$SHARE/owned0")" = 0:0 ]
}

@test "root idmap: \`idmap\` alone takes the container's user namespace mapping" {
  use_container_userns
  add_share_mount '["bind", "idmap"]'
  # the same directory without idmap: its owners are not in the container's mapping
  set_cfg '.mounts += [{destination: "/plain", type: "bind", source: $src, options: ["bind"]}]' \
    --arg src "$SHARE"
  mkdir -p "$BUNDLE/rootfs/plain"
  set_args stat -c %n=%u:%g /share/owned0 /share/owned1000 /plain/owned1000
  capture burrow run --bundle "$BUNDLE" idmuserns
  expect_status 0
  expect_line /share/owned0=0:0
  expect_line /share/owned1000=1000:1000
  expect_line "/plain/owned1000=$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)"
  [ "$(stat -c %u:%g "$SHARE/owned1000")" = 1000:1000 ]
  [ "$(stat -c %u:%g "$SHARE/owned0")" = 0:0 ]
}

@test "root idmap: a file the container's root writes through it is owned by 0 on the host" {
  use_container_userns
  add_share_mount '["bind", "idmap"]'
  set_args probe write /share/made-inside hello
  capture burrow run --bundle "$BUNDLE" idmwrite
  expect_status 0
  [ "$(cat "$SHARE/made-inside")" = hello ]
  [ "$(stat -c %u:%g "$SHARE/made-inside")" = 0:0 ]
}

@test "root idmap: \`ro\` still applies to an idmapped mount" {
  use_container_userns
  add_share_mount '["bind", "idmap", "ro"]'
  # owned by 0 through the idmap, so only the read-only flag stops root from writing
  set_args sh -c 'stat -c %u:%g /share/owned0 && probe write /share/owned0 overwritten'
  capture burrow run --bundle "$BUNDLE" idmro
  expect_status 1
  expect_line 0:0
  expect_contains "$output" "Read-only file system"
  [ ! -s "$SHARE/owned0" ]
}

@test "root idmap: rbind+idmap maps only the top mount, rbind+ridmap the submounts too" {
  add_share_mount '["rbind", "idmap"]' '[{"containerID": 1000, "hostID": 0, "size": 1}]' \
    '[{"containerID": 1000, "hostID": 0, "size": 1}]'
  set_cfg '.mounts += [{destination: "/rshare", type: "bind", source: $src,
                        options: ["rbind", "ridmap"],
                        uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
                        gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]' \
    --arg src "$SHARE"
  mkdir -p "$SHARE/sub" "$BUNDLE/rootfs/rshare"
  set_args stat -c %n=%u:%g /share/sub/f /rshare/sub/f
  # the submount exists only in a private mount namespace around this one run
  capture unshare -m --propagation private sh -c '
    mount -t tmpfs -o size=1m tmpfs "$1/sub" && touch "$1/sub/f" && chown 1000:1000 "$1/sub/f" &&
    exec "$2" --root "$3" run --bundle "$4" idmrec' sh "$SHARE" "$BURROW" "$BURROW_STATE" "$BUNDLE"
  expect_status 0
  expect_line /share/sub/f=1000:1000
  expect_line /rshare/sub/f=0:0
}

@test "root idmap: a filesystem without idmapped mounts is named in a one-line error" {
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: "/sys/kernel", options: ["rbind"],
                        uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
                        gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
  capture --separate-stderr burrow create --bundle "$BUNDLE" idmsysfs </dev/null
  expect_one_line_error "mounts[$N] (/share)" "filesystem sysfs does not support idmapped mounts"
  assert_bad_input_left_nothing idmsysfs
}

@test "root idmap: \`idmap\` without mappings or a user namespace is refused" {
  add_share_mount '["bind", "idmap"]'
  capture --separate-stderr burrow create --bundle "$BUNDLE" idmnouserns </dev/null
  expect_one_line_error "mounts[$N] (/share)" "idmap" "user namespace"
  assert_bad_input_left_nothing idmnouserns
}

@test "root idmap: uidMappings without gidMappings is refused" {
  set_cfg '.mounts += [{destination: "/share", type: "bind", source: $src, options: ["bind"],
                        uidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]' --arg src "$SHARE"
  capture --separate-stderr burrow create --bundle "$BUNDLE" idmhalf </dev/null
  expect_one_line_error "mounts[$N] (/share)" uidMappings gidMappings
  assert_bad_input_left_nothing idmhalf
}
