# shellcheck shell=bash disable=SC2154,SC2034
# guest.bash: what the bats files of the systemd and VM stages (tests/integration/systemd,
# tests/integration/vm) load after ../helpers. They run inside the booted Debian guest
# (tests/lib/guest-run.sh): root-*.bats as root from a system service, rootless-*.bats as
# the test user from a service of user@UID.service.

# require_cgroup_feature NAME: skip unless `burrow features` reports linux.cgroup.NAME
# (systemd, systemdUser, v2): a build without that cgroup manager cannot be tested here.
require_cgroup_feature ()
{
  local v
  v=$("$BURROW" features | jq -r --arg n "$1" '.linux.cgroup[$n] // false')
  [[ $v == true ]] || skip "burrow features reports linux.cgroup.$1 = $v (no such cgroup manager in this build)"
}

# require_command CMD: skip unless burrow has this command (a later branch adds it).
require_command ()
{
  "$BURROW" help "$1" >/dev/null 2>&1 || skip "this burrow has no \`$1\` command"
}

# systemctl for this mode: the system manager as root, the user's own as the test user.
sctl ()
{
  if is_rootless; then systemctl --user "$@"; else systemctl "$@"; fi
}

# The cgroup2 path of a process, relative to /sys/fs/cgroup (from /proc/PID/cgroup).
cgroup_of ()
{
  sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# The systemd scope a process is in: the deepest component of its cgroup ending in .scope.
scope_of ()
{
  local p
  p=$(cgroup_of "$1")
  tr '/' '\n' <<<"$p" | grep '\.scope$' | tail -n 1
}

# The directory of the scope a process is in.
scope_dir_of ()
{
  local p unit
  p=$(cgroup_of "$1")
  unit=$(scope_of "$1")
  [[ -n $unit ]] || return 1
  echo "/sys/fs/cgroup${p%%"/$unit"*}/$unit"
}

# wait_unit_gone UNIT [SECONDS]: the unit is no longer loaded (or inactive) in this mode.
wait_unit_gone ()
{
  local tries=$(( ${2:-10} * 10 )) st
  while (( tries-- > 0 )); do
    st=$(sctl show -p ActiveState --value "$1" 2>/dev/null)
    [[ $st == inactive || $st == failed || -z $st ]] && return 0
    sleep 0.1
  done
  echo "unit $1 still $st" >&2
  return 1
}

# wait_for_output ID REGEX SECONDS: until the container's stdout (create_container's or
# run -d's $BATS_TEST_TMPDIR/ID.out) has a line matching REGEX; fails after SECONDS.
wait_for_output ()
{
  local tries=$(( $3 * 10 ))
  while (( tries-- > 0 )); do
    grep -q -- "$2" "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no line matching '$2' from $1 in $3 s; it printed:" >&2
  cat "$BATS_TEST_TMPDIR/$1.out" >&2 2>/dev/null
  return 1
}

# run_detached ID [GLOBAL FLAGS]: `burrow [FLAGS] run -d` of $BUNDLE; the container's
# stdout and stderr go to $BATS_TEST_TMPDIR/ID.out and ID.err. Sets PID (its init).
run_detached ()
{
  local id=$1
  shift
  if ! burrow "$@" run -d --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/$id.out" \
       2>"$BATS_TEST_TMPDIR/$id.err" </dev/null; then
    echo "run -d $id failed:" >&2
    cat "$BATS_TEST_TMPDIR/$id.err" >&2
    return 1
  fi
  PID=$(container_pid "$id")
}
