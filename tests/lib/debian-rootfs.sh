#!/bin/bash
# debian-rootfs.sh: the minimal Debian system that the systemd and VM test stages boot.
#
# debian_rootfs_base         prints the path of the cached base system, debootstrapping
#                            it first when it is not there (root only; a few minutes once,
#                            then reused: /var/cache/burrow-tests/debian-<hash>, the hash
#                            of the suite, mirror, package list and this file's recipe).
# debian_rootfs_overlay DIR BIN_DIR INTEGRATION_DIR SUITE
#                            fills DIR (an empty directory) with what one run adds on top
#                            of the base: burrow's binaries, the probe, the bats files, the
#                            runner (tests/lib/guest-run.sh), the test user with its
#                            subordinate ids and lingering (so user@UID.service starts at
#                            boot), and the unit burrow-tests.service that runs SUITE's bats
#                            files at boot, writes TAP to /burrow-results and powers off.
#
# The base comes from the same Debian mirror and suite as the host's apt sources
# (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list), so it works where only
# Debian's archive is reachable. The host is Debian 12 too, so burrow's binaries, built
# here, find the same libraries there (libseccomp2, libcjson1, libsystemd0, libslirp0,
# libfuse3-3, liburing2).
set -euo pipefail

DEBIAN_ROOTFS_CACHE=${BURROW_DEBIAN_CACHE:-/var/cache/burrow-tests}
DEBIAN_ROOTFS_SUITE=${BURROW_DEBIAN_SUITE:-bookworm}
# What the guest needs: systemd as PID 1 with logind and a user bus (dbus-user-session)
# for user@UID.service; Debian's kernel and modules for the VM stage; the libraries
# burrow and its helpers link; the tools the bats files use.
DEBIAN_ROOTFS_PACKAGES=(systemd systemd-sysv dbus dbus-user-session libpam-systemd
                        linux-image-amd64 kmod
                        libseccomp2 libcjson1 libsystemd0 libslirp0 libfuse3-3 liburing2 fuse3
                        uidmap busybox-static bats jq procps util-linux iproute2)
# Bump when the recipe below changes in a way the package list does not show.
DEBIAN_ROOTFS_RECIPE=1

debian_rootfs_mirror ()
{
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
          /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  if [[ -z $uri ]]; then
    uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^[:space:]]*\/debian\)[[:space:]].*/\2/p' \
            /etc/apt/sources.list 2>/dev/null | head -n 1)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

debian_rootfs_key ()
{
  printf '%s\n' "$DEBIAN_ROOTFS_SUITE" "$(debian_rootfs_mirror)" "$DEBIAN_ROOTFS_RECIPE" \
    "${DEBIAN_ROOTFS_PACKAGES[@]}" | sha256sum | cut -c1-12
}

debian_rootfs_base ()
{
  local dir tmp mirror include
  dir=$DEBIAN_ROOTFS_CACHE/debian-$(debian_rootfs_key)
  if [[ -f $dir/.burrow-complete ]]; then
    echo "$dir"
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "debian-rootfs: $dir is missing and debootstrap needs root" >&2
    return 1
  fi
  mkdir -p "$DEBIAN_ROOTFS_CACHE"
  # One debootstrap at a time; a second run waits and then finds the result.
  exec {lock}>"$DEBIAN_ROOTFS_CACHE/.lock"
  flock "$lock"
  if [[ -f $dir/.burrow-complete ]]; then
    exec {lock}>&-
    echo "$dir"
    return 0
  fi
  mirror=$(debian_rootfs_mirror)
  include=$(IFS=,; echo "${DEBIAN_ROOTFS_PACKAGES[*]}")
  tmp=$dir.tmp
  rm -rf "$tmp" "$dir"
  echo "debian-rootfs: debootstrap $DEBIAN_ROOTFS_SUITE from $mirror into $dir (once; cached)" >&2
  if ! debootstrap --variant=minbase --include="$include" "$DEBIAN_ROOTFS_SUITE" "$tmp" \
         "$mirror" >"$DEBIAN_ROOTFS_CACHE/debootstrap.log" 2>&1; then
    echo "debian-rootfs: debootstrap failed; end of $DEBIAN_ROOTFS_CACHE/debootstrap.log:" >&2
    tail -n 20 "$DEBIAN_ROOTFS_CACHE/debootstrap.log" >&2
    exec {lock}>&-
    return 1
  fi
  debian_rootfs_trim "$tmp"
  touch "$tmp/.burrow-complete"
  mv "$tmp" "$dir"
  exec {lock}>&-
  echo "$dir"
}

