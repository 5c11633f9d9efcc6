#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Rootless user-mode networking: burrow-slirp started by create for a container with the
# annotation run.burrow.network=slirp, and used standalone like slirp4netns. Traffic goes
# only to the host's loopback and slirp's virtual addresses (10.0.2.0/24, fd00::/64).

load ../helpers

BURROW_SLIRP=${BURROW_SLIRP:-$(dirname "$BURROW")/burrow-slirp}

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  [[ -x $BURROW_SLIRP ]] || skip "no burrow-slirp at $BURROW_SLIRP (set BURROW_SLIRP)"
  [[ -r /dev/net/tun && -w /dev/net/tun ]] \
    || skip "/dev/net/tun is not readable and writable by $(id -un) (setup-host.sh makes it 0666)"
  burrow_setup
  HOST_PIDS=()
}

teardown ()
{
  local p
  for p in "${HOST_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  burrow_teardown
}

# A port nobody listens on, different for each test.
free_port ()
{
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! grep -qi ":$(printf '%04X' "$p") " /proc/net/tcp /proc/net/udp /proc/net/tcp6 \
        /proc/net/udp6 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# use_network [ANNOTATION=VALUE...]: a new network namespace and run.burrow.network=slirp.
use_network ()
{
  local kv
  set_cfg '.linux.namespaces += [{type: "network"}] | .annotations["run.burrow.network"] = "slirp"'
  for kv in "$@"; do
    set_cfg '.annotations[$k] = $v' --arg k "run.burrow.network.${kv%%=*}" --arg v "${kv#*=}"
  done
}

# host_server tcp|udp PORT [ADDR]: the probe's echo server on the host, until teardown.
host_server ()
{
  local out=$BATS_TEST_TMPDIR/host-$1-$2.out
  "$PROBE" net-serve "$1" "$2" "${3:-127.0.0.1}" >"$out" 2>&1 &
  HOST_PIDS+=($!)
  wait_for_file "$out" 5
}

# until_answer CMD...: retry CMD for up to 5 s until it succeeds (a server in a container
# that was just started may not listen yet); leaves its output in $output.
until_answer ()
{
  local tries=50
  while (( tries-- > 0 )); do
    capture "$@"
    [[ $status -eq 0 ]] && return 0
    sleep 0.1
  done
}

# stream_through_published_port NAME BYTES PEER [ANNOTATION=VALUE...]: container NAME
# runs a net-check server behind a published TCP port; BYTES go there and back, each way
# checked byte for byte, the host's side shutting down its writing first (a half-close the
# forwarding must carry); the server saw the connection come from PEER.
stream_through_published_port ()
{
  local name=$1 bytes=$2 peer=$3 p
  shift 3
  p=$(free_port)
  use_network "publish=127.0.0.1:$p:8000/tcp" "$@"
  set_args probe net-check 8000
  burrow run -d --bundle "$BUNDLE" "$name" >/dev/null 2>&1 </dev/null
  container_pid "$name" >/dev/null
  until_answer "$PROBE" net-stream 127.0.0.1 "$p" "$bytes"
  expect_status 0
  expect_line "got=$bytes bad=0 peer=$peer"
  expect_line "back=$bytes bad=0"
}

# The helper of a container, as `burrow state` shows it (its state file says the same).
helper_pid ()
{
  local shown
  shown=$(burrow state "$1" | jq -r '.network.helperPid')
  [ "$shown" = "$(jq -r '.network.helperPid' "$BURROW_STATE/$1/state.json")" ] || return 1
  echo "$shown"
}

@test "the container gets tap0 with 10.0.2.100/24, MTU 65520, a default route via 10.0.2.2, lo up" {
  use_network
  set_args sh -c 'busybox ip -o link show; busybox ip -o -4 addr show tap0; cat /proc/net/route'
  capture burrow run --bundle "$BUNDLE" addr
  expect_status 0
  expect_contains "$output" "tap0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65520" \
    "lo: <LOOPBACK,UP,LOWER_UP>" "inet 10.0.2.100/24"
  # default route (destination 0) through 10.0.2.2 (0202000A little-endian) on tap0
  [[ $output == *$'tap0\t00000000\t0202000A'* ]] || { echo "$output"; false; }
}

# refused_at_once NAME tcp|udp ADDR PORT: the container's probe is turned away with
# "Connection refused" (a RST, a port unreachable) well before its 3 s timeout.
refused_at_once ()
{
  local t0 ms
  set_args probe net-send "$2" "$3" "$4" denied
  t0=$(date +%s%N)
  capture burrow run --bundle "$BUNDLE" "$1"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_status 1
  expect_contains "$output" "net-send: refused: Connection refused"
  (( ms < 1500 )) || { echo "$2 to $3 refused only after $ms ms"; false; }
}

@test "host loopback through 10.0.2.2: refused at once by default, reached with allow-host-loopback (TCP and UDP)" {
  local tp up
  tp=$(free_port)
  up=$(free_port)
  host_server tcp "$tp"
  host_server udp "$up"
  use_network
  refused_at_once deny-tcp tcp 10.0.2.2 "$tp"
  refused_at_once deny-udp udp 10.0.2.2 "$up"

  set_cfg '.annotations["run.burrow.network.allow-host-loopback"] = "true"'
  set_args probe net-send tcp 10.0.2.2 "$tp" over-tcp
  capture burrow run --bundle "$BUNDLE" allow-tcp
  expect_status 0
  expect_line echo:over-tcp
  set_args probe net-send udp 10.0.2.2 "$up" over-udp
  capture burrow run --bundle "$BUNDLE" allow-udp
  expect_status 0
  expect_line echo:over-udp
}

@test "host loopback through fd00::2 (IPv6): refused at once by default, reached with allow-host-loopback" {
  [[ -e /proc/net/if_inet6 ]] || skip "the host has no IPv6"
  local tp up
  tp=$(free_port)
  up=$(free_port)
  host_server tcp "$tp" ::1
  host_server udp "$up" ::1
  use_network ipv6=true
  refused_at_once deny-tcp6 tcp fd00::2 "$tp"
  refused_at_once deny-udp6 udp fd00::2 "$up"

  set_cfg '.annotations["run.burrow.network.allow-host-loopback"] = "true"'
  set_args probe net-send tcp fd00::2 "$tp" over-tcp6
  capture burrow run --bundle "$BUNDLE" allow-tcp6
  expect_status 0
  expect_line echo:over-tcp6
}

@test "burrow spec --network slirp --publish --allow-host-loopback writes the namespace and annotations" {
  local dir=$BATS_TEST_TMPDIR/specnet
  mkdir "$dir"
  (cd "$dir" && "$BURROW" spec --rootless --network slirp --publish 127.0.0.1:8080:80/tcp \
     -p '[::1]:8081:81/udp' --allow-host-loopback)
  CONFIG=$dir/config.json
  [ "$(get_cfg '[.linux.namespaces[].type] | index("network") != null')" = true ]
  [ "$(get_cfg '.annotations["run.burrow.network"]')" = slirp ]
  [ "$(get_cfg '.annotations["run.burrow.network.publish"]')" = "127.0.0.1:8080:80/tcp,[::1]:8081:81/udp" ]
  [ "$(get_cfg '.annotations["run.burrow.network.allow-host-loopback"]')" = true ]
  capture --separate-stderr "$BURROW" spec --bundle "$dir" --network slirp -p 80
  expect_usage_error "--publish" "80"
}

@test "published TCP and UDP ports reach servers in the container" {
  local tp up
  tp=$(free_port)
  up=$(free_port)
  use_network "publish=127.0.0.1:$tp:8000/tcp,127.0.0.1:$up:8001/udp"
  set_args sh -c 'probe net-serve tcp 8000 & probe net-serve udp 8001 & wait'
  burrow run -d --bundle "$BUNDLE" pub >/dev/null 2>&1 </dev/null
  container_pid pub >/dev/null
  until_answer "$PROBE" net-send tcp 127.0.0.1 "$tp" in-tcp
  expect_status 0
  expect_line echo:in-tcp
  until_answer "$PROBE" net-send udp 127.0.0.1 "$up" in-udp
  expect_status 0
  expect_line echo:in-udp
  capture burrow port pub list
  expect_status 0
  expect_line "1 127.0.0.1:$tp:8000/tcp"
  expect_line "2 127.0.0.1:$up:8001/udp"
}

@test "published TCP is spliced past libslirp: 32 MiB each way intact across a half-close; the peer is the container's own address" {
  stream_through_published_port big 33554432 10.0.2.100
  # the forwarder's socket in the container's namespace is the helper's child's work: one
  # child, in the container's network namespace, with no capabilities left
  local h c
  h=$(helper_pid big)
  c=$(pgrep -P "$h")
  [ "$(wc -w <<<"$c")" = 1 ]
  [ "$(readlink "/proc/$c/ns/net")" = "$(readlink "/proc/$(container_pid big)/ns/net")" ]
  grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$c/status"
  grep -q '^CapPrm:[[:space:]]*0000000000000000$' "/proc/$c/status"
  grep -q '^Seccomp:[[:space:]]*2$' "/proc/$c/status"
}

@test "run.burrow.network.hostfwd=slirp: the same stream through libslirp, the peer is the gateway" {
  stream_through_published_port viaslirp 8388608 10.0.2.2 hostfwd=slirp
  # no child stays behind the helper in this mode
  [ -z "$(pgrep -P "$(helper_pid viaslirp)")" ]
}

@test "spliced connections at once, some cut off mid-stream: the others intact, no file of theirs left open" {
  local p h before i
  p=$(free_port)
  use_network "publish=127.0.0.1:$p:8000/tcp"
  set_args probe net-check 8000
  burrow run -d --bundle "$BUNDLE" many >/dev/null 2>&1 </dev/null
  container_pid many >/dev/null
  until_answer "$PROBE" net-stream 127.0.0.1 "$p" 1
  expect_line "back=1 bad=0"
  h=$(helper_pid many)
  before=$(ls "/proc/$h/fd" | wc -l)
  local cut=()
  for i in $(seq 8); do
    "$PROBE" net-stream 127.0.0.1 "$p" 1073741824 >/dev/null 2>&1 &
    cut+=($!)
  done
  for i in $(seq 16); do
    "$PROBE" net-stream 127.0.0.1 "$p" 2097152 >"$BATS_TEST_TMPDIR/s$i" 2>&1 &
  done
  sleep 0.5
  kill -9 "${cut[@]}"
  wait
  for i in $(seq 16); do
    grep -qx "got=2097152 bad=0 peer=10.0.2.100" "$BATS_TEST_TMPDIR/s$i"
    grep -qx "back=2097152 bad=0" "$BATS_TEST_TMPDIR/s$i"
  done
  # every connection's sockets and pipes closed (the cut ones once their resets arrived)
  local tries=30
  while (( tries-- > 0 )) && [ "$(ls "/proc/$h/fd" | wc -l)" -ne "$before" ]; do sleep 0.1; done
  [ "$(ls "/proc/$h/fd" | wc -l)" -eq "$before" ]
  until_answer "$PROBE" net-stream 127.0.0.1 "$p" 1000
  expect_line "back=1000 bad=0"
}

@test "a published TCP port with nothing listening in the container: the client is reset at once" {
  local p
  p=$(free_port)
  use_network "publish=127.0.0.1:$p:8000/tcp"
  set_args probe sleep 60
  burrow run -d --bundle "$BUNDLE" nolisten >/dev/null 2>&1 </dev/null
  container_pid nolisten >/dev/null
  capture "$PROBE" net-send tcp 127.0.0.1 "$p" anyone
  expect_status 1
  # not the client's 3 s time-out: a reset (or the write's broken pipe after it)
  [[ $output == *"reset by peer"* || $output == *"Broken pipe"* ]]
}

@test "IPv6 (run.burrow.network.ipv6): fd00::100 inside, [::1] published to it" {
  [[ -e /proc/net/if_inet6 ]] || skip "the host has no IPv6"
  local p
  p=$(free_port)
  use_network ipv6=true "publish=[::1]:$p:8000/tcp"
  set_args sh -c 'cat /proc/net/if_inet6; probe net-serve tcp 8000'
  create_container v6
  burrow start v6
  container_pid v6 >/dev/null
  until_answer "$PROBE" net-send tcp ::1 "$p" six
  expect_status 0
  expect_line echo:six
  # the guest's static address (no DAD wait) on tap0
  grep -q '^fd000000000000000000000000000100 .* tap0$' "$BATS_TEST_TMPDIR/v6.out"
}

@test "burrow port add, list and remove while the container runs" {
  local p1 p2
  p1=$(free_port)
  p2=$(free_port)
  use_network
  set_args probe net-serve tcp 8000
  burrow run -d --bundle "$BUNDLE" ports >/dev/null 2>&1 </dev/null
  container_pid ports >/dev/null
  capture burrow port ports list
  expect_status 0
  [ -z "$output" ]
  capture burrow port ports add "127.0.0.1:$p1:8000"
  expect_status 0
  [ "$output" = 1 ]
  capture burrow port ports add "127.0.0.1:$p2:8000/tcp"
  expect_status 0
  until_answer "$PROBE" net-send tcp 127.0.0.1 "$p1" one
  expect_line echo:one
  until_answer "$PROBE" net-send tcp 127.0.0.1 "$p2" two
  expect_line echo:two
  capture burrow port ports list
  expect_line "1 127.0.0.1:$p1:8000/tcp"
  expect_line "2 127.0.0.1:$p2:8000/tcp"
  # by spec and by id
  burrow port ports remove "127.0.0.1:$p1:8000/tcp"
  burrow port ports remove 2
  capture burrow port ports list
  [ -z "$output" ]
  capture "$PROBE" net-send tcp 127.0.0.1 "$p1" gone
  expect_status 1
  [[ $output == *refused* ]]
  # a port another process holds: the error says so, the helper goes on
  host_server tcp "$p2"
  capture --separate-stderr burrow port ports add "127.0.0.1:$p2:8000"
  expect_one_line_error "cannot listen" "$p2"
  capture --separate-stderr burrow port ports remove 7
  expect_one_line_error "no forward with id 7"
  capture --separate-stderr burrow port ports add "127.0.0.1:99999:80"
  expect_one_line_error "99999"
  burrow port ports add "127.0.0.1:$p1:8000"
}

@test "the API socket survives garbage: each bad request gets an error, then it serves again" {
  use_network
  set_args probe sleep 60
  burrow run -d --bundle "$BUNDLE" api >/dev/null 2>&1 </dev/null
  container_pid api >/dev/null
  local sock=$BURROW_STATE/api/slirp.sock big req
  big=$(head -c 10000 /dev/zero | tr '\0' x)
  for req in 'hello' '{' '[1,2]' '{"execute": 7}' '{"execute": "reboot"}' \
      '{"execute": "add_hostfwd", "arguments": {"proto": "sctp", "host_port": 1, "guest_port": 1}}' \
      '{"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_port": 70000, "guest_port": 1}}' \
      '{"execute": "remove_hostfwd", "arguments": {"id": "x"}}' "$big" ''; do
    capture "$PROBE" unix-send "$sock" "$req"
    expect_status 0
    [[ $req == '' ]] && continue # an empty request is just a closed connection
    [ "$(jq -r '.error.desc | type' <<<"$output")" = string ] || {
      echo "request ${req:0:40}: $output"
      false
    }
  done
  [[ $output == "" ]]
  capture "$PROBE" unix-send "$sock" '{"execute": "list_hostfwd"}'
  expect_status 0
  [ "$(jq -c .return <<<"$output")" = '{"entries":[]}' ]
}

@test "the helper killed: the container keeps running and delete still cleans up" {
  use_network
  set_args probe sleep 60
  burrow run -d --bundle "$BUNDLE" hk >/dev/null 2>&1 </dev/null
  container_pid hk >/dev/null
  local h
  h=$(helper_pid hk)
  pid_alive "$h"
  local c
  c=$(pgrep -P "$h")
  [ -n "$c" ]
  kill -9 "$h"
  wait_pid_gone "$h" 2
  # its child in the container's namespaces goes with it
  wait_pid_gone "$c" 1
  [ "$(container_status hk)" = running ]
  capture --separate-stderr burrow port hk list
  expect_one_line_error "connect" "slirp.sock"
  burrow delete -f hk
  assert_nothing_left hk
}

@test "the container killed: the helper exits within a second" {
  use_network
  set_args probe sleep 60
  burrow run -d --bundle "$BUNDLE" ck >/dev/null 2>&1 </dev/null
  container_pid ck >/dev/null
  local h
  h=$(helper_pid ck)
  pid_alive "$h"
  burrow kill ck KILL
  wait_pid_gone "$h" 1
  burrow delete ck
  assert_nothing_left ck
}

@test "delete stops the helper; run in the foreground leaves no helper behind" {
  use_network
  set_args probe sleep 60
  burrow run -d --bundle "$BUNDLE" del >/dev/null 2>&1 </dev/null
  container_pid del >/dev/null
  local h
  h=$(helper_pid del)
  burrow delete -f del
  wait_pid_gone "$h" 1
  set_args true
  burrow run --bundle "$BUNDLE" fg
  assert_nothing_left fg
}

@test "bad network annotations: a clear error before anything is made" {
  set_cfg '.annotations["run.burrow.network"] = "vde"'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad1
  expect_one_line_error "run.burrow.network" "vde"
  set_cfg '.annotations["run.burrow.network"] = "slirp"'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad2
  expect_one_line_error "network namespace"
  use_network "publish=127.0.0.1:80"
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad3
  expect_one_line_error "run.burrow.network.publish" "127.0.0.1:80"
  set_cfg 'del(.annotations["run.burrow.network.publish"]) | .annotations["run.burrow.network.mtus"] = "1"'
  capture --separate-stderr burrow run --bundle "$BUNDLE" bad4
  expect_one_line_error "run.burrow.network.mtus" "unknown"
  assert_bad_input_left_nothing bad4
}

@test "a helper that fails (published port taken) fails create with its message, nothing left" {
  local p
  p=$(free_port)
  host_server tcp "$p"
  use_network "publish=127.0.0.1:$p:80/tcp"
  set_args true
  capture --separate-stderr burrow create --bundle "$BUNDLE" taken
  expect_one_line_error "create" "publish 127.0.0.1:$p:80/tcp" "cannot listen"
  assert_bad_input_left_nothing taken
}

@test "no /dev/net/tun: create fails naming /dev/net/tun and leaves nothing" {
  command -v unshare >/dev/null || skip "no unshare(1)"
  unshare -rm true 2>/dev/null || skip "cannot make a user and mount namespace here"
  # Root of a user namespace of our own, with an empty /dev/net: the helper finds no tun
  # device. The container makes no user namespace of its own (nested id maps would need
  # setgroups, which `unshare -r` denies).
  local dir=$BATS_TEST_TMPDIR/notun
  make_bundle "$dir"
  CONFIG=$dir/config.json set_cfg '.linux.namespaces += [{type: "network"}]
    | .linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)
    | .annotations["run.burrow.network"] = "slirp" | .process.args = ["sh", "-c", "exit 0"]'
  capture --separate-stderr unshare -rm sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
    "$BURROW" --root "$BURROW_STATE" run --bundle "$dir" notun
  expect_one_line_error "/dev/net/tun" "No such file or directory"
  assert_bad_input_left_nothing notun
}

