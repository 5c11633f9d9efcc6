#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow kill: signal names, numbers, the default, and errors.

load ../helpers

# A started container running `probe sleep 60`.
started ()
{
  set_args probe sleep 60
  create_container "$1"
  burrow start "$1"
  container_pid "$1" >/dev/null
}

@test "kill ID KILL stops the container" {
  started k1
  run burrow kill k1 KILL
  expect_status 0
  wait_for_status k1 stopped 10
}

@test "kill ID SIGKILL stops the container" {
  started k2
  run burrow kill k2 SIGKILL
  expect_status 0
  wait_for_status k2 stopped 10
}

@test "kill ID 9 stops the container" {
  started k3
  run burrow kill k3 9
  expect_status 0
  wait_for_status k3 stopped 10
}

@test "kill ID with no signal sends SIGTERM" {
  set_args probe signal-exit
  create_container k4
  burrow start k4
  wait_for_file "$BATS_TEST_TMPDIR/k4.out"
  run burrow kill k4
  expect_status 0
  wait_for_status k4 stopped 10
  run container_out k4
  expect_line signal=SIGTERM
}

@test "kill ID INT and kill ID 2 deliver SIGINT" {
  set_args probe signal-exit
  create_container k5
  burrow start k5
  wait_for_file "$BATS_TEST_TMPDIR/k5.out"
  burrow kill k5 INT
  wait_for_status k5 stopped 10
  run container_out k5
  expect_line signal=SIGINT

  create_container k6
  burrow start k6
  wait_for_file "$BATS_TEST_TMPDIR/k6.out"
  burrow kill k6 2
  wait_for_status k6 stopped 10
  run container_out k6
  expect_line signal=SIGINT
}

@test "kill with an unknown signal name fails, naming it, and the container keeps running" {
  started k7
  capture --separate-stderr burrow kill k7 SIGFROBNICATE
  expect_one_line_error FROBNICATE
  [ "$(container_status k7)" = running ]
}

@test "kill with an out-of-range signal number fails" {
  started k8
  capture --separate-stderr burrow kill k8 999
  expect_one_line_error 999
  [ "$(container_status k8)" = running ]
}

@test "kill of a created (not started) container with KILL stops it" {
  set_args probe sleep 60
  create_container k9
  container_pid k9 >/dev/null
  run burrow kill k9 KILL
  expect_status 0
  wait_for_status k9 stopped 10
}

@test "kill of a stopped container fails" {
  set_args probe exit 0
  create_container k10
  burrow start k10
  wait_for_status k10 stopped 10
  capture --separate-stderr burrow kill k10 KILL
  expect_status 1
  [ -n "$stderr" ]
}
