#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Podman (rootless) with burrow-overlay as its overlay mount_program: an image imported
# from a busybox tarball (no registry), containers that write to their root, and burrow as
# podman's OCI runtime on that storage. Runs only where podman is installed.

load ../helpers
load ../lib/overlay_root

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  command -v podman >/dev/null || skip "podman is not installed"
  require_fuse
  OVL=$(dirname "$BURROW")/burrow-overlay
  [[ -x $OVL ]] || skip "burrow-overlay is not built beside $BURROW"
  use_subid_range_or_skip
  burrow_setup
  P=$BATS_TEST_TMPDIR/podman
  mkdir -p "$P/conf" "$P/tmp"
  # storage and engine configuration of this test only; no registry is contacted
  cat >"$P/conf/storage.conf" <<EOC
[storage]
driver = "overlay"
graphroot = "$P/graph"
runroot = "$P/run"
[storage.options.overlay]
mount_program = "$OVL"
EOC
  cat >"$P/conf/containers.conf" <<EOC
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
static_dir = "$P/libpod"
volume_path = "$P/volumes"
tmp_dir = "$P/tmp"
EOC
  export CONTAINERS_STORAGE_CONF=$P/conf/storage.conf CONTAINERS_CONF=$P/conf/containers.conf
  export TMPDIR=$P/tmp
  # a busybox image, imported from a tarball of the test bundle's rootfs
  tar -C "$BUNDLE/rootfs" -cf "$P/busybox.tar" .
  podman import -q "$P/busybox.tar" localhost/burrow-busybox:test >/dev/null
}

teardown ()
{
  if [[ -n ${P:-} && -d $P ]]; then
    podman rm -af -t 0 >/dev/null 2>&1 || true
    # the storage holds files of subordinate ids: removed from inside podman's namespace
    podman unshare rm -rf "$P/graph" "$P/run" >/dev/null 2>&1 || true
  fi
  podman_stop_pause
  burrow_teardown
}

use_subid_range_or_skip ()
{
  grep -q "^$(id -un):" /etc/subuid 2>/dev/null || skip "no subordinate ids for $(id -un)"
}

@test "podman: burrow-overlay as mount_program serves a container's root, the image unchanged" {
  # runc, not Debian's crun (which refuses this host's hybrid cgroups)
  command -v runc >/dev/null || skip "runc is not installed"
  capture podman --runtime runc run --rm localhost/burrow-busybox:test sh -c \
    'echo written >/etc/passwd && cat /etc/passwd && grep " / / " /proc/self/mountinfo'
  expect_status 0
  expect_line written
  expect_contains "$output" " - fuse.burrow-overlay burrow-overlay "
  # a second container starts from the image, not from the first one's writes
  capture podman --runtime runc run --rm localhost/burrow-busybox:test cat /etc/passwd
  expect_status 0
  expect_no_line written
  # the helper went with the containers
  capture pgrep -u "$(id -u)" -f "^$OVL "
  [ -z "$output" ]
}

@test "podman: burrow as the OCI runtime on burrow-overlay storage" {
  capture podman --runtime "$BURROW" run --rm localhost/burrow-busybox:test sh -c \
    'echo hi >/new && cat /new && id -u'
  expect_status 0
  expect_line hi
  expect_line 0
}
