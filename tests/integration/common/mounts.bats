#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# mounts[] as the container sees them in /proc/self/mountinfo: types, options,
# propagation, recursive read-only, masked and read-only paths; and bad mount input.

load ../helpers

# mountinfo_line DEST: the container's mountinfo line for mount point DEST (from $output).
mountinfo_line ()
{
  awk -v d="$1" '$5 == d' <<<"$output" | tail -n 1
}

@test "a tmpfs with mode 0750, size, nosuid, nodev, noexec" {
  set_cfg '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs",
                        options: ["nosuid", "nodev", "noexec", "mode=0750", "size=1m"]}]'
  set_args cat /proc/self/mountinfo
  capture burrow run --bundle "$BUNDLE" m1
  expect_status 0
  local l
  l=$(mountinfo_line /scratch)
  expect_contains "$l" " - tmpfs " "nosuid" "nodev" "noexec" "mode=750" "size=1024k"
}

@test "proc, devpts, mqueue and shm of the default spec are mounted" {
  set_args cat /proc/self/mountinfo
  capture burrow run --bundle "$BUNDLE" m2
  expect_status 0
  expect_contains "$(mountinfo_line /proc)" " - proc "
  expect_contains "$(mountinfo_line /dev/pts)" " - devpts "
  expect_contains "$(mountinfo_line /dev/mqueue)" " - mqueue "
  expect_contains "$(mountinfo_line /dev/shm)" " - tmpfs "
}

@test "a read-only bind mount of a host directory: visible, not writable" {
  local src=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$src" && echo hello >"$src/file" && chmod -R a+rX "$src"
  set_cfg '.mounts += [{destination: "/data", type: "bind", source: $s,
                        options: ["rbind", "ro"]}]' --arg s "$src"
  set_args sh -c 'cat /data/file; touch /data/new 2>&1 || echo write-refused'
  capture burrow run --bundle "$BUNDLE" m3
  expect_status 0
  expect_line hello
  expect_line write-refused
  [ ! -e "$src/new" ]
}

@test "a bind mount of a single file, with a source relative to the bundle" {
  echo from-bundle >"$BUNDLE/note.txt"
  chmod a+r "$BUNDLE/note.txt"
  set_cfg '.mounts += [{destination: "/etc/note", type: "bind", source: "note.txt",
                        options: ["bind"]}]'
  set_args cat /etc/note
  capture burrow run --bundle "$BUNDLE" m4
  expect_status 0
  expect_line from-bundle
}

@test "rbind,ro makes every submount read-only too (host /sys with its cgroup mounts)" {
  set_cfg '.mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))
           | .mounts += [{destination: "/sys", type: "bind", source: "/sys",
                          options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}]'
  set_args cat /proc/self/mountinfo
  capture burrow run --bundle "$BUNDLE" m5
  expect_status 0
  local subs writable
  subs=$(awk '$5 ~ /^\/sys\// {print $5, $6}' <<<"$output")
  [ -n "$subs" ] || skip "the host has no mounts below /sys to check"
  writable=$(awk '$2 !~ /(^|,)ro(,|$)/' <<<"$subs")
  if [ -n "$writable" ]; then
    echo "writable submounts of /sys: $writable" >&2
    return 1
  fi
}

@test "rro: a recursive read-only attribute through mount_setattr" {
  set_cfg '.mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))
           | .mounts += [{destination: "/sys", type: "bind", source: "/sys",
                          options: ["rbind", "rro", "nosuid", "noexec", "nodev"]}]'
  set_args cat /proc/self/mountinfo
  capture burrow run --bundle "$BUNDLE" m6
  expect_status 0
  expect_contains "$(mountinfo_line /sys | awk '{print $6}')" "ro"
  local writable
  writable=$(awk '$5 ~ /^\/sys(\/|$)/ && $6 !~ /(^|,)ro(,|$)/' <<<"$output")
  [ -z "$writable" ]
}

@test "propagation options: shared and slave are what mountinfo reports" {
  set_cfg '.mounts += [{destination: "/shared", type: "tmpfs", source: "tmpfs", options: ["shared"]},
                       {destination: "/private", type: "tmpfs", source: "tmpfs", options: ["private"]}]'
  set_args cat /proc/self/mountinfo
  capture burrow run --bundle "$BUNDLE" m7
  expect_status 0
  expect_contains "$(mountinfo_line /shared)" "shared:"
  [[ "$(mountinfo_line /private)" != *shared:* ]]
}

