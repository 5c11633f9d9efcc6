#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow update: new limits land in the container's cgroup files and bite; flags and
# --resources (file or stdin); bad input and stopped containers refused.

load ../helpers
load ../cgroup_files

sleeping ()
{
  set_args probe sleep 100
  burrow run -d --bundle "$BUNDLE" "$1" >/dev/null 2>&1 </dev/null
  container_pid "$1"
}

# update_or_skip ID ARGS...: burrow update, skipping when the container has no cgroup.
update_or_skip ()
{
  capture --separate-stderr burrow update "$@"
  if [[ $status -ne 0 && $stderr == *"has no cgroup"* ]]; then
    skip "the container has no cgroup here: $stderr"
  fi
  expect_status 0
}

@test "update --pids-limit writes pids.max and a fork beyond it fails" {
  local pid file
  pid=$(sleeping u1)
  file=$(cgroup_file "$pid" pids.max) || no_cgroup_file pids.max
  update_or_skip --pids-limit 5 u1
  [ "$(cat "$file")" = 5 ]
  # the init and the exec'd probe count: 3 more processes at most
  capture --separate-stderr burrow exec u1 probe fork 10
  expect_line forked=3
  expect_contains "$output" "fork_error=Resource temporarily unavailable"

  update_or_skip --pids-limit -1 u1
  [ "$(cat "$file")" = max ]
  capture burrow exec u1 probe fork 10
  expect_line forked=10
}

@test "update --memory sets the limit and a process above it is OOM-killed" {
  local pid file
  pid=$(sleeping u2)
  file=$(cgroup_file "$pid" memory.limit_in_bytes || cgroup_file "$pid" memory.max) \
    || no_cgroup_file memory.max
  update_or_skip --memory 32m --memory-swap 32m u2
  [ "$(cat "$file")" = 33554432 ]
  capture burrow exec u2 probe eatmem 100
  [ "$status" -eq 137 ]
  # the container itself goes on
  [ "$(container_status u2)" = running ]
  capture burrow exec u2 probe eatmem 4
  expect_status 0
  expect_line eatmem=4
}

@test "update --resources FILE and --resources - (stdin) apply an OCI resources object" {
  # hugetlb: the one controller a rootless container has on this kind of host too
  local pid file
  pid=$(sleeping u3)
  file=$(cgroup_file "$pid" hugetlb.2MB.max) || no_cgroup_file hugetlb.2MB.max
  echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' >"$BATS_TEST_TMPDIR/res.json"
  update_or_skip --resources "$BATS_TEST_TMPDIR/res.json" u3
  [ "$(cat "$file")" = 4194304 ]
  echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 8388608}]}' | burrow update -r - u3
  [ "$(cat "$file")" = 8388608 ]
  burrow events --stats u3 | jq -e '.data.hugetlb["2MB"] | has("failcnt")'
}

@test "update --cpu-quota and --cpu-period reach the cpu controller" {
  local pid file
  pid=$(sleeping u4)
  if file=$(cgroup_file "$pid" cpu.cfs_quota_us); then
    update_or_skip --cpu-period 100000 --cpu-quota 50000 u4
    [ "$(cat "$file")" = 50000 ]
    [ "$(cat "${file%/*}/cpu.cfs_period_us")" = 100000 ]
  else
    file=$(cgroup_file "$pid" cpu.max) || no_cgroup_file cpu.max
    update_or_skip --cpu-period 100000 --cpu-quota 50000 u4
    [ "$(cat "$file")" = "50000 100000" ]
  fi
}

@test "update --kernel-memory is accepted and ignored with a warning" {
  sleeping u5 >/dev/null
  capture --separate-stderr burrow update --kernel-memory 10m u5
  if [[ $status -ne 0 && $stderr == *"has no cgroup"* ]]; then
    skip "the container has no cgroup here: $stderr"
  fi
  expect_status 0
  expect_contains "$stderr" "kernel-memory" "ignored"
}

@test "update of a stopped or unknown container is an error" {
  set_args probe true
  burrow run -d --bundle "$BUNDLE" u6 >/dev/null 2>&1 </dev/null
  wait_for_status u6 stopped
  capture --separate-stderr burrow update --pids-limit 10 u6
  expect_one_line_error "update" "u6" "not running"
  capture --separate-stderr burrow update --pids-limit 10 nosuch
  expect_one_line_error "nosuch" "does not exist"
}

@test "update refuses bad values before touching the container" {
  local pid
  pid=$(sleeping u7)
  capture --separate-stderr burrow update --memory lots u7
  expect_one_line_error "--memory" "lots"
  capture --separate-stderr burrow update --pids-limit 1x u7
  expect_one_line_error "--pids-limit" "1x"
  capture --separate-stderr burrow update --cpu-period -5 u7
  expect_one_line_error "--cpu-period" "-5"
  echo 'not json' >"$BATS_TEST_TMPDIR/bad.json"
  capture --separate-stderr burrow update -r "$BATS_TEST_TMPDIR/bad.json" u7
  expect_one_line_error "--resources" "not a JSON object"
  capture --separate-stderr burrow update -r "$BATS_TEST_TMPDIR/none.json" u7
  expect_one_line_error "--resources" "none.json"
  capture --separate-stderr burrow update -r "$BATS_TEST_TMPDIR/bad.json" --memory 1g u7
  expect_one_line_error "--resources" "cannot be combined"
  capture --separate-stderr burrow update --bogus 1 u7
  expect_usage_error "unknown flag --bogus"
  capture --separate-stderr burrow update --pids-limit 5
  expect_usage_error "update" "exactly 1"
  [ "$(container_status u7)" = running ]
}

@test "update of a limit whose controller the cgroup lacks says so" {
  local pid
  pid=$(sleeping u9)
  if cgroup_file "$pid" pids.max >/dev/null; then
    skip "the pids controller is available here: nothing to refuse"
  fi
  capture --separate-stderr burrow update --pids-limit 5 u9
  if [[ $status -ne 0 && $stderr == *"has no cgroup"* ]]; then
    skip "the container has no cgroup here: $stderr"
  fi
  expect_one_line_error "u9" "pids" "not available"
  [ "$(container_status u9)" = running ]
}