@test "standalone burrow-slirp, used like slirp4netns on a burrow run -d container" {
  local p api=$BATS_TEST_TMPDIR/api.sock
  p=$(free_port)
  set_cfg '.linux.namespaces += [{type: "network"}]'
  set_args probe net-serve tcp 8000
  burrow run -d --bundle "$BUNDLE" alone >/dev/null 2>&1 </dev/null
  local pid
  pid=$(container_pid alone)
  "$BURROW_SLIRP" --configure --mtu=65520 --disable-host-loopback --api-socket "$api" \
    --ready-fd=3 "$pid" tap0 3>"$BATS_TEST_TMPDIR/ready" 2>"$BATS_TEST_TMPDIR/slirp.err" &
  local h=$!
  HOST_PIDS+=("$h")
  wait_for_file "$BATS_TEST_TMPDIR/ready" 5
  [ "$(cat "$BATS_TEST_TMPDIR/ready")" = 1 ]
  capture "$PROBE" unix-send "$api" \
    "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\", \"host_port\": $p, \"guest_port\": 8000}}"
  [ "$(jq -r .return.id <<<"$output")" = 1 ]
  until_answer "$PROBE" net-send tcp 127.0.0.1 "$p" alone
  expect_line echo:alone
  # it exits with the container
  burrow kill alone KILL
  wait_pid_gone "$h" 1
  [[ ! -e $api ]]
}