# What neither stage uses: package lists and caches, docs, the initrd Debian's kernel
# package built (the VM stage makes its own initramfs).
debian_rootfs_trim ()
{
  local root=$1
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
         "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* \
         "$root"/boot/initrd.img*
  # No getty and no network waits: the guests have no network to configure.
  rm -f "$root"/etc/systemd/system/getty.target.wants/*
  # The machine id is made at each boot (a fresh one per run).
  : >"$root/etc/machine-id"
}

# debian_rootfs_overlay DIR BIN_DIR INTEGRATION_DIR SUITE
debian_rootfs_overlay ()
{
  local dir=$1 bin=$2 integration=$3 suite=$4 top user=${BURROW_TEST_USER:-burrowtest}
  local uid=1001
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  install -d -m 755 "$dir/usr/local/bin" "$dir/burrow-tests" "$dir/burrow-results" \
                    "$dir/etc/systemd/system/multi-user.target.wants" \
                    "$dir/var/lib/systemd/linger" "$dir/home/$user" "$dir/etc"
  install -m 755 "$bin"/* "$dir/usr/local/bin/"
  cp -r "$integration" "$dir/burrow-tests/integration"
  chmod -R a+rX "$dir/burrow-tests"
  install -m 755 "$top/tests/lib/guest-run.sh" "$dir/burrow-tests/guest-run.sh"
  echo "$suite" >"$dir/burrow-tests/suite"
  # The test user: the same name, ids and subordinate range as on the host.
  local base
  base=$(debian_rootfs_base)
  cp "$base/etc/passwd" "$base/etc/group" "$base/etc/shadow" "$dir/etc/"
  echo "$user:x:$uid:$uid::/home/$user:/bin/bash" >>"$dir/etc/passwd"
  echo "$user:x:$uid:" >>"$dir/etc/group"
  echo "$user:!:19000:0:99999:7:::" >>"$dir/etc/shadow"
  chmod 640 "$dir/etc/shadow"
  echo "$user:200000:65536" >"$dir/etc/subuid"
  echo "$user:200000:65536" >"$dir/etc/subgid"
  chown "$uid:$uid" "$dir/home/$user"
  touch "$dir/var/lib/systemd/linger/$user"
  echo burrow-guest >"$dir/etc/hostname"
  cat >"$dir/etc/systemd/system/burrow-tests.service" <<'EOF'
[Unit]
Description=burrow tests (TAP to /burrow-results)
After=multi-user.target systemd-logind.service dbus.service
Wants=systemd-logind.service dbus.service

[Service]
Type=oneshot
ExecStart=/burrow-tests/guest-run.sh
StandardOutput=journal+console
StandardError=journal+console
EOF
  ln -s ../burrow-tests.service "$dir/etc/systemd/system/multi-user.target.wants/burrow-tests.service"
  # Debian delegates only pids, memory and cpu to user@UID.service; rootless container
  # setups add io and cpuset (what podman's documentation asks for).
  install -d -m 755 "$dir/etc/systemd/system/user@.service.d"
  printf '[Service]\nDelegate=cpu cpuset io memory pids\n' \
    >"$dir/etc/systemd/system/user@.service.d/delegate.conf"
}
