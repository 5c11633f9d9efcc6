#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow delete: refuses a running container, --force kills it; nothing stays behind.

load ../helpers

@test "delete refuses a running container without --force" {
  set_args probe sleep 60
  create_container busy
  burrow start busy
  local pid
  pid=$(container_pid busy)
  capture --separate-stderr burrow delete busy
  expect_one_line_error busy running
  [ "$(container_status busy)" = running ]
  pid_alive "$pid"
  [ -d "$BURROW_STATE/busy" ]
}

@test "delete --force kills a running container and removes everything" {
  set_args probe sleep 60
  create_container forced
  burrow start forced
  local pid
  pid=$(container_pid forced)
  run burrow delete --force forced
  expect_status 0
  refute pid_alive "$pid"
  [ ! -e "$BURROW_STATE/forced" ]
  run burrow list -q
  [ -z "$output" ]
  assert_nothing_left forced
}

@test "delete --force kills a container whose process ignores SIGTERM" {
  set_args sh -c 'trap "" TERM; while true; do sleep 1; done'
  create_container stubborn
  burrow start stubborn
  container_pid stubborn >/dev/null
  run burrow delete --force stubborn
  expect_status 0
  assert_nothing_left stubborn
}

@test "delete --force removes the whole process tree of the container" {
  set_args sh -c 'sleep 100 & sleep 100 & probe sleep 100'
  create_container tree
  burrow start tree
  local pid
  pid=$(container_pid tree)
  sleep 0.3
  local children
  children=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
  run burrow delete --force tree
  expect_status 0
  local c
  for c in $children; do
    wait_pid_gone "$c" 5
  done
  assert_nothing_left tree
}

@test "delete of a stopped container needs no --force" {
  set_args probe exit 0
  create_container ended
  burrow start ended
  wait_for_status ended stopped 10
  run burrow delete ended
  expect_status 0
  assert_nothing_left ended
}

@test "delete of a created container removes it and its init" {
  set_args probe sleep 60
  create_container fresh
  container_pid fresh >/dev/null
  run burrow delete --force fresh
  expect_status 0
  assert_nothing_left fresh
}

@test "delete --force of an unknown id succeeds quietly (as runc), delete without it fails" {
  capture --separate-stderr burrow delete --force ghost
  expect_status 0
  capture --separate-stderr burrow delete ghost
  expect_one_line_error ghost "does not exist"
}
