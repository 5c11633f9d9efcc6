#!/bin/bash
# profile.sh: where burrow's time goes in `burrow run` of /bin/true, root and rootless, on
# the bundles of startup.sh and in the same context (private mount namespace, cgroup2 view).
# Writes bench/results/profile.md (numbers) and bench/results/profile/ (raw tool output):
#   1. phases: a timeline of one run from a few syscalls (strace --seccomp-bpf stops only
#      on those, so the run is barely slowed), median of BENCH_PROFILE_N runs;
#   2. ablations: perf stat -r of burrow with one cost taken away at a time;
#   3. perf stat of burrow, crun and the floor (time, context switches, page faults);
#   4. strace -c -f: which syscalls, how many;
#   5. perf record -a: kernel and user symbols of the `burrow` processes;
#   6. valgrind --tool=callgrind: instructions in burrow's own code.
# Run as root. BENCH_PROFILE_N=30 (timeline runs), BENCH_PROFILE_R=100 (perf stat repeats).
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
results=${BENCH_RESULTS:-$bench/results}
PN=${BENCH_PROFILE_N:-30}
PR=${BENCH_PROFILE_R:-100}

say () { printf '== %s\n' "$*" >&2; }
die () { printf 'profile.sh: %s\n' "$*" >&2; exit 1; }

BENCH_EXTRA_PACKAGES="strace valgrind linux-perf"
# shellcheck source=common.sh
. "$bench/common.sh"

raw=$results/profile
mkdir -p "$raw"
rm -f "$raw"/*.txt
P=$W/prof
mkdir -p "$P" "$W/state/tmpfs"
chmod 777 "$P"
# A state root on tmpfs for the ablation (the host's /tmp and /run are on disk here).
mount -t tmpfs -o mode=0755 tmpfs "$W/state/tmpfs"
mkdir -m 700 "$W/state/tmpfs/root" "$W/state/tmpfs/rootless"
chown "$uid:$gid" "$W/state/tmpfs/rootless"

as_user=(setpriv --reuid="$uid" --regid="$gid" --init-groups env XDG_RUNTIME_DIR="/run/user/$uid")
# ctx MODE CMD...: CMD in the benchmark's context (as root; CMD adds setpriv when rootless)
ctx () { local mode=$1; shift; in_ctx root v2 "$@"; }
# up MODE: UP is what runs a command as the user of MODE (setpriv ...; nothing for root)
up () { if [[ $1 == rootless ]]; then UP=("${as_user[@]}"); else UP=(); fi; }

for mode in rootless root; do
  up "$mode"
  # extra bundles for the ablations: only /proc and /dev mounted (burrow needs a /dev it
  # can write), no masked or read-only paths
  make_bundle "$mode" minmounts '.mounts = [.mounts[] | select(.destination == "/proc" or .destination == "/dev")]
    | del(.linux.maskedPaths) | del(.linux.readonlyPaths) | .root.readonly = false'
done
make_bundle root nonet '.linux.namespaces |= map(select(.type != "network"))'

# ---------------------------------------------------------------- 1. phases

# A tracefs instance of our own (its own buffer and event switches, removed at the end)
# records sched_process_exec/fork and every syscall's entry and exit of the process tree
# started from one shell (set_event_pid + event-fork): about 0.5 us per syscall, so the
# runs are timed nearly as they are (strace's ptrace stops would double them).
# ftrace-summary.awk turns the trace into phases and time in the kernel per syscall.
tracefs=/sys/kernel/tracing
[[ -d $tracefs/instances ]] || mount -t tracefs tracefs "$tracefs" 2>/dev/null || true
inst=$tracefs/instances/burrowbench-$$
have_ftrace=0
if mkdir "$inst" 2>/dev/null; then
  have_ftrace=1
  echo 32768 >"$inst/buffer_size_kb"
  for e in sched/sched_process_exec sched/sched_process_fork raw_syscalls/sys_enter raw_syscalls/sys_exit; do
    echo 1 >"$inst/events/$e/enable"
  done
  echo 1 >"$inst/options/event-fork"
  echo 0 >"$inst/tracing_on"
fi
trap 'rmdir "$inst" 2>/dev/null; umount "$W/state/tmpfs" 2>/dev/null; cleanup' EXIT
nrfile=$(echo '#include <asm/unistd_64.h>' | gcc -E -dI - 2>/dev/null | grep -o '"/usr/include/[^"]*unistd_64.h"' | head -n 1 | tr -d '"')
[[ -n $nrfile ]] || nrfile=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
cp "$FLOOR" "$W/bin/floor-traced"

# trace_runs MODE NAME TARGET CMD...: run CMD $PN times (as the user when rootless) under
# the trace; summarise the runs of the binary whose path ends in TARGET into $P/ft-MODE-NAME.*
trace_runs ()
{
  local mode=$1 name=$2 target=$3
  shift 3
  echo >"$inst/trace"
  (
    echo "$BASHPID" >"$inst/set_event_pid"
    echo 1 >"$inst/tracing_on"
    ctx "$mode" bash -c 'for ((i = 0; i < $1; i++)); do "${@:2}" </dev/null >/dev/null 2>&1; done' _ \
      "$PN" "${UP[@]}" "$@" || true
    echo 0 >"$inst/tracing_on"
  )
  grep -h overrun "$inst"/per_cpu/cpu*/stats | awk '$2 > 0 { print "profile.sh: trace buffer overrun: " $0 }' >&2
  awk -v nrfile="$nrfile" -v target="$target" -v out="$P/ft-$mode-$name" \
    -f "$bench/ftrace-summary.awk" "$inst/trace"
}

