#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow pause / resume: the freezer stops every process of the container and lets them
# go on; state and list say paused; the errors for the wrong status; exec into a paused
# container.

load ../helpers
load ../cgroup_files

# A started container whose init spins (a busy shell loop) and has a child that spins.
spinning ()
{
  set_args sh -c 'while :; do :; done & while :; do :; done'
  burrow run -d --bundle "$BUNDLE" "$1" >/dev/null 2>&1 </dev/null
  container_pid "$1" >/dev/null
}

# pause_or_skip ID: burrow pause, skipping when the container has no cgroup of its own
# (rootless without a delegated cgroup: the error says so).
pause_or_skip ()
{
  capture --separate-stderr burrow pause "$1"
  if [[ $status -ne 0 && $stderr == *"has no cgroup"* ]]; then
    skip "the container has no cgroup here: $stderr"
  fi
  expect_status 0
}

@test "pause stops every process of the container; resume lets them run again" {
  spinning p1
  local init child
  init=$(container_pid p1)
  child=$(burrow ps -f json p1 | jq -r --argjson p "$init" 'map(select(. != $p))[0]')
  [[ $child =~ ^[0-9]+$ ]]
  pause_or_skip p1
  [ "$(container_status p1)" = paused ]
  burrow list | grep -E "^p1 +$init +paused "
  local i0 c0
  i0=$(cpu_ticks "$init")
  c0=$(cpu_ticks "$child")
  sleep 0.5
  [ "$(cpu_ticks "$init")" = "$i0" ]
  [ "$(cpu_ticks "$child")" = "$c0" ]

  run burrow resume p1
  expect_status 0
  [ "$(container_status p1)" = running ]
  sleep 0.5
  [ "$(cpu_ticks "$init")" -gt "$i0" ]
  [ "$(cpu_ticks "$child")" -gt "$c0" ]
}

@test "pause uses the freezer of the container's cgroup" {
  spinning p2
  local pid file
  pid=$(container_pid p2)
  pause_or_skip p2
  if file=$(cgroup_file "$pid" freezer.state); then
    [ "$(cat "$file")" = FROZEN ]
  else
    file=$(cgroup_file "$pid" cgroup.events)
    grep -qx 'frozen 1' "$file"
  fi
  burrow resume p2
  if [[ $file == */freezer.state ]]; then
    [ "$(cat "$file")" = THAWED ]
  else
    grep -qx 'frozen 0' "$file"
  fi
}

@test "pause of a paused container and resume of a running one are refused" {
  spinning p3
  pause_or_skip p3
  capture --separate-stderr burrow pause p3
  expect_one_line_error "p3" "already paused"
  [ "$(container_status p3)" = paused ]
  burrow resume p3
  capture --separate-stderr burrow resume p3
  expect_one_line_error "p3" "not paused"
  [ "$(container_status p3)" = running ]
}

@test "a created container can be paused and resumed back to created" {
  set_args probe sleep 60
  create_container p4
  container_pid p4 >/dev/null
  pause_or_skip p4
  [ "$(container_status p4)" = paused ]
  burrow resume p4
  [ "$(container_status p4)" = created ]
}

@test "pause and resume of a stopped or unknown container are errors" {
  set_args probe true
  burrow run -d --bundle "$BUNDLE" p5 >/dev/null 2>&1 </dev/null
  wait_for_status p5 stopped
  capture --separate-stderr burrow pause p5
  expect_one_line_error "pause" "p5" "not running"
  capture --separate-stderr burrow resume p5
  expect_one_line_error "resume" "p5" "not running"
  capture --separate-stderr burrow pause nosuch
  expect_one_line_error "nosuch" "does not exist"
  capture --separate-stderr burrow pause
  expect_usage_error "pause" "exactly 1"
}

@test "exec into a paused container is refused; with --ignore-paused it runs once resumed" {
  spinning p6
  pause_or_skip p6
  capture --separate-stderr burrow exec p6 probe pid
  # exec's own failures exit 255 (runc)
  expect_status 255
  [ "${#stderr_lines[@]}" -eq 1 ]
  expect_contains "$stderr" "p6" "paused" "--ignore-paused"
  [ "$(container_status p6)" = paused ]
  # The new process joins the frozen cgroup: it may finish only after resume.
  burrow exec --ignore-paused p6 echo ran >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
  local exec_pid=$!
  sleep 0.5
  burrow resume p6
  wait "$exec_pid"
  [ "$(cat "$BATS_TEST_TMPDIR/exec.out")" = ran ]
}

@test "delete of a paused container is refused; delete --force removes it" {
  spinning p7
  pause_or_skip p7
  capture --separate-stderr burrow delete p7
  expect_one_line_error "p7" "not stopped" "paused"
  [ "$(container_status p7)" = paused ]
  run burrow delete --force p7
  expect_status 0
  assert_nothing_left p7
}

@test "kill KILL (and kill --all KILL) of a paused container stops it" {
  spinning p8
  pause_or_skip p8
  run burrow kill p8 KILL
  expect_status 0
  wait_for_status p8 stopped 5

  spinning p9
  pause_or_skip p9
  run burrow kill --all p9 KILL
  expect_status 0
  wait_for_status p9 stopped 5
}
