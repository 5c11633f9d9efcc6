#!/bin/bash
# run.sh: the one command that tests burrow. Prepares the host (tests/lib/setup-host.sh),
# builds (tests/lib/build.sh), then runs
#   - the unit tests (TAP), from the tree build and from the ASan+UBSan build,
#   - tests/integration/common/*.bats as root (BURROW_TEST_MODE=root) and as the
#     unprivileged user burrowtest (BURROW_TEST_MODE=rootless),
#   - tests/integration/rootless/*.bats as burrowtest, tests/integration/root/*.bats as root,
#   - tests/integration/sanitizers/*.bats in both modes against the sanitizer build,
#   - tests/integration/systemd/*.bats inside a Debian system booted with systemd as PID 1
#     of fresh namespaces, and tests/integration/vm/*.bats inside a qemu (TCG) VM with
#     Debian's kernel (tests/README.md; root only; BURROW_SKIP_VM=1 skips the VM),
# and ends with one line: "N passed, N failed, N skipped". Exits 1 when a test failed.
#
# usage: tests/run.sh [--unit-only | --integration-only] [--no-build] [--no-sanitizers]
#                     [--keep] [FILTER...]
#   FILTER  run only the unit tests and bats files whose path contains one of these words
#           (e.g. `tests/run.sh kill lifecycle`)
#   --keep  keep the per-run directory (/tmp/burrow-test.XXXXXX) with the logs
# Without root it runs what a user can: the unit tests and the rootless suites as itself.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

do_unit=1
do_integration=1
do_build=1
do_sanitizers=1
keep=0
filters=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --unit-only) do_integration=0 ;;
    --integration-only) do_unit=0 ;;
    --no-build) do_build=0 ;;
    --no-sanitizers) do_sanitizers=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option: $1" >&2; exit 2 ;;
    *) filters+=("$1") ;;
  esac
  shift
done

FILE_TIMEOUT=${BURROW_TEST_FILE_TIMEOUT:-600}   # seconds for one bats file or unit test
passed=0
failed=0
skipped=0
failures=()
skips=()