# median of column K of a file ("?" skipped)
colmed ()
{
  awk -v k="$2" '$k != "?" { print $k }' "$1" | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)]; else print "?" }'
}

phase_names=("exec to clone3: process start, config, state dir"
             "clone3 and id maps, until the init is released"
             "init setup: mounts, /dev, pivot_root, masked paths, until ready"
             "state.json written (with fsync) and renamed"
             "start: exec fifo, capabilities, until execve of the process"
             "the process runs and exits, until the runtime's wait4"
             "delete: state removed, until exit_group")
declare -A PH=()
if [[ $have_ftrace == 1 ]]; then
  for mode in rootless root; do
  up "$mode"
    say "ftrace $mode ($PN runs of burrow, of the floor)"
    trace_runs "$mode" burrow /burrow "$BURROW_BIN" --root "$W/state/$mode/burrow" run \
      --bundle "$W/b/$mode-base" ft
    if [[ $mode == rootless ]]; then ff=(-u); else ff=(-n -c); fi
    trace_runs "$mode" floor /floor-traced "$W/bin/floor-traced" "${ff[@]}" "$W/rootfs"
    for k in 1 2 3 4 5 6 7 8; do
      PH[$mode.$k]=$(colmed "$P/ft-$mode-burrow.phases" "$k")
    done
    PH[$mode.9]=$(colmed "$P/ft-$mode-burrow.phases" 9)
    PH[$mode.10]=$(colmed "$P/ft-$mode-burrow.phases" 10)
    for k in 1 8 9 10; do
      PH[$mode.floor.$k]=$(colmed "$P/ft-$mode-floor.phases" "$k")
    done
    PH[$mode.runs]=$(cat "$P/ft-$mode-burrow.runs")
    cp "$P/ft-$mode-burrow.phases" "$raw/phases-$mode.txt"
    sort -t$'\t' -k4 -rn "$P/ft-$mode-burrow.syscalls" >"$raw/syscalls-$mode.txt"
    sort -t$'\t' -k4 -rn "$P/ft-$mode-floor.syscalls" >"$raw/syscalls-floor-$mode.txt"
  done
fi

