#!/usr/bin/env bats
# Inside the VM stage, as the test user, a service of user@UID.service.

load ../helpers

@test "vm user: user@UID.service is delegated cpu, memory, pids and io" {
  local cg
  cg=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service
  run cat "$cg/cgroup.controllers"
  expect_status 0
  local c
  for c in cpu memory pids io; do
    [[ " $output " == *" $c "* ]] || { echo "no $c in $cg: $output" >&2; return 1; }
  done
  [[ $(stat -c %u "$cg") == "$(id -u)" ]]
}

@test "vm user: burrow run works rootless" {
  set_args sh -c 'echo hello as $(id -u)'
  capture burrow run --bundle "$BUNDLE" c1
  expect_status 0
  expect_line "hello as 0"
}
