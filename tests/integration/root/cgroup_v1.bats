#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# cgroups as root on a v1 (legacy or hybrid) host: limits that bite (memory, pids, cpu
# quota), ps and kill --all from the cgroup, every directory gone after delete, bad input.

load ../helpers

setup ()
{
  burrow_setup
  require_root_mode
  [[ -d /sys/fs/cgroup/memory && -d /sys/fs/cgroup/pids ]] \
    || skip "this host has no cgroup v1 memory and pids hierarchies"
  [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]] || skip "a unified (v2-only) host"
}

# cgroup_of ID: the container's recorded cgroup object (state.json's "cgroup").
cgroup_of ()
{
  jq -c .cgroup "$BURROW_STATE/$1/state.json"
}

# v1_dir ID CONTROLLER: its directory for one controller.
v1_dir ()
{
  jq -r --arg c "$2" '.cgroup.v1[$c]' "$BURROW_STATE/$1/state.json"
}

# All cgroup directories recorded for ID, one a line.
all_dirs ()
{
  jq -r '.cgroup | ([.v1[]?] + [.path // empty])[]' "$BURROW_STATE/$1/state.json" | sort -u
}

@test "root on v1: the init is in a cgroup of every mounted controller, recorded in the state" {
  set_args probe sleep 100
  create_container cg1
  local pid
  pid=$(container_pid cg1)
  cgroup_of cg1 | jq -e '.manager == "cgroupfs" and .version == 1 and .owned'
  local mem
  mem=$(v1_dir cg1 memory)
  [[ $mem == /sys/fs/cgroup/memory/*/cg1 || $mem == /sys/fs/cgroup/memory/cg1 ]]
  grep -qx "$pid" "$mem/cgroup.procs"
  grep -qx "$pid" "$(v1_dir cg1 pids)/cgroup.procs"
  grep -q ":memory:.*/cg1$" "/proc/$pid/cgroup"
}

@test "root on v1: a memory hog is OOM-killed under linux.resources.memory.limit" {
  set_args probe eatmem 200
  # the same program without the limit gets its memory: the limit is what kills it
  capture burrow run --bundle "$BUNDLE" nolimit
  expect_status 0
  expect_contains "$output" "eatmem=200"
  set_cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  capture burrow run --bundle "$BUNDLE" hog
  expect_status 137
  [[ $output != *eatmem=200* ]]
}

@test "root on v1: a fork loop is stopped by linux.resources.pids.limit" {
  set_args probe fork 40
  set_cfg '.linux.resources.pids = {limit: 8}'
  capture burrow run --bundle "$BUNDLE" forker
  expect_contains "$output" "fork_error="
  local n
  n=$(sed -n 's/^forked=//p' <<<"$output")
  [ "$n" -lt 8 ]
  # without the limit all 40 start
  set_cfg 'del(.linux.resources.pids)'
  capture burrow run --bundle "$BUNDLE" forker2
  expect_contains "$output" "forked=40"
}

@test "root on v1: cpu quota, period and shares are written; cpu.stat counts throttled periods" {
  set_args sh -c 'while :; do :; done'
  set_cfg '.linux.resources.cpu = {quota: 10000, period: 100000, shares: 512}'
  create_container cpu1
  local dir
  dir=$(v1_dir cpu1 cpu)
  [ "$(cat "$dir/cpu.cfs_quota_us")" = 10000 ]
  [ "$(cat "$dir/cpu.cfs_period_us")" = 100000 ]
  [ "$(cat "$dir/cpu.shares")" = 512 ]
  burrow start cpu1
  sleep 0.5
  local throttled
  throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat")
  [ "$throttled" -gt 0 ]
}

@test "root on v1: hugepage limits go to the hybrid unified hierarchy when v1 has no hugetlb" {
  [[ -d /sys/fs/cgroup/hugetlb ]] && skip "this host mounts hugetlb on v1"
  [[ -d /sys/fs/cgroup/unified ]] || skip "no hybrid unified hierarchy"
  grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "no hugetlb controller"
  set_args probe sleep 100
  set_cfg '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  create_container huge
  local dir
  dir=$(jq -r .cgroup.path "$BURROW_STATE/huge/state.json")
  [[ $dir == /sys/fs/cgroup/unified/* ]]
  [ "$(cat "$dir/hugetlb.2MB.max")" = 4194304 ]
  grep -qx "$(container_pid huge)" "$dir/cgroup.procs"
}

@test "root on v1: ps lists what is in the cgroup, kill --all kills all of it, delete removes every directory" {
  set_args probe sleep 100
  create_container all1
  burrow start all1
  local init dirs
  init=$(container_pid all1)
  burrow exec -d all1 probe sleep 100
  local pids
  pids=$(burrow ps -f json all1)
  [ "$(jq length <<<"$pids")" -eq 2 ]
  jq -e --argjson p "$init" 'index($p) != null' <<<"$pids"
  # every listed pid is in the container's memory cgroup
  local p
  for p in $(jq '.[]' <<<"$pids"); do
    grep -qx "$p" "$(v1_dir all1 memory)/cgroup.procs"
  done
  dirs=$(all_dirs all1)
  [ -n "$dirs" ]
  burrow kill --all all1 KILL
  for p in $(jq '.[]' <<<"$pids"); do wait_pid_gone "$p" 5; done
  burrow delete all1
  for d in $dirs; do [ ! -e "$d" ]; done
}

@test "root on v1: the default device rules still give /dev/null and friends" {
  set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && probe open-write /dev/full'
  capture burrow run --bundle "$BUNDLE" devs
  expect_status 0
  expect_contains "$output" "4"
}

@test "root on v1: a device outside the allowed rules cannot be opened, even when mounted in" {
  [[ -c /dev/kmsg ]] || skip "no /dev/kmsg on this host"
  set_cfg '.mounts += [{destination: "/dev/kmsg", type: "bind", source: "/dev/kmsg", options: ["bind"]}]'
  set_args sh -c 'if (exec 3>/dev/kmsg) 2>/dev/null; then echo kmsg=open; else echo kmsg=denied; fi'
  capture burrow run --bundle "$BUNDLE" devs2
  expect_status 0
  expect_line "kmsg=denied"
  # allowed by a rule, the same open works: the devices cgroup is what refused it
  set_cfg '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rw"}]'
  capture burrow run --bundle "$BUNDLE" devs3
  expect_status 0
  expect_line "kmsg=open"
}

@test "root on v1: a cgroupsPath with .. is refused and nothing is left" {
  set_cfg '.linux.cgroupsPath = "/../escape"'
  capture --separate-stderr burrow create --bundle "$BUNDLE" bad1
  expect_one_line_error "cgroupsPath" ".."
  assert_bad_input_left_nothing bad1
  [ ! -e /sys/fs/cgroup/memory/escape ]
}

@test "root on v1: a limit below what the kernel accepts is a clear error and nothing is left" {
  set_cfg '.linux.resources.memory = {limit: 100}'
  capture --separate-stderr burrow create --bundle "$BUNDLE" bad2
  expect_one_line_error "linux.resources.memory.limit" "page"
  assert_bad_input_left_nothing bad2
  set_cfg '.linux.resources.memory = {} | .linux.resources.cpu = {quota: 500, period: 100000}'
  capture --separate-stderr burrow create --bundle "$BUNDLE" bad3
  expect_one_line_error "linux.resources.cpu.quota"
  assert_bad_input_left_nothing bad3
}

@test "root on v1: a create that fails after the cgroup was made removes it" {
  set_cfg '.linux.cgroupsPath = "/burrow-failed-create"'
  set_args /no/such/program
  capture --separate-stderr burrow create --bundle "$BUNDLE" fails
  [ "$status" -ne 0 ]
  assert_bad_input_left_nothing fails
  [ ! -e /sys/fs/cgroup/memory/burrow-failed-create ]
  [ ! -e /sys/fs/cgroup/pids/burrow-failed-create ]
}

@test "root: --systemd-cgroup with a path not in slice:prefix:name form is refused" {
  set_cfg '.linux.cgroupsPath = "/plain/path"'
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" sd1
  expect_one_line_error "slice:prefix:name"
  assert_bad_input_left_nothing sd1
  set_cfg '.linux.cgroupsPath = "bad:burrow:sd2"'
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" sd2
  expect_one_line_error "not a slice name"
  assert_bad_input_left_nothing sd2
}

@test "root: --systemd-cgroup without systemd falls back to cgroupfs with one warning" {
  [[ -d /run/systemd/system ]] && skip "systemd runs here: the systemd manager would be used"
  set_args probe sleep 100
  capture --separate-stderr burrow --systemd-cgroup create --bundle "$BUNDLE" sdfb
  expect_status 0
  [ "${#stderr_lines[@]}" -eq 1 ]
  expect_contains "$stderr" "systemd" "using cgroupfs"
  cgroup_of sdfb | jq -e '.manager == "cgroupfs"'
}

@test "root: the cgroup namespace is rooted at the container's cgroup" {
  set_args cat /proc/self/cgroup
  set_cfg '.linux.namespaces |= (map(select(.type != "cgroup")) + [{type: "cgroup"}])'
  capture burrow run --bundle "$BUNDLE" cgns
  expect_status 0
  expect_line "0::/"
  expect_contains "$output" ":memory:/"
  [[ $output != *cgns* ]]
}
