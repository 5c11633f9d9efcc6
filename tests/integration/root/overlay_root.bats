#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Root mode overlay root: without a user namespace (trusted xattrs), and with one (the
# container's root is a host id that cannot reach root's 0700 state directory: the FUSE
# helper stays host root and maps ids itself); /dev/fuse refused.

load ../helpers
load ../lib/overlay_root

setup ()
{
  [[ $(id -u) -eq 0 ]] || skip "the root suite runs as root"
  burrow_setup
  set_cfg '.root.readonly = false'
}

# The container gets its own user namespace: 0..65535 -> 400000.., its image owned so.
use_userns ()
{
  set_cfg '.linux.namespaces += [{type: "user"}]
           | .linux.uidMappings = [{containerID: 0, hostID: 400000, size: 65536}]
           | .linux.gidMappings = [{containerID: 0, hostID: 400000, size: 65536}]
           | .mounts |= map(if .destination == "/sys" then
                              {destination: "/sys", type: "bind", source: "/sys",
                               options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
                            else . end)
           | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
           | .mounts |= map(if .destination == "/dev/pts" then
                              .options |= map(select(. != "gid=5")) else . end)'
  chown -R 400000:400000 "$BUNDLE/rootfs"
}

@test "root, kernel: writes land in the overlay, the image stays byte-for-byte the same" {
  overlay_writes_leave_lower_intact kernel rk1
}

@test "root, fuse: writes land in the overlay, the image stays byte-for-byte the same" {
  require_fuse
  overlay_writes_leave_lower_intact fuse rf1
}

@test "root: state names the path taken (kernel, fuse)" {
  overlay_state_names kernel kernel rk2
  burrow delete --force rk2
  [[ -r /dev/fuse && -n $(overlay_helper) ]] || skip "no FUSE helper or /dev/fuse"
  overlay_state_names fuse fuse rf2
}

@test "root: delete stops the helper and removes the ephemeral upper layer" {
  overlay_delete_cleans kernel rk3
  require_fuse
  overlay_delete_cleans fuse rf3
}

# fallback_to_fuse HELPER: as root with a user namespace, auto ends on FUSE; the helper
# maps the container's ids (uidmapping= in fuse-overlayfs' order: on-disk id first).
fallback_to_fuse ()
{
  export BURROW_OVERLAY_HELPER=$1
  use_userns
  overlay_writes_leave_lower_intact auto ru1
  use_overlay auto
  set_args sh -c 'echo x >/byroot; id -u; stat -c %u /byroot /etc/passwd'
  create_container ru2
  [ "$(burrow state ru2 | jq -r .rootfsOverlay)" = fuse ]
  [ "$(overlay_record ru2 .helper)" = "$1" ]
  burrow start ru2
  wait_for_status ru2 stopped
  [ "$(container_out ru2)" = "0
0
0" ]
  # on the host, the new file belongs to the id the container's root maps to
  [ "$(stat -c %u "$(overlay_record ru2 .layer)/upper/byroot")" = 400000 ]
}

@test "root with a user namespace: auto falls back to FUSE (fuse-overlayfs), files get the container's ids" {
  require_fuse
  command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
  fallback_to_fuse "$(command -v fuse-overlayfs)"
}

@test "root with a user namespace: auto falls back to FUSE (burrow-overlay), files get the container's ids" {
  require_fuse
  [[ -x $(dirname "$BURROW")/burrow-overlay ]] || skip "burrow-overlay is not built beside $BURROW"
  fallback_to_fuse "$(dirname "$BURROW")/burrow-overlay"
}

@test "root with a user namespace: kernel overlayfs on a given upper it can reach" {
  use_userns
  local up=$BATS_TEST_TMPDIR/layer
  use_overlay kernel "$up"
  set_args sh -c 'echo x >/byroot; stat -c %u /byroot'
  capture burrow run --bundle "$BUNDLE" ru3
  expect_status 0
  [ "$output" = 0 ]
  [ "$(stat -c %u "$up/upper/byroot")" = 400000 ]
  chmod -R u+rwX "$up"
}

@test "/dev/fuse that cannot be opened (no driver): the error names /dev/fuse, nothing left behind" {
  [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
  use_userns
  use_overlay fuse
  set_args true
  # The runtime opens /dev/fuse (as host root here, in the container's user namespace):
  # give it one whose driver is missing, as on a host without the fuse module, in a mount
  # namespace of this test's own.
  local fake=$BATS_TEST_TMPDIR/fuse-nodriver
  mknod "$fake" c 4095 0
  capture --separate-stderr unshare --mount --propagation private sh -c \
    'mount --bind "$1" /dev/fuse && shift && exec "$@"' sh "$fake" \
    "$BURROW" --root "$BURROW_STATE" run --bundle "$BUNDLE" nf1
  expect_one_line_error "/dev/fuse" "no such device"
  assert_bad_input_left_nothing nf1
}

@test "/dev/fuse a rootless caller may not open (0600): the error names /dev/fuse, nothing left behind" {
  [[ -n ${BURROW_TEST_UID:-} ]] || skip "no unprivileged test user (tests/lib/setup-host.sh makes it)"
  [[ -c /dev/fuse && -n $(overlay_helper) ]] || skip "no FUSE helper or /dev/fuse"
  local ub=$BATS_TEST_TMPDIR/ubundle ustate=$BATS_TEST_TMPDIR/ustate
  mkdir -p "$ub" "$ustate"
  cp -a "$BUNDLE/rootfs" "$ub/rootfs"
  chown -R "$BURROW_TEST_UID:$BURROW_TEST_GID" "$ub" "$ustate"
  chmod 0700 "$ustate"
  local as_user=(setpriv --reuid="$BURROW_TEST_UID" --regid="$BURROW_TEST_GID" --init-groups
                 env HOME="$BURROW_TEST_HOME" XDG_RUNTIME_DIR="/run/user/$BURROW_TEST_UID")
  "${as_user[@]}" "$BURROW" spec --rootless --overlay=fuse -b "$ub" </dev/null
  "${as_user[@]}" sh -c 'jq ".process.args = [\"true\"]" "$1/config.json" >"$1/c" && mv "$1/c" "$1/config.json"' sh "$ub"
  # The real device node, but 0600 root's: what the user meets on a host that ships it so.
  local fake=$BATS_TEST_TMPDIR/fuse0600
  mknod -m 0600 "$fake" c 10 229
  capture --separate-stderr unshare --mount --propagation private sh -c \
    'mount --bind "$1" /dev/fuse && shift && exec "$@"' sh "$fake" \
    "${as_user[@]}" "$BURROW" --root "$ustate" run --bundle "$ub" nf2
  expect_one_line_error "/dev/fuse" "permission denied"
  [ -z "$(ls -A "$ustate")" ]
  [ -z "$(pgrep -f "upperdir=$ustate" || true)" ]
}
