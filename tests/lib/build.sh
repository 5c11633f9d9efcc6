#!/bin/bash
# build.sh: build burrow, the probe and the unit tests in the source tree (configured with
# --enable-werror), then the same with ASan+UBSan in _build-san/.
#   --no-sanitizers    only the tree build
#   --sanitizers-only  only the _build-san build
# Automake refuses a VPATH build of a tree configured in place ("source directory already
# configured"), so _build-san holds a copy of the sources (git's list of them) and builds
# in place; an unchanged file keeps its time, so a rebuild only compiles what changed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
want_tree=1
want_san=1
for arg in "$@"; do
  case $arg in
    --no-sanitizers) want_san=0 ;;
    --sanitizers-only) want_tree=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option: $arg" >&2; exit 2 ;;
  esac
done

# Run a noisy step with its output in a log; show the end of the log when it fails.
quietly ()
{
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    echo "build.sh: failed: $* (in $(pwd)); last lines of $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}

# configure unless config.status already holds exactly these options; make then rebuilds
# Makefile/configure itself when Makefile.am or configure.ac change.
configure_if_needed ()
{
  local want="$*" have=""
  [[ -x config.status ]] && have=$(./config.status --config 2>/dev/null | tr -d "'" || true)
  if [[ ! -x configure || "$have" != "$want" ]]; then
    echo "build.sh: autoreconf + configure $want in $(pwd)"
    quietly "$PWD/autoreconf.log" autoreconf -fi
    quietly "$PWD/configure.log" ./configure "$@"
  fi
}

build_here ()
{
  make -j"$jobs" -s
  # check_PROGRAMS: the unit tests and the probe; TESTS= runs none of them here.
  make -j"$jobs" -s check TESTS=
}

copy_sources ()
{
  local dest=$1
  mkdir -p "$dest"
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    # the index may name a file just deleted from the work tree: copy what exists
    (cd "$top" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do
        [[ $f != _build* && ( -e $f || -L $f ) ]] && printf '%s\0' "$f"
      done | tar --null -T - -cf -) | tar -xpf - -C "$dest"
  else
    (cd "$top" && tar --exclude='./_build*' --exclude='./.git' --exclude='*.o' --exclude='*.a' \
      --exclude='./config.status' --exclude='./Makefile' -cf - .) | tar -xpf - -C "$dest"
  fi
}

if [[ $want_tree -eq 1 ]]; then
  cd "$top"
  configure_if_needed --enable-werror
  echo "build.sh: make in $top"
  build_here
fi

if [[ $want_san -eq 1 ]]; then
  copy_sources "$top/_build-san"
  cd "$top/_build-san"
  configure_if_needed --enable-werror --enable-sanitizers
  echo "build.sh: make in $top/_build-san (ASan+UBSan)"
  build_here
fi
