#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow events: --stats prints runc's stats event once; the stream prints stats every
# interval and ends with the container; an OOM kill is reported; errors.

load ../helpers
load ../cgroup_files

# events_or_skip ARGS...: burrow events, skipping when the container has no cgroup.
events_or_skip ()
{
  capture --separate-stderr burrow events "$@"
  if [[ $status -ne 0 && $stderr == *"has no cgroup"* ]]; then
    skip "the container has no cgroup here: $stderr"
  fi
  expect_status 0
}

@test "events --stats prints one stats event with runc's fields" {
  set_args sh -c 'probe sleep 100 & probe sleep 100 & wait'
  burrow run -d --bundle "$BUNDLE" e1 >/dev/null 2>&1 </dev/null
  container_pid e1 >/dev/null
  # wait for both children: three processes
  local tries=100
  while (( tries-- > 0 )) && [[ $(burrow ps -f json e1 | jq length) != 3 ]]; do sleep 0.05; done
  events_or_skip --stats e1
  [ "${#lines[@]}" -eq 1 ]
  jq -e '.type == "stats" and .id == "e1"' <<<"$output"
  # runc's types.Stats, in its order
  [ "$(jq -c '.data | keys_unsorted' <<<"$output")" \
    = '["cpu","cpuset","memory","pids","blkio","hugetlb","intel_rdt","network_interfaces"]' ]
  jq -e '.data.pids.current == 3' <<<"$output"
  jq -e '.data.cpu.usage | has("kernel") and has("user")' <<<"$output"
  jq -e '.data.memory.usage | has("limit") and has("failcnt")' <<<"$output"
  jq -e '.data.network_interfaces == null and .data.intel_rdt == {}' <<<"$output"
}

@test "events --stats reports the limits and usage of the container's cgroup" {
  set_cfg '.linux.resources.pids.limit = 50'
  set_args sh -c 'while :; do :; done'
  burrow run -d --bundle "$BUNDLE" e2 >/dev/null 2>&1 </dev/null
  local pid file
  pid=$(container_pid e2)
  sleep 0.3
  events_or_skip --stats e2
  jq -e '.data.cpu.usage.total > 100000000' <<<"$output"
  if file=$(cgroup_file "$pid" pids.max); then
    [ "$(cat "$file")" = 50 ]
    jq -e '.data.pids.limit == 50' <<<"$output"
  fi
  if file=$(cgroup_file "$pid" memory.usage_in_bytes || cgroup_file "$pid" memory.current); then
    jq -e '.data.memory.usage.usage > 0 and (.data.memory.raw | length) > 5' <<<"$output"
  fi
}

@test "events streams stats every interval and ends when the container stops" {
  set_args probe sleep 1.2
  burrow run -d --bundle "$BUNDLE" e3 >/dev/null 2>&1 </dev/null
  container_pid e3 >/dev/null
  local start end
  start=$(date +%s%N)
  events_or_skip --interval 200ms e3
  end=$(date +%s%N)
  # about five ticks in 1.2 s, then the end of the stream with the container
  [ "${#lines[@]}" -ge 3 ]
  [ "${#lines[@]}" -le 7 ]
  for l in "${lines[@]}"; do
    jq -e '.type == "stats" and .id == "e3" and (.data.pids | type == "object")' <<<"$l"
  done
  (( (end - start) / 1000000 < 3000 ))
}

@test "events reports an OOM kill in the container" {
  # a memory hog killed inside a 32 MiB cgroup without swap
  set_cfg '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  set_args sh -c 'sleep 0.5; probe eatmem 200; sleep 1'
  burrow run -d --bundle "$BUNDLE" e4 >/dev/null 2>&1 </dev/null
  local pid
  pid=$(container_pid e4)
  cgroup_file "$pid" memory.oom_control >/dev/null || cgroup_file "$pid" memory.events \
    >/dev/null || no_cgroup_file memory.events
  events_or_skip --interval 10s e4
  expect_line '{"type":"oom","id":"e4"}'
}

@test "events of a stopped or unknown container, and a bad interval, are errors" {
  set_args probe true
  burrow run -d --bundle "$BUNDLE" e5 >/dev/null 2>&1 </dev/null
  wait_for_status e5 stopped
  capture --separate-stderr burrow events --stats e5
  expect_one_line_error "e5" "not running"
  capture --separate-stderr burrow events nosuch
  expect_one_line_error "nosuch" "does not exist"
  capture --separate-stderr burrow events --interval 0 e5
  expect_usage_error "--interval" "greater than 0"
  capture --separate-stderr burrow events --interval soon e5
  expect_usage_error "--interval" "soon"
  capture --separate-stderr burrow events
  expect_usage_error "events" "exactly 1"
}
