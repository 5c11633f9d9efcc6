#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Races: two creates of one id, delete --force against start. The state stays valid.

load ../helpers

ROUNDS=${BURROW_RACE_ROUNDS:-5}

@test "two creates of the same id in parallel: exactly one wins" {
  set_args probe sleep 60
  local round id a b rc_a rc_b
  for round in $(seq "$ROUNDS"); do
    id=dup$round
    burrow create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/a.out" 2>"$BATS_TEST_TMPDIR/a.err" </dev/null &
    a=$!
    burrow create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/b.out" 2>"$BATS_TEST_TMPDIR/b.err" </dev/null &
    b=$!
    rc_a=0; wait "$a" || rc_a=$?
    rc_b=0; wait "$b" || rc_b=$?
    echo "round $round: create A exit $rc_a, create B exit $rc_b" >&2
    if [ "$rc_a" -eq 0 ]; then
      [ "$rc_b" -eq 1 ]
      grep -q "already exists" "$BATS_TEST_TMPDIR/b.err"
    else
      [ "$rc_a" -eq 1 ]
      [ "$rc_b" -eq 0 ]
      grep -q "already exists" "$BATS_TEST_TMPDIR/a.err"
    fi
    run burrow state "$id"
    expect_status 0
    jq -e --arg id "$id" '.id == $id and .status == "created"' <<<"$output"
    container_pid "$id" >/dev/null
    run burrow list --format json
    expect_status 0
    jq -e --arg id "$id" '[.[] | select(.id == $id)] | length == 1' <<<"$output"
    burrow delete --force "$id"
    assert_nothing_left "$id"
  done
}

@test "delete --force racing start: no corrupted state, nothing left" {
  set_args probe sleep 60
  local round id s d rc_s rc_d
  for round in $(seq "$ROUNDS"); do
    id=race$round
    create_container "$id"
    container_pid "$id" >/dev/null
    burrow start "$id" >"$BATS_TEST_TMPDIR/s.out" 2>&1 </dev/null &
    s=$!
    burrow delete --force "$id" >"$BATS_TEST_TMPDIR/d.out" 2>&1 </dev/null &
    d=$!
    rc_s=0; wait "$s" || rc_s=$?
    rc_d=0; wait "$d" || rc_d=$?
    echo "round $round: start exit $rc_s, delete --force exit $rc_d" >&2
    [ "$rc_d" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/d.out" >&2; false; }
    # whatever start did, list and state must still parse
    run burrow list --format json
    expect_status 0
    jq -e 'type == "array" or . == null' <<<"$output"
    run burrow state "$id"
    if expect_status 0; then
      jq -e . <<<"$output" >/dev/null
      burrow delete --force "$id"
    else
      expect_contains "$output" "does not exist"
    fi
    assert_nothing_left "$id"
  done
}

@test "parallel creates of different ids all succeed and list sees them all" {
  set_args probe sleep 60
  local i pids=()
  for i in 1 2 3 4; do
    burrow create --bundle "$BUNDLE" "par$i" >"$BATS_TEST_TMPDIR/par$i.out" 2>&1 </dev/null &
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    wait "$i"
  done
  run burrow list -q
  expect_status 0
  [ "$(printf '%s\n' "${lines[@]}" | sort | paste -sd' ')" = "par1 par2 par3 par4" ]
  for i in 1 2 3 4; do
    container_pid "par$i" >/dev/null
  done
}
