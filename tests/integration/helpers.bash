# shellcheck shell=bash disable=SC2016,SC2034,SC2154,SC2013,SC2012
# (jq filters are single-quoted on purpose; bats sets output/lines/status/stderr.)
# helpers.bash: what every integration test loads (`load ../helpers`).
# Environment (set by tests/run.sh, or by hand):
#   BURROW            the burrow binary under test (absolute path)
#   PROBE             the static probe binary, copied into bundles as /bin/probe
#   BURROW_RECVTTY    burrow-recvtty (default: next to $BURROW)
#   BURROW_TEST_MODE  root | rootless (default: from the effective uid)
#   BUSYBOX           a static busybox (default /bin/busybox, Debian's busybox-static)
# Each test gets a busybox bundle in $BUNDLE and its own state root in $BURROW_STATE; the
# `burrow` function runs $BURROW with that root. Teardown force-deletes every container
# left in the root and fails the test when anything (state, process, mount) stays behind.

bats_require_minimum_version 1.5.0

: "${BURROW:?set BURROW to the burrow binary under test}"
: "${PROBE:?set PROBE to the probe binary (tests/probe/probe)}"
BURROW_RECVTTY=${BURROW_RECVTTY:-$(dirname "$BURROW")/burrow-recvtty}
export BURROW_RECVTTY
BUSYBOX=${BUSYBOX:-/bin/busybox}
if [[ -z ${BURROW_TEST_MODE:-} ]]; then
  if [[ $(id -u) -eq 0 ]]; then BURROW_TEST_MODE=root; else BURROW_TEST_MODE=rootless; fi
fi
export BURROW_TEST_MODE

# The busybox applets a bundle gets as symlinks.
BUSYBOX_APPLETS=(sh id cat ls hostname sleep true false echo env pwd mkdir touch uname cut grep awk stat wc)

# burrow ARGS: the binary under test with this test's state root. A hung command is
# killed after BURROW_CMD_TIMEOUT seconds (exit 124) instead of hanging the suite.
burrow ()
{
  timeout -k 5 "${BURROW_CMD_TIMEOUT:-60}" "$BURROW" --root "$BURROW_STATE" "$@"
}

# capture [--separate-stderr] CMD...: like bats' `run`, but through files: a container
# that a command starts by mistake cannot keep the test waiting on a pipe forever. Sets
# status, output, lines and, with --separate-stderr, stderr and stderr_lines.
capture ()
{
  local separate=0 out=$BATS_TEST_TMPDIR/capture.out err=$BATS_TEST_TMPDIR/capture.err
  if [[ ${1:-} == --separate-stderr ]]; then
    separate=1
    shift
  fi
  status=0
  if [[ $separate -eq 1 ]]; then
    "$@" >"$out" 2>"$err" || status=$?
  else
    "$@" >"$out" 2>&1 || status=$?
    : >"$err"
  fi
  output=$(cat "$out")
  stderr=$(cat "$err")
  mapfile -t lines <"$out"
  mapfile -t stderr_lines <"$err"
  return 0
}

# create_container ID [CREATE FLAGS]: `burrow create` of $BUNDLE; the container's stdout
# and stderr go to $BATS_TEST_TMPDIR/ID.out and ID.err (a pipe would keep `run` waiting).
create_container ()
{
  local id=$1
  shift
  if ! burrow create --bundle "$BUNDLE" "$@" "$id" >"$BATS_TEST_TMPDIR/$id.out" \
       2>"$BATS_TEST_TMPDIR/$id.err" </dev/null; then
    echo "create $id failed:" >&2
    cat "$BATS_TEST_TMPDIR/$id.err" >&2
    return 1
  fi
}

# What the container of create_container printed.
container_out () { cat "$BATS_TEST_TMPDIR/$1.out"; }
container_err () { cat "$BATS_TEST_TMPDIR/$1.err"; }

