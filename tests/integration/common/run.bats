#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow run: exit status, --detach, --pid-file, --keep, --no-pivot, --preserve-fds.

load ../helpers

@test "run prints what the process prints and exits 0" {
  set_args probe ids
  capture burrow run --bundle "$BUNDLE" hello
  expect_status 0
  expect_line uid=0
  assert_nothing_left hello
}

@test "run exits with the process's exit status (exit 3 -> 3)" {
  set_args probe exit 3
  capture burrow run --bundle "$BUNDLE" three
  expect_status 3
  assert_nothing_left three
}

@test "run of a shell script: exit 42 -> 42, output kept" {
  set_args sh -c 'echo from-sh; exit 42'
  capture burrow run --bundle "$BUNDLE" shexit
  expect_status 42
  expect_line from-sh
}

@test "run of a process killed by SIGKILL exits 137" {
  set_args probe sleep 60
  burrow run --bundle "$BUNDLE" killed >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
  local bg=$!
  wait_for_status killed running 10
  container_pid killed >/dev/null
  burrow kill killed KILL
  local rc=0
  wait "$bg" || rc=$?
  [ "$rc" -eq 137 ]
  assert_nothing_left killed
}

@test "run of a process that exits on SIGTERM: kill TERM -> status 0" {
  set_args probe signal-exit
  burrow run --bundle "$BUNDLE" termed >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
  local bg=$!
  wait_for_status termed running 10
  wait_for_file "$BATS_TEST_TMPDIR/out"
  burrow kill termed TERM
  local rc=0
  wait "$bg" || rc=$?
  [ "$rc" -eq 0 ]
  run cat "$BATS_TEST_TMPDIR/out"
  expect_line signal=SIGTERM
}

@test "run removes the container after it exits" {
  set_args probe exit 0
  capture burrow run --bundle "$BUNDLE" removed
  expect_status 0
  run burrow list -q
  [ -z "$output" ]
  assert_nothing_left removed
}

@test "run --keep keeps the stopped container's state" {
  set_args probe exit 5
  capture burrow run --keep --bundle "$BUNDLE" kept
  expect_status 5
  [ "$(container_status kept)" = stopped ]
  run burrow list -q
  [ "$output" = kept ]
  burrow delete kept
  assert_nothing_left kept
}

@test "run -d returns at once with the container running; --pid-file holds its pid" {
  set_args probe sleep 60
  local pidfile=$BATS_TEST_TMPDIR/init.pid
  SECONDS=0
  burrow run -d --pid-file "$pidfile" --bundle "$BUNDLE" detached \
    >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
  [ "$SECONDS" -lt 30 ]
  [ "$(container_status detached)" = running ]
  local pid
  pid=$(container_pid detached)
  [ -s "$pidfile" ]
  [ "$(tr -d '\n' <"$pidfile")" = "$pid" ]
  pid_alive "$pid"
  # the host pid runs the container's process: the probe
  [ "$(cat "/proc/$pid/comm")" = probe ]
  burrow delete --force detached
  assert_nothing_left detached
}

@test "create --pid-file holds the init's host pid" {
  set_args probe sleep 60
  local pidfile=$BATS_TEST_TMPDIR/create.pid
  create_container withpid --pid-file "$pidfile"
  [ "$(tr -d '\n' <"$pidfile")" = "$(container_pid withpid)" ]
}

@test "run --no-pivot runs the process in the rootfs" {
  set_args probe ls /bin
  capture burrow run --no-pivot --bundle "$BUNDLE" nopivot
  expect_status 0
  expect_line probe
  expect_line busybox
  assert_nothing_left nopivot
}

@test "run --preserve-fds 1 passes fd 3 into the container" {
  set_args probe fds
  echo "extra" >"$BATS_TEST_TMPDIR/extra"
  capture burrow run --preserve-fds 1 --bundle "$BUNDLE" preserve 3<"$BATS_TEST_TMPDIR/extra"
  expect_status 0
  expect_line "fds=0 1 2 3"
  set_args probe cat /proc/self/fd/3
  capture burrow run --preserve-fds 1 --bundle "$BUNDLE" preserve2 3<"$BATS_TEST_TMPDIR/extra"
  expect_status 0
  expect_line extra
}

@test "no fd leaks into the container: only 0 1 2" {
  set_args probe fds
  # fds the runtime inherits must not reach the container
  capture burrow run --bundle "$BUNDLE" noleak 5</dev/null 7>"$BATS_TEST_TMPDIR/seven" 9<"$BUNDLE/config.json"
  expect_status 0
  expect_line "fds=0 1 2"
}

@test "no fd leaks into a created and started container" {
  set_args probe fds
  burrow create --bundle "$BUNDLE" noleak2 >"$BATS_TEST_TMPDIR/noleak2.out" 2>&1 </dev/null \
    6</dev/null 8>"$BATS_TEST_TMPDIR/eight"
  burrow start noleak2 7</dev/null
  wait_for_status noleak2 stopped 10
  run container_out noleak2
  expect_line "fds=0 1 2"
}

@test "run passes stdin through to the process" {
  set_args sh -c 'read line; echo "got: $line"'
  capture burrow run --bundle "$BUNDLE" stdin < <(echo hello-in)
  expect_status 0
  expect_line "got: hello-in"
}

@test "stdio is not a terminal when process.terminal is false" {
  set_args probe isatty
  capture burrow run --bundle "$BUNDLE" notty </dev/null
  expect_status 0
  expect_line fd0=0
  expect_line fd1=0
  expect_line fd2=0
}
