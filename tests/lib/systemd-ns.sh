#!/bin/bash
# systemd-ns.sh: boots the test Debian system (tests/lib/debian-rootfs.sh) with its systemd
# as PID 1 of fresh pid, mount, cgroup, uts and ipc namespaces, the way a container
# manager would, and lets it run the suite's bats files (tests/lib/guest-run.sh).
#
# usage (root): systemd-ns.sh BASE UPPER RESULTS TIMEOUT
#   BASE     the cached Debian system (read-only lower layer of an overlay)
#   UPPER    this run's additions (debian_rootfs_overlay); the overlay's upper layer
#   RESULTS  a directory that the guest sees as /burrow-results (TAP files)
#   TIMEOUT  seconds for the whole boot, tests and shutdown
#
# /proc stays fully visible, with nothing mounted over /proc/sys: the kernel lets a user
# namespace (a rootless container) mount a new proc only where an existing one is fully
# visible. So the units that would change the host kernel (sysctl, modules, binfmt) are
# masked instead (SYSTEMD_NS_MASK), as are udev's.
#
# How: a new cgroup under the host's cgroup2 (/sys/fs/cgroup/unified on this hybrid host,
# /sys/fs/cgroup on a unified one) is made and entered first, so that the new cgroup
# namespace has it as its root; then `unshare` makes the namespaces, and its child (PID 1)
# mounts the overlay root, proc, sysfs read-only (so udev and friends stay off the host's
# devices), cgroup2 read-write at /sys/fs/cgroup, a /dev tmpfs
# with the usual nodes and a devpts instance, a tmpfs /tmp, pivots into the root and execs
# systemd with container=burrow-test. /dev/console is the file RESULTS/console.log. The
# guest powers itself off when the tests are done (reboot(2) in a pid namespace ends it).
set -euo pipefail

SYSTEMD_NS_MASK=(systemd-sysctl.service systemd-modules-load.service systemd-binfmt.service
                 proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
                 systemd-udevd.service systemd-udev-trigger.service
                 systemd-udev-settle.service systemd-hwdb-update.service
                 kmod-static-nodes.service systemd-pstore.service systemd-firstboot.service
                 sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
                 sys-fs-fuse-connections.mount)

systemd_ns_cgroup2 ()
{
  local m
  for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [[ $(stat -f -c %T "$m" 2>/dev/null) == cgroup2fs ]]; then
      echo "$m"
      return 0
    fi
  done
  return 1
}

# Remove a cgroup tree, deepest first, killing what is left in it.
systemd_ns_rm_cgroup ()
{
  local cg=$1 d
  [[ -d $cg ]] || return 0
  [[ -f $cg/cgroup.kill ]] && echo 1 >"$cg/cgroup.kill" 2>/dev/null
  for _ in $(seq 1 50); do
    while read -r d; do
      rmdir "$d" 2>/dev/null || true
    done < <(find "$cg" -depth -type d)
    [[ -d $cg ]] || return 0
    sleep 0.1
  done
  echo "systemd-ns: could not remove $cg" >&2
}

# The steps of PID 1 in the new namespaces, before systemd.
systemd_ns_pid1 ()
{
  local base=$1 upper=$2 results=$3 run=$4 root n
  root=$run/root
  mkdir -p "$root" "$run/work"
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$upper,workdir=$run/work" "$root"
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
  mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
  for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0 fuse:10:229; do
    IFS=: read -r name major minor <<<"$n"
    mknod -m 666 "$root/dev/$name" c "$major" "$minor"
  done
  mkdir -m 755 "$root/dev/net" "$root/dev/pts" "$root/dev/shm"
  mknod -m 666 "$root/dev/net/tun" c 10 200
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
  touch "$root/dev/console" "$results/console.log"
  mount --bind "$results/console.log" "$root/dev/console"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"
  mount --bind "$results" "$root/burrow-results"
  hostname burrow-guest
  cd "$root"
  mkdir -p .oldroot
  pivot_root . .oldroot
  exec /usr/sbin/chroot . /bin/sh -c \
    'umount -l /.oldroot && rmdir /.oldroot &&
     exec env -i container=burrow-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
       /lib/systemd/systemd systemd.unit=multi-user.target systemd.log_color=0 \
       systemd.show_status=1'
}

systemd_ns_main ()
{
  local base=$1 upper=$2 results=$3 timeout=$4 cg2 cg run u rc=0
  cg2=$(systemd_ns_cgroup2) || { echo "systemd-ns: no cgroup2 mount on this host" >&2; return 1; }
  run=$(mktemp -d /tmp/burrow-systemd-ns.XXXXXX)
  cg=$cg2/burrow-systemd-ns-$$
  mkdir "$cg"
  mkdir -p "$upper/etc/systemd/system"
  for u in "${SYSTEMD_NS_MASK[@]}"; do
    ln -sfn /dev/null "$upper/etc/systemd/system/$u"
  done
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout -k 10 "$timeout" bash -c '
      echo $$ >"$1/cgroup.procs" || exit 1
      shift
      exec unshare --pid --mount --cgroup --uts --ipc --fork --kill-child=SIGKILL \
        --propagation private -- bash "$@"' \
    _ "$cg" "$(readlink -f "${BASH_SOURCE[0]}")" --pid1 "$base" "$upper" "$results" "$run" || rc=$?
  systemd_ns_rm_cgroup "$cg"
  # The overlay lived in the namespace only; its work dir may hold root-owned leftovers.
  rm -rf "$run"
  return "$rc"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  if [[ ${1:-} == --pid1 ]]; then
    shift
    systemd_ns_pid1 "$@"
  else
    systemd_ns_main "$@"
  fi
fi
