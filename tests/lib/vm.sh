#!/bin/bash
# vm.sh: boots the test Debian system (tests/lib/debian-rootfs.sh) as a full VM: Debian's
# own kernel (linux-image-amd64, from the base's /boot) under qemu software emulation
# (-accel tcg,thread=multi; this host's /dev/kvm cannot run guests), the system as an
# initramfs, so cgroup2 there has the real cpu, memory, pids and io controllers. The guest
# runs the suite's bats files (tests/lib/guest-run.sh) and powers off.
#
# usage (root or not): vm.sh BASE UPPER RESULTS TIMEOUT
#   BASE     the cached Debian system; its initramfs part is cached next to it
#            (BASE.cpio: everything but /boot and all but a few kernel modules)
#   UPPER    this run's additions (debian_rootfs_overlay), made into a second cpio that
#            the kernel unpacks over the first
#   RESULTS  where the guest's /burrow-results lands (TAP files), with console.log
#   TIMEOUT  seconds for boot, tests and shutdown (qemu is killed after that)
#
# The guest's /init binds the initramfs root onto itself and chroots there before it
# execs systemd: the initial rootfs cannot be pivot_root()ed, a bind mount of it can, and
# burrow pivots into every container's root. /burrow-results comes back over a second
# serial port (ttyS1) as base64 tar streams between marker lines, one after each bats file.
set -euo pipefail

# Kernel modules the guest may load (overlay root, fuse, tun for the network helper).
VM_MODULES=(fs/overlayfs fs/fuse drivers/net/tun.ko)

VM_MASK=(systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
         systemd-udevd-control.socket systemd-udevd-kernel.socket
         serial-getty@ttyS0.service getty@tty1.service systemd-hwdb-update.service
         systemd-journal-catalog-update.service ldconfig.service systemd-firstboot.service
         systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-pstore.service
         e2scrub_reap.service)

vm_base_cpio ()
{
  local base=$1 cpio=$1.cpio kver m list lock
  if [[ -f $cpio && $cpio -nt $base/.burrow-complete ]]; then
    echo "$cpio"
    return 0
  fi
  kver=$(vm_kernel_version "$base") || return 1
  # One writer at a time; a second run waits and then finds it made.
  exec {lock}>"$base.cpio.lock"
  flock "$lock"
  if [[ -f $cpio && $cpio -nt $base/.burrow-complete ]]; then
    exec {lock}>&-
    echo "$cpio"
    return 0
  fi
  list=$(mktemp)
  (cd "$base" && find . -path ./boot -prune -o -path ./usr/lib/modules -prune -o \
     -path ./.burrow-complete -prune -o -print) >"$list"
  {
    echo ./usr/lib/modules
    echo "./usr/lib/modules/$kver"
    (cd "$base" && find "./usr/lib/modules/$kver" -maxdepth 1 -type f)
    echo "./usr/lib/modules/$kver/kernel"
    for m in "${VM_MODULES[@]}"; do
      (cd "$base" && find "./usr/lib/modules/$kver/kernel/$m" -print 2>/dev/null) | vm_with_parents
    done
  } | sort -u >>"$list"
  if ! (cd "$base" && cpio --quiet -o -H newc <"$list") >"$cpio.tmp"; then
    rm -f "$list" "$cpio.tmp"
    exec {lock}>&-
    echo "vm: could not make $cpio" >&2
    return 1
  fi
  rm -f "$list"
  mv "$cpio.tmp" "$cpio"
  exec {lock}>&-
  echo "$cpio"
}

# Every path read on stdin, preceded by its parent directories (cpio needs them first).
vm_with_parents ()
{
  local p d
  while read -r p; do
    d=$(dirname "$p")
    while [[ $d != . && $d != / ]]; do
      echo "$d"
      d=$(dirname "$d")
    done
    echo "$p"
  done
}

vm_kernel_version ()
{
  local k
  k=$(find "$1/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
  [[ -n $k ]] || { echo "vm: no kernel in $1/boot" >&2; return 1; }
  basename "$k" | sed 's/^vmlinuz-//'
}

vm_main ()
{
  local base=$1 upper=$2 results=$3 timeout=$4 run kver cpio u rc=0 start
  run=$(mktemp -d /tmp/burrow-vm.XXXXXX)
  kver=$(vm_kernel_version "$base") || return 1
  cpio=$(vm_base_cpio "$base") || return 1
  cat >"$upper/init" <<'EOF'
#!/bin/sh
# The initramfs root cannot be pivot_root()ed; a bind mount of it (with a parent) can.
mount -t proc proc /proc
mount --bind / /mnt && umount /proc && cd /mnt && mount --move /mnt / &&
  exec chroot . /lib/systemd/systemd "$@"
echo "init: could not bind the root onto itself" >&2
exec /lib/systemd/systemd "$@"
EOF
  chmod 755 "$upper/init"
  touch "$upper/burrow-tests/results-over-ttyS1"
  # Under emulation every unit costs seconds: none that the tests do not need (no udev:
  # devtmpfs has the nodes; no login prompt on the serial console).
  for u in "${VM_MASK[@]}"; do
    ln -sfn /dev/null "$upper/etc/systemd/system/$u"
  done
  (cd "$upper" && find . | cpio --quiet -o -H newc) >"$run/upper.cpio"
  cat "$cpio" "$run/upper.cpio" >"$run/initrd.cpio"
  rm -f "$run/upper.cpio"
  start=$(date +%s)
  timeout -k 5 "$timeout" qemu-system-x86_64 -accel tcg,thread=multi -smp "${BURROW_VM_SMP:-2}" -m 2048 \
    -cpu "${BURROW_VM_CPU:-max}" -machine q35 -display none -monitor none -no-reboot \
    -kernel "$base/boot/vmlinuz-$kver" -initrd "$run/initrd.cpio" \
    -append "console=ttyS0 rdinit=/init systemd.unified_cgroup_hierarchy=1 quiet \
systemd.unit=multi-user.target systemd.show_status=1 panic=-1 rw mitigations=off" \
    -serial "file:$results/console.log" -serial "file:$run/ttyS1" \
    -nic none </dev/null >"$results/qemu.log" 2>&1 || rc=$?
  echo "vm: qemu ran $(( $(date +%s) - start )) s (exit $rc)" >>"$results/qemu.log"
  # The last complete block is the latest state of /burrow-results.
  tr -d '\r' <"$run/ttyS1" | awk '/^BEGIN-RESULTS$/ { b = ""; on = 1; next }
      /^END-RESULTS$/ { if (on) last = b; on = 0; next }
      on { b = b $0 "\n" }
      END { printf "%s", last }' | base64 -d 2>/dev/null | tar -C "$results" -xz 2>/dev/null || true
  rm -rf "$run"
  return "$rc"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  vm_main "$@"
fi
