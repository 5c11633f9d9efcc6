#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow ps: the container's host pids as JSON, the host's ps output cut down to them,
# and the errors for containers that have no processes.

load ../helpers

# wait_for_pids ID N: until `ps -f json` lists N pids (10 s).
wait_for_pids ()
{
  local tries=200 got=""
  while (( tries-- > 0 )); do
    got=$(burrow ps -f json "$1" 2>/dev/null | jq length 2>/dev/null || true)
    [[ $got == "$2" ]] && return 0
    sleep 0.05
  done
  echo "container $1: ps lists '$got' pids, waited for $2: $(burrow ps -f json "$1" 2>&1)" >&2
  return 1
}

# field_of PID FIELD: /proc/PID/stat field (4: ppid), after the command name.
ppid_of ()
{
  awk '{ sub(/^.*\) /, ""); print $2 }' "/proc/$1/stat"
}

@test "ps -f json lists the init's host pid and a child started in the container" {
  set_args sh -c 'probe sleep 100 & wait'
  burrow run -d --bundle "$BUNDLE" psjson >/dev/null 2>&1 </dev/null
  local init child
  init=$(container_pid psjson)
  wait_for_pids psjson 2
  capture --separate-stderr burrow ps -f json psjson
  expect_status 0
  [ "${#lines[@]}" -eq 1 ]
  # one compact array, ascending, as runc's encoder prints it
  [[ $output =~ ^\[[0-9]+,[0-9]+\]$ ]]
  jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
  child=$(jq -r --argjson p "$init" 'map(select(. != $p))[0]' <<<"$output")
  [ "$(ppid_of "$child")" = "$init" ]
  [ "$(cat "/proc/$child/comm")" = probe ]
  [ "$(jq -c 'sort' <<<"$output")" = "$output" ]
}

@test "ps -f json of a created container lists its init alone" {
  set_args probe true
  create_container pscreated
  local init
  init=$(container_pid pscreated)
  capture --separate-stderr burrow ps --format json pscreated
  expect_status 0
  [ "$output" = "[$init]" ]
}

@test "ps finds a process joined with exec (in the pid namespace, not a descendant)" {
  set_args probe sleep 100
  burrow run -d --bundle "$BUNDLE" psexec >/dev/null 2>&1 </dev/null
  local init
  init=$(container_pid psexec)
  burrow exec -d psexec probe sleep 99 >/dev/null 2>&1 </dev/null
  wait_for_pids psexec 2
  capture burrow ps -f json psexec
  local other
  other=$(jq -r --argjson p "$init" 'map(select(. != $p))[0]' <<<"$output")
  echo "$other" >>"$BATS_TEST_TMPDIR/pids"
  [ "$(ppid_of "$other")" != "$init" ]
  grep -qx 'probe.sleep.99.' < <(tr '\0' '.' <"/proc/$other/cmdline")
}

@test "ps table: the header of ps -ef and the container's processes only" {
  set_args sh -c 'probe sleep 100 & probe sleep 101 & wait'
  burrow run -d --bundle "$BUNDLE" pstable >/dev/null 2>&1 </dev/null
  container_pid pstable >/dev/null
  wait_for_pids pstable 3
  local pids
  pids=$(burrow ps -f json pstable | jq -r '.[]' | sort -n)
  capture --separate-stderr burrow ps pstable
  expect_status 0
  [ "${lines[0]}" = "$(ps -ef | head -n 1)" ]
  [ "${#lines[@]}" -eq 4 ]
  # the PID column of every other line is one of the container's pids, each once
  local col listed
  col=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "PID") print i; exit }' <<<"${lines[0]}")
  listed=$(printf '%s\n' "${lines[@]:1}" | awk -v c="$col" '{ print $c }' | sort -n)
  [ "$listed" = "$pids" ]
  # our own shell is not the container's
  refute grep -qw -- "$$" <<<"$listed"
}

