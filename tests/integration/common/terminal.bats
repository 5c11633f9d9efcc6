#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# process.terminal: the pty sent over --console-socket (served by burrow-recvtty),
# consoleSize, `run` in the foreground under a real pseudo-terminal, and bad console input.

load ../helpers

setup ()
{
  burrow_setup
  SOCK=$BATS_TEST_TMPDIR/console.sock
  RECVTTY_OUT=$BATS_TEST_TMPDIR/recvtty.out
  RECVTTY_PID=""
  terminal true
}

teardown ()
{
  if [[ -n $RECVTTY_PID ]] && kill -0 "$RECVTTY_PID" 2>/dev/null; then
    kill -9 "$RECVTTY_PID" 2>/dev/null || true
  fi
  burrow_teardown
}

# start_recvtty [OPTIONS]: burrow-recvtty on $SOCK in the background, its input from
# $RECVTTY_IN (default /dev/null), its output in $RECVTTY_OUT; returns once it listens.
start_recvtty ()
{
  "$BURROW_RECVTTY" --pid-file "$BATS_TEST_TMPDIR/recvtty.pid" "$@" "$SOCK" \
    >"$RECVTTY_OUT" 2>"$BATS_TEST_TMPDIR/recvtty.err" <"${RECVTTY_IN:-/dev/null}" &
  RECVTTY_PID=$!
  wait_for_file "$BATS_TEST_TMPDIR/recvtty.pid"
  [ "$(tr -d '\n' <"$BATS_TEST_TMPDIR/recvtty.pid")" = "$RECVTTY_PID" ]
  [ -S "$SOCK" ]
}

# wait_recvtty STATUS: burrow-recvtty ends (within 10 s) with this status.
wait_recvtty ()
{
  local rc=0
  if ! wait_pid_gone "$RECVTTY_PID" 10; then
    echo "burrow-recvtty is still running" >&2
    return 1
  fi
  wait "$RECVTTY_PID" || rc=$?
  RECVTTY_PID=""
  if [[ $rc -ne $1 ]]; then
    echo "burrow-recvtty exited $rc, expected $1; stderr:" >&2
    cat "$BATS_TEST_TMPDIR/recvtty.err" >&2
    return 1
  fi
}

@test "create/start with --console-socket: the process's stdio is the pty (recvtty single)" {
  set_args probe isatty
  start_recvtty --no-stdin
  create_container ttysock --console-socket "$SOCK"
  # one connection only: the socket is gone once the pty was received
  [ ! -e "$SOCK" ]
  container_pid ttysock >/dev/null
  burrow start ttysock
  wait_recvtty 0
  [ "$(container_status ttysock)" = stopped ]
  # stdout is a file: recvtty turned off the pty's \n -> \r\n
  run cat "$RECVTTY_OUT"
  expect_line fd0=1
  expect_line fd1=1
  expect_line fd2=1
  # nothing reached the runtime's own stdio
  [ -z "$(container_out ttysock)" ]
}

@test "recvtty single copies its stdin to the pty" {
  set_args sh -c 'read line; echo "got: $line"'
  echo hello-tty >"$BATS_TEST_TMPDIR/in"
  RECVTTY_IN=$BATS_TEST_TMPDIR/in start_recvtty
  burrow run -d --console-socket "$SOCK" --bundle "$BUNDLE" ttyin >/dev/null 2>&1 </dev/null
  wait_recvtty 0
  run cat "$RECVTTY_OUT"
  # the pty echoes the line, then the process answers
  expect_line "got: hello-tty"
}

@test "consoleSize {height 30, width 100} is the pty's size inside: stty size -> 30 100" {
  ln -s busybox "$BUNDLE/rootfs/bin/stty"
  set_cfg '.process.consoleSize = {height: 30, width: 100}'
  set_args stty size
  start_recvtty --no-stdin
  burrow run -d --console-socket "$SOCK" --bundle "$BUNDLE" ttysize >/dev/null 2>&1 </dev/null
  wait_recvtty 0
  run cat "$RECVTTY_OUT"
  [ "$output" = "30 100" ]
}

