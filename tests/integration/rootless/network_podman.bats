#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Rootless podman with burrow-slirp in slirp4netns' place (network_cmd_path) and burrow as
# its OCI runtime. No registry: the image is a busybox tarball made here and imported.
# Storage, configuration and state are the test's own (vfs under $BATS_TEST_TMPDIR).

load ../helpers

BURROW_SLIRP=${BURROW_SLIRP:-$(dirname "$BURROW")/burrow-slirp}

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
  command -v podman >/dev/null || skip "podman is not installed"
  [[ -x $BURROW_SLIRP ]] || skip "no burrow-slirp at $BURROW_SLIRP (set BURROW_SLIRP)"
  [[ -r /dev/net/tun && -w /dev/net/tun ]] \
    || skip "/dev/net/tun is not readable and writable by $(id -un) (setup-host.sh makes it 0666)"
  burrow_setup
  P=$BATS_TEST_TMPDIR/podman
  mkdir -p "$P/rootfs/bin"
  cp "$BUSYBOX" "$PROBE" "$P/rootfs/bin/"
  ln -s busybox "$P/rootfs/bin/sh"
  tar -C "$P/rootfs" -cf "$P/image.tar" .
  # What podman 4.3 needs rootless on this kind of host, and the helper to use.
  printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nnetwork_cmd_path = "%s"\n' \
    "$BURROW_SLIRP" >"$P/containers.conf"
  export CONTAINERS_CONF=$P/containers.conf
  pman import "$P/image.tar" localhost/burrow-net:test >/dev/null 2>&1 \
    || skip "podman cannot import an image here: $(pman import "$P/image.tar" localhost/x 2>&1 | tail -1)"
}

teardown ()
{
  [[ -n ${P:-} && -d $P/graph ]] && pman rm -af -t 0 >/dev/null 2>&1
  [[ -n ${P:-} && -d $P/graph ]] && pman rmi -af >/dev/null 2>&1
  podman_stop_pause
  burrow_teardown
}

pman ()
{
  timeout -k 5 120 podman --root "$P/graph" --runroot "$P/run" --storage-driver vfs \
    --runtime "$BURROW" "$@"
}

@test "podman: burrow-slirp through network_cmd_path gives the container its network and ports" {
  local p=$((20000 + RANDOM % 30000))
  capture pman run -d --name web --network slirp4netns:port_handler=slirp4netns \
    -p "127.0.0.1:$p:8000" localhost/burrow-net:test /bin/probe net-serve tcp 8000
  expect_status 0
  # podman started our helper, not slirp4netns
  pgrep -u "$(id -u)" -f "^$BURROW_SLIRP .*--api-socket" >/dev/null
  local tries=50
  while (( tries-- > 0 )); do
    capture "$PROBE" net-send tcp 127.0.0.1 "$p" via-podman
    [[ $status -eq 0 ]] && break
    sleep 0.1
  done
  expect_status 0
  expect_line echo:via-podman
  capture pman run --rm --network slirp4netns localhost/burrow-net:test \
    sh -c 'busybox ip -o -4 addr show tap0'
  expect_status 0
  expect_contains "$output" "inet 10.0.2.100/24"
  pman rm -f -t 0 web >/dev/null
}