@test "ps passes the arguments after the id to ps: -o pid,comm (and after --)" {
  set_args sh -c 'probe sleep 100 & wait'
  burrow run -d --bundle "$BUNDLE" psargs >/dev/null 2>&1 </dev/null
  container_pid psargs >/dev/null
  wait_for_pids psargs 2
  capture --separate-stderr burrow ps psargs -o pid,comm
  expect_status 0
  [[ ${lines[0]} =~ ^\ *PID\ COMMAND$ ]]
  [ "${#lines[@]}" -eq 3 ]
  [[ ${lines[1]} =~ \ (sh|probe)$ && ${lines[2]} =~ \ (sh|probe)$ ]]
  capture --separate-stderr burrow ps psargs -- -o comm,pid
  expect_status 0
  [[ ${lines[0]} =~ ^COMMAND\ +PID$ ]]
  [ "${#lines[@]}" -eq 3 ]
}

@test "ps -o comm,pid: command names holding spaces, in and out of the container, do not shift the PID column" {
  # The shell names itself (a builtin's redirection: /proc/self is the shell), then waits.
  set_args sh -c 'printf "in words" >/proc/self/comm; probe sleep 100 & wait'
  burrow run -d --bundle "$BUNDLE" pscomm >/dev/null 2>&1 </dev/null
  container_pid pscomm >/dev/null
  wait_for_pids pscomm 2
  sh -c 'printf "out words" >/proc/self/comm; sleep 100' &
  local outside=$!
  capture --separate-stderr burrow ps pscomm -- -o comm,pid
  kill "$outside"
  wait "$outside" || true
  expect_status 0
  [ "${#lines[@]}" -eq 3 ]
  [[ ${lines[1]} =~ ^in\ words\ +[0-9]+$ || ${lines[2]} =~ ^in\ words\ +[0-9]+$ ]]
  refute grep -q "out words" <<<"$output"
}

@test "ps of a header without PID, and ps failing, are errors" {
  set_args probe sleep 100
  burrow run -d --bundle "$BUNDLE" psnopid >/dev/null 2>&1 </dev/null
  container_pid psnopid >/dev/null
  capture --separate-stderr burrow ps psnopid -o comm
  expect_one_line_error "PID field"
  capture --separate-stderr burrow ps psnopid --no-such-ps-option
  expect_one_line_error "ps"
}

@test "ps without a pid namespace: the init and its descendants" {
  set_cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
  # procfs of the host's pid namespace: only root may mount it, a user binds it
  if is_rootless; then
    set_cfg '.mounts |= map(if .destination == "/proc"
                           then {destination: "/proc", type: "bind", source: "/proc",
                                 options: ["rbind", "nosuid", "noexec", "nodev"]}
                           else . end)'
  fi
  set_args sh -c 'probe sleep 100 & wait'
  burrow run -d --bundle "$BUNDLE" psnons >/dev/null 2>&1 </dev/null
  local init
  init=$(container_pid psnons)
  wait_for_pids psnons 2
  capture burrow ps -f json psnons
  local child
  child=$(jq -r --argjson p "$init" 'map(select(. != $p))[0]' <<<"$output")
  [ "$(ppid_of "$child")" = "$init" ]
  # the host's own processes are not in it
  jq -e '(index(1) == null) and (length == 2)' <<<"$output"
}

@test "ps of an unknown container fails with one line naming it" {
  capture --separate-stderr burrow ps nosuchbox
  expect_one_line_error nosuchbox "does not exist"
  capture --separate-stderr burrow ps -f json nosuchbox
  expect_one_line_error nosuchbox
  [ -z "$output" ]
}

@test "ps of a stopped container fails: not running" {
  set_args probe exit 0
  capture burrow run --keep --bundle "$BUNDLE" psstopped </dev/null
  expect_status 0
  [ "$(container_status psstopped)" = stopped ]
  capture --separate-stderr burrow ps psstopped
  expect_one_line_error psstopped "not running"
  capture --separate-stderr burrow ps -f json psstopped
  expect_one_line_error psstopped "not running"
  [ -z "$output" ]
}

@test "ps usage errors: no id, bad format" {
  capture --separate-stderr burrow ps
  expect_usage_error "ps" "argument"
  capture --separate-stderr burrow ps -f yaml someid
  expect_usage_error "yaml"
  capture --separate-stderr burrow ps --help
  expect_status 0
  expect_contains "$output" "Usage: burrow ps"
}
