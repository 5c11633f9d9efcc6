#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# A smoke test of the ASan+UBSan build: a container's whole life and an error path, with
# no sanitizer report on stderr.

load ../helpers

# no_sanitizer_report FILE...: none of these has an ASan/UBSan/LSan report.
no_sanitizer_report ()
{
  if grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$@" >&2; then
    echo "sanitizer report found (above)" >&2
    return 1
  fi
}

@test "sanitizer build: run prints what the probe sees" {
  set_args probe ids
  burrow run --bundle "$BUNDLE" san1 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" </dev/null
  grep -qx uid=0 "$BATS_TEST_TMPDIR/out"
  no_sanitizer_report "$BATS_TEST_TMPDIR/err"
}

@test "sanitizer build: create, start, state, list, kill, delete" {
  set_args probe sleep 60
  local err=$BATS_TEST_TMPDIR/err
  burrow create --bundle "$BUNDLE" san2 >"$BATS_TEST_TMPDIR/out" 2>"$err" </dev/null
  burrow start san2 2>>"$err"
  burrow state san2 2>>"$err" | jq -e '.status == "running"'
  burrow list 2>>"$err" | grep -q san2
  burrow list --format json 2>>"$err" | jq -e 'length == 1'
  container_pid san2 >/dev/null
  burrow kill san2 KILL 2>>"$err"
  wait_for_status san2 stopped 10
  burrow delete san2 2>>"$err"
  no_sanitizer_report "$err"
  assert_nothing_left san2
}

@test "sanitizer build: spec and refused bad input" {
  local err=$BATS_TEST_TMPDIR/err dir=$BATS_TEST_TMPDIR/spec
  mkdir "$dir"
  (cd "$dir" && "$BURROW" spec 2>>"$err" && "$BURROW" spec --rootless --bundle "$dir" 2>>"$err" || true)
  set_cfg '.ociVersion = "2.0.0"'
  capture burrow create --bundle "$BUNDLE" san3 </dev/null
  expect_status 1
  printf '%s\n' "$output" >>"$err"
  run burrow kill nosuch FROB
  printf '%s\n' "$output" >>"$err"
  no_sanitizer_report "$err"
  assert_bad_input_left_nothing san3
}

@test "sanitizer build: pause, resume, update, events" {
  set_args probe sleep 2
  local err=$BATS_TEST_TMPDIR/err
  burrow run -d --bundle "$BUNDLE" san4 >"$BATS_TEST_TMPDIR/out" 2>"$err" </dev/null
  container_pid san4 >/dev/null
  if ! burrow pause san4 2>>"$err"; then
    grep -q "has no cgroup" "$err" && skip "the container has no cgroup here: $(cat "$err")"
    return 1
  fi
  burrow state san4 2>>"$err" | jq -e '.status == "paused"'
  burrow resume san4 2>>"$err"
  burrow update --pids-limit 10 --memory 1g --kernel-memory 1m san4 2>>"$err" || true
  burrow update -r - san4 <<<'{"hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}' \
    2>>"$err" || true
  burrow events --stats san4 2>>"$err" | jq -e '.type == "stats"'
  burrow events --interval 300ms san4 >"$BATS_TEST_TMPDIR/events" 2>>"$err"
  jq -e '.type == "stats"' <"$BATS_TEST_TMPDIR/events" >/dev/null
  no_sanitizer_report "$err"
}

@test "sanitizer build: burrow-slirp publishes, splices both ways and exits with the container" {
  local slirp p h pid api=$BATS_TEST_TMPDIR/api.sock err=$BATS_TEST_TMPDIR/slirp.err
  slirp=${BURROW_SLIRP_SAN:-}
  [[ -x $slirp ]] || skip "no sanitizer build of burrow-slirp (BURROW_SLIRP_SAN)"
  [[ -r /dev/net/tun && -w /dev/net/tun ]] \
    || skip "/dev/net/tun is not readable and writable by $(id -un) (setup-host.sh makes it 0666)"
  p=$((20000 + RANDOM % 30000))
  set_cfg '.linux.namespaces |= map(select(.type != "network")) + [{type: "network"}]'
  set_args probe net-check 8000
  burrow run -d --bundle "$BUNDLE" sannet >/dev/null 2>&1 </dev/null
  pid=$(container_pid sannet)
  # No --enable-sandbox/--enable-seccomp here: LeakSanitizer's exit check needs ptrace and
  # /proc, which they take away.
  "$slirp" --configure --api-socket "$api" --ready-fd=3 "$pid" tap0 \
    3>"$BATS_TEST_TMPDIR/ready" 2>"$err" &
  h=$!
  wait_for_file "$BATS_TEST_TMPDIR/ready" 10
  capture "$PROBE" unix-send "$api" \
    "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\", \"host_port\": $p, \"guest_port\": 8000}}"
  [ "$(jq -r .return.id <<<"$output")" = 1 ]
  local tries=50
  while (( tries-- > 0 )); do
    capture "$PROBE" net-stream 127.0.0.1 "$p" 4194304
    [[ $status -eq 0 ]] && break
    sleep 0.1
  done
  expect_line "got=4194304 bad=0 peer=10.0.2.100"
  expect_line "back=4194304 bad=0"
  burrow kill sannet KILL
  wait "$h"
  no_sanitizer_report "$err"
  burrow delete sannet
}