# One helper under `ulimit -n $1`, serving published port 8000 of container $2: ten clients
# that send a word and wait (3 s) for an answer the one-at-a-time server does not give while
# its first client is still open, so nothing moves and fds run out.
fd_starve ()
{
  local limit=$1 pid=$2 p api=$BATS_TEST_TMPDIR/api$1.sock err=$BATS_TEST_TMPDIR/slirp$1.err h i
  p=$(free_port)
  (ulimit -n "$limit" && exec "$BURROW_SLIRP" --configure --api-socket "$api" --ready-fd=3 \
    "$pid" tap$limit 3>"$BATS_TEST_TMPDIR/ready$limit" 2>"$err") &
  h=$!
  HOST_PIDS+=("$h")
  wait_for_file "$BATS_TEST_TMPDIR/ready$limit" 5
  capture "$PROBE" unix-send "$api" \
    "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": \"127.0.0.1\", \"host_port\": $p, \"guest_port\": 8000}}"
  until_answer "$PROBE" net-stream 127.0.0.1 "$p" 1
  expect_line "back=1 bad=0"
  local clients=()
  for i in $(seq 10); do
    "$PROBE" net-send tcp 127.0.0.1 "$p" hold >/dev/null 2>&1 &
    clients+=($!)
  done
  # the helper says so whichever of its fds ran out first (the accepted socket, the one
  # passed from the namespace, a pipe)
  local t=0
  until grep -q "Too many open files" "$err"; do
    ((t++ < 50)) || fail "limit $limit: no 'Too many open files' in: $(cat "$err")"
    sleep 0.1
  done
  # half a second of the helper's CPU while they wait: not a spinning loop (that takes it all)
  local t0 t1
  t0=$(awk '{ print $14 + $15 }' "/proc/$h/stat")
  sleep 0.5
  t1=$(awk '{ print $14 + $15 }' "/proc/$h/stat")
  pid_alive "$h"
  kill -9 "${clients[@]}" 2>/dev/null || true
  wait "${clients[@]}" 2>/dev/null || true
  ((t1 - t0 < $(getconf CLK_TCK) / 10)) || fail "limit $limit: the helper spun ($((t1 - t0)) ticks)"
  until_answer "$PROBE" net-stream 127.0.0.1 "$p" 1000
  expect_line "back=1000 bad=0"
  kill "$h"
  wait "$h" 2>/dev/null || true
}

