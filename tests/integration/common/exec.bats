#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# exec: a new process in a running container, seen from inside; exit codes; bad input.

load ../helpers

start_sleeper ()
{
  set_args sleep 600
  create_container "$1"
  burrow start "$1"
}

@test "exec runs in the container's pid namespace, beside its init" {
  start_sleeper ex1
  capture burrow exec ex1 sh -c 'echo "me=$$"; cat /proc/1/cmdline | tr "\0" " "; echo'
  expect_status 0
  [[ $output == *"sleep 600"* ]]
  local me
  me=$(grep '^me=' <<<"$output" | cut -d= -f2)
  [ "$me" -gt 1 ]
}

@test "exec sees the container's hostname, root and user namespace" {
  start_sleeper ex2
  capture burrow exec ex2 sh -c 'hostname; ls /bin/probe; cat /proc/self/uid_map'
  expect_status 0
  expect_line burrow
  expect_line /bin/probe
  local init
  init=$(container_pid ex2)
  [ "$(tail -n +3 <<<"$output" | xargs)" = "$(xargs < "/proc/$init/uid_map")" ]
}

@test "exec exits with the process's status" {
  start_sleeper ex3
  capture burrow exec ex3 sh -c 'exit 7'
  expect_status 7
}

@test "exec of a binary missing from the container exits 255 naming it" {
  start_sleeper ex4
  run --separate-stderr burrow exec ex4 no-such-binary
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "no-such-binary" "No such file"
}

@test "exec --env, --cwd and --user are applied" {
  is_rootless && use_subid_mappings
  start_sleeper ex5
  capture burrow exec --env FOO=bar --env PATH=/bin --cwd /bin --user 1000:1001 ex5 probe ids
  expect_status 0
  expect_line uid=1000
  expect_line gid=1001
  capture burrow exec --env FOO=bar --cwd /bin ex5 sh -c 'echo "$FOO"; pwd'
  expect_line bar
  expect_line /bin
}

@test "exec --process runs a process object from a file" {
  start_sleeper ex6
  cat >"$BATS_TEST_TMPDIR/proc.json" <<'JSON'
{"args": ["sh", "-c", "echo from-process-file; echo $ONLY"], "env": ["ONLY=here", "PATH=/bin"], "cwd": "/"}
JSON
  chmod a+r "$BATS_TEST_TMPDIR/proc.json"
  capture burrow exec --process "$BATS_TEST_TMPDIR/proc.json" ex6
  expect_status 0
  expect_line from-process-file
  expect_line here
}

@test "exec -d returns at once and --pid-file holds the process's host pid" {
  start_sleeper ex7
  capture burrow exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" ex7 sleep 30
  expect_status 0
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
  [ -d "/proc/$pid" ]
  grep -q "sleep" "/proc/$pid/cmdline"
  # the exec'd process lives in the container's pid namespace
  [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(container_pid ex7)/ns/pid")" ]
}

@test "exec leaks no fd of the runtime: only 0 1 2, and --preserve-fds 1 adds fd 3" {
  start_sleeper ex8
  capture burrow exec ex8 probe fds
  expect_status 0
  expect_line "fds=0 1 2"
  capture burrow exec --preserve-fds 1 ex8 probe fds 3<"$BUNDLE/config.json"
  expect_status 0
  expect_line "fds=0 1 2 3"
}

@test "exec --cap adds a capability; --no-new-privs sets no_new_privs" {
  start_sleeper ex9
  capture burrow exec ex9 probe caps
  expect_status 0
  local before
  before=$(grep '^CapEff=' <<<"$output")
  capture burrow exec --cap CAP_SYS_CHROOT --no-new-privs ex9 sh -c 'probe caps; probe nnp'
  expect_status 0
  local eff
  eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
  [ "CapEff=$eff" != "$before" ]
  # CAP_SYS_CHROOT is capability 18
  [ $(( (16#$eff >> 18) & 1 )) -eq 1 ]
  expect_line NoNewPrivs=1
}

@test "bad input: exec into an unknown container" {
  run --separate-stderr burrow exec nosuch true
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "nosuch" "does not exist"
}

@test "bad input: exec into a stopped container leaves no process behind" {
  set_args true
  create_container ex10
  burrow start ex10
  wait_for_status ex10 stopped
  run --separate-stderr burrow exec ex10 sleep 4711.5
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "stopped"
  [ -z "$(pgrep -u "$(id -u)" -f 'sleep 4711.5' || true)" ]
}

@test "bad input: a --process file that is not JSON; no command at all" {
  start_sleeper ex11
  echo '{not json' >"$BATS_TEST_TMPDIR/bad.json"
  run --separate-stderr burrow exec --process "$BATS_TEST_TMPDIR/bad.json" ex11
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "bad.json" "not valid JSON"
  run --separate-stderr burrow exec ex11
  expect_usage_error
}

@test "exec'd processes get the container's seccomp filter" {
  set_cfg '.root.readonly = false
           | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                               syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
  start_sleeper ex12
  capture burrow exec ex12 sh -c 'mkdir /made-by-exec 2>&1; probe seccomp'
  expect_status 0
  expect_contains "$output" "Operation not permitted"
  expect_line Seccomp=2
  [ ! -e "$BUNDLE/rootfs/made-by-exec" ]
}

@test "exec refuses to run the runtime's own binary inside the container (CVE-2019-5736)" {
  start_sleeper ex13
  local before
  before=$(sha256sum "$BURROW" | cut -d' ' -f1)
  run --separate-stderr burrow exec ex13 /proc/self/exe --version
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "CVE-2019-5736"
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/self.sh"
  chmod 755 "$BUNDLE/rootfs/self.sh"
  run --separate-stderr burrow exec ex13 /self.sh
  [ "$status" -eq 255 ]
  expect_contains "$stderr" "CVE-2019-5736"
  [ "$(sha256sum "$BURROW" | cut -d' ' -f1)" = "$before" ]
}
