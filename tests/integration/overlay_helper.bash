# shellcheck shell=bash disable=SC2016,SC2154
# overlay_helper.bash: the burrow-overlay helper tests shared by root/overlay_helper.bats and
# rootless/overlay_helper.bats. Each case is a function run inside a new mount namespace
# (rootless: `unshare -Urm`, a user namespace too) so that a failing case leaves no mount:
# it mounts with burrow-overlay (BURROW_OVERLAY), works through the mount, checks what the
# layers hold, unmounts and checks the mount and the helper process are gone. Where it is
# convenient the same operations run on the kernel's overlayfs (userxattr when rootless)
# and the two views must be identical: the kernel is the oracle.

: "${BURROW_OVERLAY:?set BURROW_OVERLAY to the burrow-overlay binary under test}"
export BURROW_OVERLAY

ovh_setup ()
{
  # one .bats file, linked into both suites: the directory says which one this is
  case $BATS_TEST_FILENAME in
    */rootless/*) [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root" ;;
    */root/*) [[ $(id -u) -eq 0 ]] || skip "the root suite runs as root" ;;
  esac
  command -v fusermount3 >/dev/null || skip "fusermount3 is not installed (Debian: fuse3)"
  [[ -r /dev/fuse && -w /dev/fuse ]] || skip "/dev/fuse is not open to $(id -un) (tests/lib/setup-host.sh makes it 0666)"
  export D=$BATS_TEST_TMPDIR/ov
  mkdir -p "$D"
}

# Nothing of a case may stay: no burrow-overlay serving a directory of this test, no mount.
ovh_teardown ()
{
  local i left
  for i in $(seq 1 50); do
    left=$(pgrep -f -- "burrow-overlay .*$BATS_TEST_TMPDIR" || true)
    [[ -z $left ]] && break
    sleep 0.1
  done
  if [[ -n $left ]]; then
    echo "burrow-overlay still running: $left" >&2
    pkill -KILL -f -- "burrow-overlay .*$BATS_TEST_TMPDIR" || true
    return 1
  fi
  if grep -qF " $BATS_TEST_TMPDIR" /proc/self/mountinfo; then
    echo "a mount stayed under $BATS_TEST_TMPDIR" >&2
    return 1
  fi
}

# run_case NAME [ARGS]: case_NAME in a fresh mount namespace; status/output as `run`.
run_case ()
{
  local self=${BASH_SOURCE[0]} ns=(unshare -m --propagation private)
  [[ $(id -u) -eq 0 ]] || ns=(unshare -Urm)
  status=0
  # the helper keeps its mount namespace alive: a failing case unmounts on its way out
  output=$(timeout -k 5 120 "${ns[@]}" bash -c 'set -euo pipefail; source "$0"
             trap "rc=\$?; set +e; cd /; fusermount3 -u -z \$D/m 2>/dev/null; umount -l \$D/km 2>/dev/null; exit \$rc" EXIT
             "$@"' "$self" "case_$1" "${@:2}" 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    echo "case $1 failed (exit $status):" >&2
    echo "$output" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- inside the namespace

fail () { echo "FAIL: $*" >&2; exit 1; }

# expect_eq WHAT GOT WANT
expect_eq () { [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"; }

# layers: two lowers (l1 on top of l2) with what the cases use, an empty upper and work.
make_layers ()
{
  rm -rf "$D/l1" "$D/l2" "$D/u" "$D/w" "$D/m" "$D/ku" "$D/kw" "$D/km"
  mkdir -p "$D"/{l1,l2,u,w,m,ku,kw,km}
  cd "$D"
  echo lower2-a >l2/a
  echo lower2-b >l2/b
  echo lower2-c >l2/c
  mkdir -p l2/dir/sub l2/opq l2/gone
  echo x >l2/dir/x
  echo s >l2/dir/sub/s
  echo hidden >l2/opq/hidden
  echo g >l2/gone/g
  echo lower1-a >l1/a          # shadows l2/a
  mkdir -p l1/dir l1/opq
  echo y >l1/dir/y             # merged with l2/dir
  echo shown >l1/opq/shown
  touch l1/opq/.wh..wh..opq    # OCI opaque marker: l2/opq is hidden
  touch l1/.wh.b               # OCI whiteout: l2/b is deleted
  touch l1/.wh.gone            # a whole directory deleted
  ln -s a l2/link
  printf 'data-of-f\n' >l2/f
  chmod 0640 l2/f
  touch -d '2001-02-03 04:05:06' l2/f
}

# ovm [OPTIONS]: mount burrow-overlay at $D/m (options appended to -o, after $OVH_EXTRA).
ovm ()
{
  local o="lowerdir=$D/l1:$D/l2,upperdir=$D/u,workdir=$D/w"
  [[ -n ${OVH_EXTRA:-} ]] && o+=",$OVH_EXTRA"
  [[ -n ${1:-} ]] && o+=",$1"
  "$BURROW_OVERLAY" -o "$o" "$D/m" || fail "burrow-overlay -o $o failed"
  mounted "$D/m" fuse.burrow-overlay || fail "not mounted at $D/m"
}

# mounted DIR [FSTYPE]
mounted ()
{
  awk -v m="$1" -v t="${2:-}" '{ for (i = 7; $i != "-"; i++); }
    $5 == m && (t == "" || $(i + 1) == t) { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# kernel overlayfs on $D/km with the same lowers and its own upper
kvm ()
{
  kmount "lowerdir=$D/l1:$D/l2,upperdir=$D/ku,workdir=$D/kw"
}

# kmount OPTIONS: kernel overlayfs on $D/km; userxattr in a user namespace
kmount ()
{
  local o=$1
  [[ $(awk '{ print $1, $2, $3 }' /proc/self/uid_map) == "0 0 4294967295" ]] || o+=",userxattr"
  mount -t overlay overlay -o "$o" "$D/km" || fail "kernel overlayfs mount -o $o failed"
}

# ovu [DIR]: unmount and check nothing stays (mount and helper process).
ovu ()
{
  local m=${1:-$D/m}
  fusermount3 -u "$m" || fail "fusermount3 -u $m failed"
  mounted "$m" && fail "$m still mounted"
  helper_exits "$m"
}

# helper_exits MOUNTPOINT: the helper serving MOUNTPOINT exits (within 5 s).
helper_exits ()
{
  local i
  for i in $(seq 1 50); do
    pgrep -f -- "burrow-overlay .* $1\$" >/dev/null || return 0
    sleep 0.1
  done
  fail "burrow-overlay of $1 still running after unmount"
}

# The merged view: type, path, size, mode, link count and content digest of every name.
view ()
{
  (cd "$1" && find . -mindepth 1 -printf '%y %p %s %m %n\n' | sort
   find . -type f -exec md5sum {} + | sort -k2)
}

# ---------------------------------------------------------------- cases

case_merged_lookup ()
{
  make_layers
  ovm
  cd "$D/m"
  expect_eq "a from the top lower" "$(cat a)" lower1-a
  expect_eq "c from the bottom lower" "$(cat c)" lower2-c
  [[ ! -e b ]] || fail "b is whited out by l1/.wh.b but visible"
  [[ ! -e gone ]] || fail "gone/ is whited out but visible"
  expect_eq "merged dir" "$(ls dir | tr '\n' ' ')" "sub x y "
  expect_eq "opaque dir" "$(ls -A opq | tr '\n' ' ')" "shown "
  expect_eq "symlink" "$(readlink link)" a
  expect_eq "through the symlink" "$(cat link)" lower1-a
  local dups
  dups=$(ls -A . dir | sort | uniq -d)
  [[ -z $dups ]] || fail "duplicate entries: $dups"
  ls -A | grep -q '^\.wh\.' && fail ".wh. names shown"
  [[ ! -e .wh.b ]] || fail ".wh.b can be looked up"
  stat -f . >/dev/null || fail "statfs failed"
  cd /
  ovu
}

case_readdir_large ()
{
  make_layers
  mkdir "$D/l1/many" "$D/l2/many"
  (cd "$D/l2/many" && seq 1 3000 | sed 's/^/n/' | xargs touch)
  (cd "$D/l1/many" && seq 2001 5000 | sed 's/^/n/' | xargs touch && touch .wh.n1 .wh.n2)
  ovm
  expect_eq "entries" "$(ls -A "$D/m/many" | wc -l)" 4998
  expect_eq "distinct entries" "$(ls -A "$D/m/many" | sort -u | wc -l)" 4998
  # new names in the upper merge in too, once
  touch "$D/m/many/n5" "$D/m/many/n9999"
  expect_eq "after creating" "$(ls -A "$D/m/many" | sort -u | wc -l)" 4999
  expect_eq "no duplicates" "$(ls -A "$D/m/many" | wc -l)" 4999
  ovu
}

case_copy_up ()
{
  make_layers
  setfattr -n user.origin -v lower "$D/l2/f" 2>/dev/null || true
  ovm
  cd "$D/m"
  local ino_before ino_after
  ino_before=$(stat -c %i f)
  expect_eq "inode is the lower's" "$ino_before" "$(stat -c %i "$D/l2/f")"
  chmod 0604 f # metadata only: copies up, keeps the times
  expect_eq "mtime kept by the copy-up" "$(stat -c %Y "$D/u/f")" "$(stat -c %Y "$D/l2/f")"
  echo appended >>f
  expect_eq "content" "$(cat f)" "$(printf 'data-of-f\nappended')"
  expect_eq "upper holds it" "$(cat "$D/u/f")" "$(printf 'data-of-f\nappended')"
  expect_eq "lower untouched" "$(cat "$D/l2/f")" data-of-f
  expect_eq "mode" "$(stat -c %a f)" 604
  ino_after=$(stat -c %i f)
  expect_eq "inode stable across copy-up" "$ino_after" "$ino_before"
  expect_eq "readdir's inode" "$(ls -i | awk '$2 == "f" { print $1 }')" "$ino_before"
  if echo 2 2>/dev/null >/proc/sys/vm/drop_caches; then
    # the kernel forgot the inode: a fresh lookup finds the same number
    expect_eq "inode after the kernel forgot it" "$(stat -c %i f)" "$ino_before"
  fi
  if getfattr -n user.origin "$D/l2/f" >/dev/null 2>&1; then
    expect_eq "xattr copied up" "$(getfattr --only-values -n user.origin f)" lower
  fi
  # parents are copied up first, with their mode
  chmod 0751 "$D/l2/dir/sub"
  echo t >dir/sub/t
  [[ -d $D/u/dir/sub ]] || fail "parent dir/sub not copied up"
  expect_eq "copied-up dir mode" "$(stat -c %a "$D/u/dir/sub")" 751
  expect_eq "merged after copy-up" "$(ls dir/sub | tr '\n' ' ')" "s t "
  # truncate, fallocate, fsync
  truncate -s 0 a
  expect_eq "truncated" "$(stat -c %s a)" 0
  fallocate -l 65536 c
  expect_eq "fallocate" "$(stat -c %s c)" 65536
  dd if=/dev/zero of=c bs=4096 count=2 conv=notrunc,fsync status=none || fail "fsync write"
  cd /
  ovu
}

case_whiteouts ()
{
  make_layers
  ovm
  cd "$D/m"
  rm c
  [[ ! -e c ]] || fail "c still visible after rm"
  if [[ -c $D/u/c ]]; then
    expect_eq "whiteout device" "$(stat -c '%t:%T' "$D/u/c")" 0:0
  else
    [[ -f $D/u/.wh.c ]] || fail "no whiteout for c in the upper"
  fi
  rm -r dir
  [[ ! -e dir ]] || fail "dir still visible after rm -r"
  # a name comes back new over its whiteout; a dir comes back opaque
  echo new-c >c
  expect_eq "recreated" "$(cat c)" new-c
  mkdir dir
  expect_eq "recreated dir is empty" "$(ls -A dir | wc -l)" 0
  getfattr -d -m '' "$D/u/dir" 2>/dev/null | grep -q 'overlay.opaque="y"' \
    || [[ -e $D/u/dir/.wh..wh..opq ]] || fail "recreated dir is not opaque in the upper"
  getfattr -d -m '' dir 2>/dev/null | grep -q overlay && fail "overlay xattrs shown"
  rmdir dir
  [[ ! -e dir ]] || fail "rmdir of the opaque dir"
  # names of the overlay's own are refused
  touch .wh.x 2>/dev/null && fail "created a .wh. name"
  cd /
  ovu
}

# Where a 0/0 device cannot be made, whiteouts are .wh.NAME files in the upper.
case_whiteout_files ()
{
  make_layers
  BURROW_OVERLAY_DISABLE_OVL_WHITEOUT=1 ovm
  cd "$D/m"
  rm c
  rm -r dir
  [[ -f $D/u/.wh.c && -f $D/u/.wh.dir ]] || fail "no .wh. files in the upper: $(ls -A "$D/u")"
  [[ ! -e c && ! -e dir ]] || fail "removed names still visible"
  ls -A | grep -q '^\.wh\.' && fail ".wh. files shown"
  echo again >c
  [[ ! -e $D/u/.wh.c ]] || fail ".wh.c stays after c is made again"
  cd /
  ovu
  ovm
  expect_eq "after remount" "$(ls "$D/m" | tr '\n' ' ')" "a c f link opq "
  expect_eq "recreated content" "$(cat "$D/m/c")" again
  ovu
}

case_rename ()
{
  make_layers
  ovm
  cd "$D/m"
  mv c c2
  expect_eq "renamed file" "$(cat c2)" lower2-c
  [[ ! -e c ]] || fail "old name c visible"
  mv dir dir2
  expect_eq "renamed dir" "$(find dir2 | sort | tr '\n' ' ')" "dir2 dir2/sub dir2/sub/s dir2/x dir2/y "
  [[ ! -e dir ]] || fail "old name dir visible"
  echo over >o
  mv o a
  expect_eq "rename over a lower file" "$(cat a)" over
  mkdir e
  mv -T e opq 2>/dev/null && fail "rename of a dir over a non-empty dir"
  mv -T e dir2/sub 2>/dev/null && fail "rename of a dir over a non-empty merged dir"
  mkdir e2 && mv -T e2 e && [[ -d e && ! -e e2 ]] || fail "rename of a dir over an empty dir"
  mv dir2/sub sub2
  expect_eq "renamed subdir" "$(cat sub2/s)" s
  cd /
  ovu
  # after remounting, the upper alone says what happened
  ovm
  expect_eq "after remount" "$(ls "$D/m" | tr '\n' ' ')" "a c2 dir2 e f link opq sub2 "
  ovu
}

case_links ()
{
  make_layers
  ovm
  cd "$D/m"
  ln f f2
  expect_eq "hard link inode" "$(stat -c %i f2)" "$(stat -c %i f)"
  expect_eq "link count" "$(stat -c %h f)" 2
  echo more >>f2
  expect_eq "written through the other name" "$(tail -n1 f)" more
  rm f
  expect_eq "the other name outlives the first" "$(tail -n1 f2)" more
  expect_eq "link count after rm" "$(stat -c %h f2)" 1
  ln -s dir/x sl
  expect_eq "new symlink" "$(cat sl)" x
  mkfifo fifo
  [[ -p fifo ]] || fail "mkfifo"
  cd /
  ovu
}

case_readonly ()
{
  make_layers
  "$BURROW_OVERLAY" -o "lowerdir=$D/l1:$D/l2" "$D/m" || fail "lowerdir-only mount"
  expect_eq "content" "$(cat "$D/m/a")" lower1-a
  local err
  err=$(touch "$D/m/new" 2>&1) && fail "wrote to a read-only mount"
  [[ $err == *"Read-only file system"* ]] || fail "touch: $err"
  awk -v m="$D/m" '$5 == m { print $6 }' /proc/self/mountinfo | grep -qE '(^|,)ro(,|$)' \
    || fail "mount not read-only"
  ovu
}

# idmaps: ids on disk are shown mapped, new files get host ids.
case_idmap ()
{
  make_layers
  if [[ $(awk '{ print $3 }' /proc/self/uid_map) == 1 ]]; then
    # one id in this user namespace: root's files show as 65534 and map back to 0
    local sys=/usr/share/common-licenses
    "$BURROW_OVERLAY" -o "lowerdir=$sys" "$D/m" || fail "mount of $sys"
    expect_eq "unmapped owner" "$(stat -c %u:%g "$D/m/GPL-3")" 65534:65534
    ovu
    "$BURROW_OVERLAY" -o "lowerdir=$sys,uidmapping=65534:0:1,gidmapping=65534:0:1" "$D/m" \
      || fail "mount of $sys with a mapping"
    expect_eq "mapped owner" "$(stat -c %u:%g "$D/m/GPL-3")" 0:0
    ovu
    "$BURROW_OVERLAY" -o "lowerdir=$sys,squash_to_root" "$D/m" || fail "mount of $sys"
    expect_eq "squash_to_root" "$(stat -c %u:%g "$D/m/GPL-3")" 0:0
    ovu
    ovm
    touch "$D/m/new"
  else
    ovm "uidmapping=0:0:1:1005:5:10,gidmapping=0:0:1:2005:5:10"
    expect_eq "mapped owner" "$(stat -c %u:%g "$D/m/a")" 0:0
    touch "$D/m/new"
    chown 7:8 "$D/m/new"
    expect_eq "chown shown" "$(stat -c %u:%g "$D/m/new")" 7:8
    expect_eq "chown on disk" "$(stat -c %u:%g "$D/u/new")" 1007:2008
  fi
  ovu
  ovm "uidmapping=1:100:1,gidmapping=1:200:1"
  expect_eq "unmapped owner" "$(stat -c %u:%g "$D/m/a")" 65534:65534
  ovu
  ovm "squash_to_uid=0,squash_to_gid=0"
  expect_eq "squashed" "$(stat -c %u:%g "$D/m/a")" 0:0
  ovu
  if [[ $(awk '{ print $3 }' /proc/self/uid_map) != 1 ]]; then
    ovm "squash_to_uid=7,squash_to_gid=9"
    expect_eq "squashed to 7:9" "$(stat -c %u:%g "$D/m/a")" 7:9
    ovu
    chown 1234:1234 "$D/u/new"
    ovm squash_to_root
    expect_eq "squash_to_root" "$(stat -c %u:%g "$D/m/new")" 0:0
    ovu
  fi
}

# MOUNTPOINT /dev/fd/N: the caller mounts /dev/fuse itself and hands the fd over.
case_dev_fd ()
{
  make_layers
  exec 3<>/dev/fuse
  mount -i -t fuse.burrow-overlay -o fd=3,rootmode=40000,user_id=0,group_id=0,default_permissions \
    burrow-overlay "$D/m" || fail "mount of the fuse fd"
  "$BURROW_OVERLAY" -o "lowerdir=$D/l1:$D/l2,upperdir=$D/u,workdir=$D/w" /dev/fd/3 \
    || fail "burrow-overlay /dev/fd/3"
  exec 3<&-
  expect_eq "served through the fd" "$(cat "$D/m/a")" lower1-a
  echo w >"$D/m/w"
  expect_eq "upper" "$(cat "$D/u/w")" w
  umount "$D/m" || fail "umount"
  helper_exits /dev/fd/3
}

# The same operations on the kernel's overlayfs and on burrow-overlay give the same view.
oracle_ops ()
{
  cd "$1"
  echo appended >>c
  rm a
  rm -r dir/sub
  mkdir -p newdir/deeper
  echo n >newdir/deeper/n
  mv f f-renamed
  mv newdir nd
  rm -r gone 2>/dev/null || true
  mkdir opq/more
  ln c c-link
  ln -s nowhere dangling
  chmod 0700 opq
  touch -d '2010-01-01' c
  cd /
}

case_oracle ()
{
  make_layers
  # the kernel knows no OCI .wh. files: its own whiteout and opaque forms instead
  rm "$D/l1/.wh.b" "$D/l1/.wh.gone" "$D/l1/opq/.wh..wh..opq"
  ovm
  kvm
  oracle_ops "$D/m"
  oracle_ops "$D/km"
  diff <(view "$D/km") <(view "$D/m") || fail "burrow-overlay and the kernel's overlayfs differ"
  umount "$D/km"
  ovu
  # the kernel reads what burrow-overlay left in its upper
  kmount "lowerdir=$D/u:$D/l1:$D/l2"
  ovm
  diff <(view "$D/km") <(view "$D/m") || fail "the kernel reads burrow-overlay's upper differently"
  umount "$D/km"
  ovu
  # the kernel's work dir is mode 000: only root of this namespace can remove it
  rm -rf "$D/kw"
}

# threads=4: parallel copy-ups, writes and listings through the multi-threaded loop.
case_threads ()
{
  make_layers
  local i
  for i in $(seq 1 40); do seq 1 2000 >"$D/l2/p$i"; done
  ovm threads=4
  for i in $(seq 1 40); do
    (echo "end$i" >>"$D/m/p$i"; ls -l "$D/m" >/dev/null; mkdir "$D/m/dir$i") &
  done
  wait
  for i in $(seq 1 40); do
    expect_eq "p$i" "$(tail -n1 "$D/m/p$i")" "end$i"
    expect_eq "p$i lines" "$(wc -l <"$D/m/p$i")" 2001
    [[ -d $D/m/dir$i ]] || fail "dir$i missing"
  done
  expect_eq "entries" "$(ls "$D/m" | wc -l)" 86
  ovu
}

# random_ops DIR SEED: 120 operations picked by SEED among the names DIR shows
random_ops ()
(
  local i n p q all
  set +e # an operation may fail (mv of a dir into itself): both filesystems must agree
  cd "$1"
  RANDOM=$2
  for i in $(seq 1 120); do
    mapfile -t all < <(find . -mindepth 1 | sort)
    n=${#all[@]}
    [[ $n -eq 0 ]] && break
    p=${all[$((RANDOM % n))]}
    q=${all[$((RANDOM % n))]}
    case $((RANDOM % 10)) in
      0) [[ -f $p ]] && echo "x$i" >>"$p" ;;
      1) rm -rf "$p" ;;
      2) mv -T "$p" "$(dirname "$q")/mv$i" ;;
      3) [[ -d $p ]] && mkdir "$p/d$i" ;;
      4) [[ -f $p ]] && ln "$p" "$(dirname "$p")/ln$i" ;;
      5) chmod 0751 "$p" ;;
      6) [[ -d $p ]] && echo new >"$p/f$i" ;;
      7) [[ -f $p ]] && truncate -s 3 "$p" ;;
      8) [[ -d $p ]] && ln -s "../x$i" "$p/s$i" ;;
      9) [[ -f $p ]] && mv -T "$p" "$q" ;;
    esac
  done 2>/dev/null
  true
)

# Random operations on real trees (/usr/share/doc) give the kernel's result, seed by seed.
case_oracle_random ()
{
  local seed doc=/usr/share/doc
  for seed in "$@"; do
    make_layers
    rm -rf "$D/l1" "$D/l2"
    mkdir "$D/l1" "$D/l2"
    cp -r "$doc/bash" "$doc/coreutils" "$doc/util-linux" "$D/l2/"
    cp -r "$doc/bash" "$D/l1/"
    mkdir "$D/l1/coreutils"
    echo top >"$D/l1/coreutils/extra"
    ovm
    kvm
    random_ops "$D/m" "$seed"
    random_ops "$D/km" "$seed"
    diff <(view "$D/km") <(view "$D/m") || fail "seed $seed: not what the kernel's overlayfs made"
    umount "$D/km"
    ovu
    rm -rf "$D/kw"
  done
}

# ring_cqes PID: how many completions the helper's io_urings (one per CPU queue) have
# posted, one per request handed over a ring; nothing when it has no io_uring open.
ring_cqes ()
{
  local fd n="" c
  for fd in /proc/"$1"/fd/*; do
    [[ $(readlink "$fd") == "anon_inode:[io_uring]" ]] || continue
    c=$(awk '$1 == "CqTail:" { print $2; exit }' "/proc/$1/fdinfo/${fd##*/}")
    n=$((${n:-0} + c))
  done
  echo "$n"
}