@test "standalone burrow-slirp out of file descriptors: clients wait or are reset, the loop does not spin, it serves again after" {
  local pid limit
  set_cfg '.linux.namespaces += [{type: "network"}]'
  set_args probe net-check 8000
  burrow run -d --bundle "$BUNDLE" fds >/dev/null 2>&1 </dev/null
  pid=$(container_pid fds)
  # the helper's own dozen fds, then six per connection: six limits run out at each point
  # of a connection's set-up
  for limit in 30 31 32 33 34 35; do
    fd_starve "$limit" "$pid"
  done
}

@test "burrow-slirp: slirp4netns' flags in --help, usage errors" {
  capture "$BURROW_SLIRP" --help
  expect_status 0
  expect_contains "$output" --configure --exit-fd --ready-fd --mtu --enable-ipv6 --api-socket \
    --cidr --disable-host-loopback --netns-type --userns-path --enable-sandbox --enable-seccomp \
    --outbound-addr --outbound-addr6 --disable-dns --macaddress
  capture --separate-stderr "$BURROW_SLIRP" --mtu=70000 1 tap0
  expect_one_line_error "--mtu" "70000"
  capture --separate-stderr "$BURROW_SLIRP" 1
  expect_one_line_error "PID|PATH and TAPNAME"
  capture --separate-stderr "$BURROW_SLIRP" --cidr=10.0.2.0/30 1 tap0
  expect_one_line_error "--cidr"
  capture --separate-stderr "$BURROW_SLIRP" 999999999 tap0
  expect_one_line_error "process 999999999 does not exist"
  capture --separate-stderr "$BURROW_SLIRP" --hostfwd=vpnkit 1 tap0
  expect_one_line_error "--hostfwd" "vpnkit"
}
