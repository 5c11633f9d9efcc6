#!/bin/bash
# overlay.sh: burrow-overlay against fuse-overlayfs (Debian's) and kernel overlayfs, side
# by side in one run, inside a user namespace (as an unprivileged user would use them):
#   (a) find + stat over a 100k-file tree      (b) ls -l of a directory of 10,000 entries
#   (c) copy-up of 1,000 small files, and of one 1 GiB file
#   (d) sequential read of a 1 GiB file         (e) untar of a 20k-file archive into the mount
# Every measurement runs on a fresh mount (the FUSE caches empty, the host's page cache
# warm: what a container starting on a used image sees), REPS times; the median is kept.
# Writes bench/results/overlay.md (or $1). Usage: bench/overlay.sh [RESULT_FILE]
# Environment: BENCH_DIR (work directory, default /var/tmp/burrow-bench-overlay; needs
# about 4 GiB), REPS (default 3), BURROW_OVERLAY (the helper, default ./burrow-overlay),
# WORKLOADS (some of: find ls copyup_small copyup_big read untar; default all) and IMPLS
# (some of: kernel fuse-overlayfs burrow-overlay burrow-overlay-devfuse; default all). With
# either set, the table goes to RESULT_FILE only when one is given (else to stdout), as a
# partial run. burrow-overlay takes requests over io_uring where the kernel offers it
# (fs/fuse's enable_uring, which distributions leave off: run as root, the script turns it
# on and says so); burrow-overlay-devfuse is the same helper with -o io_uring=0.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
partial=${WORKLOADS:+1}${IMPLS:+1}
result=${1:-$top/bench/results/overlay.md}
[[ -z $partial || -n ${1:-} ]] || result=/dev/stdout
work=${BENCH_DIR:-/var/tmp/burrow-bench-overlay}
reps=${REPS:-3}
export BURROW=${BURROW:-$top/burrow}
helper=${BURROW_OVERLAY:-$(dirname "$BURROW")/burrow-overlay}
say () { echo "overlay.sh: $*" >&2; }
die () { say "$*"; exit 1; }

# ---------------------------------------------------------------- outside: set up, enter
if [[ ${OVL_BENCH_INSIDE:-} != 1 ]]; then
  [[ -x $helper ]] || die "no burrow-overlay at $helper (build it: make -C $top burrow-overlay)"
  command -v fuse-overlayfs >/dev/null || die "fuse-overlayfs is not installed (apt-get install fuse-overlayfs)"
  [[ -r /dev/fuse && -w /dev/fuse ]] || die "/dev/fuse is not open to $(id -un) (chmod 0666 /dev/fuse)"
  uring=/sys/module/fuse/parameters/enable_uring
  if [[ -w $uring && $(cat "$uring") != Y ]]; then
    say "echo Y >$uring (was $(cat "$uring")): FUSE over io_uring for burrow-overlay"
    echo Y >"$uring"
  fi
  mkdir -p "$work"
  # One user namespace (root mapped to the caller) with a mount namespace of its own.
  exec unshare --map-root-user --mount --propagation private \
    env OVL_BENCH_INSIDE=1 BURROW_OVERLAY="$helper" "$0" "$result"
fi

# shellcheck source=tests/integration/lib/overlay_semantics.bash
source "$top/tests/integration/lib/overlay_semantics.bash"
# ovl_helper finds burrow-overlay beside $BURROW; point it at the one asked for.
ovl_helper ()
{
  case $1 in
    burrow-overlay) echo "$helper" ;;
    fuse-overlayfs) command -v fuse-overlayfs ;;
  esac
}

read -r -a impls <<<"${IMPLS:-kernel fuse-overlayfs burrow-overlay burrow-overlay-devfuse}"
lower=$work/lower1

make_lower ()
{
  [[ -f $work/.ready ]] && return 0
  say "making the lower layer and the archive in $work (once)"
  rm -rf "$lower" "$work/archive.tar"
  mkdir -p "$lower/tree" "$lower/dir10k" "$lower/small" "$work/tarsrc"
  local d
  for d in $(seq 1 100); do
    mkdir "$lower/tree/d$d"
    (cd "$lower/tree/d$d" && seq 1 1000 | sed 's/^/f/' | xargs touch)
  done
  (cd "$lower/dir10k" && seq 1 10000 | sed 's/^/entry/' | xargs touch)
  for d in $(seq 1 1000); do head -c 4096 /dev/urandom >"$lower/small/f$d"; done
  dd if=/dev/urandom of="$lower/big" bs=1M count=1024 status=none
  cp "$lower/big" "$lower/big-read"
  for d in $(seq 1 200); do
    mkdir -p "$work/tarsrc/t/d$d"
    (cd "$work/tarsrc/t/d$d" && for f in $(seq 1 100); do head -c 1024 /dev/zero >"f$f"; done)
  done
  tar -C "$work/tarsrc" -cf "$work/archive.tar" t
  rm -rf "$work/tarsrc"
  touch "$work/.ready"
}

