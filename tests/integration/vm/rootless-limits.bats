#!/usr/bin/env bats
# shellcheck disable=SC2016
# Inside the VM stage (Debian's kernel, cgroup2 with cpu, memory, pids, io), as the test
# user: linux.resources enforced by the kernel in the container's systemd user scope
# (`burrow --systemd-cgroup`, the user's manager, delegated cpu/memory/pids/io).

load ../helpers
load ../guest

setup ()
{
  require_cgroup_feature systemdUser
  burrow_setup
}

# start_limited ID: run -d $BUNDLE with --systemd-cgroup; sets PID and CG (its scope dir).
start_limited ()
{
  run_detached "$1" --systemd-cgroup
  CG=$(scope_dir_of "$PID") || { echo "init $PID in no scope: $(cgroup_of "$PID")" >&2; return 1; }
}

# event_count FILE KEY: a counter from memory.events / pids.events / cpu.stat.
event_count ()
{
  awk -v k="$2" '$1 == k { print $2 }' "$1"
}

@test "vm user: cgroup2 has cpu, memory, pids and io, all delegated to user@UID.service" {
  local cg c
  cg=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service
  [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]
  for c in cpu memory pids io; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || {
      echo "no $c in /sys/fs/cgroup: $(cat /sys/fs/cgroup/cgroup.controllers)" >&2; return 1; }
    grep -qw "$c" "$cg/cgroup.controllers" || {
      echo "no $c in $cg: $(cat "$cg/cgroup.controllers")" >&2; return 1; }
  done
  [[ $(stat -c %u "$cg") == "$(id -u)" ]]
}

@test "vm user: memory.limit is memory.max, and a hog in the container is OOM-killed (137)" {
  set_cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  # The init (sh) survives its child, the hog, and reports how it ended.
  set_args sh -c 'probe eatmem 200; echo hog-exit=$?; probe sleep inf'
  start_limited m1
  [[ $(cat "$CG/memory.max") == 33554432 ]]
  wait_for_output m1 '^hog-exit=' 60
  run cat "$BATS_TEST_TMPDIR/m1.out"
  expect_line hog-exit=137
  expect_no_line eatmem=200
  [[ $(event_count "$CG/memory.events" oom_kill) -ge 1 ]] || {
    echo "memory.events: $(cat "$CG/memory.events")" >&2; return 1; }
}

@test "vm user: an init that eats past memory.max is OOM-killed: run exits 137" {
  set_cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  set_args probe eatmem 200
  capture burrow --systemd-cgroup run --bundle "$BUNDLE" m2
  expect_status 137
  expect_no_line eatmem=200
  assert_nothing_left m2
}

@test "vm user: pids.limit is pids.max, and a fork loop stops there" {
  set_cfg '.linux.resources.pids = {limit: 12}'
  set_args sh -c 'probe fork 100; probe sleep inf'
  start_limited p1
  [[ $(cat "$CG/pids.max") == 12 ]]
  wait_for_output p1 '^forked=' 30
  run cat "$BATS_TEST_TMPDIR/p1.out"
  local forked
  forked=$(sed -n 's/^forked=//p' <<<"$output")
  [[ -n $forked && $forked -lt 12 ]] || { echo "output: $output" >&2; return 1; }
  expect_contains "$output" "fork_error="
  [[ $(event_count "$CG/pids.events" max) -ge 1 ]]
}

@test "vm user: cpu quota/period is cpu.max, and a busy loop is throttled" {
  set_cfg '.linux.resources.cpu = {quota: 10000, period: 100000}'
  set_args sh -c 'while :; do :; done'
  start_limited q1
  [[ $(cat "$CG/cpu.max") == "10000 100000" ]]
  local before after tries=100
  before=$(event_count "$CG/cpu.stat" nr_throttled)
  sleep 1
  while (( tries-- > 0 )); do
    after=$(event_count "$CG/cpu.stat" nr_throttled)
    (( after > before + 3 )) && break
    sleep 0.1
  done
  (( after > before + 3 )) || { echo "nr_throttled $before -> $after" >&2; return 1; }
}

@test "vm user: update changes pids.max, memory.max and cpu.max of a running container" {
  require_command update
  set_cfg '.linux.resources = {pids: {limit: 50}, memory: {limit: 104857600}}'
  set_args probe sleep inf
  start_limited u1
  [[ $(cat "$CG/pids.max") == 50 ]]
  capture burrow update --pids-limit 20 --memory 67108864 --cpu-quota 20000 \
    --cpu-period 100000 u1
  expect_status 0
  [[ $(cat "$CG/pids.max") == 20 ]] || { echo "pids.max $(cat "$CG/pids.max")" >&2; return 1; }
  [[ $(cat "$CG/memory.max") == 67108864 ]] || {
    echo "memory.max $(cat "$CG/memory.max")" >&2; return 1; }
  [[ $(cat "$CG/cpu.max") == "20000 100000" ]] || {
    echo "cpu.max $(cat "$CG/cpu.max")" >&2; return 1; }
}

@test "vm user: pause freezes the scope's cgroup, resume thaws it" {
  require_command pause
  set_args probe sleep inf
  start_limited f1
  capture burrow pause f1
  expect_status 0
  grep -qx 'frozen 1' "$CG/cgroup.events"
  [[ $(container_status f1) == paused ]]
  capture burrow resume f1
  expect_status 0
  grep -qx 'frozen 0' "$CG/cgroup.events"
  [[ $(container_status f1) == running ]]
}

@test "vm user: events --stats shows the limits, and events reports the OOM kill" {
  require_command events
  set_cfg '.linux.resources = {memory: {limit: 33554432, swap: 33554432}, pids: {limit: 40}}'
  set_args sh -c 'sleep 4; probe eatmem 200; sleep 3'
  start_limited v1
  capture --separate-stderr burrow events --stats v1
  expect_status 0
  jq -e '.type == "stats" and .id == "v1" and .data.memory.usage.limit == 33554432
         and .data.pids.limit == 40 and .data.pids.current >= 1' <<<"$output" || {
    echo "stats: $output" >&2; return 1; }
  # The stream ends with the container; the hog is killed on the way.
  capture --separate-stderr burrow events --interval 30s v1
  expect_status 0
  expect_line '{"type":"oom","id":"v1"}'
}

@test "vm user: the limits are the scope's properties too: a daemon-reload keeps them, after update as well" {
  set_cfg '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 30},
                               cpu: {quota: 20000, period: 100000}}'
  set_args probe sleep inf
  start_limited r1
  local unit
  unit=$(scope_of "$PID")
  run systemctl --user show -p MemoryMax -p TasksMax --value "$unit"
  expect_line 67108864
  expect_line 30
  # systemd writes its own idea of the unit's limits back into the files on a reload.
  systemctl --user daemon-reload
  [[ $(cat "$CG/memory.max") == 67108864 ]]
  [[ $(cat "$CG/pids.max") == 30 ]]
  [[ $(cat "$CG/cpu.max") == "20000 100000" ]]
  if "$BURROW" help update >/dev/null 2>&1; then
    capture burrow update --pids-limit 25 --memory 50331648 r1
    expect_status 0
    systemctl --user daemon-reload
    [[ $(cat "$CG/pids.max") == 25 ]] || {
      echo "pids.max $(cat "$CG/pids.max") after update and reload" >&2; return 1; }
    [[ $(cat "$CG/memory.max") == 50331648 ]] || {
      echo "memory.max $(cat "$CG/memory.max") after update and reload" >&2; return 1; }
  fi
}
