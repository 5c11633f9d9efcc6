#!/usr/bin/env bats
# Inside the systemd stage, as the test user: a service of the user's own systemd
# (user@UID.service) with the user bus at $XDG_RUNTIME_DIR/bus.

load ../helpers

@test "systemd user: runs under user@UID.service with XDG_RUNTIME_DIR and a user bus" {
  [[ $(id -u) -ne 0 ]]
  [[ $XDG_RUNTIME_DIR == /run/user/$(id -u) ]]
  [[ -S $XDG_RUNTIME_DIR/bus ]]
  grep -q "^0::/user.slice/user-$(id -u).slice/user@$(id -u).service/" /proc/self/cgroup
  run systemctl --user is-system-running
  [[ $output == running || $output == degraded ]]
}

@test "systemd user: systemd-run --user --scope puts a command in a scope of the user" {
  run systemd-run --user --scope --quiet --unit=burrow-probe-$$ -- cat /proc/self/cgroup
  expect_status 0
  expect_contains "$output" "/user@$(id -u).service/" "burrow-probe-$$.scope"
}

@test "systemd user: burrow run works rootless" {
  set_args sh -c 'echo hello as $(id -u)'
  capture burrow run --bundle "$BUNDLE" c1
  expect_status 0
  expect_line "hello as 0"
}
