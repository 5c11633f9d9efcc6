#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Rootless overlay root (run.burrow.rootfs.* annotations): the container's root is
# writable, the image on disk never changes; kernel overlayfs and the FUSE helper.

load ../helpers
load ../lib/overlay_root

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  burrow_setup
}

@test "spec --rootless --overlay --upper writes the overlay annotations" {
  local d=$BATS_TEST_TMPDIR/specdir
  mkdir "$d"
  (cd "$d" && "$BURROW" spec --rootless --overlay --upper /some/dir)
  [ "$(jq -r '.annotations["run.burrow.rootfs.overlay"]' "$d/config.json")" = auto ]
  [ "$(jq -r '.annotations["run.burrow.rootfs.upper"]' "$d/config.json")" = /some/dir ]
  rm "$d/config.json"
  (cd "$d" && "$BURROW" spec --rootless --overlay=fuse)
  [ "$(jq -r '.annotations["run.burrow.rootfs.overlay"]' "$d/config.json")" = fuse ]
  [ "$(jq -r '.annotations["run.burrow.rootfs.upper"]' "$d/config.json")" = null ]
  capture --separate-stderr "$BURROW" spec --bundle "$d" --overlay=zfs
  expect_one_line_error "--overlay=zfs" "auto, kernel or fuse"
}

@test "kernel: the container writes to its root, the image stays byte-for-byte the same" {
  overlay_writes_leave_lower_intact kernel k1
}

@test "fuse: the container writes to its root, the image stays byte-for-byte the same" {
  require_fuse
  overlay_writes_leave_lower_intact fuse f1
}

@test "auto takes kernel overlayfs where the kernel allows it, and state says so" {
  overlay_state_names auto kernel a1
}

@test "fuse forced: state says fuse and the root is the helper's FUSE mount" {
  require_fuse
  overlay_state_names fuse fuse f2
  # the helper runs in the container's user namespace, as its root
  local hp cp
  hp=$(overlay_record f2 .helperPid)
  cp=$(container_pid f2)
  [ "$(readlink "/proc/$hp/ns/user")" = "$(readlink "/proc/$cp/ns/user")" ]
  [ "$(overlay_record f2 .helper)" = "$(overlay_helper)" ]
}

