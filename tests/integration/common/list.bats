#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow list: the table, --format json, -q.

load ../helpers

@test "list of an empty root prints the header only" {
  run burrow list
  expect_status 0
  [ "${#lines[@]}" -eq 1 ]
  read -r -a cols <<<"${lines[0]}"
  [ "${cols[*]}" = "ID PID STATUS BUNDLE CREATED OWNER" ]
}

@test "list shows each container with pid, status, bundle, created and owner" {
  set_args probe sleep 60
  create_container one
  create_container two
  burrow start two
  local pid1 pid2
  pid1=$(container_pid one)
  pid2=$(container_pid two)
  run burrow list
  expect_status 0
  [ "${#lines[@]}" -eq 3 ]
  read -r -a cols <<<"${lines[0]}"
  [ "${cols[*]}" = "ID PID STATUS BUNDLE CREATED OWNER" ]
  local row
  row=$(printf '%s\n' "${lines[@]}" | awk '$1 == "one"')
  read -r -a cols <<<"$row"
  [ "${cols[1]}" = "$pid1" ]
  [ "${cols[2]}" = created ]
  [ "${cols[3]}" = "$BUNDLE" ]
  [[ ${cols[4]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  [ "${cols[5]}" = "$(id -un)" ]
  row=$(printf '%s\n' "${lines[@]}" | awk '$1 == "two"')
  read -r -a cols <<<"$row"
  [ "${cols[1]}" = "$pid2" ]
  [ "${cols[2]}" = running ]
}

@test "list --format json is an array of the state objects" {
  set_args probe sleep 60
  create_container a1
  create_container b2
  run burrow list --format json
  expect_status 0
  jq -e 'type == "array" and length == 2' <<<"$output"
  [ "$(jq -r '[.[].id] | sort | join(" ")' <<<"$output")" = "a1 b2" ]
  jq -e 'all(.[]; .status == "created" and .pid > 0 and (.bundle | type == "string"))' <<<"$output"
  [ "$(jq -r '.[] | select(.id == "a1") | .bundle' <<<"$output")" = "$BUNDLE" ]
}

@test "list -q prints the ids only" {
  set_args probe sleep 60
  create_container q1
  create_container q2
  run burrow list -q
  expect_status 0
  [ "$(printf '%s\n' "${lines[@]}" | sort | paste -sd' ')" = "q1 q2" ]
}

@test "list shows a stopped container as stopped" {
  set_args probe exit 0
  create_container s1
  burrow start s1
  wait_for_status s1 stopped 10
  run burrow list
  local row
  row=$(printf '%s\n' "${lines[@]}" | awk '$1 == "s1"')
  read -r -a cols <<<"$row"
  [ "${cols[2]}" = stopped ]
}

@test "list is empty after delete" {
  set_args probe sleep 60
  create_container gone
  burrow delete --force gone
  run burrow list -q
  expect_status 0
  [ -z "$output" ]
}