# ---------------------------------------------------------------- 2. and 3. ablations, perf stat

# Wall time: every variant in one measure.sh loop, taking turns, $PR runs each, as the user
# when rootless (no setpriv per run); median and p95. Then perf stat -r $PR of each for
# the counters (perf runs as root around setpriv when rootless: setpriv's exec is counted).
declare -A PS=() AB=()
AB_NAMES=(floor burrow burrow-tmpfs burrow-minmounts burrow-both burrow-nonet crun)
for mode in rootless root; do
  up "$mode"
  say "ablations and perf stat $mode ($PR runs each)"
  if [[ $mode == rootless ]]; then ff=(-u); else ff=(-n -c); fi
  crun_flags=()
  [[ $mode == root ]] && crun_flags=(--cgroup-manager=disabled)
  declare -A CMD=(
    [floor]="$FLOOR ${ff[*]} $W/rootfs"
    [burrow]="$BURROW_BIN --root $W/state/$mode/burrow run --bundle $W/b/$mode-base @ID@"
    [burrow-tmpfs]="$BURROW_BIN --root $W/state/tmpfs/$mode run --bundle $W/b/$mode-base @ID@"
    [burrow-minmounts]="$BURROW_BIN --root $W/state/$mode/burrow run --bundle $W/b/$mode-minmounts @ID@"
    [burrow-both]="$BURROW_BIN --root $W/state/tmpfs/$mode run --bundle $W/b/$mode-minmounts @ID@"
  )
  [[ $mode == root ]] && CMD[burrow-nonet]="$BURROW_BIN --root $W/state/$mode/burrow run --bundle $W/b/root-nonet @ID@"
  [[ -n $CRUN ]] && CMD[crun]="$CRUN --root $W/state/$mode/crun ${crun_flags[*]} run --bundle $W/b/$mode-base @ID@"
  series=()
  for name in "${AB_NAMES[@]}"; do
    [[ -n ${CMD[$name]:-} ]] || continue
    [[ ${#series[@]} -gt 0 ]] && series+=(';;')
    # shellcheck disable=SC2206 # the commands hold no spaces but between words
    series+=("$name" ${CMD[$name]})
  done
  in_ctx "$mode" v2 bash "$W/bin/measure.sh" loop "$P/ab-$mode" "$PR" 3 -- "${series[@]}" || true
  for name in "${AB_NAMES[@]}"; do
    [[ -n ${CMD[$name]:-} ]] || continue
    if [[ -s $P/ab-$mode-$name.us ]]; then
      AB[$mode.$name]=$(sort -n "$P/ab-$mode-$name.us" | awk '{ v[NR] = $1 }
        END { k = int(0.95 * NR); if (k < 0.95 * NR) k++
              printf "%.2f (%.2f)", v[int((NR + 1) / 2)] / 1000, v[k] / 1000 }')
    else
      AB[$mode.$name]="failed: $(cat "$P/ab-$mode-$name.fail" 2>/dev/null | head -c 200)"
    fi
    # shellcheck disable=SC2086
    if ctx "$mode" perf stat -r "$PR" -x, -e task-clock,context-switches,cpu-migrations,page-faults \
        -o "$P/pstat.txt" -- "${UP[@]}" ${CMD[$name]//@ID@/ps} </dev/null >/dev/null 2>"$P/pstat.err"; then
      PS[$mode.$name]=$(awk -F, '
        $3 == "task-clock" { cpu = $1 } $3 == "context-switches" { cs = $1 }
        $3 == "cpu-migrations" { mig = $1 } $3 == "page-faults" { pf = $1 }
        END { printf "%.2f | %.0f | %.0f | %.0f", cpu, cs, mig, pf }' "$P/pstat.txt")
    else
      PS[$mode.$name]="– | – | – | –"
    fi
  done
  unset CMD
done

# ---------------------------------------------------------------- 4. strace -c

declare -A SC=()
for mode in rootless root; do
  up "$mode"
  say "strace -c $mode"
  ctx "$mode" "${UP[@]}" strace -f -c -o "$P/strace-c-$mode.txt" \
    "$BURROW_BIN" --root "$W/state/$mode/burrow" run --bundle "$W/b/$mode-base" sc </dev/null >/dev/null 2>&1 || true
  cp "$P/strace-c-$mode.txt" "$raw/" 2>/dev/null || echo "strace -c failed" >"$raw/strace-c-$mode.txt"
  SC[$mode.total]=$(awk '$NF == "total" { print $(NF - 2) }' "$raw/strace-c-$mode.txt")
  if [[ $mode == rootless ]]; then ff=(-u); else ff=(-n -c); fi
  ctx "$mode" "${UP[@]}" strace -f -c -o "$P/strace-c-floor.txt" "$FLOOR" "${ff[@]}" "$W/rootfs" \
    </dev/null >/dev/null 2>&1 || true
  SC[$mode.floor]=$(awk '$NF == "total" { print $(NF - 2) }' "$P/strace-c-floor.txt")
  if [[ -n $CRUN ]]; then
    crun_flags=()
    [[ $mode == root ]] && crun_flags=(--cgroup-manager=disabled)
    ctx "$mode" "${UP[@]}" strace -f -c -o "$P/strace-c-crun.txt" \
      "$CRUN" --root "$W/state/$mode/crun" "${crun_flags[@]}" run --bundle "$W/b/$mode-base" sc \
      </dev/null >/dev/null 2>&1 || true
    SC[$mode.crun]=$(awk '$NF == "total" { print $(NF - 2) }' "$P/strace-c-crun.txt")
  fi
done

# ---------------------------------------------------------------- 5. perf record

# From here on, pipelines end in `head`: a SIGPIPE upstream is not a failure.
set +o pipefail

for mode in rootless root; do
  up "$mode"
  say "perf record $mode"
  ctx "$mode" perf record -q -e cpu-clock -F 10000 -a -g -o "$P/perf-$mode.data" -- \
    bash -c 'for ((i = 0; i < $1; i++)); do "${@:2}" </dev/null >/dev/null 2>&1; done' _ "$PR" \
    "${UP[@]}" "$BURROW_BIN" --root "$W/state/$mode/burrow" run --bundle "$W/b/$mode-base" pr \
    >/dev/null 2>&1 || true
  {
    echo "# perf record -e cpu-clock -a -g, $PR runs; samples of the burrow processes (comm burrow)"
    echo "# by symbol, with children (inclusive), top 40"
    perf report -i "$P/perf-$mode.data" --comm burrow --children --sort sym -q -g none 2>/dev/null | head -40
    echo
    echo "# by shared object (self)"
    perf report -i "$P/perf-$mode.data" --comm burrow --no-children --sort dso -q -g none 2>/dev/null | head -12
  } >"$raw/perf-$mode.txt"
done

# ---------------------------------------------------------------- 6. callgrind

# valgrind 3.19 has no openat2 and no pidfd_send_signal: the init stops at its first mount
# path ("Function not implemented"); the parent up to clone3, and the init up to there,
# are what callgrind sees. RLIMIT_NOFILE: valgrind only lets the program set the hard limit
# to the soft limit it started with, so start it with soft = the config's 1024.
for mode in rootless root; do
  up "$mode"
  say "callgrind $mode"
  rm -f "$P"/cg.*
  ctx "$mode" "${UP[@]}" bash -c 'ulimit -Sn 1024; exec "$@"' _ \
    valgrind --tool=callgrind --callgrind-out-file="$P/cg.%p.out" \
    "$BURROW_BIN" --root "$W/state/$mode/burrow" run --bundle "$W/b/$mode-base" cg \
    </dev/null >/dev/null 2>"$P/cg.log" || true
  parent_out=$(ls -S "$P"/cg.*.out 2>/dev/null | head -n 1)
  if [[ -n $parent_out ]]; then
    {
      echo "# callgrind_annotate --inclusive=yes of the burrow parent process ($(basename "$parent_out"))"
      echo "# (valgrind: $(grep -m1 -o 'Function not implemented.*\|unhandled.*' "$P/cg.log" || echo 'no error'))"
      callgrind_annotate --inclusive=yes "$parent_out" 2>/dev/null | sed -n '/^Ir/,$p' | head -45
    } >"$raw/callgrind-$mode.txt"
  fi
done
chmod -R a+rX "$raw"

# ---------------------------------------------------------------- report

say "writing $results/profile.md"
{
  echo "# Where burrow's time goes: raw numbers"
  echo
  echo "Generated by \`bench/profile.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), burrow"
  echo "$("$BURROW_BIN" --version | head -n 1) ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')),"
  echo "kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg). \`burrow run\` of /bin/true on the"
  echo "bundles of startup.sh, in the same context (private mount namespace, cgroup2 view)."
  echo "The state root is under /tmp, on $(stat -f -c %T /tmp) here, as in startup.sh."
  echo "Summary and conclusions: [bench/README.md](../README.md#where-burrows-time-goes)."
  echo
  echo "## 1. Phases of one run and time in the kernel (ftrace, $PN runs, ms)"
  echo
  if [[ $have_ftrace == 1 ]]; then
    echo "A tracefs instance records sched_process_exec/fork and raw_syscalls sys_enter/sys_exit"
    echo "of the runs' process tree (about 0.5 us per syscall; ftrace-summary.awk). A phase ends at"
    echo "the first of these events: the runtime's clone3; its first sendto after it (the init is"
    echo "released, id maps written); the init's sendto (ready); the runtime's rename of"
    echo "state.json; the init's execve of /bin/true; the runtime's wait4; its exit_group."
    echo "Medians of the $PN runs (raw: profile/phases-*.txt)."
    echo
    echo "| phase | rootless | root |"
    echo "| --- | ---: | ---: |"
    for k in 1 2 3 4 5 6 7; do
      echo "| ${phase_names[k - 1]} | ${PH[rootless.$k]} | ${PH[root.$k]} |"
    done
    echo "| **total, exec to exit_group** | **${PH[rootless.8]}** | **${PH[root.8]}** |"
    echo
    echo "Against the floor, cut where both have the same events:"
    echo
    echo "| | burrow rootless | floor rootless | burrow root | floor root |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| exec to clone3 | ${PH[rootless.1]} | ${PH[rootless.floor.1]} | ${PH[root.1]} | ${PH[root.floor.1]} |"
    echo "| clone3 to the exec of /bin/true | ${PH[rootless.9]} | ${PH[rootless.floor.9]} | ${PH[root.9]} | ${PH[root.floor.9]} |"
    echo "| exec of /bin/true to exit_group (it runs, exits, is reaped; burrow deletes its state) | ${PH[rootless.10]} | ${PH[rootless.floor.10]} | ${PH[root.10]} | ${PH[root.floor.10]} |"
    echo "| total, exec to exit_group | ${PH[rootless.8]} | ${PH[rootless.floor.8]} | ${PH[root.8]} | ${PH[root.floor.8]} |"
    echo
    echo "Time inside syscalls per run (sys_enter to sys_exit; for calls that block, waiting):"
    echo "the top 12 of the runtime process and of the init before it execs (raw:"
    echo "profile/syscalls-*.txt, columns: who, syscall, calls per run, ms per run, median over the
runs of the longest single call)."
    echo
    for mode in rootless root; do
  up "$mode"
      for who in runtime init; do
        echo "$mode, $who: $(awk -F'\t' -v w="$who" '$1 == w { n += $3; t += $4 } END { printf "%.0f calls, %.2f ms in the kernel", n, t }' "$raw/syscalls-$mode.txt")"
        echo
        echo "| syscall | calls | ms | longest call, ms |"
        echo "| --- | ---: | ---: | ---: |"
        awk -F'\t' -v w="$who" '$1 == w { printf "| %s | %s | %.3f | %.3f |\n", $2, $3, $4, $5 }' "$raw/syscalls-$mode.txt" | head -n 12
        echo
      done
      echo "the floor, $mode: $(awk -F'\t' '$1 != "process" { n += $3; t += $4 } END { printf "%.0f calls, %.2f ms in the kernel", n, t }' "$raw/syscalls-floor-$mode.txt")"
      echo
    done
  else
    echo "tracefs instances are not available here: no timeline."
    echo
  fi
  echo "## 2. Ablations and 3. peers ($PR runs each)"
  echo
  echo "wall: median (p95) ms per run, all rows of a mode taking turns in one loop (measure.sh),"
  echo "rootless ones run as the user; cpu: task-clock ms, cs: context switches, mig: CPU"
  echo "migrations, pf: page faults, means from \`perf stat -r $PR\` (rootless: perf around setpriv,"
  echo "so setpriv's exec is in those counters)."
  echo
  echo "| mode | what | wall ms | cpu ms | cs | mig | pf |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  for mode in rootless root; do
    for name in "${AB_NAMES[@]}"; do
      [[ -n ${AB[$mode.$name]:-} ]] || continue
      case $name in
        floor) what="the floor" ;;
        burrow) what="burrow, as in startup.sh (state root under /tmp)" ;;
        burrow-tmpfs) what="burrow, state root on tmpfs" ;;
        burrow-minmounts) what="burrow, only /proc and /dev mounted, no masked/read-only paths" ;;
        burrow-both) what="burrow, both of the above" ;;
        burrow-nonet) what="burrow, no network namespace" ;;
        crun)
          what="crun, same bundle"
          if [[ $mode == root ]]; then what="crun --cgroup-manager=disabled, same bundle"; fi
          ;;
      esac
      echo "| $mode | $what | ${AB[$mode.$name]} | ${PS[$mode.$name]} |"
    done
  done
  echo
  echo "## 4. Syscalls (strace -f -c, one run)"
  echo
  echo "| mode | burrow | crun | floor |"
  echo "| --- | ---: | ---: | ---: |"
  for mode in rootless root; do
  up "$mode"
    echo "| $mode | ${SC[$mode.total]:-?} | ${SC[$mode.crun]:-?} | ${SC[$mode.floor]:-?} |"
  done
  echo
  for mode in rootless root; do
  up "$mode"
    echo "burrow $mode, the most frequent (profile/strace-c-$mode.txt):"
    echo
    echo '```'
    { head -n 2 "$raw/strace-c-$mode.txt"; sed -n '3,$p' "$raw/strace-c-$mode.txt" | grep -v -- '^-\|total' | sort -k4 -rn | head -n 12; } 2>/dev/null
    echo '```'
    echo
  done
  echo "## 5. perf record (profile/perf-*.txt), kernel entry points of the burrow processes"
  echo
  for mode in rootless root; do
  up "$mode"
    echo "$mode (percent of all samples on the host, inclusive):"
    echo
    echo '```'
    grep -E '__do_sys_|__x64_sys_|do_exit|exc_page_fault|_dl_start' "$raw/perf-$mode.txt" | head -n 14
    echo '```'
    echo
  done
  echo "## 6. callgrind (profile/callgrind-*.txt): instructions of the parent process"
  echo
  for mode in rootless root; do
  up "$mode"
    echo "$mode:"
    echo
    echo '```'
    grep -E 'PROGRAM TOTALS|\[' "$raw/callgrind-$mode.txt" | grep -E 'PROGRAM TOTALS|burrow_|cmd_run|main\.c:main|spec_|field_path|_dl_start|cJSON|validate' | head -n 14
    echo '```'
    echo
  done
} >"$results/profile.md"
say "done: $results/profile.md"
