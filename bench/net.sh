#!/bin/bash
# net.sh: user-mode network throughput and cost, burrow-slirp against slirp4netns, on the
# same kind of container (a rootless `burrow run -d` with its own network namespace), one
# helper at a time started the same way (--configure --mtu, sandbox and seccomp on);
# burrow-slirp twice: as it runs by default (published TCP spliced) and with
# --hostfwd=slirp (published TCP through libslirp, as slirp4netns does it):
#   - container -> host: iperf3 client in the container to a server on the host's
#     127.0.0.1, through 10.0.2.2
#   - host -> container: iperf3 client on the host to a server in the container, through
#     a port published with the helper's API (add_hostfwd)
#   - the helper's CPU time (user+system, /proc/PID/stat) per GB moved
#   - what the network adds to `burrow run` of /bin/true (annotation run.burrow.network)
# iperf3 runs from the host's binary inside the container's namespaces (nsenter), so the
# rootfs needs nothing but busybox. Writes bench/results/network.md. Run as root; the
# containers and helpers run as $BENCH_USER. Traffic stays on loopback and slirp's subnet.
#
# Environment:
#   BENCH_USER=burrowtest  BENCH_NET_SECONDS=10 (per iperf3 run)  BENCH_NET_MTU=65520
#   BENCH_NET_RUNS=3 (iperf3 runs per direction and helper; the median is reported)
#   BENCH_RUN_N=50 (`burrow run` of /bin/true per variant)  BURROW=<top>/burrow
#   BENCH_RESULTS=<bench>/results
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
user=${BENCH_USER:-burrowtest}
secs=${BENCH_NET_SECONDS:-10}
mtu=${BENCH_NET_MTU:-65520}
runs=${BENCH_NET_RUNS:-3}
run_n=${BENCH_RUN_N:-50}
results=${BENCH_RESULTS:-$bench/results}
burrow_src=${BURROW:-$top/burrow}
slirp_src=$(dirname "$burrow_src")/burrow-slirp

