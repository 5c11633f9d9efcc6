# shellcheck shell=bash disable=SC2154,SC2034,SC2016
# overlay_semantics.bash: one semantic suite for overlay implementations: kernel overlayfs
# is the oracle, burrow-overlay (and fuse-overlayfs, Debian's, for reference) must show the
# same result for the same operations. Used by {root,rootless}/overlay_semantics.bats and
# bench/overlay.sh (the mount helpers).
#
# A case is three functions: case_NAME_layers DIR (fills DIR/lower1 [lower2 ...], top
# first), case_NAME_ops MERGED (the operations, through the mount), case_NAME_check DIR
# (assertions that hold for any correct overlay, run after a remount). ovl_case IMPL NAME
# runs one inside a private mount namespace (and, rootless, a user namespace with the
# caller's subordinate ids) and prints the visible result: the merged tree, file contents
# and user xattrs, before and after a remount. The .bats files compare that output.

OVL_LIB=${BASH_SOURCE[0]}
OVL_OLD_TIME='2001-02-03 04:05:06.123456789'
OVL_CASES=$(dirname "${BASH_SOURCE[0]}")/overlay_cases.bash

# ovl_helper IMPL: the FUSE program for an implementation ("" when not installed).
ovl_helper ()
{
  local beside
  case $1 in
    burrow-overlay)
      beside=$(dirname "${BURROW:-/nonexistent/burrow}")/burrow-overlay
      if [[ -x $beside ]]; then echo "$beside"; else command -v burrow-overlay || true; fi
      ;;
    fuse-overlayfs) command -v fuse-overlayfs || true ;;
    *) echo "" ;;
  esac
}

# ovl_require IMPL: skip (with the reason) what this host cannot run.
ovl_require ()
{
  if [[ $1 != kernel ]]; then
    [[ -n $(ovl_helper "$1") ]] || skip "$1 is not built or installed here"
    [[ -r /dev/fuse && -w /dev/fuse ]] || skip "/dev/fuse is not open to $(id -un) (tests/lib/setup-host.sh makes it 0666)"
  fi
  if [[ $(id -u) -ne 0 ]]; then
    unshare --map-auto --map-root-user --mount true 2>/dev/null \
      || skip "unshare --map-auto does not work for $(id -un) (subordinate ids, newuidmap)"
  fi
}

# ovl_in_ns CMD...: CMD in a mount namespace of its own; as a user, also in a user
# namespace mapping root to the caller and 1.. to its subordinate ids.
ovl_in_ns ()
{
  if [[ $(id -u) -eq 0 ]]; then
    unshare --mount --propagation private "$@"
  else
    unshare --map-auto --map-root-user --mount --propagation private "$@"
  fi
}

# ovl_lowerdirs DIR: DIR/lower1:DIR/lower2:... (top first).
ovl_lowerdirs ()
{
  local l s=""
  for l in "$1"/lower*; do s+=${s:+:}$l; done
  echo "$s"
}

# ovl_mount IMPL DIR [EXTRA_OPTIONS]: mount DIR/merged from DIR/lower* DIR/upper DIR/work.
# The FUSE helper runs in the foreground in the background; its pid goes to DIR/helper.pid.
ovl_mount ()
{
  local impl=$1 dir=$2 extra=${3:-} opts tries=200
  mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
  opts="lowerdir=$(ovl_lowerdirs "$dir"),upperdir=$dir/upper,workdir=$dir/work"
  if [[ $impl == kernel ]]; then
    [[ $(id -u) -eq 0 && $(readlink /proc/self/ns/user) == "$(readlink /proc/1/ns/user 2>/dev/null)" ]] \
      || opts+=,userxattr
    mount -t overlay overlay -o "$opts${extra:+,$extra}" "$dir/merged"
    return
  fi
  "$(ovl_helper "$impl")" -f -o "$opts${extra:+,$extra}" "$dir/merged" \
    2>>"$dir/helper.log" &
  echo $! >"$dir/helper.pid"
  until mountpoint -q "$dir/merged"; do
    if ! kill -0 "$(cat "$dir/helper.pid")" 2>/dev/null || ((tries-- == 0)); then
      echo "ovl_mount: $impl did not mount $dir/merged:" >&2
      cat "$dir/helper.log" >&2
      return 1
    fi
    sleep 0.02
  done
}

ovl_umount ()
{
  local dir=$1 pid
  umount "$dir/merged"
  if [[ -f $dir/helper.pid ]]; then
    pid=$(cat "$dir/helper.pid")
    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
    rm -f "$dir/helper.pid"
  fi
}

