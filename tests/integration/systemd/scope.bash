# shellcheck shell=bash disable=SC2154
# scope.bash: the --systemd-cgroup scope checks, the same for root (system manager,
# root-scope.bats) and the test user (user@UID.service, rootless-scope.bats).

# A container with --systemd-cgroup, detached, its init sleeping; sets PID, UNIT, CGDIR.
start_scoped ()
{
  set_args probe sleep inf
  run_detached "$1" --systemd-cgroup
  UNIT=$(scope_of "$PID")
  CGDIR=$(scope_dir_of "$PID")
  [[ -n $UNIT ]] || { echo "init $PID is in no scope: $(cgroup_of "$PID")" >&2; return 1; }
}

scope_tests_delegate ()
{
  start_scoped c1
  run sctl show -p Delegate --value "$UNIT"
  expect_status 0
  [[ $output == yes ]] || { echo "Delegate=$output for $UNIT" >&2; return 1; }
  run sctl show -p ActiveState --value "$UNIT"
  [[ $output == active ]]
  # The scope is the container's: its id is in the unit name.
  [[ $UNIT == *c1* ]] || { echo "unit $UNIT does not name c1" >&2; return 1; }
}

scope_tests_holds_init ()
{
  start_scoped c2
  grep -qx "$PID" "$CGDIR/cgroup.procs" || {
    echo "$PID not in $CGDIR/cgroup.procs: $(cat "$CGDIR/cgroup.procs")" >&2; return 1; }
  # Owned by whoever runs burrow: root's by root, the user's by the user (delegation).
  [[ $(stat -c %u "$CGDIR") == "$(id -u)" ]] || {
    echo "$CGDIR owned by $(stat -c %U "$CGDIR"), not $(id -un)" >&2; return 1; }
  [[ $(stat -c %u "$CGDIR/cgroup.procs") == "$(id -u)" ]]
  [[ $(stat -c %u "$CGDIR/cgroup.subtree_control") == "$(id -u)" ]]
}

scope_tests_delete ()
{
  start_scoped c3
  capture burrow delete --force c3
  expect_status 0
  wait_unit_gone "$UNIT"
  [[ ! -d $CGDIR ]] || { echo "$CGDIR still exists after delete" >&2; return 1; }
  assert_nothing_left c3
}

scope_tests_foreground_run ()
{
  set_args sh -c 'echo in-c4; exit 7'
  capture burrow --systemd-cgroup run --bundle "$BUNDLE" c4
  expect_status 7
  expect_line in-c4
  assert_nothing_left c4
  run sctl list-units --all --no-legend '*c4*.scope'
  [[ -z $output ]] || { echo "a scope of c4 is still loaded: $output" >&2; return 1; }
}
