#!/usr/bin/env bats
# Inside the systemd stage, as the test user in a login session (runuser -l: pam_systemd
# registers a session-N.scope with logind and sets XDG_RUNTIME_DIR), like a user who
# logged in over ssh and runs burrow. The init starts in the session's scope, which root
# owns; the user's systemd must still put it in the container's scope.

load ../helpers
load ../guest
load scope

setup ()
{
  require_cgroup_feature systemdUser
  burrow_setup
}

@test "systemd session: the test runs in a logind session with XDG_RUNTIME_DIR from PAM" {
  [[ $(id -u) -ne 0 ]]
  grep -q "^0::/user.slice/user-$(id -u).slice/session-.*\.scope$" /proc/self/cgroup
  [[ $XDG_RUNTIME_DIR == /run/user/$(id -u) && -S $XDG_RUNTIME_DIR/bus ]]
}

@test "systemd session: the container's scope exists with Delegate=yes" {
  scope_tests_delegate
}

@test "systemd session: the scope's cgroup holds the init and belongs to the user" {
  scope_tests_holds_init
  [[ $(cgroup_of "$PID") == /user.slice/user-$(id -u).slice/user@$(id -u).service/* ]] || {
    echo "init in $(cgroup_of "$PID")" >&2; return 1; }
}

@test "systemd session: delete stops the scope and removes its cgroup" {
  scope_tests_delete
}