# ovl_view DIR: what a user of the mount sees: every entry with type, mode, owner, size
# and link count (files), mtime as "old" (the layers' fixed time) or "new", symlink
# targets, file contents and user xattrs (the implementations' own hidden). One find and
# one getfattr for the whole tree: a process per entry made a 900-entry case take 20 s.
ovl_view ()
{
  local m=$1 old
  old=$(date -d "$OVL_OLD_TIME" +%s.%N)
  (
    cd "$m" || exit 1
    local -A xattrs=()
    local line cur=""
    while IFS= read -r line; do
      case $line in
        "# file: "*) cur=${line#"# file: "} ;;
        "" | user.overlay.* | user.fuseoverlayfs.*) ;;
        *) xattrs[$cur]+="  xattr: $line"$'\n' ;;
      esac
    done < <(getfattr -R -h -d -m '^user\.' . 2>/dev/null || true)
    local t p mode owner size links mtime target
    find . -mindepth 1 -printf '%y\t%P\t%m\t%U:%G\t%s\t%n\t%T@\t%l\n' | LC_ALL=C sort -t $'\t' -k2,2 \
      | while IFS=$'\t' read -r t p mode owner size links mtime target; do
        case $t in
          d) echo "d $p $mode $owner" ;;
          l) echo "l $p -> $target" ;;
          f)
            echo "f $p $mode $owner size=$size links=$links"
            if [[ $size == 0 ]]; then
              echo "  content: "
            else
              echo "  content: $(head -c 64 "$p" | od -An -c | tr -s ' \n' ' ')"
            fi
            ;;
          *) echo "$t $p $mode $owner" ;;
        esac
        if [[ $mtime == "$old"* ]]; then echo "  mtime: old"; fi
        printf '%s' "${xattrs[$p]:-}"
      done
  )
}

# ovl_is_whiteout DIR NAME: DIR holds a whiteout for NAME, in the kernel's form (a 0/0
# character device) or the OCI layer form (.wh.NAME).
ovl_is_whiteout ()
{
  [[ -e $1/.wh.$2 ]] && return 0
  [[ -c $1/$2 && $(stat -c '%t:%T' "$1/$2") == 0:0 ]]
}

# ovl_case IMPL NAME [EXTRA_OPTIONS]: run one case (in the current namespaces).
ovl_case ()
{
  local impl=$1 name=$2 extra=${3:-} d
  OVL_IMPL=$impl
  d=$(mktemp -d "${OVL_TMP:-${BATS_TEST_TMPDIR:-/tmp}}/ovl.XXXXXX")
  chmod 755 "$d"
  mkdir "$d/lower1"
  "case_${name}_layers" "$d"
  ovl_mount "$impl" "$d" "$extra"
  "case_${name}_ops" "$d/merged"
  echo "== view"
  ovl_view "$d/merged"
  ovl_umount "$d"
  ovl_mount "$impl" "$d" "$extra"
  echo "== view after remount"
  ovl_view "$d/merged"
  "case_${name}_check" "$d"
  ovl_umount "$d"
}

# ovl_run IMPL NAME [EXTRA]: ovl_case in its own namespaces; sets output/status like `run`.
ovl_run ()
{
  local log=$BATS_TEST_TMPDIR/ovl_run.out
  status=0
  # The layers hold files of subordinate ids: removed inside the namespace, where they
  # are ours to remove.
  OVL_TMP=$BATS_TEST_TMPDIR ovl_in_ns bash -c \
    'trap "umount -l \"\$OVL_TMP\"/ovl.*/merged 2>/dev/null || true; rm -rf \"\$OVL_TMP\"/ovl.*" EXIT
     set -euo pipefail; source "$1"; source "$2"; shift 2; ovl_case "$@"' \
    ovl "$OVL_LIB" "$OVL_CASES" "$@" >"$log" 2>&1 || status=$?
  output=$(cat "$log")
}

# ovl_passes IMPL NAME [EXTRA]: the case's own checks hold on IMPL.
ovl_passes ()
{
  ovl_require "$1"
  ovl_run "$@"
  if [[ $status -ne 0 ]]; then
    echo "$1 failed the case:" >&2
    echo "$output" >&2
    return 1
  fi
}

# ovl_same_as IMPL REF NAME [EXTRA]: the case passes on REF and on IMPL (both mounted
# with EXTRA), and IMPL shows what REF shows.
ovl_same_as ()
{
  local impl=$1 ref=$2 name=$3 extra=${4:-} ref_out
  ovl_require "$impl"
  ovl_require "$ref"
  ovl_passes "$ref" "$name" "$extra"
  ref_out=$output
  ovl_passes "$impl" "$name" "$extra"
  if [[ $output != "$ref_out" ]]; then
    echo "$impl shows another result than $ref:" >&2
    diff -u <(echo "$ref_out") <(echo "$output") | sed 's/^/  /' >&2
    return 1
  fi
}

# ovl_same_as_kernel IMPL NAME: the case passes on IMPL and shows what the kernel shows.
ovl_same_as_kernel ()
{
  ovl_same_as "$1" kernel "$2"
}
