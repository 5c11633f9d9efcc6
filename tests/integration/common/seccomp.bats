#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# linux.seccomp: the filter the process really runs under (errno, kill, argument rules,
# a default-deny profile, with and without noNewPrivileges), the NOTIFY agent protocol,
# and bad profiles refused before anything exists.

load ../helpers

# A writable root, so that a refused mkdir is seccomp's doing and not the read-only root's.
setup ()
{
  burrow_setup
  set_cfg '.root.readonly = false'
}

# The test agent (tests/probe/seccomp_listener.c), next to the probe unless told.
SECCOMP_LISTENER=${SECCOMP_LISTENER:-$(dirname "$PROBE")/seccomp_listener}

# seccomp JSON: .linux.seccomp = JSON
set_seccomp ()
{
  set_cfg '.linux.seccomp = $s' --argjson s "$1"
}

# deny_mkdir ACTION [ERRNO_RET]: everything allowed but mkdir/mkdirat, which get ACTION.
deny_mkdir ()
{
  local rule='{names: ["mkdir", "mkdirat"], action: $a}'
  [[ -n ${2:-} ]] && rule='{names: ["mkdir", "mkdirat"], action: $a, errnoRet: ($e | tonumber)}'
  set_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", syscalls: [$rule]}" \
    --arg a "$1" --arg e "${2:-0}"
}

# refused_run ID FRAGMENT...: `run` of $BUNDLE fails with one line naming the problem and
# leaves nothing behind.
refused_run ()
{
  local id=$1
  shift
  capture --separate-stderr burrow run --bundle "$BUNDLE" "$id" </dev/null
  expect_one_line_error "$@"
  assert_bad_input_left_nothing "$id"
}

@test "seccomp: SCMP_ACT_ERRNO errnoRet 1 on mkdir: Operation not permitted, the rest works" {
  deny_mkdir SCMP_ACT_ERRNO 1
  set_args sh -c 'echo before; mkdir /tmp/x; echo "mkdir=$?"; touch /tmp/y && echo touched;
                  ls -d /tmp/x 2>/dev/null || echo "no /tmp/x"'
  capture burrow run --bundle "$BUNDLE" sc-errno1
  expect_status 0
  expect_line before
  expect_contains "$output" "Operation not permitted"
  expect_line mkdir=1
  expect_line touched
  expect_line "no /tmp/x"
}

@test "seccomp: SCMP_ACT_ERRNO errnoRet 13: Permission denied" {
  deny_mkdir SCMP_ACT_ERRNO 13
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-errno13
  expect_status 0
  expect_contains "$output" "Permission denied"
  expect_line mkdir=1
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet is EPERM" {
  deny_mkdir SCMP_ACT_ERRNO
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-eperm
  expect_status 0
  expect_contains "$output" "Operation not permitted"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS (exit 159)" {
  deny_mkdir SCMP_ACT_KILL_PROCESS
  set_args mkdir /tmp/x
  capture burrow run --bundle "$BUNDLE" sc-killproc
  expect_status 159
}

@test "seccomp: SCMP_ACT_KILL (the thread; the only one) also ends in SIGSYS" {
  deny_mkdir SCMP_ACT_KILL
  set_args mkdir /tmp/x
  capture burrow run --bundle "$BUNDLE" sc-kill
  expect_status 159
}

@test "seccomp: SCMP_ACT_TRAP on an untrapped program is SIGSYS too" {
  deny_mkdir SCMP_ACT_TRAP
  set_args mkdir /tmp/x
  capture burrow run --bundle "$BUNDLE" sc-trap
  expect_status 159
}

@test "seccomp: the process runs in filter mode (Seccomp: 2); without a profile it does not" {
  deny_mkdir SCMP_ACT_ERRNO 1
  set_args probe seccomp
  capture burrow run --bundle "$BUNDLE" sc-mode
  expect_status 0
  expect_line Seccomp=2
  set_cfg 'del(.linux.seccomp)'
  capture burrow run --bundle "$BUNDLE" sc-nomode
  expect_status 0
  expect_no_line Seccomp=2
}

@test "seccomp: loaded with noNewPrivileges false too (before capabilities are dropped)" {
  set_cfg '.process.noNewPrivileges = false'
  deny_mkdir SCMP_ACT_ERRNO 13
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; probe seccomp; probe nnp'
  capture burrow run --bundle "$BUNDLE" sc-nonnp
  expect_status 0
  expect_contains "$output" "Permission denied"
  expect_line mkdir=1
  expect_line Seccomp=2
  expect_line NoNewPrivs=0
}

@test "seccomp: a non-root process.user without noNewPrivileges still gets the filter" {
  is_rootless && use_subid_mappings
  set_cfg '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}
           | .process.capabilities = {}'
  deny_mkdir SCMP_ACT_ERRNO 13
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; probe seccomp; probe ids'
  capture burrow run --bundle "$BUNDLE" sc-user
  expect_status 0
  expect_contains "$output" "Permission denied"
  expect_line Seccomp=2
  expect_line uid=1000
}

