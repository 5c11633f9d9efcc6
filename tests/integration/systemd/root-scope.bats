#!/usr/bin/env bats
# Inside the systemd stage, as root: `burrow --systemd-cgroup` asks the system manager
# (system bus) for a transient scope per container (tests/integration/systemd/scope.bash).

load ../helpers
load ../guest
load scope

setup ()
{
  require_cgroup_feature systemd
  burrow_setup
}

@test "systemd root: the container's scope exists with Delegate=yes" {
  scope_tests_delegate
}

@test "systemd root: the scope's cgroup holds the init and belongs to root" {
  scope_tests_holds_init
}

@test "systemd root: the scope is in system.slice by default" {
  start_scoped c5
  [[ $(cgroup_of "$PID") == /system.slice/* ]] || {
    echo "init in $(cgroup_of "$PID")" >&2; return 1; }
}

@test "systemd root: cgroupsPath slice:prefix:name names the slice and the scope" {
  set_cfg '.linux.cgroupsPath = "machine.slice:burrowt:named"'
  start_scoped c6
  [[ $UNIT == burrowt-named.scope ]] || { echo "unit $UNIT" >&2; return 1; }
  [[ $(cgroup_of "$PID") == /machine.slice/burrowt-named.scope* ]] || {
    echo "init in $(cgroup_of "$PID")" >&2; return 1; }
}

@test "systemd root: delete stops the scope and removes its cgroup" {
  scope_tests_delete
}

@test "systemd root: a foreground run passes the exit status and leaves no scope" {
  scope_tests_foreground_run
}

@test "systemd root: a cgroupsPath not of the form slice:prefix:name is a clear error" {
  set_cfg '.linux.cgroupsPath = "/not/a/slice"'
  capture --separate-stderr burrow --systemd-cgroup run -d --bundle "$BUNDLE" b1
  expect_one_line_error "cgroupsPath" "slice:prefix:name"
  assert_bad_input_left_nothing b1
}

@test "systemd root: linux.resources become the scope's properties (MemoryMax, TasksMax, CPUQuota)" {
  set_cfg '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 30},
                               cpu: {quota: 20000, period: 100000}}'
  start_scoped r1
  run systemctl show -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec --value "$UNIT"
  expect_line 67108864
  expect_line 30
  expect_line 200ms
}
