#!/bin/bash
# setup-host.sh: make this Debian 12 machine ready to build and test burrow.
# As root: installs the missing Debian packages, creates the unprivileged test user
# `burrowtest` with subordinate id ranges and its runtime dir. As a user: says what to run.
# Run it, or source it (it then leaves BURROW_TEST_USER/UID/GID/HOME set).
set -euo pipefail

BURROW_TEST_USER=${BURROW_TEST_USER:-burrowtest}
BURROW_PACKAGES=(build-essential autoconf automake libtool pkg-config libseccomp-dev
                 libcjson-dev libc6-dev busybox-static uidmap bats jq util-linux procps)
BURROW_PACKAGES+=(libsystemd-dev)  # cgroups
BURROW_PACKAGES+=(debootstrap qemu-system-x86 cpio)  # systemd/vm stages
BURROW_PACKAGES+=(libslirp-dev libglib2.0-dev iperf3 slirp4netns)  # network
BURROW_PACKAGES+=(libfuse3-dev fuse3 fuse-overlayfs liburing-dev)  # overlay
BURROW_PACKAGES+=(attr)  # overlay-wiring (getfattr/setfattr in the overlay semantic suite)

setup_host_missing_packages ()
{
  local p status
  for p in "${BURROW_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $status == ii* ]] || printf '%s\n' "$p"
  done
}

setup_host_packages ()
{
  local missing
  mapfile -t missing < <(setup_host_missing_packages)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-host: missing packages; as root run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_host_user ()
{
  local user=$BURROW_TEST_USER uid
  if ! getent passwd "$user" >/dev/null; then
    echo "setup-host: creating user $user"
    # No automatic subordinate range: we add the one the tests expect below.
    useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
  fi
  if ! grep -q "^$user:200000:65536\$" /etc/subuid 2>/dev/null; then
    usermod --add-subuids 200000-265535 "$user"
  fi
  if ! grep -q "^$user:200000:65536\$" /etc/subgid 2>/dev/null; then
    usermod --add-subgids 200000-265535 "$user"
  fi
  uid=$(id -u "$user")
  install -d -m 0700 -o "$user" -g "$(id -g "$user")" "/run/user/$uid"
  # A leftover dir of another owner or mode would break XDG_RUNTIME_DIR: fix it.
  chown "$user:$(id -g "$user")" "/run/user/$uid"
  chmod 0700 "/run/user/$uid"
}

# network: burrow-slirp opens /dev/net/tun as the user; distributions ship it 0666.
setup_host_tun ()
{
  [[ -c /dev/net/tun ]] || return 0
  if [[ $(stat -c %a /dev/net/tun) != 666 ]]; then
    echo "setup-host: chmod 0666 /dev/net/tun (was $(stat -c %a /dev/net/tun)) for rootless networking"
    chmod 0666 /dev/net/tun
  fi
}

# overlay: rootless FUSE mounts need /dev/fuse open to all (Debian ships it 0666; this
# host has 0600).
setup_host_fuse_device ()
{
  if [[ -c /dev/fuse && $(stat -c %a /dev/fuse) != 666 ]]; then
    echo "setup-host: chmod 0666 /dev/fuse (was $(stat -c %a /dev/fuse)) for rootless FUSE mounts"
    chmod 0666 /dev/fuse
  fi
}

# overlay: FUSE over io_uring (kernel 6.14+) is off unless fs/fuse's enable_uring is set,
# which distributions leave off and only root may change. Turned on so that burrow-overlay's
# io_uring transport is tested; its /dev/fuse path is tested too (-o io_uring=0).
setup_host_fuse_uring ()
{
  local p=/sys/module/fuse/parameters/enable_uring
  [[ -e $p ]] || modprobe fuse 2>/dev/null || true
  if [[ -w $p && $(cat "$p") != Y ]]; then
    echo "setup-host: echo Y >$p (was $(cat "$p")) for burrow-overlay's io_uring transport"
    echo Y >"$p" || echo "setup-host: could not turn on $p: the io_uring tests will skip"
  fi
}

setup_host_main ()
{
  setup_host_packages || return 1
  if [[ $(id -u) -eq 0 ]]; then
    setup_host_user
    setup_host_tun  # network
    setup_host_fuse_device  # overlay
    setup_host_fuse_uring  # overlay
  fi
  if getent passwd "$BURROW_TEST_USER" >/dev/null; then
    BURROW_TEST_UID=$(id -u "$BURROW_TEST_USER")
    BURROW_TEST_GID=$(id -g "$BURROW_TEST_USER")
    BURROW_TEST_HOME=$(getent passwd "$BURROW_TEST_USER" | cut -d: -f6)
    export BURROW_TEST_USER BURROW_TEST_UID BURROW_TEST_GID BURROW_TEST_HOME
  fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  setup_host_main
else
  setup_host_main || return 1
fi