is_rootless ()
{
  [[ $BURROW_TEST_MODE == rootless ]]
}

require_root_mode ()
{
  is_rootless && skip "needs root mode (BURROW_TEST_MODE=root)"
  return 0
}

require_rootless_mode ()
{
  is_rootless || skip "needs rootless mode (BURROW_TEST_MODE=rootless)"
  return 0
}

# make_bundle DIR: a busybox rootfs with the probe, and a config.json from `burrow spec`.
make_bundle ()
{
  local dir=$1 applet
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/sys" \
    "$dir/rootfs/tmp" "$dir/rootfs/etc" "$dir/rootfs/root"
  cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
  cp "$PROBE" "$dir/rootfs/bin/probe"
  for applet in "${BUSYBOX_APPLETS[@]}"; do
    ln -s busybox "$dir/rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
    >"$dir/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/rootfs/etc/group"
  chmod 755 "$dir" "$dir/rootfs" "$dir/rootfs/bin"
  chmod 1777 "$dir/rootfs/tmp"
  local spec_args=(spec)
  is_rootless && spec_args+=(--rootless)
  (cd "$dir" && "$BURROW" "${spec_args[@]}") || {
    echo "make_bundle: \`$BURROW ${spec_args[*]}\` failed in $dir" >&2
    return 1
  }
  [[ -f $dir/config.json ]] || { echo "make_bundle: no config.json in $dir" >&2; return 1; }
  CONFIG=$dir/config.json terminal false
}

# Edit $CONFIG (default $BUNDLE/config.json) with a jq filter; extra args go to jq.
set_cfg ()
{
  local filter=$1 config=${CONFIG:-$BUNDLE/config.json} tmp
  shift
  tmp=$(mktemp "$config.XXXXXX")
  if ! jq "$@" "$filter" "$config" >"$tmp"; then
    rm -f "$tmp"
    echo "set_cfg: jq failed on: $filter" >&2
    return 1
  fi
  mv "$tmp" "$config"
  chmod 644 "$config"
}

# Read from the config: get_cfg '.process.user.uid'
get_cfg ()
{
  jq -r "$1" "${CONFIG:-$BUNDLE/config.json}"
}

# set_args probe ids  ->  .process.args = ["probe", "ids"]
set_args ()
{
  local json
  # after --, any argument (even "--flag") is a plain string
  json=$(jq -nc '$ARGS.positional' --args -- "$@")
  set_cfg '.process.args = $args' --argjson args "$json"
}

terminal ()
{
  set_cfg ".process.terminal = $1"
}

# The uid/gid running the tests, as the host sees them.
host_uid () { id -u; }
host_gid () { id -g; }

# subid_range subuid|subgid: "START COUNT" of the test user's first range.
subid_range ()
{
  local file=/etc/$1 user
  user=$(id -un)
  awk -F: -v u="$user" -v id="$(id -u)" '($1 == u || $1 == id) { print $2, $3; exit }' "$file"
}

# Map 0 -> the caller and 1..65536 -> its subordinate range (rootless only).
use_subid_mappings ()
{
  local us uc gs gc
  read -r us uc < <(subid_range subuid) || true
  read -r gs gc < <(subid_range subgid) || true
  if [[ -z ${us:-} || -z ${gs:-} ]]; then
    skip "no subordinate id range for $(id -un) in /etc/subuid or /etc/subgid"
  fi
  [[ -u /usr/bin/newuidmap || -n $(getcap /usr/bin/newuidmap 2>/dev/null) ]] \
    || skip "newuidmap is not setuid or has no capabilities"
  SUBUID_START=$us SUBUID_COUNT=$uc SUBGID_START=$gs SUBGID_COUNT=$gc
  set_cfg '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
                                 {containerID: 1, hostID: $us, size: $uc}]
         | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
                                 {containerID: 1, hostID: $gs, size: $gc}]' \
    --argjson u "$(host_uid)" --argjson g "$(host_gid)" \
    --argjson us "$us" --argjson uc "$uc" --argjson gs "$gs" --argjson gc "$gc"
}

