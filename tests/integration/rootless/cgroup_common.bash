# shellcheck shell=bash disable=SC2034
# cgroup_common.bash: set-up shared by the rootless cgroup tests (`load cgroup_common`).

# cgroup_setup: a test in the cgroup v2 subtree tests/run.sh delegates to the test user
# (BURROW_TEST_CGROUP); V2_MOUNT is the cgroup2 mount, DELEGATED the subtree's path as
# /proc/PID/cgroup shows it. No user bus: cgroupfs unless a test brings its own systemd.
cgroup_setup ()
{
  burrow_setup
  require_rootless_mode
  [[ -n ${BURROW_TEST_CGROUP:-} && -d $BURROW_TEST_CGROUP ]] \
    || skip "no delegated cgroup (tests/run.sh as root sets BURROW_TEST_CGROUP)"
  V2_MOUNT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
  DELEGATED=${BURROW_TEST_CGROUP#"$V2_MOUNT"}
  export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
  mkdir -p "$XDG_RUNTIME_DIR"
  unset DBUS_SESSION_BUS_ADDRESS
}
