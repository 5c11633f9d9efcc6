#!/usr/bin/env bats
# Inside the systemd stage (tests/lib/systemd-ns.sh), as root: the guest really is a
# systemd system and burrow runs containers there.

load ../helpers

@test "systemd: PID 1 is systemd and the system reached multi-user" {
  [[ $(cat /proc/1/comm) == systemd ]]
  run systemctl is-active multi-user.target
  expect_status 0
  [[ $output == active ]]
}

@test "systemd: /sys/fs/cgroup is cgroup2 and this test runs in burrow-tests.service" {
  [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]
  grep -qx '0::/system.slice/burrow-tests.service' /proc/self/cgroup
}

@test "systemd: burrow run works as root" {
  set_args sh -c 'echo hello from $(hostname)'
  capture burrow run --bundle "$BUNDLE" c1
  expect_status 0
  expect_contains "$output" "hello from"
}