# expect_status N: the last `run`/`capture` exited N; else show what it printed.
expect_status ()
{
  if [[ $status -ne $1 ]]; then
    echo "expected exit status $1, got $status; output:" >&2
    printf '%s\n' "$output" >&2
    [[ -z ${stderr:-} ]] || printf 'stderr:\n%s\n' "$stderr" >&2
    return 1
  fi
}

# fail MESSAGE: fail the test, saying why.
fail ()
{
  echo "$*" >&2
  return 1
}

# refute CMD...: CMD must fail. (A bare `! cmd` never fails a bats test: set -e ignores it.)
refute ()
{
  if "$@"; then
    echo "expected to fail: $*" >&2
    return 1
  fi
}

# expect_line LINE: $output (from `run`) has this exact line.
expect_line ()
{
  local l
  for l in "${lines[@]}"; do
    [[ $l == "$1" ]] && return 0
  done
  echo "expected the line '$1' in the output:" >&2
  printf '%s\n' "$output" >&2
  return 1
}

# expect_no_line LINE
expect_no_line ()
{
  local l
  for l in "${lines[@]}"; do
    if [[ $l == "$1" ]]; then
      echo "did not expect the line '$1' in the output:" >&2
      printf '%s\n' "$output" >&2
      return 1
    fi
  done
  return 0
}

# expect_contains TEXT FRAGMENT...: every fragment occurs in TEXT.
expect_contains ()
{
  local text=$1 f
  shift
  for f in "$@"; do
    if [[ $text != *"$f"* ]]; then
      echo "expected '$f' in:" >&2
      printf '%s\n' "$text" >&2
      return 1
    fi
  done
}