say () { printf '== %s\n' "$*" >&2; }
die () { printf 'net.sh: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (the containers run as $user)"
for p in iperf3 slirp4netns jq busybox nsenter; do
  command -v "$p" >/dev/null || die "$p is missing (tests/lib/setup-host.sh installs it)"
done
[[ -x $burrow_src && -x $slirp_src ]] || die "build burrow and burrow-slirp first (make)"
uid=$(id -u "$user")
[[ $(stat -c %a /dev/net/tun) == 666 ]] || die "/dev/net/tun is not 0666 (tests/lib/setup-host.sh)"

W=$(mktemp -d /tmp/burrow-netbench.XXXXXX)
chmod 755 "$W"
pids=()
cleanup ()
{
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_user "$W/bin/burrow" --root "$W/state" delete -f nb 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

as_user () { setpriv --reuid "$uid" --regid "$(id -g "$user")" --init-groups \
  env XDG_RUNTIME_DIR=/run/user/$uid HOME="$W" "$@"; }

mkdir -p "$W/bin" "$W/b/rootfs/bin" "$W/b/rootfs/proc" "$W/b/rootfs/dev" "$W/b/rootfs/sys" \
  "$W/b/rootfs/tmp" "$W/state"
install -m 755 "$burrow_src" "$slirp_src" "$W/bin/"
cp "$(command -v busybox)" "$W/b/rootfs/bin/busybox"
for a in sh sleep true; do ln -s busybox "$W/b/rootfs/bin/$a"; done
chown -R "$uid" "$W/b" "$W/state"
chown "$uid" "$W"
(cd "$W/b" && as_user "$W/bin/burrow" spec --rootless)
jq '.process.terminal = false | .process.args = ["sleep", "1000000"] | .linux.namespaces += [{type: "network"}]' "$W/b/config.json" \
  >"$W/c.json"
mv "$W/c.json" "$W/b/config.json"
chmod 644 "$W/b/config.json"

cpu_ticks () { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# api SOCKET JSON: one request to a helper's API socket (both speak the same protocol).
api ()
{
  as_user python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode())
s.shutdown(socket.SHUT_WR); print(s.recv(65536).decode())' "$1" "$2"
}

# measure HELPER: one run of each direction; prints "c2h_bps h2c_bps cpu_s_per_gb".
measure ()
{
  local helper=$1 bin hp cpid srv c2h=() h2c=() cpu=() i t0 t1 bytes b1 b2 port extra=()
  as_user "$W/bin/burrow" --root "$W/state" run -d --bundle "$W/b" nb </dev/null >/dev/null 2>&1
  cpid=$(as_user "$W/bin/burrow" --root "$W/state" state nb | jq -r .pid)
  case $helper in
    burrow-slirp) bin=$W/bin/burrow-slirp ;;
    burrow-slirp-libslirp) bin=$W/bin/burrow-slirp extra=(--hostfwd=slirp) ;;
    slirp4netns) bin=$(command -v slirp4netns) ;;
  esac
  rm -f "$W/api.sock" "$W/ready"
  as_user "$bin" --configure --mtu="$mtu" --enable-sandbox --enable-seccomp "${extra[@]}" \
    --api-socket "$W/api.sock" --ready-fd=3 "$cpid" tap0 3>"$W/ready" >"$W/$helper.log" 2>&1 &
  hp=$!
  pids+=("$hp")
  for _ in $(seq 100); do [[ -s $W/ready ]] && break; sleep 0.05; done
  [[ -s $W/ready ]] || die "$helper did not get ready: $(cat "$W/$helper.log")"
  # the helper itself: $! may be the subshell that runs as_user
  local child
  child=$(pgrep -P "$hp" | head -1 || true)
  [[ -n $child ]] && hp=$child
  [[ $(cat "/proc/$hp/comm") == "$(basename "$bin" | cut -c1-15)" ]] \
    || die "cannot find the $helper process"
  pids+=("$hp")
  api "$W/api.sock" '{"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1", "host_port": 25201, "guest_port": 5201}}' >/dev/null
  in_ct () { as_user nsenter --preserve-credentials -U -n -t "$cpid" "$@"; }
  for i in 1; do
    # container -> host
    iperf3 -s -1 -B 127.0.0.1 -p 25202 >/dev/null 2>&1 &
    srv=$!
    sleep 0.3
    t0=$(cpu_ticks "$hp")
    in_ct iperf3 -c 10.0.2.2 -p 25202 -t "$secs" -J >"$W/c2h.json"
    t1=$(cpu_ticks "$hp")
    wait "$srv"
    b1=$(jq '.end.sum_received.bytes' "$W/c2h.json")
    c2h+=("$(jq '.end.sum_received.bits_per_second' "$W/c2h.json")")
    # host -> container
    in_ct iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    srv=$!
    sleep 0.3
    local u0 u1
    u0=$(cpu_ticks "$hp")
    iperf3 -c 127.0.0.1 -p 25201 -t "$secs" -J >"$W/h2c.json"
    u1=$(cpu_ticks "$hp")
    wait "$srv"
    b2=$(jq '.end.sum_received.bytes' "$W/h2c.json")
    h2c+=("$(jq '.end.sum_received.bits_per_second' "$W/h2c.json")")
    local hz
    hz=$(getconf CLK_TCK)
    cpu+=("$(awk -v t=$(( (t1 - t0) + (u1 - u0) )) -v hz="$hz" -v b=$((b1 + b2)) \
      'BEGIN { printf "%.3f", (t / hz) / (b / 1e9) }')")
  done
  kill "$hp" 2>/dev/null || true
  as_user "$W/bin/burrow" --root "$W/state" delete -f nb
  wait "$hp" 2>/dev/null || true
  printf '%s %s %s\n' "$(median "${c2h[@]}")" "$(median "${h2c[@]}")" "$(median "${cpu[@]}")"
}

median () { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run_ms ANNOTATE(0|1): median wall time of `burrow run` of /bin/true, in ms.
run_ms ()
{
  local cfg=$W/b/config.json i t0 t1 ts=()
  jq --argjson net "$1" '.process.args = ["/bin/true"]
    | if $net == 1 then .annotations["run.burrow.network"] = "slirp" else del(.annotations) end' \
    "$cfg" >"$W/c.json"
  cp "$W/c.json" "$cfg"
  for i in $(seq $((run_n + 3))); do
    t0=$(date +%s%N)
    as_user "$W/bin/burrow" --root "$W/state" run --bundle "$W/b" "t$i" </dev/null >/dev/null
    t1=$(date +%s%N)
    (( i > 3 )) && ts+=("$(( (t1 - t0) / 1000 ))")
  done
  awk -v us="$(median "${ts[@]}")" 'BEGIN { printf "%.2f", us / 1000 }'
}

# The helpers take turns, run after run, so that a change in the machine's load falls on
# both alike.
bc2h=() bh2c=() bcpu=() lc2h=() lh2c=() lcpu=() sc2h=() sh2c=() scpu=()
for r in $(seq "$runs"); do
  say "run $r of $runs: burrow-slirp, burrow-slirp --hostfwd=slirp, slirp4netns, ${secs}s per direction, MTU $mtu"
  read -r a b c < <(measure burrow-slirp)
  bc2h+=("$a") bh2c+=("$b") bcpu+=("$c")
  read -r a b c < <(measure burrow-slirp-libslirp)
  lc2h+=("$a") lh2c+=("$b") lcpu+=("$c")
  read -r a b c < <(measure slirp4netns)
  sc2h+=("$a") sh2c+=("$b") scpu+=("$c")
done
b_c2h=$(median "${bc2h[@]}") b_h2c=$(median "${bh2c[@]}") b_cpu=$(median "${bcpu[@]}")
l_c2h=$(median "${lc2h[@]}") l_h2c=$(median "${lh2c[@]}") l_cpu=$(median "${lcpu[@]}")
s_c2h=$(median "${sc2h[@]}") s_h2c=$(median "${sh2c[@]}") s_cpu=$(median "${scpu[@]}")
say "burrow run /bin/true with and without the network, $run_n each"
jq '.process.args = ["/bin/true"]' "$W/b/config.json" >"$W/c.json" && cp "$W/c.json" "$W/b/config.json"
ln -sf busybox "$W/b/rootfs/bin/true"
plain=$(run_ms 0)
net=$(run_ms 1)

gbit () { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1e9 }'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mkdir -p "$results"
# The hand-written part of the results (what was tried, from "## " on) survives a re-run.
notes=
[[ -f $results/network.md ]] && notes=$(sed -n '/^## /,$p' "$results/network.md")
{
  echo "# User-mode network: burrow-slirp against slirp4netns"
  echo
  echo "bench/net.sh, $(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) CPUs; $(slirp4netns --version | head -1)," \
    "libslirp $(pkg-config --modversion slirp 2>/dev/null || echo '?'); rootless (user $user); MTU $mtu;" \
    "iperf3 $secs s per run, median of $runs runs; both helpers with --enable-sandbox --enable-seccomp."
  echo
  echo "| | burrow-slirp | slirp4netns | ratio | burrow-slirp --hostfwd=slirp | ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  echo "| container -> host (10.0.2.2), Gbit/s | $(gbit "$b_c2h") | $(gbit "$s_c2h") | $(ratio "$b_c2h" "$s_c2h")x | $(gbit "$l_c2h") | $(ratio "$l_c2h" "$s_c2h")x |"
  echo "| host -> container (published port), Gbit/s | $(gbit "$b_h2c") | $(gbit "$s_h2c") | $(ratio "$b_h2c" "$s_h2c")x | $(gbit "$l_h2c") | $(ratio "$l_h2c" "$s_h2c")x |"
  echo "| helper CPU s per GB moved | $b_cpu | $s_cpu | $(ratio "$b_cpu" "$s_cpu")x | $l_cpu | $(ratio "$l_cpu" "$s_cpu")x |"
  echo
  echo "The ratios are against slirp4netns. Each run, Gbit/s container -> host / host -> container:" \
    "burrow-slirp $(for i in "${!bc2h[@]}"; do printf '%s/%s ' "$(gbit "${bc2h[$i]}")" "$(gbit "${bh2c[$i]}")"; done)," \
    "burrow-slirp --hostfwd=slirp $(for i in "${!lc2h[@]}"; do printf '%s/%s ' "$(gbit "${lc2h[$i]}")" "$(gbit "${lh2c[$i]}")"; done)," \
    "slirp4netns $(for i in "${!sc2h[@]}"; do printf '%s/%s ' "$(gbit "${sc2h[$i]}")" "$(gbit "${sh2c[$i]}")"; done)."
  echo
  echo "\`burrow run\` of /bin/true (rootless, median of $run_n): ${plain} ms without a network," \
    "${net} ms with run.burrow.network=slirp: the network adds $(awk -v a="$net" -v b="$plain" 'BEGIN { printf "%.2f", a - b }') ms."
  [[ -z $notes ]] || printf '\n%s\n' "$notes"
} >"$results/network.md"
cat "$results/network.md"