# ring_count PID: how many io_urings the helper has open
ring_count ()
{
  local fd n=0
  for fd in /proc/"$1"/fd/*; do
    [[ $(readlink "$fd") == "anon_inode:[io_uring]" ]] && n=$((n + 1))
  done
  echo "$n"
}

helper_pid () { pgrep -f -- "burrow-overlay .* $1\$"; }

# Where the kernel offers FUSE over io_uring, requests come over the ring: creates, writes
# and reads (a lower file the page cache has not seen through the mount) land in the
# layers as over /dev/fuse; -o io_uring=0 keeps to /dev/fuse.
case_io_uring ()
{
  make_layers
  head -c 6M /dev/urandom >"$D/l2/big"
  ovm
  local pid before after i ncpu
  pid=$(helper_pid "$D/m")
  # a request waits for the INIT reply and the rings: then they are there to count
  stat "$D/m" >/dev/null
  before=$(ring_cqes "$pid")
  [[ -n $before ]] || fail "the helper has no io_uring open"
  # one ring per CPU queue of the kernel, each with its thread
  ncpu=$(tr ',' '\n' </sys/devices/system/cpu/possible \
    | awk -F- '{ n += ($2 == "" ? 1 : $2 - $1 + 1) } END { print n }')
  expect_eq "rings" "$(ring_count "$pid")" "$ncpu"
  expect_eq "threads" "$(ls "/proc/$pid/task" | wc -l)" "$ncpu"
  for i in $(seq 1 200); do echo "n$i" >"$D/m/n$i"; done
  cmp "$D/l2/big" "$D/m/big" || fail "a lower file read over the ring differs"
  head -c 3M /dev/urandom >"$D/new"
  cp "$D/new" "$D/m/new"
  after=$(ring_cqes "$pid")
  # 200 files of at least a create and a write each, and the reads
  ((after - before >= 400)) || fail "only $((after - before)) requests came over the ring"
  expect_eq "a file made over the ring" "$(cat "$D/u/n77")" n77
  ovu
  cmp "$D/new" "$D/u/new" || fail "a file written over the ring differs in the upper layer"
  # SIGTERM ends the helper with its queue threads and unmounts, with nothing touching the
  # mount meanwhile (the signal must end the main thread's wait, not a queue thread's)
  ovm
  pid=$(helper_pid "$D/m")
  kill -TERM "$pid"
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "burrow-overlay still running 10 s after SIGTERM"
  mounted "$D/m" && fail "$D/m still mounted after SIGTERM"
  ovm io_uring=0
  [[ -z $(ring_cqes "$(helper_pid "$D/m")") ]] || fail "io_uring=0: the helper opened an io_uring"
  expect_eq "io_uring=0 serves" "$(cat "$D/m/n77")" n77
  ovu
}

# io_uring refused (here by a seccomp filter, as a container's profile would; or the
# kernel.io_uring_disabled sysctl): the INIT reply says no ring and the mount is served
# over /dev/fuse, with one line naming the cause.
case_io_uring_refused ()
{
  make_layers
  "$PROBE" no-io-uring "$BURROW_OVERLAY" -f -o "lowerdir=$D/l1:$D/l2,upperdir=$D/u,workdir=$D/w" \
    "$D/m" 2>"$D/err" &
  local i
  for i in $(seq 1 100); do mounted "$D/m" && break; sleep 0.05; done
  expect_eq "served over /dev/fuse" "$(timeout 10 cat "$D/m/a")" lower1-a
  echo w >"$D/m/w"
  expect_eq "written" "$(cat "$D/u/w")" w
  [[ -z $(ring_cqes "$(helper_pid "$D/m")") ]] || fail "an io_uring stayed open"
  grep -q "io_uring: cannot set up the rings: Operation not permitted; serving /dev/fuse" "$D/err" \
    || fail "no warning naming the cause: $(cat "$D/err")"
  ovu
}

# resident FILE: KiB of FILE in the page cache (fincore; the file must be the caller's,
# mincore() reports every page of another's file as there)
resident ()
{
  fincore --bytes --noheadings --output RES "$1" | awk '{ print int($1 / 1024) }'
}

# Read-ahead by the helper: a sequential reader of a lower file finds what follows its
# requests already in the page cache (stored by the helper), a window of some MiB and not
# the whole file; what is stored is the file's content; a write through the mount while
# the file is being stored ahead copies it up and is what every later read sees.
case_push ()
{
  make_layers
  head -c 48M /dev/urandom >"$D/l2/big"
  ovm
  dd if="$D/m/big" of=/dev/null bs=128k count=2 status=none
  local i kib=0
  for i in $(seq 1 40); do
    kib=$(resident "$D/m/big")
    ((kib >= 2048)) && break
    sleep 0.05
  done
  # the kernel's own read-ahead ends 128 KiB past the request, 384 KiB in all
  ((kib >= 2048)) || fail "after reading 256 KiB only $kib KiB are cached: nothing read ahead"
  ((kib <= 24 * 1024)) || fail "after reading 256 KiB $kib KiB are cached: not a window"
  cmp "$D/l2/big" "$D/m/big" || fail "a file read with read-ahead differs from the lower one"
  ovu
  # A reader that opened the file before it is copied up goes on reading while a write
  # through another handle copies it up: its reads then come from the upper copy (as on
  # the kernel's overlayfs), and nothing is stored ahead of it from the lower file any
  # more; either would put the old data in the page cache every open shares.
  local off
  for i in 1 2 3; do
    cp "$D/l2/big" "$D/want"
    ovm
    off=$(((30 + i * 4) * 1024 * 1024 + i * 4096))
    (
      exec 3<"$D/m/big"
      for k in $(seq 1 48); do
        dd bs=1M count=1 status=none <&3 >/dev/null
        sleep 0.01
      done
    ) &
    sleep 0.05
    printf 'write-%d' "$i" | dd of="$D/m/big" bs=1 seek="$off" conv=notrunc status=none
    printf 'write-%d' "$i" | dd of="$D/want" bs=1 seek="$off" conv=notrunc status=none
    # an open after a write drops the file's cache: what the reader fills in later is
    # seen by a handle opened now and read once the reader is done
    exec 4<"$D/m/big"
    wait $! || fail "the reader failed"
    cmp "$D/want" - <&4 || fail "write $i at $off: the mount shows other data"
    exec 4<&-
    ovu
    cmp "$D/want" "$D/u/big" || fail "write $i at $off: the upper file differs"
    rm "$D/u/big"
  done
  # and what it reads after the copy-up is the new data (the write bypasses the page
  # cache, so the read asks the helper)
  ovm
  exec 3<"$D/m/big"
  dd bs=128k count=1 status=none <&3 >/dev/null # fd 3 is now at 128 KiB
  off=$((40 * 1024 * 1024))
  head -c 4096 /dev/zero | tr '\0' L \
    | dd of="$D/m/big" bs=4096 seek=$((off / 4096)) oflag=direct conv=notrunc status=none \
    || fail "O_DIRECT write through the mount failed"
  expect_eq "read after the copy-up by a handle opened before" \
    "$(dd bs=4096 skip=$(((off - 131072) / 4096)) count=1 status=none <&3 | head -c 8)" LLLLLLLL
  exec 3<&-
  ovu
}

# bad_input WHAT OPTIONS MOUNTPOINT EXPECTED-MESSAGE
bad_input ()
{
  local out
  out=$("$BURROW_OVERLAY" -o "$2" "$3" 2>&1) && fail "$1: accepted"
  [[ $out == *"$4"* ]] || fail "$1: message '$out' does not say '$4'"
  [[ $(wc -l <<<"$out") -eq 1 ]] || fail "$1: more than one line: $out"
  grep -q "fuse.burrow-overlay" /proc/self/mountinfo && fail "$1: something was mounted"
  return 0
}

case_bad_input ()
{
  make_layers
  mkdir -p "$D/tmpfs"
  mount -t tmpfs tmpfs "$D/tmpfs"
  mkdir "$D/tmpfs/w" "$D/l2/w"
  bad_input "missing lowerdir" "lowerdir=$D/nope,upperdir=$D/u,workdir=$D/w" "$D/m" \
    "lowerdir $D/nope: No such file or directory"
  bad_input "different filesystems" "lowerdir=$D/l1,upperdir=$D/u,workdir=$D/tmpfs/w" "$D/m" \
    "are on different filesystems"
  bad_input "workdir in a lower" "lowerdir=$D/l1:$D/l2,upperdir=$D/u,workdir=$D/l2/w" "$D/m" \
    "workdir $D/l2/w is inside lowerdir $D/l2"
  bad_input "overlapping layers" "lowerdir=$D/l2/dir:$D/l2,upperdir=$D/u,workdir=$D/w" "$D/m" \
    "overlap"
  bad_input "upper inside lower" "lowerdir=$D/l1,upperdir=$D/l1/dir,workdir=$D/w" "$D/m" \
    "overlap"
  bad_input "no lowerdir" "upperdir=$D/u,workdir=$D/w" "$D/m" "no lowerdir= given"
  bad_input "upper without work" "lowerdir=$D/l1,upperdir=$D/u" "$D/m" "go together"
  bad_input "missing mountpoint" "lowerdir=$D/l1" "$D/nope" "mountpoint $D/nope"
  bad_input "lower is a file" "lowerdir=$D/l1/a" "$D/m" "not a directory"
  bad_input "bad uidmapping" "lowerdir=$D/l1,uidmapping=0:x:1" "$D/m" "uidmapping=0:x:1"
  bad_input "bad fd" "lowerdir=$D/l1" /dev/fd/99 "not an open file descriptor"
  umount "$D/tmpfs"
}

case_cli ()
{
  "$BURROW_OVERLAY" --help | grep -q 'lowerdir=' || fail "--help"
  "$BURROW_OVERLAY" --version | grep -q 'burrow-overlay version' || fail "--version"
  local out
  out=$("$BURROW_OVERLAY" --bogus 2>&1) && fail "--bogus accepted"
  [[ $out == *"unknown option --bogus"* ]] || fail "--bogus: $out"
  # the foreground mode serves until unmounted
  make_layers
  "$BURROW_OVERLAY" -f -o "lowerdir=$D/l1" "$D/m" &
  local pid=$! i
  for i in $(seq 1 50); do
    mounted "$D/m" && break
    sleep 0.1
  done
  expect_eq "foreground mount" "$(cat "$D/m/a")" lower1-a
  fusermount3 -u "$D/m"
  wait "$pid" || fail "-f exited with $?"
}
