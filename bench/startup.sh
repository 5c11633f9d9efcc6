#!/bin/bash
# startup.sh: how fast burrow starts a container, against runc, crun and the kernel's floor
# (bench/floor.c), rootless and as root, on one busybox bundle whose config.json (from
# `burrow spec`) every runtime gets unchanged. Writes bench/results/startup.md and
# startup.png. Run as root; it installs what it needs from Debian's archive. It reports,
# it never fails on a number: a runtime that cannot run a variant gets "n/a" and the reason.
#
# Environment:
#   BENCH_N=100          `run`s per runtime and variant
#   BENCH_STEPS_N=50     create/start/delete cycles and execs per runtime
#   BENCH_RSS_N=10       runs under /usr/bin/time for the peak RSS
#   BENCH_WARMUP=3       untimed runs before each timed series
#   BENCH_USER=burrowtest  the unprivileged user of the rootless runs
#   BURROW=<top>/burrow  the binary under test
#   BENCH_RESULTS=<bench>/results   where startup.md and startup.png go
#   BENCH_KEEP=1         keep the work directory (raw numbers) under /tmp
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
N=${BENCH_N:-100}
STEPS_N=${BENCH_STEPS_N:-50}
RSS_N=${BENCH_RSS_N:-10}
WARM=${BENCH_WARMUP:-3}
results=${BENCH_RESULTS:-$bench/results}
RUNTIMES=(floor burrow runc crun)

say () { printf '== %s\n' "$*" >&2; }
die () { printf 'startup.sh: %s\n' "$*" >&2; exit 1; }

# shellcheck source=common.sh
. "$bench/common.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# rt_cmd MODE RUNTIME: the runtime with its global flags, as an array in RT.
declare -A CRUN_EXTRA=()   # per MODE-VIEW: --cgroup-manager=disabled when the default fails
declare -A CRUN_NOTE=()
rt_cmd ()
{
  local mode=$1 rt=$2 view=${3:-v2}
  case $rt in
    burrow) RT=("$BURROW_BIN" --root "$W/state/$mode/burrow") ;;
    runc) RT=("$RUNC" --root "$W/state/$mode/runc") ;;
    crun)
      RT=("$CRUN" --root "$W/state/$mode/crun")
      if [[ -n ${CRUN_EXTRA[$mode-$view]:-} ]]; then
        RT+=("${CRUN_EXTRA[$mode-$view]}")
      fi
      ;;
  esac
}