@test "recvtty --mode null drains the pty: a container writing a lot is not blocked" {
  # far more than a pty buffers: without a reader the writer would block forever
  set_args sh -c 'i=0; while [ $i -lt 4000 ]; do
                    echo "line $i of the output that nobody reads"; i=$((i + 1)); done
                  echo done > /tmp/finished'
  set_cfg '.root.readonly = false'
  start_recvtty --mode null
  burrow run -d --console-socket "$SOCK" --bundle "$BUNDLE" ttynull >/dev/null 2>&1 </dev/null
  container_pid ttynull >/dev/null
  wait_recvtty 0
  wait_for_status ttynull stopped 10
  [ ! -s "$RECVTTY_OUT" ]
  [ "$(cat "$BUNDLE/rootfs/tmp/finished")" = "done" ]
}

@test "run in the foreground under a real pseudo-terminal: isatty inside, exit status kept" {
  command -v script >/dev/null || skip "script(1) from util-linux is not installed"
  set_args sh -c 'probe isatty; exit 3'
  local cmd
  cmd=$(printf '%q ' "$BURROW" --root "$BURROW_STATE" run --bundle "$BUNDLE" ttyfg)
  capture timeout -k 5 60 script -qec "$cmd" /dev/null </dev/null
  expect_status 3
  expect_contains "$output" fd0=1 fd1=1 fd2=1
  assert_nothing_left ttyfg
}

@test "a --console-socket that does not exist: exit 1, one line naming it, nothing left" {
  set_args probe isatty
  capture --separate-stderr burrow create --console-socket "$BATS_TEST_TMPDIR/nope.sock" \
    --bundle "$BUNDLE" ttynosock </dev/null
  expect_one_line_error "$BATS_TEST_TMPDIR/nope.sock"
  assert_bad_input_left_nothing ttynosock
  capture --separate-stderr burrow run -d --console-socket "$BATS_TEST_TMPDIR/nope.sock" \
    --bundle "$BUNDLE" ttynosock2 </dev/null
  expect_one_line_error "nope.sock"
  assert_bad_input_left_nothing ttynosock2
}

@test "--console-socket with process.terminal false is refused with a clear error" {
  terminal false
  set_args probe isatty
  start_recvtty --no-stdin
  capture --separate-stderr burrow create --console-socket "$SOCK" --bundle "$BUNDLE" ttyfalse \
    </dev/null
  expect_one_line_error "console-socket" "terminal"
  assert_bad_input_left_nothing ttyfalse
  kill "$RECVTTY_PID"
  wait_recvtty 143
}

@test "process.terminal true without --console-socket: create refuses, naming the flag" {
  set_args probe isatty
  capture --separate-stderr burrow create --bundle "$BUNDLE" ttynone </dev/null
  expect_one_line_error "console-socket"
  assert_bad_input_left_nothing ttynone
}

@test "burrow-recvtty: SIGTERM while waiting removes the socket; bad input is refused" {
  start_recvtty
  kill -TERM "$RECVTTY_PID"
  wait_recvtty 143
  [ ! -e "$SOCK" ]
  # the socket path is taken
  touch "$SOCK"
  capture --separate-stderr "$BURROW_RECVTTY" "$SOCK"
  expect_one_line_error "$SOCK"
  [ -f "$SOCK" ]
  capture --separate-stderr "$BURROW_RECVTTY" --mode both "$SOCK"
  expect_one_line_error "mode"
  capture --separate-stderr "$BURROW_RECVTTY"
  expect_one_line_error "socket path"
  capture "$BURROW_RECVTTY" --help
  expect_status 0
  expect_contains "$output" "Usage: burrow-recvtty"
}

@test "burrow-recvtty: a connection that sends no pty is an error, the socket goes" {
  start_recvtty
  # connect and close without sending a file descriptor
  python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' \
    "$SOCK" 2>/dev/null || skip "python3 is not installed"
  wait_recvtty 1
  grep -q "no file descriptor" "$BATS_TEST_TMPDIR/recvtty.err"
  [ ! -e "$SOCK" ]
}
