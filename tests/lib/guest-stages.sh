#!/bin/bash
# guest-stages.sh: the two test stages that boot a real Debian system (sourced by
# tests/run.sh; also runnable alone: `tests/lib/guest-stages.sh systemd|vm BIN_DIR
# INTEGRATION_DIR RESULTS`).
#
#   systemd  tests/lib/systemd-ns.sh: the system's systemd as PID 1 of fresh namespaces
#            on this host's kernel. Scope mechanics: --systemd-cgroup as root (system bus)
#            and as the test user (user@UID.service, user bus); on this hybrid host the
#            cgroup2 hierarchy has no real resource controller but hugetlb.
#   vm       tests/lib/vm.sh: Debian's kernel under qemu TCG with the system as initramfs;
#            cgroup2 with cpu, memory, pids, io: the resource limits, rootless through the
#            user's systemd scope. Skipped only with BURROW_SKIP_VM=1.
#
# Both use the cached debootstrapped base (tests/lib/debian-rootfs.sh) plus a per-run
# layer with burrow's binaries and tests/integration/<stage>/*.bats, run inside by
# tests/lib/guest-run.sh (root-*.bats as root, rootless-*.bats as the test user). After
# the guest is gone, RESULTS holds one NAME.tap and NAME.rc per bats file, guest.txt
# (what the guest saw: boot time, controllers) and console.log.
set -euo pipefail

GUEST_STAGES_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/debian-rootfs.sh
source "$GUEST_STAGES_LIB/debian-rootfs.sh"

# guest_stage STAGE BIN_DIR INTEGRATION_DIR RESULTS: boot, test, collect. Prints timings.
guest_stage ()
{
  local stage=$1 bin=$2 integration=$3 results=$4 base upper rc=0 t0 t1 timeout
  t0=$(date +%s)
  base=$(debian_rootfs_base) || return 1
  upper=$(mktemp -d /tmp/burrow-guest-upper.XXXXXX)
  mkdir -p "$results"
  chmod 755 "$upper"
  debian_rootfs_overlay "$upper" "$bin" "$integration" "$stage"
  t1=$(date +%s)
  echo "guest-stages: $stage: base $base ready, run layer made in $((t1 - t0)) s"
  case $stage in
    systemd)
      timeout=${BURROW_SYSTEMD_TIMEOUT:-300}
      bash "$GUEST_STAGES_LIB/systemd-ns.sh" "$base" "$upper" "$results" "$timeout" || rc=$?
      ;;
    vm)
      timeout=${BURROW_VM_TIMEOUT:-570}
      bash "$GUEST_STAGES_LIB/vm.sh" "$base" "$upper" "$results" "$timeout" || rc=$?
      ;;
    *) echo "guest-stages: unknown stage $stage" >&2; rm -rf "$upper"; return 2 ;;
  esac
  rm -rf "$upper"
  echo "guest-stages: $stage: guest ran $(( $(date +%s) - t1 )) s (exit $rc)"
  if [[ -f $results/guest.txt ]]; then
    sed 's/^/  /' "$results/guest.txt" || true
  fi
  if [[ ! -f $results/done ]]; then
    echo "guest-stages: $stage: the guest did not finish (timeout ${timeout}s?); end of its console:"
    tail -n 30 "$results/console.log" 2>/dev/null | sed 's/^/  /'
    return 1
  fi
  return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  guest_stage "$@"
fi
