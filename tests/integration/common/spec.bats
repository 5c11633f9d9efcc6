#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow spec: writes a default config.json that runs as it is.

load ../helpers

@test "spec writes a valid config.json in the current directory" {
  local dir=$BATS_TEST_TMPDIR/fresh
  mkdir "$dir"
  cd "$dir"
  run "$BURROW" spec
  expect_status 0
  [ -f config.json ]
  run jq -e '.ociVersion | test("^1\\.")' config.json
  expect_status 0
  run jq -e '.root.path == "rootfs" and (.process.args | length > 0) and (.process.cwd | startswith("/"))' config.json
  expect_status 0
  # what runc's spec has: the usual namespaces and the proc mount
  run jq -r '.linux.namespaces[].type' config.json
  expect_line pid
  expect_line mount
  run jq -e '[.mounts[] | select(.destination == "/proc" and .type == "proc")] | length == 1' config.json
  expect_status 0
}

@test "spec --bundle writes into that directory" {
  local dir=$BATS_TEST_TMPDIR/elsewhere here=$BATS_TEST_TMPDIR/here
  mkdir "$dir" "$here"
  cd "$here"
  run "$BURROW" spec --bundle "$dir"
  expect_status 0
  jq -e . "$dir/config.json" >/dev/null
  [ ! -e "$here/config.json" ]
}

@test "spec refuses to overwrite an existing config.json" {
  cd "$BUNDLE"
  echo '{"keep": "me"}' >config.json
  capture --separate-stderr "$BURROW" spec
  expect_one_line_error config.json
  [ "$(cat config.json)" = '{"keep": "me"}' ]
}

@test "spec --rootless maps the caller's own ids into a user namespace" {
  local dir=$BATS_TEST_TMPDIR/rl
  mkdir "$dir"
  cd "$dir"
  run "$BURROW" spec --rootless
  expect_status 0
  run jq -r '.linux.namespaces[].type' config.json
  expect_line user
  run jq -r '.linux.uidMappings[] | "\(.containerID) \(.hostID) \(.size)"' config.json
  [ "$output" = "0 $(id -u) 1" ]
  run jq -r '.linux.gidMappings[] | "\(.containerID) \(.hostID) \(.size)"' config.json
  [ "$output" = "0 $(id -g) 1" ]
}

@test "a --rootless spec runs as it is" {
  local dir=$BATS_TEST_TMPDIR/asis
  mkdir "$dir"
  cp -a "$BUNDLE/rootfs" "$dir/rootfs"
  (cd "$dir" && "$BURROW" spec --rootless)
  CONFIG=$dir/config.json set_args probe ids
  CONFIG=$dir/config.json terminal false
  capture burrow run --bundle "$dir" asis
  expect_status 0
  expect_line uid=0
  expect_line gid=0
  assert_nothing_left asis
}

@test "the default spec runs as it is (with args and terminal changed)" {
  set_args probe ids
  capture burrow run --bundle "$BUNDLE" plain
  expect_status 0
  expect_line uid=0
  assert_nothing_left plain
}