@test "seccomp: create + start: the filter holds from the first instruction of the process" {
  deny_mkdir SCMP_ACT_ERRNO 1
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; probe seccomp'
  create_container sc-cs
  capture burrow start sc-cs
  expect_status 0
  wait_for_status sc-cs stopped 10
  expect_contains "$(container_out sc-cs)$(container_err sc-cs)" "Operation not permitted"
  expect_contains "$(container_out sc-cs)" "mkdir=1" "Seccomp=2"
  capture burrow delete sc-cs
  expect_status 0
}

@test "seccomp: argument rules (kill with signal 9 denied, signal 0 allowed)" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
      "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
      "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
  set_args sh -c 'kill -0 $$ && echo zero-ok; kill -9 $$; echo "kill9=$?"'
  capture burrow run --bundle "$BUNDLE" sc-args
  expect_status 0
  expect_line zero-ok
  expect_line kill9=1
}

@test "seccomp: two conditions on one argument: either matches (runc's one rule each)" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
      "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
      "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"},
               {"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]}]}'
  set_args sh -c 'kill -0 $$ && echo zero-ok; kill -9 $$; echo "kill9=$?"; kill -15 $$; echo "kill15=$?"'
  capture burrow run --bundle "$BUNDLE" sc-sameidx
  expect_status 0
  expect_line zero-ok
  expect_line kill9=1
  expect_line kill15=1
}

@test "seccomp: unknown syscall names are skipped, the known ones in the entry still apply" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names":
      ["burrow_no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-unknown
  expect_status 0
  expect_line mkdir=1
}

@test "seccomp: flags TSYNC, LOG and SPEC_ALLOW are accepted and the filter works" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC",
      "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                        "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  # only the architectures of the host's byte order can share its filter
  [[ $(uname -m) == @(x86_64|aarch64|i?86|armv*) ]] || set_cfg 'del(.linux.seccomp.architectures)'
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-flags
  expect_status 0
  expect_line mkdir=1
}

# What busybox sh, the probe and the runtime's last steps (identity, capabilities, fds,
# execve) need; everything else fails with EPERM, as in Docker's default profile.
DEFAULT_DENY_ALLOWED='[
  "access", "arch_prctl", "brk", "capget", "capset", "chdir", "clock_gettime", "clone",
  "close", "close_range", "dup", "dup2", "dup3", "execve", "exit", "exit_group", "faccessat",
  "faccessat2", "fchdir", "fcntl", "fstat", "futex", "getcwd", "getdents64", "getegid",
  "geteuid", "getgid", "getgroups", "getpgrp", "getpid", "getppid", "getrandom",
  "getresgid", "getresuid", "getrlimit", "gettid", "getuid", "ioctl", "lseek", "lstat",
  "madvise", "mmap", "mprotect", "munmap", "nanosleep", "newfstatat", "open", "openat",
  "pipe", "pipe2", "poll", "prctl", "pread64", "prlimit64", "read", "readlink", "readlinkat",
  "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity",
  "sched_yield", "sendmsg", "set_robust_list", "set_tid_address", "setgid", "setgroups",
  "setresgid", "setresuid", "setsid", "setuid", "sigaltstack", "stat", "statfs", "statx",
  "sysinfo", "tgkill", "umask", "uname", "vfork", "wait4", "write", "writev"]'

@test "seccomp: a default-deny profile (SCMP_ACT_ERRNO, defaultErrnoRet 1) runs a shell" {
  set_seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,
      \"syscalls\": [{\"names\": $DEFAULT_DENY_ALLOWED, \"action\": \"SCMP_ACT_ALLOW\"}]}"
  set_args sh -c 'echo hello; probe seccomp; mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-deny
  expect_status 0
  expect_line hello
  expect_line Seccomp=2
  expect_contains "$output" "Operation not permitted"
  expect_line mkdir=1
}

@test "seccomp: the default-deny profile with noNewPrivileges false" {
  set_cfg '.process.noNewPrivileges = false'
  set_seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,
      \"syscalls\": [{\"names\": $DEFAULT_DENY_ALLOWED, \"action\": \"SCMP_ACT_ALLOW\"}]}"
  set_args sh -c 'echo hello; mkdir /tmp/x; echo "mkdir=$?"'
  capture burrow run --bundle "$BUNDLE" sc-deny-nonnp
  expect_status 0
  expect_line hello
  expect_line mkdir=1
}

# ---- bad profiles: one line naming the field, nothing left behind

@test "seccomp bad input: an unknown defaultAction" {
  set_seccomp '{"defaultAction": "SCMP_ACT_NOPE"}'
  refused_run sc-bad1 "linux.seccomp.defaultAction" SCMP_ACT_NOPE
}

@test "seccomp bad input: an unknown action in syscalls[1]" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
      {"names": ["rmdir"], "action": "SCMP_ACT_EXPLODE"}]}'
  refused_run sc-bad2 "linux.seccomp.syscalls[1].action" SCMP_ACT_EXPLODE
}

@test "seccomp bad input: an unknown architecture" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}'
  refused_run sc-bad3 "linux.seccomp.architectures[0]" SCMP_ARCH_Z80
}

