#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# create, start, state: the statuses a container goes through and the state JSON.

load ../helpers

@test "create + start + state: created, then running, then stopped" {
  set_args probe sleep 1
  create_container life
  run burrow state life
  expect_status 0
  [ "$(jq -r .status <<<"$output")" = created ]
  local pid
  pid=$(container_pid life)
  [ "$pid" -gt 0 ]
  pid_alive "$pid"

  capture burrow start life
  expect_status 0
  [ "$(container_status life)" = running ]
  [ "$(container_pid life)" = "$pid" ]

  wait_for_status life stopped 10
  refute pid_alive "$pid"
  run burrow delete life
  expect_status 0
  assert_nothing_left life
}

@test "state JSON has exactly runc's field names and sane values" {
  set_args probe sleep 30
  create_container fields
  run burrow state fields
  expect_status 0
  local json=$output
  run jq -r 'keys_unsorted | sort | join(" ")' <<<"$json"
  [ "$output" = "bundle created id ociVersion owner pid rootfs status" ]
  [ "$(jq -r .id <<<"$json")" = fields ]
  [ "$(jq -r .bundle <<<"$json")" = "$BUNDLE" ]
  [ "$(jq -r .rootfs <<<"$json")" = "$BUNDLE/rootfs" ]
  [ "$(jq -r .status <<<"$json")" = created ]
  jq -e '.pid | type == "number" and . > 0' <<<"$json"
  jq -e '.ociVersion | type == "string" and test("^1\\.")' <<<"$json"
  jq -e '.owner | type == "string"' <<<"$json"
  # RFC 3339 in UTC, like runc: 2024-01-02T03:04:05.123456789Z
  jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")' <<<"$json"
  # the pid is the container's init, on the host
  local pid
  pid=$(container_pid fields)
  pid_alive "$pid"
}

@test "state JSON carries the config's annotations" {
  set_args probe sleep 30
  set_cfg '.annotations = {"org.example.key": "value", "other": "x y"}'
  create_container annotated
  run burrow state annotated
  expect_status 0
  run jq -r 'keys_unsorted | sort | join(" ")' <<<"$output"
  [ "$output" = "annotations bundle created id ociVersion owner pid rootfs status" ]
  run burrow state annotated
  jq -e '.annotations == {"org.example.key": "value", "other": "x y"}' <<<"$output"
}

@test "the container's process is pid 1 of its own pid namespace" {
  set_args probe pid
  capture burrow run --bundle "$BUNDLE" pidone
  expect_status 0
  expect_line pid=1
  expect_line ppid=0
}

@test "start runs the process only then: nothing is printed before start" {
  set_args probe pid
  create_container late
  sleep 0.3
  [ ! -s "$BATS_TEST_TMPDIR/late.out" ]
  burrow start late
  wait_for_status late stopped 10
  run container_out late
  expect_line pid=1
}

@test "the bundle defaults to the current directory" {
  set_args probe sleep 30
  cd "$BUNDLE"
  burrow create cwdbundle >/dev/null 2>&1 </dev/null
  [ "$(burrow state cwdbundle | jq -r .bundle)" = "$BUNDLE" ]
}

@test "start of a running container fails and leaves it running" {
  set_args probe sleep 30
  create_container twice
  burrow start twice
  capture --separate-stderr burrow start twice
  expect_status 1
  [ -n "$stderr" ]
  [ "$(container_status twice)" = running ]
}

@test "start of a stopped container fails" {
  set_args probe exit 0
  create_container finished
  burrow start finished
  wait_for_status finished stopped 10
  capture --separate-stderr burrow start finished
  expect_status 1
  [ -n "$stderr" ]
}

@test "a stopped container reports pid 0" {
  set_args probe exit 0
  create_container gone
  burrow start gone
  wait_for_status gone stopped 10
  [ "$(burrow state gone | jq -r .pid)" = 0 ]
}

@test "a container whose process is killed from the host shows as stopped" {
  set_args probe sleep 60
  create_container outside
  burrow start outside
  local pid
  pid=$(container_pid outside)
  kill -9 "$pid"
  wait_for_status outside stopped 10
  run burrow delete outside
  expect_status 0
  assert_nothing_left outside
}
