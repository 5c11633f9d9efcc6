#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# The rest of process{} and linux{} that shapes the process: sysctl, time offsets,
# personality, scheduler, CPU affinity, oomScoreAdj; and their bad values.

load ../helpers

@test "linux.sysctl: an ipc and a net key are set inside, the host keeps its values" {
  local host_shmmax
  host_shmmax=$(cat /proc/sys/kernel/shmmax)
  set_cfg '.linux.namespaces = (.linux.namespaces | map(select(.type != "network"))) + [{type: "network"}]
           | .linux.sysctl = {"kernel.shmmax": "12345678", "net.ipv4.ip_forward": "1"}'
  set_args sh -c 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'
  capture burrow run --bundle "$BUNDLE" sysctl1
  expect_status 0
  expect_line 12345678
  expect_line 1
  [ "$(cat /proc/sys/kernel/shmmax)" = "$host_shmmax" ]
}

@test "bad input: a sysctl that is not namespaced is refused before anything runs" {
  set_cfg '.linux.sysctl = {"vm.swappiness": "1"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" sysctl2
  expect_one_line_error "vm.swappiness" "not namespaced"
  assert_bad_input_left_nothing sysctl2
}

@test "bad input: a net sysctl without a network namespace names the missing namespace" {
  set_cfg '.linux.namespaces |= map(select(.type != "network"))
           | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" sysctl3
  expect_one_line_error "net.ipv4.ip_forward" "network namespace"
  assert_bad_input_left_nothing sysctl3
}

@test "linux.timeOffsets shift boottime and monotonic inside a time namespace" {
  local host_up
  host_up=$(cut -d. -f1 /proc/uptime)
  set_cfg '.linux.namespaces += [{type: "time"}]
           | .linux.timeOffsets = {boottime: {secs: 864000}, monotonic: {secs: 864000}}'
  set_args cat /proc/uptime
  capture burrow run --bundle "$BUNDLE" time1
  expect_status 0
  local inside=${output%%.*}
  # ten days ahead of the host, give or take the seconds this test took
  [ $((inside - host_up)) -ge 863990 ] && [ $((inside - host_up)) -le 864100 ]
}

@test "bad input: timeOffsets without a time namespace" {
  set_cfg '.linux.timeOffsets = {boottime: {secs: 10}}'
  run --separate-stderr burrow run --bundle "$BUNDLE" time2
  expect_one_line_error "timeOffsets" "time namespace"
  assert_bad_input_left_nothing time2
}

@test "linux.personality LINUX32 makes uname report a 32-bit machine" {
  [ "$(uname -m)" = x86_64 ] || skip "the host is not x86_64 (uname -m: $(uname -m))"
  set_cfg '.linux.personality = {domain: "LINUX32"}'
  set_args uname -m
  capture burrow run --bundle "$BUNDLE" pers1
  expect_status 0
  expect_line i686
}

@test "bad input: an unknown personality domain" {
  set_cfg '.linux.personality = {domain: "WINDOWS"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" pers2
  expect_one_line_error "personality" "WINDOWS"
  assert_bad_input_left_nothing pers2
}

@test "process.scheduler SCHED_BATCH with nice 7 is the process's policy and nice" {
  set_cfg '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
  # /proc/self/stat: field 19 is nice, field 41 the policy (3 = SCHED_BATCH)
  set_args sh -c 'cut -d" " -f19,41 /proc/self/stat'
  capture burrow run --bundle "$BUNDLE" sched1
  expect_status 0
  expect_line "7 3"
}

@test "bad input: an unknown scheduler policy and an out-of-range nice" {
  set_cfg '.process.scheduler = {policy: "SCHED_FAST"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" sched2
  expect_one_line_error "scheduler" "SCHED_FAST"
  set_cfg '.process.scheduler = {policy: "SCHED_OTHER", nice: 40}'
  run --separate-stderr burrow run --bundle "$BUNDLE" sched2
  expect_one_line_error "nice"
  assert_bad_input_left_nothing sched2
}

@test "process.execCPUAffinity.final pins the process" {
  set_cfg '.process.execCPUAffinity = {initial: "0", final: "0"}'
  set_args sh -c 'grep Cpus_allowed_list /proc/self/status'
  capture burrow run --bundle "$BUNDLE" aff1
  expect_status 0
  expect_contains "$output" "Cpus_allowed_list:" "0"
  [ "$(awk '{print $2}' <<<"$output")" = 0 ]
}

@test "bad input: an invalid CPU list and an unknown I/O priority class" {
  set_cfg '.process.execCPUAffinity = {final: "3-1"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" aff2
  expect_one_line_error "execCPUAffinity" "3-1"
  set_cfg 'del(.process.execCPUAffinity) | .process.ioPriority = {class: "IOPRIO_CLASS_FAST"}'
  run --separate-stderr burrow run --bundle "$BUNDLE" aff2
  expect_one_line_error "ioPriority" "IOPRIO_CLASS_FAST"
  assert_bad_input_left_nothing aff2
}

@test "process.oomScoreAdj is the process's oom_score_adj" {
  set_cfg '.process.oomScoreAdj = 500'
  set_args cat /proc/self/oom_score_adj
  capture burrow run --bundle "$BUNDLE" oom1
  expect_status 0
  expect_line 500
}

@test "a new session keyring named after the container, unless --no-new-keyring" {
  set_args probe keyring
  capture burrow run --bundle "$BUNDLE" keyring-ctr
  expect_status 0
  # type;uid;gid;perm;name
  [ "$(grep '^keyring=' <<<"$output" | awk -F';' '{print $NF}')" = keyring-ctr ]
  capture burrow run --no-new-keyring --bundle "$BUNDLE" keyring-ctr2
  [[ "$(grep '^keyring=' <<<"$output" | awk -F';' '{print $NF}')" != keyring-ctr2 ]]
}

@test "apparmorProfile on a host without AppArmor: a warning naming it, and the container runs" {
  if [[ -r /sys/module/apparmor/parameters/enabled && $(cat /sys/module/apparmor/parameters/enabled) == Y ]]; then
    skip "this host has AppArmor enabled: the profile would be applied, not warned about"
  fi
  set_cfg '.process.apparmorProfile = "burrow-test-profile"'
  set_args true
  run --separate-stderr burrow run --bundle "$BUNDLE" aa1
  [ "$status" -eq 0 ]
  expect_contains "$stderr" "burrow-test-profile" "AppArmor is not enabled"
}

@test "linux.resources: applied through the cgroup, or one warning naming what is not; the container runs" {
  set_cfg '.linux.resources = {memory: {limit: 100000000}, pids: {limit: 50}, devices: [{allow: false, access: "rwm"}]}'
  set_args true
  run --separate-stderr burrow run --bundle "$BUNDLE" res1
  [ "$status" -eq 0 ]
  local cg=${BURROW_TEST_CGROUP:-/nonexistent}
  if is_rootless && ! { grep -qw memory "$cg/cgroup.controllers" 2>/dev/null \
                        && grep -qw pids "$cg/cgroup.controllers"; }; then
    # no cgroup delegated, or one without these controllers (tests/root and
    # tests/rootless/cgroup_* check the limits themselves)
    expect_contains "$stderr" "memory" "pids" "not applied"
    [[ $stderr != *devices* ]]
  else
    [ -z "$stderr" ]
  fi
}
