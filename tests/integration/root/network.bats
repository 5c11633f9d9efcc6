#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Root: user-mode networking without a user namespace (the helper joins only the network
# namespace), and a container that joins a network namespace by path is refused.

load ../helpers

BURROW_SLIRP=${BURROW_SLIRP:-$(dirname "$BURROW")/burrow-slirp}

setup ()
{
  [[ $(id -u) -eq 0 ]] || skip "the root suite runs as root"
  [[ -x $BURROW_SLIRP ]] || skip "no burrow-slirp at $BURROW_SLIRP (set BURROW_SLIRP)"
  [[ -c /dev/net/tun ]] || skip "no /dev/net/tun on this host"
  burrow_setup
  SERVER=
}

teardown ()
{
  [[ -z $SERVER ]] || kill "$SERVER" 2>/dev/null || true
  burrow_teardown
}

@test "root, no user namespace: a published port reaches the container, host loopback refused" {
  [ "$(get_cfg '[.linux.namespaces[].type] | index("user")')" = null ]
  local p=$((20000 + RANDOM % 30000)) q=$((20000 + RANDOM % 30000))
  "$PROBE" net-serve tcp "$q" 127.0.0.1 >"$BATS_TEST_TMPDIR/host.out" 2>&1 &
  SERVER=$!
  wait_for_file "$BATS_TEST_TMPDIR/host.out" 5
  set_cfg '.annotations["run.burrow.network"] = "slirp"
    | .annotations["run.burrow.network.publish"] = $pub' --arg pub "127.0.0.1:$p:8000/tcp"
  set_args sh -c "probe net-send tcp 10.0.2.2 $q no; probe net-serve tcp 8000"
  create_container rootnet
  burrow start rootnet
  container_pid rootnet >/dev/null
  local tries=50
  while (( tries-- > 0 )); do
    capture "$PROBE" net-send tcp 127.0.0.1 "$p" root
    [[ $status -eq 0 ]] && break
    sleep 0.1
  done
  expect_status 0
  expect_line echo:root
  # the helper runs as root in the host's user namespace, and the container's attempt to
  # reach the host's loopback failed before its server started
  local h
  h=$(jq -r .network.helperPid "$BURROW_STATE/rootnet/state.json")
  [ "$(readlink "/proc/$h/ns/user")" = "$(readlink /proc/self/ns/user)" ]
  grep -q 'net-send' "$BATS_TEST_TMPDIR/rootnet.err"
  burrow delete -f rootnet
  wait_pid_gone "$h" 1
}

@test "root: run.burrow.network=slirp with a network namespace joined by path is refused" {
  set_cfg '.annotations["run.burrow.network"] = "slirp"
    | .linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end)'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bypath
  expect_one_line_error "run.burrow.network=slirp" "new network namespace"
  assert_bad_input_left_nothing bypath
}