@test "two containers on one lower see only their own writes (kernel and fuse)" {
  local m
  for m in kernel fuse; do
    if [[ $m == fuse ]]; then
      [[ -r /dev/fuse && -w /dev/fuse && -n $(overlay_helper) ]] || continue
    fi
    use_overlay $m
    set_args sleep 60
    create_container "$m-a"
    create_container "$m-b"
    burrow start "$m-a"
    burrow start "$m-b"
    burrow exec "$m-a" sh -c 'echo A >/mine; echo A >/etc/passwd'
    burrow exec "$m-b" sh -c 'echo B >/mine; rm /etc/passwd'
    [ "$(burrow exec "$m-a" cat /mine /etc/passwd)" = "A
A" ]
    capture burrow exec "$m-b" sh -c 'cat /mine; ls /etc'
    expect_line B
    expect_no_line passwd
    expect_line group
    [ -f "$BUNDLE/rootfs/etc/passwd" ]
    [ ! -e "$BUNDLE/rootfs/mine" ]
    burrow delete --force "$m-a"
    burrow delete --force "$m-b"
  done
}

@test "kernel: delete removes the ephemeral upper layer" {
  overlay_delete_cleans kernel k3
}

@test "fuse: delete stops the helper and removes the ephemeral upper layer" {
  require_fuse
  overlay_delete_cleans fuse f3
}

@test "a given upper directory is kept and the next container sees what the last one wrote" {
  local up=$BATS_TEST_TMPDIR/layer m
  for m in kernel fuse; do
    if [[ $m == fuse ]]; then
      [[ -r /dev/fuse && -w /dev/fuse && -n $(overlay_helper) ]] || continue
    fi
    rm -rf "$up"
    use_overlay $m "$up"
    set_args sh -c 'echo kept >/kept'
    capture burrow run --bundle "$BUNDLE" "$m-u1"
    expect_status 0
    [ "$(cat "$up/upper/kept")" = kept ]
    set_args cat /kept
    capture burrow run --bundle "$BUNDLE" "$m-u2"
    expect_status 0
    [ "$output" = kept ]
    [ ! -e "$BUNDLE/rootfs/kept" ]
  done
  chmod -R u+rwX "$up"
}

@test "subordinate ids: files the container's other users write are cleaned up by delete" {
  use_subid_mappings
  local m
  for m in kernel fuse; do
    if [[ $m == fuse ]]; then
      [[ -r /dev/fuse && -w /dev/fuse && -n $(overlay_helper) ]] || continue
    fi
    use_overlay $m
    set_cfg '.process.user = {uid: 1000, gid: 1000}'
    set_args sh -c 'mkdir -m 0755 /tmp/d1000 && touch /tmp/d1000/f && ls -ln /tmp/d1000'
    capture burrow run --bundle "$BUNDLE" "$m-s1"
    expect_status 0
    expect_contains "$output" " 1000 "
    [ ! -e "$BURROW_STATE/$m-s1" ]
  done
}

@test "bad overlay annotations: a clear error, nothing left behind" {
  use_overlay zfs
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad1
  expect_one_line_error "run.burrow.rootfs.overlay" "zfs" "auto, kernel, fuse"
  assert_bad_input_left_nothing bad1
  use_overlay kernel
  set_cfg '.annotations["run.burrow.rootfs.lower"] = "/nonexistent/lower"'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad2
  expect_one_line_error "run.burrow.rootfs.lower" "/nonexistent/lower" "No such file"
  assert_bad_input_left_nothing bad2
  set_cfg 'del(.annotations)'
  set_cfg '.annotations["run.burrow.rootfs.upper"] = "/tmp/x"'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad3
  expect_one_line_error "run.burrow.rootfs.upper" "run.burrow.rootfs.overlay"
  assert_bad_input_left_nothing bad3
}

@test "several lower layers: the first one is on top" {
  local l=$BATS_TEST_TMPDIR/extra
  mkdir -p "$l/etc"
  echo from-extra >"$l/etc/extra"
  echo over >"$l/etc/passwd"
  use_overlay kernel
  set_cfg '.annotations["run.burrow.rootfs.lower"] = "\($l):rootfs"' --arg l "$l"
  set_args sh -c 'cat /etc/extra /etc/passwd; ls /bin/busybox'
  capture burrow run --bundle "$BUNDLE" lower1
  expect_status 0
  [ "${lines[0]}" = from-extra ]
  [ "${lines[1]}" = over ]
  [ "${lines[2]}" = /bin/busybox ]
}

@test "a FUSE helper that fails: a clear error with its words, nothing left behind" {
  require_fuse
  use_overlay fuse
  set_args true
  BURROW_OVERLAY_HELPER=/bin/false capture --separate-stderr burrow run --bundle "$BUNDLE" hf1
  expect_one_line_error "overlay" "FUSE helper" "did not serve"
  assert_bad_input_left_nothing hf1
  printf '#!/bin/sh\necho "cannot serve today" >&2\nexit 3\n' >"$BATS_TEST_TMPDIR/badhelper"
  chmod 755 "$BATS_TEST_TMPDIR/badhelper"
  BURROW_OVERLAY_HELPER=$BATS_TEST_TMPDIR/badhelper \
    capture --separate-stderr burrow run --bundle "$BUNDLE" hf2
  expect_one_line_error "did not serve" "cannot serve today"
  assert_bad_input_left_nothing hf2
}

@test "a FUSE helper that runs but never answers: create gives up after 20 s, nothing left" {
  require_fuse
  use_overlay fuse
  set_args true
  # holds the FUSE device open (so the connection stays up) and never reads it
  printf '#!/bin/sh
exec sleep 300
' >"$BATS_TEST_TMPDIR/mute"
  chmod 755 "$BATS_TEST_TMPDIR/mute"
  SECONDS=0
  BURROW_OVERLAY_HELPER=$BATS_TEST_TMPDIR/mute \
    capture --separate-stderr burrow run --bundle "$BUNDLE" mute1
  expect_one_line_error "did not serve the root within 20 s"
  ((SECONDS < 40))
  assert_bad_input_left_nothing mute1
}

@test "a FUSE helper killed while the container runs: the root fails, delete still cleans up" {
  require_fuse
  use_overlay fuse
  set_args sleep 60
  create_container hk1
  burrow start hk1
  local hp
  hp=$(overlay_record hk1 .helperPid)
  kill -9 "$hp"
  wait_pid_gone "$hp" 5
  capture burrow exec hk1 cat /etc/passwd
  [ "$status" -ne 0 ]
  burrow delete --force hk1
  [ ! -e "$BURROW_STATE/hk1" ]
}

@test "/dev/fuse that cannot be opened: the error names /dev/fuse" {
  [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
  if [[ -r /dev/fuse && -w /dev/fuse ]]; then
    skip "/dev/fuse is open to $(id -un) here (mode 0666): root/overlay_root.bats covers the refusal"
  fi
  use_overlay fuse
  capture --separate-stderr burrow run --bundle "$BUNDLE" nf1
  expect_one_line_error "/dev/fuse" "permission denied"
  assert_bad_input_left_nothing nf1
}