@test "maskedPaths: a file reads empty, a directory is an empty read-only tmpfs" {
  set_cfg '.linux.maskedPaths = ["/proc/kcore", "/sys/firmware", "/etc/masked-file", "/does/not/exist"]'
  echo secret >"$BUNDLE/rootfs/etc/masked-file" 2>/dev/null \
    || { mkdir -p "$BUNDLE/rootfs/etc" && echo secret >"$BUNDLE/rootfs/etc/masked-file"; }
  set_args sh -c 'wc -c < /etc/masked-file; ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>/dev/null || echo ro'
  capture burrow run --bundle "$BUNDLE" m8
  expect_status 0
  [ "${lines[0]// /}" = 0 ]
  [ "${lines[1]// /}" = 0 ]
  expect_line ro
}

@test "readonlyPaths: /proc/sys cannot be written" {
  set_cfg '.linux.readonlyPaths = ["/proc/sys"]'
  set_args sh -c 'echo x > /proc/sys/kernel/hostname 2>/dev/null && echo written || echo refused'
  capture burrow run --bundle "$BUNDLE" m9
  expect_status 0
  expect_line refused
}

@test "bad input: an unknown option on a bind mount" {
  set_cfg '.mounts += [{destination: "/data", type: "bind", source: "/tmp", options: ["rbind", "frobnicate"]}]'
  run --separate-stderr burrow run --bundle "$BUNDLE" m10
  expect_one_line_error "frobnicate"
  assert_bad_input_left_nothing m10
}

@test "bad input: an unknown rootfsPropagation" {
  set_cfg '.linux.rootfsPropagation = "sideways"'
  run --separate-stderr burrow run --bundle "$BUNDLE" m11
  expect_one_line_error "rootfsPropagation" "sideways"
  assert_bad_input_left_nothing m11
}

@test "bad input: a tmpfs option the kernel refuses fails create cleanly" {
  set_cfg '.mounts += [{destination: "/bad", type: "tmpfs", source: "tmpfs", options: ["size=banana"]}]'
  run --separate-stderr burrow run --bundle "$BUNDLE" m12
  expect_one_line_error "/bad" "tmpfs"
  assert_bad_input_left_nothing m12
}

@test "a config without a /proc mount still masks and protects its paths" {
  set_cfg '.mounts |= map(select(.destination != "/proc"))
           | .linux.maskedPaths = ["/sys/firmware"] | .linux.readonlyPaths = ["/sys/kernel"]'
  set_args sh -c 'ls -A /sys/firmware | wc -l; ls /proc | wc -l'
  capture burrow run --bundle "$BUNDLE" m13
  expect_status 0
  [ "${lines[0]// /}" = 0 ]
  [ "${lines[1]// /}" = 0 ]
}

@test "an overlay mount from mounts[]: writes land in the upper dir, the lower stays intact" {
  local o=$BATS_TEST_TMPDIR/ovl
  mkdir -p "$o/lower" "$o/upper" "$o/work"
  echo from-lower >"$o/lower/file"
  chmod -R a+rwX "$o"
  # userxattr: what overlayfs needs inside a user namespace (and accepts outside one)
  set_cfg '.mounts += [{destination: "/merged", type: "overlay", source: "overlay",
                        options: ["lowerdir=\($o)/lower", "upperdir=\($o)/upper",
                                  "workdir=\($o)/work", "userxattr"]}]' --arg o "$o"
  set_args sh -c 'cat /merged/file; echo new >/merged/added; rm /merged/file; ls /merged'
  capture burrow run --bundle "$BUNDLE" ovl1
  # overlayfs leaves work/work with mode 000: let the test's clean-up remove it
  chmod -R u+rwX "$o/work" 2>/dev/null || true
  expect_status 0
  expect_line from-lower
  expect_line added
  [ "$(cat "$o/lower/file")" = from-lower ]
  [ "$(cat "$o/upper/added")" = new ]
}
