#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# The systemd cgroup manager of a rootless user, against a stand-in for the user's systemd
# on its private socket ($XDG_RUNTIME_DIR/systemd/private; tests/probe/fake_systemd.c): the
# D-Bus calls and properties burrow sends, the job it waits for, the scope's cgroup found
# from the init's pid, limits systemd has no property for written in the scope, the unit
# stopped at delete, and the fallback to cgroupfs when the call is refused. The real
# systemd is exercised by the VM stage.

load ../helpers
load cgroup_common

setup ()
{
  cgroup_setup
  [[ -x ${FAKE_SYSTEMD:-} ]] || skip "FAKE_SYSTEMD (tests/probe/fake_systemd) not given"
  mkdir -p "$XDG_RUNTIME_DIR/systemd"
  # the user's systemd would own user.slice; the stand-in makes scopes there
  SLICE=$BURROW_TEST_CGROUP/user.slice-$BATS_TEST_NUMBER
  mkdir "$SLICE"
  local c
  for c in $(cat "$BURROW_TEST_CGROUP/cgroup.subtree_control"); do
    echo "+$c" >"$SLICE/cgroup.subtree_control"
  done
  FAKE_LOG=$BATS_TEST_TMPDIR/fake.log
  "$FAKE_SYSTEMD" "$XDG_RUNTIME_DIR/systemd/private" "$SLICE" "$FAKE_LOG" </dev/null \
    >/dev/null 2>&1 &
  FAKE_PID=$!
  local tries=100
  until grep -q listening "$FAKE_LOG" 2>/dev/null; do
    (( tries-- > 0 )) || { echo "fake_systemd did not start" >&2; return 1; }
    sleep 0.05
  done
}

teardown ()
{
  [[ -z ${FAKE_PID:-} ]] || kill "$FAKE_PID" 2>/dev/null || true
  [[ -z ${FAKE_PID:-} ]] || wait "$FAKE_PID" 2>/dev/null || true
  burrow_teardown
  [[ -z ${SLICE:-} ]] || rmdir "$SLICE" 2>/dev/null || true
}

@test "systemd (user): a transient scope with Delegate=yes holds the init; limits become properties" {
  set_args probe sleep 100
  set_cfg '.linux.resources = {memory: {limit: 33554432, reservation: 16777216}, pids: {limit: 20},
           cpu: {shares: 1024, quota: 50000, period: 100000, cpus: "0-1"}}'
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" sd1 </dev/null
  expect_status 0
  local pid
  pid=$(container_pid sd1)
  jq -e '.cgroup | .manager == "systemd" and .unit == "burrow-sd1.scope" and .userManager
         and .slice == "user.slice" and .version == 2' "$BURROW_STATE/sd1/state.json"
  [ "$(jq -r .cgroup.path "$BURROW_STATE/sd1/state.json")" = "$SLICE/burrow-sd1.scope" ]
  grep -qx "$pid" "$SLICE/burrow-sd1.scope/cgroup.procs"
  capture cat "$FAKE_LOG"
  expect_line "StartTransientUnit burrow-sd1.scope fail"
  expect_line "Delegate=true"
  expect_line "Slice=user.slice"
  expect_line "PIDs=$pid "
  expect_line "MemoryMax=33554432"
  expect_line "MemoryLow=16777216"
  expect_line "TasksMax=20"
  expect_line "CPUWeight=39"
  expect_line "CPUQuotaPerSecUSec=500000"
  expect_line "CPUQuotaPeriodUSec=100000"
  expect_line "AllowedCPUs=03"
}

@test "systemd (user): limits systemd has no property for are written in the delegated scope" {
  grep -qw hugetlb "$SLICE/cgroup.controllers" || skip "hugetlb not delegated here"
  set_args probe sleep 100
  set_cfg '.linux.resources = {hugepageLimits: [{pageSize: "2MB", limit: 4194304}]}'
  burrow --systemd-cgroup create --bundle "$BUNDLE" sd2 </dev/null >/dev/null 2>&1
  [ "$(cat "$SLICE/burrow-sd2.scope/hugetlb.2MB.max")" = 4194304 ]
}

@test "systemd (user): slice:prefix:name names the unit; delete stops it and the scope goes" {
  set_args probe sleep 100
  set_cfg '.linux.cgroupsPath = "user.slice:pfx:box"'
  burrow --systemd-cgroup create --bundle "$BUNDLE" sd3 </dev/null >/dev/null 2>&1
  [ -d "$SLICE/pfx-box.scope" ]
  burrow start sd3
  burrow exec -d sd3 probe sleep 100
  [ "$(burrow ps -f json sd3 | jq length)" -eq 2 ]
  burrow delete --force sd3
  capture cat "$FAKE_LOG"
  expect_line "StopUnit pfx-box.scope replace"
  [ ! -e "$SLICE/pfx-box.scope" ]
}

@test "systemd (user): a refused StartTransientUnit falls back to cgroupfs with one warning" {
  mkdir "$SLICE/burrow-taken.scope" # the stand-in refuses a unit that exists: UnitExists
  set_args probe sleep 100
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" taken </dev/null
  # a name clash is an error (another container has that unit), and nothing is left
  expect_one_line_error "burrow-taken.scope"
  assert_bad_input_left_nothing taken
  rmdir "$SLICE/burrow-taken.scope"
  # no systemd at all: cgroupfs, one warning naming the cause
  kill "$FAKE_PID"
  wait "$FAKE_PID" 2>/dev/null || true
  FAKE_PID=
  rm -f "$XDG_RUNTIME_DIR/systemd/private"
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" nosd </dev/null
  expect_status 0
  [ "${#stderr_lines[@]}" -eq 1 ]
  expect_contains "$stderr" "systemd" "no user bus" "using cgroupfs"
  jq -e '.cgroup.manager == "cgroupfs"' "$BURROW_STATE/nosd/state.json"
}
