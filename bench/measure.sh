#!/bin/bash
# measure.sh: the timed loops of startup.sh. It runs inside the context being measured (the
# private mount namespace, as the benchmark user when rootless, under a child subreaper) and
# only writes files: OUT.us (one duration in microseconds per line), OUT.fail (why it could
# not measure), OUT.cgroup (where the runtime put a container).
#
#   measure.sh loop      OUT N WARMUP -- NAME CMD... [';;' NAME CMD...]...
#                                                           time each CMD N times, taking
#                                                           turns; to OUT-NAME.us
#   measure.sh lifecycle OUT N WARMUP BUNDLE -- RT...      create, start, wait, delete
#   measure.sh exec      OUT N WARMUP BUNDLE FLOOR EXEC -- RT...
#                                                           run -d, then `exec` N times (when
#                                                           EXEC=1) and the floor's exec
#   measure.sh rss       OUT N -- CMD...                   peak RSS (KiB) by /usr/bin/time
#   measure.sh check     OUT -- CMD...                     run CMD once; exit status to OUT.rc
#
# In CMD, @ID@ becomes a fresh container id (every runtime leaves its state and cgroup under
# that name, so ids are never reused). RT is the runtime with its global flags.
# Timing uses bash's $EPOCHREALTIME around the command: the fork and exec of the command by
# bash are included, the same for every runtime and for the floor.
set -uo pipefail

prefix=burrowbench-$$

fail ()
{
  local out=$1
  shift
  printf '%s\n' "$*" | tr '\n' ' ' | sed 's/  */ /g; s/ $//' >"$out.fail"
  echo >>"$out.fail"
}

# err_text FILE: a runtime's error, at most 300 characters on one line.
err_text ()
{
  tr '\n' ' ' <"$1" | head -c 300
}

