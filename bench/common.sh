# common.sh: what startup.sh and profile.sh share, sourced by both (as root): the packages,
# the user, a work directory under /tmp with the binaries (burrow, the floor, measure.sh),
# the busybox rootfs and one bundle per mode and variant, and in_ctx, the context every
# measured command runs in. The caller sets `bench`, `top` and `say`/`die` first.
# shellcheck shell=bash disable=SC2034,SC2154,SC2016
# (variables set here are used by the callers; jq filters are single-quoted on purpose)

user=${BENCH_USER:-burrowtest}
burrow_src=${BURROW:-$top/burrow}
block_timeout=${BENCH_BLOCK_TIMEOUT:-600}

[[ $(id -u) -eq 0 ]] || die "run as root (the rootless half runs as $user through setpriv)"

# ---------------------------------------------------------------- host preparation

install_missing ()
{
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# shellcheck disable=SC2086 # BENCH_EXTRA_PACKAGES is a list of names
install_missing runc crun gnuplot-nox time busybox-static gcc libc6-dev libseccomp-dev jq \
  util-linux uidmap procps coreutils ${BENCH_EXTRA_PACKAGES:-}

if ! getent passwd "$user" >/dev/null; then
  say "creating the user $user"
  BURROW_TEST_USER=$user "$top/tests/lib/setup-host.sh"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"
[[ -x $burrow_src ]] || die "no burrow binary at $burrow_src (build it: make -C $top)"

W=$(mktemp -d /tmp/burrow-bench.XXXXXX)
chmod 755 "$W"
cleanup ()
{
  # cgroups left by a runtime killed mid-run (ids all start with burrowbench-)
  find /sys/fs/cgroup -depth -type d -name 'burrowbench-*' -exec rmdir {} + 2>/dev/null || true
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    say "kept $W"
  else
    rm -rf "$W"
  fi
}
trap cleanup EXIT

mkdir -p "$W/bin" "$W/rootfs" "$W/b" "$W/state" "$W/data" "$W/home"
install -m 755 "$burrow_src" "$W/bin/burrow"
install -m 755 "$bench/measure.sh" "$W/bin/measure.sh"
grep -v '^#' "$bench/seccomp-allow.txt" >"$W/bin/seccomp-allow.txt"
chmod 644 "$W/bin/seccomp-allow.txt"
gcc -O2 -Wall -DFLOOR_SECCOMP -o "$W/bin/floor" "$bench/floor.c" -lseccomp \
  || die "cannot build bench/floor.c"
BURROW_BIN=$W/bin/burrow
FLOOR=$W/bin/floor
RUNC=$(command -v runc || true)
CRUN=$(command -v crun || true)
chown "$uid:$gid" "$W/home"

# ---------------------------------------------------------------- bundle and configs

say "bundle in $W"
mkdir -p "$W/rootfs/"{bin,proc,dev,sys,tmp,etc,root}
cp /bin/busybox "$W/rootfs/bin/busybox"
for applet in sh true sleep grep cat hostname; do
  ln -s busybox "$W/rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$W/rootfs/etc/passwd"
printf 'root:x:0:\n' >"$W/rootfs/etc/group"
chmod -R a+rX "$W/rootfs"
chmod 1777 "$W/rootfs/tmp"

# The spec's own config, made by burrow (as the user for the rootless one, so root in the
# container maps to that user), then: /bin/true, no terminal, the shared rootfs by absolute
# path, and ociVersion 1.0.2: crun 1.8.1 refuses any other than 1.0.x ("unknown version
# specified"); burrow and runc take it.
mkdir -p "$W/spec-rootless" "$W/spec-root"
chown "$uid:$gid" "$W/spec-rootless"
(cd "$W/spec-rootless" && setpriv --reuid="$uid" --regid="$gid" --init-groups \
  "$BURROW_BIN" spec --rootless) || die "burrow spec --rootless failed"
(cd "$W/spec-root" && "$BURROW_BIN" spec) || die "burrow spec failed"
OCI_VERSION=1.0.2

seccomp_json=$(jq -Rn '[inputs | select(length > 0)] as $names
  | {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
     architectures: ["SCMP_ARCH_X86_64"],
     syscalls: [{names: $names, action: "SCMP_ACT_ALLOW"}]}' <"$W/bin/seccomp-allow.txt")
seccomp_count=$(grep -c . "$W/bin/seccomp-allow.txt")

# make_bundle MODE VARIANT JQFILTER: $W/b/MODE-VARIANT/config.json
make_bundle ()
{
  local dir=$W/b/$1-$2
  mkdir -p "$dir"
  jq --arg v "$OCI_VERSION" --arg rootfs "$W/rootfs" --argjson sc "$seccomp_json" \
    '.ociVersion = $v | .root.path = $rootfs | .process.terminal = false
     | .process.args = ["/bin/true"] | '"$3" "$W/spec-$1/config.json" >"$dir/config.json"
  chmod 755 "$dir"
  chmod 644 "$dir/config.json"
}

seccheck_args='["/bin/sh", "-c", "grep -q \"^Seccomp:[[:space:]]*2\" /proc/self/status || exit 42"]'
for mode in rootless root; do
  make_bundle "$mode" base '.'
  if [[ $mode == rootless ]]; then
    make_bundle "$mode" net '.linux.namespaces += [{type: "network"}]'
  else
    make_bundle "$mode" net '.linux.namespaces |= map(select(.type != "network"))'
  fi
  make_bundle "$mode" seccomp '.linux.seccomp = $sc'
  make_bundle "$mode" sleep '.process.args = ["/bin/sleep", "1000"]'
  make_bundle "$mode" seccheck ".linux.seccomp = \$sc | .process.args = $seccheck_args"
done
mkdir -p "$W/state/rootless" "$W/state/root" "$W/data/rootless" "$W/data/root"
chown -R "$uid:$gid" "$W/state/rootless" "$W/data/rootless"
chmod 700 "$W/state/rootless" "$W/state/root"

host_cgroup=$(stat -f -c %T /sys/fs/cgroup)   # cgroup2fs (unified) or tmpfs (v1/hybrid)

# in_ctx MODE VIEW CMD...: a private mount namespace (root) in which, for VIEW
# "v2", /sys/fs/cgroup is the cgroup2 hierarchy alone (for VIEW "host" it is left as the
# host has it); a child subreaper (floor -r), so the containers that `create`/`run -d`
# orphan are reaped; then, for MODE rootless, the user through setpriv, with
# XDG_RUNTIME_DIR=/run/user/UID. Every runtime and the floor run in the same context.
in_ctx ()
{
  local mode=$1 view=$2
  shift 2
  local inner=("$FLOOR" -r)
  if [[ $mode == rootless ]]; then
    inner+=(setpriv --reuid="$uid" --regid="$gid" --init-groups
            env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$W/home"
            XDG_RUNTIME_DIR="/run/user/$uid" LANG=C.UTF-8)
  else
    inner+=(env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8)
  fi
  inner+=("$@")
  timeout -k 10 "$block_timeout" unshare -m --propagation private -- bash -c '
    if [[ $1 == v2 ]]; then
      umount -R /sys/fs/cgroup 2>/dev/null
      mount -t cgroup2 cgroup2 /sys/fs/cgroup || { echo "cannot mount cgroup2" >&2; exit 90; }
    fi
    shift
    cd /
    exec "$@"' _ "$view" "${inner[@]}"
}

floor_flags ()
{
  local mode=$1 variant=$2
  FL=()
  if [[ $mode == rootless ]]; then
    FL+=(-u)
    [[ $variant == net ]] && FL+=(-n)
  else
    FL+=(-c)
    [[ $variant != net ]] && FL+=(-n)
  fi
  [[ $variant == seccomp ]] && FL+=(-s "$W/bin/seccomp-allow.txt")
  return 0
}