# The results, one line per measurement: KEY<TAB>value, read back by the report.
declare -A R=()
# stats FILE: median p95 mean total (ms) and n of a file of microseconds
stats ()
{
  sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
    END {
      if (NR == 0) { print "NaN NaN NaN NaN 0"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      k = int(0.95 * NR); if (k < 0.95 * NR) k++; if (k < 1) k = 1
      printf "%.2f %.2f %.2f %.1f %d\n", m / 1000, v[k] / 1000, s / NR / 1000, s / 1000, NR }'
}

# record KEY OUTPREFIX: stats of OUTPREFIX.us into R[KEY.*], or the failure as R[KEY.na]
record ()
{
  local key=$1 out=$2 m p a t n
  if [[ -s $out.us ]]; then
    read -r m p a t n < <(stats "$out.us")
    R[$key.med]=$m R[$key.p95]=$p R[$key.mean]=$a R[$key.total]=$t R[$key.n]=$n
  fi
  if [[ -f $out.fail ]]; then
    R[$key.na]=$(cat "$out.fail")
  elif [[ ! -s $out.us ]]; then
    R[$key.na]=${R[$key.na]:-no measurement (timed out or killed)}
  fi
  return 0
}

# a failed block has left its reason in a .fail file; the report shows it
measure_rc () # measure_rc MODE VIEW measure.sh-ARGS...
{
  local mode=$1 view=$2
  shift 2
  in_ctx "$mode" "$view" bash "$W/bin/measure.sh" "$@" || true
}

# ---------------------------------------------------------------- probes

# Does crun run the default bundle in the cgroup2 view? (On this host as root it may not:
# its eBPF device filter is refused.) If not, it gets --cgroup-manager=disabled, noted.
for mode in rootless root; do
  [[ -n $CRUN ]] || break
  d=$W/data/$mode
  rt_cmd "$mode" crun v2
  measure_rc "$mode" v2 check "$d/crun-probe" -- "${RT[@]}" run --bundle "$W/b/$mode-base" @ID@ || true
  if [[ $(cat "$d/crun-probe.rc" 2>/dev/null) != 0 ]]; then
    why=$(tr '\n' ' ' <"$d/crun-probe.err" | head -c 200 | sed 's/ *$//')
    CRUN_EXTRA[$mode-v2]=--cgroup-manager=disabled
    CRUN_NOTE[$mode]="crun's default cgroup manager failed (\`$why\`), so crun ran with \`--cgroup-manager=disabled\`"
  fi
done

# exec support: burrow's is probed (`burrow exec --help` exits 0 once exec exists).
declare -A HAS_EXEC=([burrow]=0 [runc]=1 [crun]=1)
"$BURROW_BIN" exec --help >/dev/null 2>&1 && HAS_EXEC[burrow]=1

# seccomp support: a container that exits 0 only when a filter is loaded (Seccomp: 2).
declare -A SECCOMP_NA=()
for mode in rootless root; do
  d=$W/data/$mode
  for rt in burrow runc crun; do
    [[ $rt == runc && -z $RUNC ]] && continue
    [[ $rt == crun && -z $CRUN ]] && continue
    rt_cmd "$mode" "$rt" v2
    measure_rc "$mode" v2 check "$d/$rt-seccheck" -- "${RT[@]}" run --bundle "$W/b/$mode-seccheck" @ID@ || true
    rc=$(cat "$d/$rt-seccheck.rc" 2>/dev/null || echo '?')
    case $rc in
      0) ;;
      42) SECCOMP_NA[$mode-$rt]="accepts linux.seccomp but loads no filter (Seccomp: 0 in the container)" ;;
      *) SECCOMP_NA[$mode-$rt]="fails with linux.seccomp (exit $rc: $(tr '\n' ' ' <"$d/$rt-seccheck.err" | head -c 200))" ;;
    esac
  done
  floor_flags "$mode" seccomp
  measure_rc "$mode" v2 check "$d/floor-seccheck" -- "$FLOOR" "${FL[@]}" "$W/rootfs" /bin/sh -c \
    'grep -q "^Seccomp:[[:space:]]*2" /proc/self/status || exit 42' || true
  [[ $(cat "$d/floor-seccheck.rc" 2>/dev/null) == 0 ]] \
    || SECCOMP_NA[$mode-floor]="the floor could not load the filter (exit $(cat "$d/floor-seccheck.rc" 2>/dev/null))"
done

# ---------------------------------------------------------------- the rows of `run`

# row ids per mode; labels for the report
declare -A LABEL=(
  [rootless-base]="rootless, spec default (no netns)"
  [rootless-net]="rootless, + netns"
  [rootless-seccomp]="rootless, + seccomp"
  [rootless-hostcg]="rootless, host cgroups (v1/hybrid view)"
  [root-base]="root, spec default (netns, cgroupns)"
  [root-net]="root, - netns"
  [root-seccomp]="root, + seccomp"
  [root-hostcg]="root, host cgroups (v1/hybrid view)"
  [root-nocg]="root, cgroups disabled"
)
ROWS=(rootless-base rootless-net rootless-seccomp root-base root-net root-seccomp)
if [[ $host_cgroup != cgroup2fs ]]; then
  ROWS+=(rootless-hostcg root-hostcg)
fi
ROWS+=(root-nocg)

row_view () { case $1 in *-hostcg) echo host ;; *) echo v2 ;; esac; }
row_bundle () { case $1 in *-net) echo net ;; *-seccomp) echo seccomp ;; *) echo base ;; esac; }