# expect_one_line_error FRAGMENT...: after `run --separate-stderr`, the command failed with
# exit 1 and printed one line on stderr naming the problem (case-insensitive fragments).
expect_one_line_error ()
{
  local f lower
  if [[ $status -ne 1 ]]; then
    echo "expected exit status 1, got $status; stdout: $output; stderr: ${stderr:-}" >&2
    return 1
  fi
  if [[ ${#stderr_lines[@]} -ne 1 || -z ${stderr_lines[0]} ]]; then
    echo "expected exactly one line on stderr, got ${#stderr_lines[@]}:" >&2
    printf '%s\n' "${stderr:-}" >&2
    return 1
  fi
  lower=${stderr,,}
  for f in "$@"; do
    if [[ $lower != *"${f,,}"* ]]; then
      echo "expected '$f' in the error: $stderr" >&2
      return 1
    fi
  done
}

# expect_usage_error FRAGMENT...: like expect_one_line_error, for a command line burrow
# cannot parse; a second line may only point to the help ("Run 'burrow --help' ...").
expect_usage_error ()
{
  if [[ ${#stderr_lines[@]} -eq 2 && ${stderr_lines[1]} == *--help* ]]; then
    local hint=${stderr_lines[1]}
    stderr=${stderr_lines[0]}
    stderr_lines=("${stderr_lines[0]}")
    expect_one_line_error "$@" || { echo "(followed by: $hint)" >&2; return 1; }
  else
    expect_one_line_error "$@"
  fi
}

# The init pid of a container, from `burrow state`; remembered for the leftover checks.
container_pid ()
{
  local pid
  pid=$(burrow state "$1" | jq -r .pid) || return 1
  echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
  echo "$pid"
}

container_status ()
{
  burrow state "$1" | jq -r .status
}

# wait_for_status ID STATUS [SECONDS]
wait_for_status ()
{
  local id=$1 want=$2 tries=$(( ${3:-10} * 20 )) st=""
  while (( tries-- > 0 )); do
    st=$(container_status "$id" 2>/dev/null || true)
    [[ $st == "$want" ]] && return 0
    sleep 0.05
  done
  echo "container $id: status '$st', waited for '$want'" >&2
  return 1
}

# wait_for_file FILE [SECONDS]: until FILE exists and is not empty.
wait_for_file ()
{
  local tries=$(( ${2:-10} * 20 ))
  while (( tries-- > 0 )); do
    [[ -s $1 ]] && return 0
    sleep 0.05
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# A process that still exists and is not a zombie.
pid_alive ()
{
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# wait_pid_gone PID [SECONDS]
wait_pid_gone ()
{
  local tries=$(( ${2:-5} * 20 ))
  while (( tries-- > 0 )); do
    pid_alive "$1" || return 0
    sleep 0.05
  done
  return 1
}

# Processes started by a burrow of this test (their command line holds this test's
# --root), other than this shell's own ancestry: "PID COMMAND" lines. A container process
# that has exec'ed is found through the pids remembered by container_pid instead.
leftover_processes ()
{
  local self_tree=" " p f pid
  p=$BASHPID
  while [[ -n $p && $p != 0 ]]; do
    self_tree+="$p "
    p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null || echo 0)
  done
  # The pattern comes from a file so that grep's own command line does not match.
  printf '%s\n' "$BURROW_STATE" >"$BATS_TEST_TMPDIR/leftover.pattern"
  for f in $(grep -l -a -F -f "$BATS_TEST_TMPDIR/leftover.pattern" /proc/[0-9]*/cmdline \
               2>/dev/null); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    [[ $self_tree == *" $pid "* ]] && continue
    pid_alive "$pid" || continue
    echo "$pid $(tr '\0' ' ' <"$f" 2>/dev/null)"
  done
}

# The mounts of the test's namespace that a runtime could leak: under this test's
# directory (bundle, state), the root itself, and /proc, /sys, /dev (what a container
# mounts on, were its mount namespace missing). Other mounts may come and go on a shared
# machine without burrow having any part in it.
# Rootless podman leaves a "pause" process holding its namespaces for later calls; a
# test that ran podman stops it (the test user's, which nothing else uses), so that
# nothing of the test outlives it.
podman_stop_pause ()
{
  local tries=50
  # conmon runs `podman container cleanup` once a container is gone, and that starts the
  # pause process again: let those finish first
  while (( tries-- > 0 )) && pgrep -u "$(id -u)" -f '^(conmon|podman .*container cleanup)' \
      >/dev/null; do
    sleep 0.1
  done
  pkill -9 -u "$(id -u)" -x 'podman pause' || true
}

mounts_snapshot ()
{
  awk -v t="$BATS_TEST_TMPDIR" '
    index($5, t) == 1 || $5 == "/" || $5 ~ /^\/(proc|sys|dev)(\/|$)/ ||
    index($4, t) == 1' /proc/self/mountinfo
}

# assert_nothing_left ID: no state, no listed container, no process of it, no new mount.
assert_nothing_left ()
{
  local id=$1 pid problems=""
  if [[ $id != */* && $id != . && $id != .. && -e $BURROW_STATE/$id ]]; then
    problems+="state dir $BURROW_STATE/$id exists; "
  fi
  if burrow list -q 2>/dev/null | grep -qxF -- "$id"; then
    problems+="\`list\` still shows $id; "
  fi
  if [[ -f $BATS_TEST_TMPDIR/pids ]]; then
    while read -r pid; do
      [[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] || continue
      if ! wait_pid_gone "$pid" 2; then
        problems+="process $pid of the container is still running; "
      fi
    done <"$BATS_TEST_TMPDIR/pids"
  fi
  local left
  left=$(leftover_processes)
  if [[ -n $left ]]; then
    sleep 0.5 # a process being reaped right now
    left=$(leftover_processes)
    [[ -z $left ]] || problems+="processes left: $(tr '\n' ',' <<<"$left"); "
  fi
  if ! diff -u "$BATS_TEST_TMPDIR/mountinfo.before" <(mounts_snapshot) \
      >"$BATS_TEST_TMPDIR/mountinfo.diff"; then
    problems+="mounts changed: $(cat "$BATS_TEST_TMPDIR/mountinfo.diff"); "
  fi
  if [[ -n $problems ]]; then
    echo "left behind by $id: $problems" >&2
    return 1
  fi
}

# assert_state_root_empty: no container directory, not even a half-made one.
assert_state_root_empty ()
{
  local left
  left=$(find "$BURROW_STATE" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null || true)
  if [[ -n $left ]]; then
    echo "state root $BURROW_STATE is not empty: $left" >&2
    return 1
  fi
}

# assert_bad_input_left_nothing: after a refused command, no state, process or mount.
assert_bad_input_left_nothing ()
{
  assert_state_root_empty
  assert_nothing_left "${1:-no-such-container}"
}

burrow_setup ()
{
  BURROW_STATE=$BATS_TEST_TMPDIR/state
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  # ids other than the caller's (a user namespace's mapped ids) must reach the bundle
  local d=$BATS_TEST_TMPDIR
  while [[ $d == "${BATS_RUN_TMPDIR:-/nonexistent}"* ]]; do
    chmod a+x "$d"
    d=$(dirname "$d")
  done
  chmod 755 "$BATS_TEST_TMPDIR"
  mkdir -m 0700 "$BURROW_STATE"
  mounts_snapshot >"$BATS_TEST_TMPDIR/mountinfo.before"
  make_bundle "$BUNDLE"
  export BURROW_STATE BUNDLE
}

# Force-delete whatever the test left, then check that nothing stays behind.
burrow_teardown ()
{
  local ids id pid problems=""
  [[ -n ${BURROW_STATE:-} && -d $BURROW_STATE ]] || return 0
  ids=$(burrow list -q 2>/dev/null || true)
  # What `list` misses (a broken state file) still shows as a directory.
  ids+=$'\n'$(find "$BURROW_STATE" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null)
  for id in $(sort -u <<<"$ids"); do
    pid=$(burrow state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || true)
    [[ -n $pid && $pid != 0 ]] && echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
    burrow delete --force "$id" >/dev/null 2>&1 || problems+="delete --force $id failed; "
  done
  if [[ -n $(burrow list -q 2>/dev/null) ]]; then
    problems+="list not empty after delete --force: $(burrow list -q | tr '\n' ' '); "
  fi
  if [[ -n $(find "$BURROW_STATE" -mindepth 1 -maxdepth 1 2>/dev/null) ]]; then
    problems+="state root not empty: $(ls -A "$BURROW_STATE" | tr '\n' ' '); "
  fi
  if [[ -f $BATS_TEST_TMPDIR/pids ]]; then
    while read -r pid; do
      [[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] || continue
      if ! wait_pid_gone "$pid" 2; then
        problems+="container process $pid still running (killed now); "
        kill -9 "$pid" 2>/dev/null || true
      fi
    done <"$BATS_TEST_TMPDIR/pids"
  fi
  local left
  left=$(leftover_processes)
  if [[ -n $left ]]; then
    sleep 0.5
    left=$(leftover_processes)
    if [[ -n $left ]]; then
      problems+="processes left (killed now): $(tr '\n' ',' <<<"$left"); "
      for pid in $(cut -d' ' -f1 <<<"$left"); do kill -9 "$pid" 2>/dev/null || true; done
    fi
  fi
  if ! diff -u "$BATS_TEST_TMPDIR/mountinfo.before" <(mounts_snapshot) >&2; then
    problems+="the mounts of the test's namespace changed (diff above); "
  fi
  if [[ -n $problems ]]; then
    echo "teardown: $problems" >&2
    return 1
  fi
}

setup ()
{
  burrow_setup
}

teardown ()
{
  burrow_teardown
}
