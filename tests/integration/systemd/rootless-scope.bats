#!/usr/bin/env bats
# Inside the systemd stage, as the test user: `burrow --systemd-cgroup` asks the user's
# own manager (user@UID.service, user bus at $XDG_RUNTIME_DIR/bus) for the scope.

load ../helpers
load ../guest
load scope

setup ()
{
  require_cgroup_feature systemdUser
  burrow_setup
}

@test "systemd user: the container's scope exists with Delegate=yes" {
  [[ -n $XDG_RUNTIME_DIR && -S $XDG_RUNTIME_DIR/bus ]]
  scope_tests_delegate
}

@test "systemd user: the scope's cgroup holds the init and belongs to the user" {
  scope_tests_holds_init
}

@test "systemd user: the scope is under user@UID.service" {
  start_scoped c5
  [[ $(cgroup_of "$PID") == /user.slice/user-$(id -u).slice/user@$(id -u).service/* ]] || {
    echo "init in $(cgroup_of "$PID")" >&2; return 1; }
}

@test "systemd user: delete stops the scope and removes its cgroup" {
  scope_tests_delete
}

@test "systemd user: a foreground run passes the exit status and leaves no scope" {
  scope_tests_foreground_run
}

@test "systemd user: without --systemd-cgroup, a reachable user bus still means a systemd scope" {
  set_args probe sleep inf
  run_detached d1
  UNIT=$(scope_of "$PID")
  [[ -n $UNIT ]] || { echo "init in $(cgroup_of "$PID"), no scope" >&2; return 1; }
  run systemctl --user show -p Delegate --value "$UNIT"
  [[ $output == yes ]]
}

@test "systemd user: with no user bus, --systemd-cgroup warns naming the bus and uses cgroupfs" {
  set_args probe sleep inf
  unset DBUS_SESSION_BUS_ADDRESS
  XDG_RUNTIME_DIR=/nonexistent run_detached e1 --systemd-cgroup
  run cat "$BATS_TEST_TMPDIR/e1.err"
  expect_contains "$output" "warning" "systemd cgroup manager not usable" "/nonexistent/bus" \
    "using cgroupfs"
  [[ -z $(scope_of "$PID") ]] || { echo "init in scope $(scope_of "$PID")" >&2; return 1; }
  [[ $(container_status e1) == running ]]
  capture burrow delete --force e1
  expect_status 0
  assert_nothing_left e1
}
