#!/bin/bash
# run-all.sh: regenerate everything in bench/results/ with one command (what `make bench`
# runs): startup.md and startup.png (startup.sh), then profile.md and profile/ (profile.sh).
# Run as root on Debian 12; missing packages come from Debian's archive. Builds burrow first
# when ./burrow is missing. BENCH_PROFILE=0 skips profile.sh; the BENCH_* variables of
# startup.sh and profile.sh pass through; BENCH_QUIET_LOAD: see below.
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")

if [[ $(id -u) -ne 0 ]]; then
  echo "run-all.sh: run as root (sudo $0): it installs packages, runs containers as root and" >&2
  echo "as the unprivileged user ${BENCH_USER:-burrowtest}, and reads the kernel's trace buffers" >&2
  exit 1
fi

if [[ ! -x ${BURROW:-$top/burrow} ]]; then
  echo "== building burrow"
  if [[ -f $top/Makefile ]]; then
    make -C "$top" -j"$(nproc)"
  else
    BURROW_TEST_USER=${BENCH_USER:-burrowtest} "$top/tests/lib/setup-host.sh"
    "$top/tests/lib/build.sh" --no-sanitizers
  fi
fi

# BENCH_QUIET_LOAD=L: first wait (at most BENCH_QUIET_WAIT seconds, default 600) until the
# 1-minute load average is below L: on a shared machine that makes the numbers steadier.
if [[ -n ${BENCH_QUIET_LOAD:-} ]]; then
  deadline=$(($(date +%s) + ${BENCH_QUIET_WAIT:-600}))
  while awk -v l="$BENCH_QUIET_LOAD" '{ exit !($1 >= l) }' /proc/loadavg && (($(date +%s) < deadline)); do
    echo "== load average $(cut -d' ' -f1 /proc/loadavg) >= $BENCH_QUIET_LOAD: waiting"
    sleep 20
  done
fi

start=$(date +%s)
"$bench/startup.sh"
# The CVE-2019-5736 guard's cost per container start (bench/cve_guard.c).
if [[ -f $top/libburrow.a ]]; then
  printf '#!/bin/sh\n:\n' >"$bench/work-script.sh" && chmod +x "$bench/work-script.sh"
  gcc -std=gnu11 -O2 -I"$top" -I"$top/src/lib" -include config.h "$bench/cve_guard.c" \
    "$top/libburrow.a" -lseccomp -lcjson -o "$bench/cve_guard" &&
    "$bench/cve_guard" /bin/busybox /bin/true "$bench/work-script.sh" \
      | tee "$bench/results/cve_guard.txt"
  rm -f "$bench/cve_guard" "$bench/work-script.sh"
fi
if [[ ${BENCH_PROFILE:-1} == 1 ]]; then
  "$bench/profile.sh" || echo "run-all.sh: profile.sh failed; the startup results stand" >&2
fi
echo "== bench/results/ regenerated in $(($(date +%s) - start)) s"