@test "seccomp bad input: an unknown operator" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_ALMOST"}]}]}'
  refused_run sc-bad4 "linux.seccomp.syscalls[0].args[0].op" SCMP_CMP_ALMOST
}

@test "seccomp bad input: argument index 6" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
  refused_run sc-bad5 "linux.seccomp.syscalls[0].args[0].index" "out of range (0-5)"
}

@test "seccomp bad input: an unknown flag" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}'
  refused_run sc-bad6 "linux.seccomp.flags[0]" SECCOMP_FILTER_FLAG_FAST
}

@test "seccomp bad input: errnoRet on an action that cannot return one" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
      "action": "SCMP_ACT_KILL", "errnoRet": 1}]}'
  refused_run sc-bad7 "linux.seccomp.syscalls[0].errnoRet"
}

@test "seccomp bad input: SCMP_ACT_NOTIFY without listenerPath, or as the default" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
      "action": "SCMP_ACT_NOTIFY"}]}'
  refused_run sc-bad8 "linux.seccomp.listenerPath"
  set_seccomp '{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/nonexistent.sock"}'
  refused_run sc-bad9 "linux.seccomp.defaultAction" SCMP_ACT_NOTIFY
}

@test "seccomp bad input: create refuses a bad profile too" {
  set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
  capture --separate-stderr burrow create --bundle "$BUNDLE" sc-bad10 </dev/null
  expect_one_line_error "linux.seccomp.syscalls[0].args[0].index"
  assert_bad_input_left_nothing sc-bad10
}

# ---- SCMP_ACT_NOTIFY and the seccomp agent

# start_listener HOW: the test agent on $BATS_TEST_TMPDIR/agent.sock, answering HOW
# (errno:N, value:V, continue); its output goes to $BATS_TEST_TMPDIR/agent.out.
start_listener ()
{
  [[ -x $SECCOMP_LISTENER ]] || skip "no seccomp agent at $SECCOMP_LISTENER (tests/probe/seccomp_listener.c)"
  AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
  "$SECCOMP_LISTENER" "$AGENT_SOCK" "$1" >"$BATS_TEST_TMPDIR/agent.out" \
    2>"$BATS_TEST_TMPDIR/agent.err" &
  AGENT_PID=$!
  local tries=100
  while [[ ! -S $AGENT_SOCK ]] && (( tries-- > 0 )); do sleep 0.05; done
  [[ -S $AGENT_SOCK ]] || { cat "$BATS_TEST_TMPDIR/agent.err" >&2; return 1; }
}

# The agent exits once no process uses the filter; wait for it (kill it if it hangs).
stop_listener ()
{
  local tries=100
  while kill -0 "$AGENT_PID" 2>/dev/null && (( tries-- > 0 )); do sleep 0.05; done
  if kill -0 "$AGENT_PID" 2>/dev/null; then
    kill "$AGENT_PID"
    echo "the seccomp agent did not exit when the container did" >&2
    return 1
  fi
  wait "$AGENT_PID" || { cat "$BATS_TEST_TMPDIR/agent.err" >&2; return 1; }
}

notify_mkdir ()
{
  set_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p,
                             listenerMetadata: "burrow-test-metadata",
                             syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' \
    --arg p "$AGENT_SOCK"
}

@test "seccomp notify: the agent gets the listener fd and the state, and answers mkdir" {
  start_listener errno:18
  notify_mkdir
  set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; touch /tmp/y && echo touched'
  capture burrow run --bundle "$BUNDLE" sc-notify
  expect_status 0
  # EXDEV, the agent's answer
  expect_contains "$output" "cross-device"
  expect_line mkdir=1
  expect_line touched
  stop_listener
  local state
  state=$(sed -n 's/^state //p' "$BATS_TEST_TMPDIR/agent.out")
  [ "$(jq -r '.fds | join(",")' <<<"$state")" = seccompFd ]
  [ "$(jq -r .metadata <<<"$state")" = burrow-test-metadata ]
  [ "$(jq -r .state.id <<<"$state")" = sc-notify ]
  jq -e '.pid | type == "number" and . > 0' <<<"$state"
  jq -e '.ociVersion | test("^1\\.")' <<<"$state"
  grep -q '^notify nr=' "$BATS_TEST_TMPDIR/agent.out"
}

@test "seccomp notify: an agent that lets the call continue" {
  start_listener continue
  notify_mkdir
  set_cfg '.process.noNewPrivileges = false'
  set_args sh -c 'mkdir /tmp/x && ls -d /tmp/x'
  capture burrow run --bundle "$BUNDLE" sc-notify-cont
  expect_status 0
  expect_line /tmp/x
  stop_listener
}

@test "seccomp notify: no agent listening: a clear error naming listenerPath, nothing left" {
  AGENT_SOCK=$BATS_TEST_TMPDIR/nobody.sock
  notify_mkdir
  set_args true
  refused_run sc-noagent "linux.seccomp.listenerPath" "$AGENT_SOCK"
}