# na_reason ROW RUNTIME: why RUNTIME is not measured in ROW (empty: it is).
na_reason ()
{
  local row=$1 rt=$2 mode=${1%%-*} variant=${1#*-}
  case $rt in
    runc) [[ -n $RUNC ]] || { echo "runc not installed"; return; } ;;
    crun) [[ -n $CRUN ]] || { echo "crun not installed"; return; } ;;
  esac
  if [[ $variant == seccomp && -n ${SECCOMP_NA[$mode-$rt]:-} ]]; then
    echo "${SECCOMP_NA[$mode-$rt]}"
    return
  fi
  if [[ $variant == nocg ]]; then
    case $rt in
      runc) echo "runc has no way to run without cgroups as root" ;;
      burrow)
        if [[ ${R[run.root-base.burrow.cgroup]:-} == none* ]]; then
          echo "burrow has no option to disable cgroups (it created none in the default row anyway)"
        else
          echo "burrow has no option to disable cgroups (see the default row for where it puts containers)"
        fi
        ;;
    esac
  fi
}

say "run: N=$N per runtime and variant, runtimes taking turns (rows: ${ROWS[*]})"
for row in "${ROWS[@]}"; do
  mode=${row%%-*}
  variant=${row#*-}
  view=$(row_view "$row")
  bundle=$W/b/$mode-$(row_bundle "$row")
  d=$W/data/$mode
  series=()
  for rt in "${RUNTIMES[@]}"; do
    key=run.$row.$rt
    why=$(na_reason "$row" "$rt")
    if [[ -n $why ]]; then
      R[$key.na]=$why
      continue
    fi
    if [[ $rt == floor ]]; then
      floor_flags "$mode" "$(row_bundle "$row")"
      cmd=("$FLOOR" "${FL[@]}" "$W/rootfs")
    else
      rt_cmd "$mode" "$rt" "$view"
      if [[ $variant == nocg && $rt == crun ]]; then
        RT=("$CRUN" --root "$W/state/$mode/crun" --cgroup-manager=disabled)
      fi
      cmd=("${RT[@]}" run --bundle "$bundle" @ID@)
      # where this runtime puts a container, in this view
      if [[ $variant != net && $variant != seccomp ]]; then
        measure_rc "$mode" "$view" exec "$d/$row-$rt-cg" 0 0 "$W/b/$mode-sleep" "$FLOOR" 0 -- "${RT[@]}"
        if [[ -f $d/$row-$rt-cg.cgroup ]]; then
          R[$key.cgroup]=$(cat "$d/$row-$rt-cg.cgroup")
        fi
      fi
    fi
    [[ ${#series[@]} -gt 0 ]] && series+=(';;')
    series+=("$rt" "${cmd[@]}")
  done
  say "run $row"
  measure_rc "$mode" "$view" loop "$d/$row" "$N" "$WARM" -- "${series[@]}"
  for rt in "${RUNTIMES[@]}"; do
    [[ -n ${R[run.$row.$rt.na]:-} ]] || record "run.$row.$rt" "$d/$row-$rt"
  done
done

# ---------------------------------------------------------------- create/start/delete, exec, RSS

say "lifecycle and exec: $STEPS_N each; RSS: $RSS_N runs"
for mode in rootless root; do
  d=$W/data/$mode
  for rt in burrow runc crun; do
    why=$(na_reason "$mode-base" "$rt")
    if [[ -n $why ]]; then
      for k in life.$mode.$rt exec.$mode.$rt rss.$mode.$rt; do R[$k.na]=$why; done
      continue
    fi
    rt_cmd "$mode" "$rt" v2
    say "lifecycle $mode $rt"
    measure_rc "$mode" v2 lifecycle "$d/life-$rt" "$STEPS_N" "$WARM" "$W/b/$mode-base" -- "${RT[@]}"
    for step in create start wait delete; do
      cp "$d/life-$rt.fail" "$d/life-$rt.$step.fail" 2>/dev/null || true
      record "life.$mode.$rt.$step" "$d/life-$rt.$step"
    done
    say "exec $mode $rt"
    measure_rc "$mode" v2 exec "$d/exec-$rt" "$STEPS_N" "$WARM" "$W/b/$mode-sleep" "$FLOOR" \
      "${HAS_EXEC[$rt]}" -- "${RT[@]}"
    if [[ ${HAS_EXEC[$rt]} == 1 ]]; then
      record "exec.$mode.$rt" "$d/exec-$rt"
    else
      R[exec.$mode.$rt.na]="\`$rt exec\` does not exist yet (\`$rt exec --help\` fails)"
    fi
    record "exec.$mode.$rt.floor" "$d/exec-$rt.floor"
    say "rss $mode $rt"
    measure_rc "$mode" v2 rss "$d/rss-$rt" "$RSS_N" -- "${RT[@]}" run --bundle "$W/b/$mode-base" @ID@
    if [[ -s $d/rss-$rt.kb ]]; then
      R[rss.$mode.$rt]=$(sort -n "$d/rss-$rt.kb" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    else
      R[rss.$mode.$rt.na]=$(cat "$d/rss-$rt.fail" 2>/dev/null || echo "no measurement")
    fi
  done
  floor_flags "$mode" base
  measure_rc "$mode" v2 rss "$d/rss-floor" "$RSS_N" -- "$FLOOR" "${FL[@]}" "$W/rootfs"
  [[ -s $d/rss-floor.kb ]] \
    && R[rss.$mode.floor]=$(sort -n "$d/rss-floor.kb" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
done

# ---------------------------------------------------------------- report

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started))
say "writing $results/startup.md and startup.png"
mkdir -p "$results"

ratio () { # ratio KEY_A KEY_B
  local a=${R[$1.med]:-} b=${R[$2.med]:-}
  if [[ -n $a && -n $b ]]; then awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'; else printf '–'; fi
}
first_line () { "$@" 2>&1 | head -n 1; }

# Footnotes for the n/a cells. These set globals (MARK, CELL, LINE) instead of printing, so
# that they are not run in a $(...) subshell that would lose the list of notes.
notes=()
note () { # note TEXT: MARK is its footnote marker
  local i
  for i in "${!notes[@]}"; do
    if [[ ${notes[$i]} == "$1" ]]; then
      MARK="[$((i + 1))]"
      return
    fi
  done
  notes+=("$1")
  MARK="[${#notes[@]}]"
}
cell () { # cell KEY: CELL is "median (p95)", or n/a with a footnote
  if [[ -n ${R[$1.med]:-} ]]; then
    CELL="${R[$1.med]} (${R[$1.p95]})"
  else
    note "${R[$1.na]:-not measured}"
    CELL="n/a $MARK"
  fi
}
cells () { # cells KEY...: LINE is "| cell | cell " for the keys
  local k
  LINE=""
  for k in "$@"; do
    cell "$k"
    LINE+="| $CELL "
  done
}

{
  echo "# burrow startup benchmark"
  echo
  echo "Generated by \`bench/run-all.sh\` (\`bench/startup.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Times are wall-clock milliseconds per container, **median (p95)**, measured around the"
  echo "runtime command by the benchmark shell; lower is better. What is measured and how:"
  echo "[bench/README.md](../README.md)."
  echo
  echo "## Host"
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| host | $(. /etc/os-release && echo "$PRETTY_NAME"), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
  echo "| kernel | $(uname -r) |"
  echo "| cgroups | /sys/fs/cgroup is $host_cgroup ($( [[ $host_cgroup == cgroup2fs ]] && echo unified || echo 'v1 controllers plus cgroup2 at /sys/fs/cgroup/unified: hybrid')) |"
  echo "| burrow | $(first_line "$BURROW_BIN" --version), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- src 2>/dev/null || echo ' with src/ modified'), binary sha256 $(sha256sum "$BURROW_BIN" | cut -c1-12) built $(date -u -r "$burrow_src" '+%Y-%m-%d %H:%M UTC') |"
  echo "| runc | $([[ -n $RUNC ]] && first_line "$RUNC" --version || echo 'not installed') (Debian package $(dpkg-query -W -f='${Version}' runc 2>/dev/null)) |"
  echo "| crun | $([[ -n $CRUN ]] && first_line "$CRUN" --version || echo 'not installed') (Debian package $(dpkg-query -W -f='${Version}' crun 2>/dev/null)) |"
  echo "| floor | bench/floor.c, gcc -O2, $(gcc -dumpfullversion) |"
  echo "| rootless user | $user (uid $uid), XDG_RUNTIME_DIR=/run/user/$uid |"
  echo "| load | load average $load_before before, $load_after after the $elapsed s of measuring (other work on the host shows up as noise, mostly in p95) |"
  echo "| runs | N=$N per \`run\` series, $STEPS_N per lifecycle and exec series, $RSS_N for RSS, $WARM untimed warm-up runs before each series; in \`run\` the runtimes take turns, one container each |"
  echo
  echo "## How each runtime was run"
  echo
  echo "- The bundle: a busybox-static rootfs (\`/bin/busybox\` and applet symlinks), config.json from"
  echo "  \`burrow spec --rootless\` (run as $user) or \`burrow spec\` (root), then \`process.args\` = [\"/bin/true\"],"
  echo "  \`terminal\` false, \`root.path\` the rootfs by absolute path, \`ociVersion\` \"$OCI_VERSION\" (crun 1.8.1"
  echo "  refuses 1.2.0 with \"unknown version specified\"). Each variant is one config.json that all"
  echo "  three runtimes get unchanged: \`+ netns\`/\`- netns\` adds or drops the network namespace,"
  echo "  \`+ seccomp\` adds a default-ish allow-list (\`defaultAction\` SCMP_ACT_ERRNO, $seccomp_count syscalls"
  echo "  allowed, x86_64, the names of Docker's default profile that exist on x86_64: bench/seccomp-allow.txt)."
  echo "- Every series runs in a private mount namespace made by root (\`unshare -m --propagation private\`)"
  echo "  where \`/sys/fs/cgroup\` is replaced by the host's cgroup2 hierarchy alone (\`umount -R /sys/fs/cgroup;"
  echo "  mount -t cgroup2 cgroup2 /sys/fs/cgroup\`), so all runtimes see a pure cgroup v2 host. The"
  echo "  \"host cgroups\" rows leave /sys/fs/cgroup as the host has it (v1 controllers + cgroup2)."
  echo "- Rootless: then \`setpriv --reuid=$user --regid=$user --init-groups env -i XDG_RUNTIME_DIR=/run/user/$uid ...\`;"
  echo "  root: \`env -i ...\`. A child subreaper (\`floor -r\`) above the timing shell reaps the container"
  echo "  processes that \`create\` and \`run -d\` orphan (pid 1 of this host does not)."
  echo "- Commands (state under \`/tmp/burrow-bench.*/state/MODE/RUNTIME\`, a fresh container id each run):"
  echo "  - burrow: \`burrow --root DIR run --bundle B ID\`"
  echo "  - runc: \`runc --root DIR run --bundle B ID\`"
  echo "  - crun: \`crun --root DIR run --bundle B ID\`${CRUN_NOTE[root]:+; as root: ${CRUN_NOTE[root]}}${CRUN_NOTE[rootless]:+; rootless: ${CRUN_NOTE[rootless]}}; the \"cgroups disabled\" row: \`crun --cgroup-manager=disabled\`"
  echo "  - floor: \`floor -u [-n] [-s LIST] ROOTFS\` rootless (user, pid, mount, ipc, uts [+ net] namespaces,"
  echo "    uid/gid map 0 -> $uid), \`floor -c [-n] [-s LIST] ROOTFS\` as root (pid, mount, ipc, uts, cgroup [+ net])."
  echo "    It binds the rootfs, mounts proc, pivot_root, sets the hostname, execs /bin/true and waits. No"
  echo "    cgroup, no /dev, no masked paths: the kernel work every runtime must do at least."
  echo
  echo "## \`run\` of /bin/true (create + start + wait + delete in one command)"
  echo
  echo "| variant | floor | burrow | runc | crun | burrow/runc | burrow/crun | burrow/floor |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "${ROWS[@]}"; do
    k=run.$row
    cells "$k.floor" "$k.burrow" "$k.runc" "$k.crun"
    echo "| ${LABEL[$row]} $LINE| $(ratio "$k.burrow" "$k.runc") | $(ratio "$k.burrow" "$k.crun") | $(ratio "$k.burrow" "$k.floor") |"
  done
  echo
  echo "Total wall time of the $N runs, in seconds, and mean per run (ms):"
  echo
  echo "| variant | floor | burrow | runc | crun |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for row in "${ROWS[@]}"; do
    printf '| %s ' "${LABEL[$row]}"
    for rt in "${RUNTIMES[@]}"; do
      k=run.$row.$rt
      if [[ -n ${R[$k.total]:-} ]]; then
        printf '| %s s (%s) ' "$(awk -v t="${R[$k.total]}" 'BEGIN { printf "%.2f", t / 1000 }')" "${R[$k.mean]}"
      else
        printf '| n/a '
      fi
    done
    echo '|'
  done
  echo
  echo "Where each runtime put the container (its init's /proc/PID/cgroup compared with the caller's,"
  echo "seen with a \`run -d\` of \`sleep\` in the same view):"
  echo
  echo "| variant | burrow | runc | crun |"
  echo "| --- | --- | --- | --- |"
  for row in "${ROWS[@]}"; do
    [[ $row == *-net || $row == *-seccomp ]] && continue
    printf '| %s ' "${LABEL[$row]}"
    for rt in burrow runc crun; do
      printf '| %s ' "${R[run.$row.$rt.cgroup]:-–}"
    done
    echo '|'
  done
  echo
  echo "## create, start, delete (separately, $STEPS_N cycles; default config, cgroup2 view)"
  echo
  echo "\`start\` returns once the process is started; \`wait\` is the time until the runtime's \`state\` says"
  echo "stopped (polled; roughly one \`state\` call, since /bin/true exits at once)."
  echo
  echo "| mode | runtime | create | start | wait | delete | create+start+delete |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  for mode in rootless root; do
    for rt in burrow runc crun; do
      k=life.$mode.$rt
      sum=$(awk -v a="${R[$k.create.med]:-}" -v b="${R[$k.start.med]:-}" -v c="${R[$k.delete.med]:-}" \
        'BEGIN { if (a == "" || b == "" || c == "") print "n/a"; else printf "%.2f", a + b + c }')
      cells "$k.create" "$k.start" "$k.wait" "$k.delete"
      echo "| $mode | $rt $LINE| $sum |"
    done
  done
  echo
  echo "## exec of /bin/true into a running container ($STEPS_N execs; default config)"
  echo
  echo "The container runs \`sleep 1000\` (\`run -d\`). The floor joins the namespaces of the same"
  echo "container that it does not share (one \`setns\` on a pidfd), forks and execs /bin/true."
  echo
  echo "| mode | runtime | exec | floor exec into the same container | exec/floor |"
  echo "| --- | --- | ---: | ---: | ---: |"
  for mode in rootless root; do
    for rt in burrow runc crun; do
      k=exec.$mode.$rt
      cells "$k" "$k.floor"
      echo "| $mode | $rt $LINE| $(ratio "$k" "$k.floor") |"
    done
  done
  echo
  echo "## Peak RSS of \`run\` (median of $RSS_N, KiB)"
  echo
  echo "\`/usr/bin/time -f %M RUNTIME run ...\`: the largest resident set of the runtime process and of the"
  echo "processes it waits for (runc's \`runc init\`, the container's init)."
  echo
  echo "| mode | floor | burrow | runc | crun |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for mode in rootless root; do
    printf '| %s ' "$mode"
    for rt in "${RUNTIMES[@]}"; do
      if [[ -n ${R[rss.$mode.$rt]:-} ]]; then
        printf '| %s ' "${R[rss.$mode.$rt]}"
      else
        note "${R[rss.$mode.$rt.na]:-not measured}"
        printf '| n/a %s ' "$MARK"
      fi
    done
    echo '|'
  done
  echo
  if [[ ${#notes[@]} -gt 0 ]]; then
    echo "## Notes"
    echo
    for i in "${!notes[@]}"; do
      echo "$((i + 1)). ${notes[$i]}"
    done
    echo
  fi
  echo "![startup times](startup.png)"
} >"$results/startup.md"

# ---------------------------------------------------------------- chart

declare -A SHORT=(
  [rootless-base]='rootless\ndefault' [rootless-net]='rootless\n+ netns'
  [rootless-seccomp]='rootless\n+ seccomp' [rootless-hostcg]='rootless\nhost cgroups'
  [root-base]='root\ndefault' [root-net]='root\n- netns' [root-seccomp]='root\n+ seccomp'
  [root-hostcg]='root\nhost cgroups' [root-nocg]='root\nno cgroups'
)
val () { printf '%s' "${R[$1.med]:-NaN}"; }
{
  echo "# label floor burrow runc crun"
  for row in "${ROWS[@]}"; do
    printf '"%s" %s %s %s %s\n' "${SHORT[$row]}" \
      "$(val "run.$row.floor")" "$(val "run.$row.burrow")" "$(val "run.$row.runc")" "$(val "run.$row.crun")"
  done
} >"$W/run.dat"
{
  echo "# label create start delete exec"
  for mode in rootless root; do
    for rt in burrow runc crun; do
      printf '"%s\\n%s" %s %s %s %s\n' "$rt" "$mode" "$(val "life.$mode.$rt.create")" \
        "$(val "life.$mode.$rt.start")" "$(val "life.$mode.$rt.delete")" "$(val "exec.$mode.$rt")"
    done
  done
} >"$W/steps.dat"

# Clustered histograms of 4 bars a group: bar J (0..3) of group I is at x = I + (J - 1.5) / 5.
# Each bar gets its value on top; a missing one (NaN) gets "n/a".
bar_labels ()
{
  local file=$1 col=$2 j=$3
  printf '"%s" using ($0 + (%s - 1.5) / 5.0):(valid(%s) ? column(%s) : 0):(valid(%s) ? sprintf("%%.1f", column(%s)) : "n/a") with labels offset 0,0.7 font "sans,8" notitle' \
    "$file" "$j" "$col" "$col" "$col" "$col"
}
gnuplot <<EOF || say "gnuplot failed: no chart"
set terminal pngcairo size 1500,1150 font "sans,11"
set output "$results/startup.png"
set datafile missing "NaN"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set bmargin 4
set multiplot layout 2,1 title "burrow startup vs runc, crun and the kernel floor (kernel $(uname -r); median ms; lower is better)"
set title "run of /bin/true: one command creates, starts, waits for and deletes the container (N=$N)"
set ylabel "ms per container"
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set xtics font "sans,10"
plot "$W/run.dat" using 2:xtic(1) title "floor" lc rgb "#888888", \
     '' using 3 title "burrow" lc rgb "#d95f02", \
     '' using 4 title "runc" lc rgb "#1b9e77", \
     '' using 5 title "crun" lc rgb "#7570b3", \
     $(bar_labels "$W/run.dat" 2 0), $(bar_labels "$W/run.dat" 3 1), \
     $(bar_labels "$W/run.dat" 4 2), $(bar_labels "$W/run.dat" 5 3)
set title "the steps separately: create, start, delete, and exec into a running container (N=$STEPS_N)"
plot "$W/steps.dat" using 2:xtic(1) title "create" lc rgb "#e6ab02", \
     '' using 3 title "start" lc rgb "#66a61e", \
     '' using 4 title "delete" lc rgb "#e7298a", \
     '' using 5 title "exec" lc rgb "#a6761d", \
     $(bar_labels "$W/steps.dat" 2 0), $(bar_labels "$W/steps.dat" 3 1), \
     $(bar_labels "$W/steps.dat" 4 2), $(bar_labels "$W/steps.dat" 5 3)
unset multiplot
EOF

if [[ ${BENCH_KEEP:-0} == 1 ]]; then
  for k in "${!R[@]}"; do printf '%s\t%s\n' "$k" "${R[$k]}"; done | sort >"$W/results.tsv"
fi
say "done: $results/startup.md"
