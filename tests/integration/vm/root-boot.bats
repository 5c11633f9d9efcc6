#!/usr/bin/env bats
# Inside the VM stage (tests/lib/vm.sh: Debian's kernel under qemu TCG), as root.

load ../helpers

@test "vm: cgroup2 at /sys/fs/cgroup has the cpu, memory, pids and io controllers" {
  [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]
  run cat /sys/fs/cgroup/cgroup.controllers
  expect_status 0
  local c
  for c in cpu memory pids io; do
    [[ " $output " == *" $c "* ]] || { echo "no $c in: $output" >&2; return 1; }
  done
}

@test "vm: burrow run works as root" {
  set_args sh -c 'echo hello from $(hostname)'
  capture burrow run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "$output" "hello from"
}