# state_of RT... ID: the container's status from the runtime's `state` (or "gone").
state_of ()
{
  local json
  json=$("$@" 2>/dev/null) || { echo gone; return; }
  json=${json#*\"status\"}
  json=${json#*\"}
  echo "${json%%\"*}"
}

pid_of ()
{
  local json
  json=$("$@" 2>/dev/null) || return 1
  json=${json#*\"pid\"}
  json=${json#*:}
  json=${json%%[,\}]*}
  echo "${json// /}"
}

# wait_stopped SECONDS RT... ID: poll `state` until the container is stopped or gone.
wait_stopped ()
{
  local limit=$1 st end
  shift
  end=$((${EPOCHREALTIME/./} + limit * 1000000))
  while :; do
    st=$(state_of "$@")
    [[ $st == stopped || $st == gone ]] && return 0
    ((${EPOCHREALTIME/./} > end)) && return 1
  done
}

# cgroup_summary PID: which cgroups PID is in that the measuring shell is not.
cgroup_summary ()
{
  local pid=$1 line v1=() v2="" path
  while IFS= read -r line; do
    grep -qxF -- "$line" /proc/$$/cgroup && continue
    path=${line#*:*:}
    case $line in
      0::*) v2=$path ;;
      *) v1+=("$(cut -d: -f2 <<<"$line")") ;;
    esac
    last=$path
  done </proc/"$pid"/cgroup
  if [[ -z $v2 && ${#v1[@]} -eq 0 ]]; then
    echo "none (left in the caller's cgroup)"
  elif [[ ${#v1[@]} -eq 0 ]]; then
    echo "v2 $v2"
  elif [[ -z $v2 ]]; then
    echo "v1 x${#v1[@]} ($last)"
  else
    echo "v2 $v2 + v1 x${#v1[@]}"
  fi
}

# loop: the commands take turns (round r starts with command r mod count), so that a burst
# of load on the host falls on every runtime alike rather than on one series.
task_loop ()
{
  local out=$1 n=$2 warm=$3 i j g count rc t0 t1 arg
  shift 4
  local names=() starts=() lens=() flat=() dead=()
  names+=("$1")
  starts+=(0)
  shift
  for arg in "$@"; do
    if [[ $arg == ';;' ]]; then
      lens+=($((${#flat[@]} - ${starts[-1]})))
      names+=("")
      starts+=("${#flat[@]}")
      continue
    fi
    if [[ -z ${names[-1]} ]]; then
      names[-1]=$arg
    else
      flat+=("$arg")
    fi
  done
  lens+=($((${#flat[@]} - ${starts[-1]})))
  count=${#names[@]}
  for ((g = 0; g < count; g++)); do
    : >"$out-${names[g]}.us"
    rm -f "$out-${names[g]}.fail"
    dead[g]=0
  done
  for ((i = -warm; i < n; i++)); do
    for ((j = 0; j < count; j++)); do
      g=$(((i + warm + j) % count))
      ((dead[g])) && continue
      local cmd=("${flat[@]:${starts[g]}:${lens[g]}}")
      cmd=("${cmd[@]//@ID@/$prefix-$g-$((i + warm))}")
      t0=${EPOCHREALTIME/./}
      "${cmd[@]}" </dev/null >/dev/null 2>"$out.err"
      rc=$?
      t1=${EPOCHREALTIME/./}
      if ((rc != 0)); then
        fail "$out-${names[g]}" "exit $rc: $(err_text "$out.err")"
        dead[g]=1
        continue
      fi
      ((i >= 0)) && echo $((t1 - t0)) >>"$out-${names[g]}.us"
    done
  done
  rm -f "$out.err"
}

task_lifecycle ()
{
  local out=$1 n=$2 warm=$3 bundle=$4 i id t0 t1 step
  shift 5
  for step in create start wait delete; do : >"$out.$step.us"; done
  for ((i = -warm; i < n; i++)); do
    id=$prefix-$((i + warm))
    t0=${EPOCHREALTIME/./}
    "$@" create --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$out.err" \
      || { fail "$out" "create: $(err_text "$out.err")"; return 1; }
    t1=${EPOCHREALTIME/./}
    ((i >= 0)) && echo $((t1 - t0)) >>"$out.create.us"
    t0=$t1
    "$@" start "$id" </dev/null >/dev/null 2>"$out.err" \
      || { fail "$out" "start: $(err_text "$out.err")"; return 1; }
    t1=${EPOCHREALTIME/./}
    ((i >= 0)) && echo $((t1 - t0)) >>"$out.start.us"
    t0=$t1
    wait_stopped 10 "$@" state "$id" \
      || { fail "$out" "wait: still $(state_of "$@" state "$id") 10 s after start"; return 1; }
    t1=${EPOCHREALTIME/./}
    ((i >= 0)) && echo $((t1 - t0)) >>"$out.wait.us"
    t0=$t1
    "$@" delete "$id" </dev/null >/dev/null 2>"$out.err" \
      || { fail "$out" "delete: $(err_text "$out.err")"; return 1; }
    t1=${EPOCHREALTIME/./}
    ((i >= 0)) && echo $((t1 - t0)) >>"$out.delete.us"
  done
  rm -f "$out.err"
}

task_exec ()
{
  local out=$1 n=$2 warm=$3 bundle=$4 floor=$5 has_exec=$6 id=$prefix-exec pid i t0 t1 rc=0
  shift 7
  : >"$out.us"
  : >"$out.floor.us"
  "$@" run --detach --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$out.err" \
    || { fail "$out" "run -d: $(err_text "$out.err")"; return 1; }
  pid=$(pid_of "$@" state "$id")
  if [[ -z $pid || ! -d /proc/$pid ]]; then
    fail "$out" "run -d: no running init ($(state_of "$@" state "$id"))"
    "$@" delete --force "$id" >/dev/null 2>&1
    return 1
  fi
  cgroup_summary "$pid" >"$out.cgroup"
  if [[ $has_exec == 1 ]]; then
    for ((i = -warm; i < n; i++)); do
      t0=${EPOCHREALTIME/./}
      "$@" exec "$id" /bin/true </dev/null >/dev/null 2>"$out.err"
      rc=$?
      t1=${EPOCHREALTIME/./}
      if ((rc != 0)); then
        fail "$out" "exec: exit $rc: $(err_text "$out.err")"
        break
      fi
      ((i >= 0)) && echo $((t1 - t0)) >>"$out.us"
    done
  fi
  for ((i = -warm; i < n; i++)); do
    t0=${EPOCHREALTIME/./}
    "$floor" -e "$pid" /bin/true </dev/null >/dev/null 2>"$out.err"
    rc=$?
    t1=${EPOCHREALTIME/./}
    if ((rc != 0)); then
      fail "$out.floor" "floor -e: exit $rc: $(err_text "$out.err")"
      break
    fi
    ((i >= 0)) && echo $((t1 - t0)) >>"$out.floor.us"
  done
  "$@" kill "$id" KILL >/dev/null 2>&1
  wait_stopped 10 "$@" state "$id"
  "$@" delete --force "$id" >/dev/null 2>&1
  rm -f "$out.err"
}

task_rss ()
{
  local out=$1 n=$2 i
  shift 3
  : >"$out.kb"
  for ((i = 0; i < n; i++)); do
    local cmd=("${@//@ID@/$prefix-$i}")
    if ! /usr/bin/time -f %M -o "$out.time" "${cmd[@]}" </dev/null >/dev/null 2>"$out.err"; then
      fail "$out" "$(err_text "$out.err")"
      return 1
    fi
    tail -n 1 "$out.time" >>"$out.kb"
  done
  rm -f "$out.time" "$out.err"
}

task_check ()
{
  local out=$1 rc
  shift 2
  local cmd=("${@//@ID@/$prefix-check}")
  "${cmd[@]}" </dev/null >/dev/null 2>"$out.err"
  rc=$?
  echo "$rc" >"$out.rc"
}

task=$1
shift
case $task in
  loop | lifecycle | exec | rss | check) "task_$task" "$@" ;;
  *)
    echo "measure.sh: unknown task $task" >&2
    exit 2
    ;;
esac