# fresh IMPL: a new mount on empty upper and work directories. The last run's are moved
# aside, not removed: ext4 without a journal (this host's) avoids reusing an inode freed in
# the last minutes and scans past each one on every create, so removing one run's 20k files
# makes the next run's untar several times slower, whichever overlay it measures.
fresh ()
{
  discard
  if [[ $1 == burrow-overlay-devfuse ]]; then
    ovl_mount burrow-overlay "$work" io_uring=0
  else
    ovl_mount "$1" "$work"
  fi
}
discard ()
{
  local d
  mkdir -p "$work/trash"
  for d in upper work merged; do
    [[ -e $work/$d ]] && mv "$work/$d" "$work/trash/$d.$((++trashed))"
  done
  return 0
}
trashed=0
# empty_trash: remove what discard kept (at the start and the end); drop_big: only its
# large files (between workloads: few inodes, much disk).
empty_trash () { rm -rf "$work/trash"; }
drop_big () { find "$work/trash" -type f -size +100M -delete; }

# timed CMD...: seconds CMD took (to stdout), its output thrown away.
timed ()
{
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

w_find () { find "$work/merged/tree" -printf '%m %s %U\n'; }
w_ls () { ls -l "$work/merged/dir10k"; }
w_copyup_small ()
{
  local f
  for f in "$work"/merged/small/f*; do echo x >>"$f"; done
  sync -f "$work/merged/small"
}
w_copyup_big () { echo x >>"$work/merged/big"; sync -f "$work/merged/big"; }
w_read () { dd if="$work/merged/big-read" of=/dev/null bs=1M status=none; }
w_untar () { mkdir "$work/merged/untar" && tar -C "$work/merged/untar" -xf "$work/archive.tar" && sync -f "$work/merged/untar"; }

workloads=()
for w in ${WORKLOADS:-find ls copyup_small copyup_big read untar}; do
  declare -F "w_$w" >/dev/null || die "unknown workload $w (find ls copyup_small copyup_big read untar)"
  workloads+=("w_$w")
done
declare -A label=(
  [w_find]="(a) find + stat, 100k files"
  [w_ls]="(b) ls -l, 10,000 entries"
  [w_copyup_small]="(c) copy-up, 1,000 small files"
  [w_copyup_big]="(c) copy-up, one 1 GiB file"
  [w_read]="(d) sequential read, 1 GiB"
  [w_untar]="(e) untar, 20k files"
)
declare -A median

median_of () { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

make_lower
# The implementations take turns within each repetition, so a host busy with other work
# slows each of them alike.
empty_trash
for w in "${workloads[@]}"; do
  declare -A runs=()
  for _ in $(seq 1 "$reps"); do
    for impl in "${impls[@]}"; do
      fresh "$impl"
      runs[$impl]+=" $(timed "$w")"
      ovl_umount "$work"
    done
  done
  for impl in "${impls[@]}"; do
    # shellcheck disable=SC2086
    median[$w,$impl]=$(median_of ${runs[$impl]})
    say "$(printf '%-32s %-22s %8.3f s  (runs:%s)' "${label[$w]}" "$impl" "${median[$w,$impl]}" "${runs[$impl]}")"
  done
  unset runs
  discard
  drop_big
done
empty_trash

ratio () { if [[ $2 == 0 || $1 == 0 ]]; then echo -; else echo "$(echo "scale=2; $1 / $2" | bc -l | sed "s/^\\./0./")x"; fi; }
{
  echo "# Overlay benchmark"
  echo
  echo "\`bench/overlay.sh\` ($(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs; median of $reps runs, each on a"
  echo "fresh mount, inside a user namespace; lower layer on $(findmnt -n -o FSTYPE -T "$work")). Seconds; the"
  echo "ratios are how many times faster burrow-overlay is (above 1: faster). burrow-overlay took"
  echo "requests over io_uring (fs/fuse enable_uring=$(cat /sys/module/fuse/parameters/enable_uring 2>/dev/null || echo absent)),"
  echo "burrow-overlay /dev/fuse is the same helper with -o io_uring=0 (what a user gets where the"
  echo "kernel does not offer io_uring, as distributions ship it)."
  echo
  echo "| workload | kernel overlayfs | fuse-overlayfs | burrow-overlay | burrow-overlay /dev/fuse | vs fuse-overlayfs | /dev/fuse vs fuse-overlayfs | vs kernel |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for w in "${workloads[@]}"; do
    k=${median[$w,kernel]:-0} f=${median[$w,fuse-overlayfs]:-0} b=${median[$w,burrow-overlay]:-0}
    d=${median[$w,burrow-overlay-devfuse]:-0}
    printf '| %s | %.3f | %.3f | %.3f | %.3f | %s | %s | %s |\n' "${label[$w]}" "$k" "$f" "$b" "$d" \
      "$(ratio "$f" "$b")" "$(ratio "$f" "$d")" "$(ratio "$k" "$b")"
  done
  echo
  echo "$(fuse-overlayfs --version 2>&1 | grep -m1 'fuse-overlayfs: version'); burrow-overlay built from"
  echo "commit $(git -C "$top" log -1 --format=%h 2>/dev/null || echo unknown). (c) and (e) end with a syncfs of the mount, so"
  echo "they include writing the data back; every run's time is printed on stderr (a host shared"
  echo "with other work varies by 2-5x from run to run on the kernel's writes)."
  echo
  echo "Targets (issue #7): at least 2x fuse-overlayfs on (a), (b) and (e); no slower on (c) and (d)."
} >"$result"
[[ $result == /dev/stdout ]] || cat "$result"