is_root () { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------- host and build
# shellcheck source=tests/lib/setup-host.sh
source "$top/tests/lib/setup-host.sh"

if [[ $do_build -eq 1 ]]; then
  build_flags=()
  [[ $do_sanitizers -eq 1 ]] || build_flags+=(--no-sanitizers)
  "$top/tests/lib/build.sh" "${build_flags[@]}"
fi
[[ -x $top/burrow ]] || { echo "run.sh: $top/burrow is not built" >&2; exit 1; }
[[ -x $top/tests/probe/probe ]] || { echo "run.sh: the probe is not built" >&2; exit 1; }
[[ -x $top/burrow-recvtty ]] || { echo "run.sh: burrow-recvtty is not built" >&2; exit 1; }
san_top=$top/_build-san
if [[ $do_sanitizers -eq 1 && ! -x $san_top/burrow ]]; then
  echo "run.sh: no sanitizer build in $san_top; run without --no-build, or pass --no-sanitizers" >&2
  exit 1
fi

# Everything the tests run or read goes to a per-run directory that the unprivileged user
# can reach: the repository may sit under a directory only root can enter.
work=$(mktemp -d /tmp/burrow-test.XXXXXX)
chmod 755 "$work"
# On an early exit everything goes; at the end the logs stay when asked for or useful.
trap 'rm -rf "$work"' EXIT
mkdir -m 755 "$work/bin" "$work/logs"
install -m 755 "$top/burrow" "$work/bin/burrow"
install -m 755 "$top/tests/probe/probe" "$work/bin/probe"
install -m 755 "$top/tests/probe/seccomp_listener" "$work/bin/seccomp_listener"
install -m 755 "$top/burrow-recvtty" "$work/bin/burrow-recvtty"
install -m 755 "$top/tests/probe/fake_systemd" "$work/bin/fake_systemd"  # cgroups
install -m 755 "$top/burrow-slirp" "$work/bin/burrow-slirp"  # network
install -m 755 "$top/burrow-overlay" "$work/bin/burrow-overlay"  # overlay
if [[ $do_sanitizers -eq 1 ]]; then
  install -m 755 "$san_top/burrow" "$work/bin/burrow-san"
  install -m 755 "$san_top/burrow-slirp" "$work/bin/burrow-slirp-san"
fi
cp -r "$top/tests/integration" "$work/integration"
chmod -R a+rX "$work/integration"

# ---------------------------------------------------------------- TAP accounting
# selected PATH: no filter, or the path contains one of the filter words.
selected ()
{
  local f
  [[ ${#filters[@]} -eq 0 ]] && return 0
  for f in "${filters[@]}"; do
    [[ $1 == *"$f"* ]] && return 0
  done
  return 1
}

# count_tap SUITE LOG EXIT_STATUS: add up the TAP results of one run and print them.
count_tap ()
{
  local suite=$1 log=$2 rc=$3 line name reason planned=-1 seen=0 p=0 f=0 s=0 in_fail=0
  while IFS= read -r line; do
    if [[ $line =~ ^1\.\.([0-9]+) ]]; then
      planned=${BASH_REMATCH[1]}
    elif [[ $line =~ ^not\ ok\ [0-9]+\ ?(.*)$ ]]; then
      name=${BASH_REMATCH[1]}
      seen=$((seen + 1)); f=$((f + 1)); in_fail=1
      failures+=("$suite: $name")
      echo "  not ok  $suite: $name"
    elif [[ $line =~ ^ok\ [0-9]+\ ?(.*)\ \#\ [sS][kK][iI][pP]\ ?(.*)$ ]]; then
      name=${BASH_REMATCH[1]}
      reason=${BASH_REMATCH[2]:-no reason given}
      seen=$((seen + 1)); s=$((s + 1)); in_fail=0
      skips+=("$suite: $name: $reason")
      echo "  skip    $suite: $name ($reason)"
    elif [[ $line =~ ^ok\ [0-9]+\ ?(.*)$ ]]; then
      seen=$((seen + 1)); p=$((p + 1)); in_fail=0
    elif [[ $in_fail -eq 1 && $line == '#'* ]]; then
      echo "          $line"
    fi
  done <"$log"
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    f=$((f + 1)); failures+=("$suite: timed out after ${FILE_TIMEOUT}s")
    echo "  not ok  $suite: timed out after ${FILE_TIMEOUT}s"
  elif [[ $planned -ge 0 && $seen -ne $planned ]]; then
    f=$((f + 1)); failures+=("$suite: planned $planned tests, saw $seen (exit $rc)")
    echo "  not ok  $suite: planned $planned tests, saw $seen (exit $rc)"
  elif [[ $rc -ne 0 && $f -eq 0 ]]; then
    f=$((f + 1)); failures+=("$suite: exited $rc with no failing test reported")
    echo "  not ok  $suite: exited $rc with no failing test reported; end of its output:"
    tail -n 15 "$log" | sed 's/^/          /'
  elif [[ $planned -lt 0 && $seen -eq 0 ]]; then
    f=$((f + 1)); failures+=("$suite: printed no TAP")
    echo "  not ok  $suite: printed no TAP; end of its output:"
    tail -n 15 "$log" | sed 's/^/          /'
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  printf '%-52s %3d passed, %d failed, %d skipped\n' "$suite" "$p" "$f" "$s"
}

log_name ()
{
  tr '/ ' '__' <<<"$1"
}

# ---------------------------------------------------------------- unit tests
# run_unit LABEL BUILD_DIR
run_unit ()
{
  local label=$1 dir=$2 t name log rc
  for t in "$dir"/tests/unit/test_*; do
    name=$(basename "$t")
    [[ -f $t && -x $t && $name != *.* ]] || continue
    selected "tests/unit/$name" || continue
    log=$work/logs/$(log_name "$label-$name").log
    rc=0
    (cd "$dir" && srcdir=$top timeout -k 10 "$FILE_TIMEOUT" "$t") >"$log" 2>&1 || rc=$?
    count_tap "$label $name" "$log" "$rc"
  done
}

if [[ $do_unit -eq 1 ]]; then
  echo "== unit tests"
  run_unit unit "$top"
  if [[ $do_sanitizers -eq 1 ]]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_unit unit-asan "$san_top"
  fi
fi

# ---------------------------------------------------------------- integration tests
test_user=${BURROW_TEST_USER:-burrowtest}

# cgroups: the rootless suites run in a cgroup v2 subtree delegated to the test user, as
# systemd would delegate one (owned by the user; its shell in a leaf below it, so the
# controllers can be enabled for its containers). BURROW_TEST_CGROUP names it.
cgroup_delegate ()
{
  local v2 user=$1
  v2=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n 1)
  [[ -n $v2 && -w $v2/cgroup.procs ]] || return 0
  delegated=$v2/burrowtest-$$.slice
  mkdir -p "$delegated/shell" || { delegated=; return 0; }
  local c
  for c in $(cat "$v2/cgroup.controllers"); do
    echo "+$c" >"$v2/cgroup.subtree_control" 2>/dev/null || true
    echo "+$c" >"$delegated/cgroup.subtree_control" 2>/dev/null || true
  done
  chown "$user" "$delegated" "$delegated"/cgroup.{procs,threads,subtree_control} \
    "$delegated/shell" "$delegated/shell"/cgroup.{procs,threads,subtree_control}
}

cgroup_undelegate ()
{
  [[ -n ${delegated:-} && -d $delegated ]] || return 0
  find "$delegated" -depth -type d -exec rmdir {} + 2>/dev/null || true
  [[ ! -d $delegated ]] || echo "run.sh: the delegated test cgroup $delegated could not be removed" >&2
}

# run_bats MODE SUITE_DIR BURROW_BINARY: every selected bats file of the suite in one mode.
run_bats ()
{
  local mode=$1 suite=$2 binary=$3 file rel label log rc uid home
  local envs=(BURROW="$binary" PROBE="$work/bin/probe" BURROW_TEST_MODE="$mode"
              BURROW_RECVTTY="$work/bin/burrow-recvtty" FAKE_SYSTEMD="$work/bin/fake_systemd"
              BURROW_OVERLAY="$work/bin/burrow-overlay" BURROW_SLIRP_SAN="$work/bin/burrow-slirp-san"
              ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
  [[ -d $work/integration/$suite ]] || return 0
  for file in "$work/integration/$suite"/*.bats; do
    [[ -f $file ]] || continue
    rel=integration/$suite/$(basename "$file")
    selected "$rel" || continue
    label="$mode $suite/$(basename "$file" .bats)"
    log=$work/logs/$(log_name "$label").log
    rc=0
    if [[ $mode == rootless ]] && is_root; then
      uid=$(id -u "$test_user")
      home=$(getent passwd "$test_user" | cut -d: -f6)
      delegated=
      cgroup_delegate "$test_user"
      (cd "$work" && { [[ -z $delegated ]] || echo $BASHPID >"$delegated/shell/cgroup.procs"; } \
        && timeout -k 10 "$FILE_TIMEOUT" \
        setpriv --reuid="$test_user" --regid="$test_user" --init-groups --reset-env \
        env "${envs[@]}" HOME="$home" XDG_RUNTIME_DIR="/run/user/$uid" \
        BURROW_TEST_CGROUP="$delegated" \
        bats --tap "$file") >"$log" 2>&1 </dev/null || rc=$?
      cgroup_undelegate
    else
      (cd "$work" && timeout -k 10 "$FILE_TIMEOUT" env "${envs[@]}" bats --tap "$file") \
        >"$log" 2>&1 </dev/null || rc=$?
    fi
    count_tap "$label" "$log" "$rc"
  done
}

if [[ $do_integration -eq 1 ]]; then
  if is_root; then
    echo "== integration tests as root"
    run_bats root common "$work/bin/burrow"
    run_bats root root "$work/bin/burrow"
    echo "== integration tests as $test_user (rootless)"
    run_bats rootless common "$work/bin/burrow"
    run_bats rootless rootless "$work/bin/burrow"
    if [[ $do_sanitizers -eq 1 ]]; then
      echo "== sanitizer smoke tests (ASan+UBSan build)"
      run_bats root sanitizers "$work/bin/burrow-san"
      run_bats rootless sanitizers "$work/bin/burrow-san"
    fi
  else
    echo "== integration tests as $(id -un) (rootless); the root suites need root: not run"
    test_user=$(id -un)
    run_bats rootless common "$work/bin/burrow"
    run_bats rootless rootless "$work/bin/burrow"
    if [[ $do_sanitizers -eq 1 ]]; then
      run_bats rootless sanitizers "$work/bin/burrow-san"
    fi
  fi
fi

# ---------------------------------------------------------------- guest stages
# A real systemd (PID 1 of fresh namespaces) and a full VM (qemu TCG, Debian's kernel):
# tests/lib/guest-stages.sh boots each, the guest runs tests/integration/<stage>/*.bats,
# and each file's TAP is counted here. Selected by the filter words `systemd` and `vm`.
# run_guest_stage STAGE TITLE
run_guest_stage ()
{
  local stage=$1 title=$2 results file name rc
  selected "integration/$stage" || return 0
  echo "== $title"
  if ! is_root; then
    echo "  not run: booting the guest needs root (debootstrap, namespaces)"
    return 0
  fi
  if [[ $stage == vm && ${BURROW_SKIP_VM:-0} == 1 ]]; then
    echo "  skipped: BURROW_SKIP_VM=1"
    skips+=("$title: skipped with BURROW_SKIP_VM=1"); skipped=$((skipped + 1))
    return 0
  fi
  results=$work/logs/guest-$stage
  rc=0
  bash "$top/tests/lib/guest-stages.sh" "$stage" "$work/bin" "$work/integration" "$results" \
    2>&1 | tee "$work/logs/guest-$stage.log" | sed 's/^/  /' || rc=$?
  for file in "$work/integration/$stage"/*.bats; do
    [[ -f $file ]] || continue
    name=$(basename "$file" .bats)
    if [[ -f $results/$name.tap ]]; then
      count_tap "$stage $name" "$results/$name.tap" "$(cat "$results/$name.rc" 2>/dev/null || echo 1)"
    else
      failed=$((failed + 1)); failures+=("$stage $name: no result from the guest")
      echo "  not ok  $stage $name: no result from the guest (see $work/logs/guest-$stage.log)"
    fi
  done
}

if [[ $do_integration -eq 1 ]]; then
  run_guest_stage systemd "systemd (PID 1 in namespaces)"
  run_guest_stage vm "VM (qemu TCG, Debian's kernel)"
fi

# ---------------------------------------------------------------- summary
if [[ $keep -eq 1 || $failed -gt 0 ]]; then
  rm -rf "${work:?}/bin" "${work:?}/integration"
  trap - EXIT
  echo "run.sh: logs kept in $work/logs"
fi
if [[ ${#skips[@]} -gt 0 ]]; then
  echo "== skipped:"
  printf '  %s\n' "${skips[@]}"
fi
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "== failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [[ $failed -gt 0 ]]; then
  exit 1
fi
if [[ $passed -eq 0 ]]; then
  echo "run.sh: no test passed: nothing was run?" >&2
  exit 1
fi
