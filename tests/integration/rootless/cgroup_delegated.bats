#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# cgroups for a rootless user with a delegated cgroup v2 subtree (tests/run.sh makes one,
# as systemd would, and starts the suite in a leaf of it): the container is born in its own
# cgroup, limits are written, ps/kill --all/exec use it, delete removes it; a cgroupsPath
# the user may not write is a clear error that leaves nothing.

load ../helpers
load cgroup_common

setup ()
{
  cgroup_setup
}

cgroup_path_of ()
{
  jq -r .cgroup.path "$BURROW_STATE/$1/state.json"
}

@test "rootless delegated: the init is born in its own cgroup under the delegated subtree" {
  set_args probe sleep 100
  create_container born
  local pid
  pid=$(container_pid born)
  jq -e '.cgroup.manager == "cgroupfs" and .cgroup.version == 2 and .cgroup.owned' \
    "$BURROW_STATE/born/state.json"
  [ "$(cgroup_path_of born)" = "$BURROW_TEST_CGROUP/born" ]
  grep -qx "0::$DELEGATED/born" "/proc/$pid/cgroup"
  grep -qx "$pid" "$BURROW_TEST_CGROUP/born/cgroup.procs"
}

@test "rootless delegated: hugepage limits are written to hugetlb.<size>.max" {
  grep -qw hugetlb "$BURROW_TEST_CGROUP/cgroup.controllers" || skip "hugetlb not delegated here"
  set_args probe sleep 100
  set_cfg '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 6291456}]'
  create_container huge
  [ "$(cat "$BURROW_TEST_CGROUP/huge/hugetlb.2MB.max")" = 6291456 ]
}

@test "rootless delegated: a limit whose controller is not delegated gives one warning naming it" {
  grep -qw memory "$BURROW_TEST_CGROUP/cgroup.controllers" && skip "memory is delegated here"
  set_args probe sleep 100
  set_cfg '.linux.resources.memory = {limit: 67108864}'
  capture --separate-stderr burrow create --bundle "$BUNDLE" warned </dev/null
  expect_status 0
  [ "${#stderr_lines[@]}" -eq 1 ]
  expect_contains "$stderr" "memory.limit" "not applied" "memory" "Delegate="
}

@test "rootless delegated: ps, exec and kill --all work from the cgroup (cgroup.kill)" {
  set_args probe sleep 100
  create_container k1
  burrow start k1
  local init
  init=$(container_pid k1)
  burrow exec -d k1 probe sleep 100
  local pids p
  pids=$(burrow ps -f json k1)
  [ "$(jq length <<<"$pids")" -eq 2 ]
  for p in $(jq '.[]' <<<"$pids"); do
    grep -qx "$p" "$BURROW_TEST_CGROUP/k1/cgroup.procs"
  done
  burrow kill --all k1 KILL
  for p in $(jq '.[]' <<<"$pids"); do wait_pid_gone "$p" 5; done
  [ -z "$(cat "$BURROW_TEST_CGROUP/k1/cgroup.procs")" ]
  burrow delete k1
  [ ! -e "$BURROW_TEST_CGROUP/k1" ]
}

@test "rootless delegated: exec --cgroup runs in a sub-cgroup of the container's" {
  set_args probe sleep 100
  create_container sub1
  burrow start sub1
  mkdir "$BURROW_TEST_CGROUP/sub1/inner"
  capture burrow exec --cgroup inner sub1 cat /proc/self/cgroup
  expect_status 0
  # the rootless default config has no cgroup namespace: the full path shows
  expect_line "0::$DELEGATED/sub1/inner"
  capture --separate-stderr burrow exec --cgroup ../escape sub1 true
  expect_status 255
  expect_contains "$stderr" "--cgroup" ".."
  capture --separate-stderr burrow exec --cgroup missing sub1 true
  expect_status 255
  expect_contains "$stderr" "missing"
  burrow delete --force sub1
  [ ! -e "$BURROW_TEST_CGROUP/sub1" ]
}

@test "rootless delegated: a relative cgroupsPath lands inside the delegated subtree" {
  set_args probe sleep 100
  set_cfg '.linux.cgroupsPath = "mine/deeper"'
  create_container rel
  [ "$(cgroup_path_of rel)" = "$BURROW_TEST_CGROUP/mine/deeper" ]
  grep -qx "0::$DELEGATED/mine/deeper" "/proc/$(container_pid rel)/cgroup"
  burrow delete --force rel
  [ ! -e "$BURROW_TEST_CGROUP/mine/deeper" ]
  rmdir "$BURROW_TEST_CGROUP/mine"
}

@test "rootless delegated: a cgroupsPath the user may not write is a clear error, nothing left" {
  set_cfg '.linux.cgroupsPath = "/burrow-not-mine"'
  capture --separate-stderr burrow create --bundle "$BUNDLE" notmine
  expect_one_line_error "cgroupsPath" "/burrow-not-mine" "permission denied" "delegated"
  assert_bad_input_left_nothing notmine
  [ ! -e "$V2_MOUNT/burrow-not-mine" ]
}

@test "rootless delegated: a create that fails after the cgroup was made removes it" {
  set_args /no/such/program
  capture --separate-stderr burrow create --bundle "$BUNDLE" failing
  [ "$status" -ne 0 ]
  assert_bad_input_left_nothing failing
  [ ! -e "$BURROW_TEST_CGROUP/failing" ]
}

@test "rootless delegated: run's container exits, its cgroup goes with it" {
  set_args sh -c 'cat /proc/self/cgroup'
  capture burrow run --bundle "$BUNDLE" gone
  expect_status 0
  expect_contains "$output" "0::"
  [ ! -e "$BURROW_TEST_CGROUP/gone" ]
}
