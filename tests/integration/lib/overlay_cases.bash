# shellcheck shell=bash disable=SC2154,SC2012
# overlay_cases.bash: the cases of the overlay semantic suite (see overlay_semantics.bash).
# Each: case_NAME_layers DIR, case_NAME_ops MERGED, case_NAME_check DIR (after a remount,
# DIR/merged mounted). OVL_IMPL names the implementation under test.

old () { touch -h -d "$OVL_OLD_TIME" "$@"; }

fail () { echo "check failed: $*" >&2; return 1; }

same () { [[ $1 == "$2" ]] || fail "expected '$2', got '$1' ($3)"; }

# ---- copy-up preserves content, mode, owner, times and xattrs
case_copyup_layers ()
{
  local l=$1/lower1
  mkdir -p "$l/dir"
  printf 'lower data\n' >"$l/f"
  printf 'lower data\n' >"$l/g"
  echo inner >"$l/dir/inner"
  chmod 0640 "$l/f" "$l/g"
  chmod 0750 "$l/dir"
  chown 1:2 "$l/f" "$l/g"
  chown 3:4 "$l/dir"
  setfattr -n user.test -v v "$l/f" "$l/g"
  old "$l/f" "$l/g" "$l/dir/inner" "$l/dir"
}
case_copyup_ops ()
{
  setfattr -n user.added -v 1 "$1/f" # copy-up without touching data or times
  echo more >>"$1/g"
  touch "$1/dir/new"
}
case_copyup_check ()
{
  local u=$1/upper m=$1/merged
  [[ -f $u/f && -f $u/g && -d $u/dir ]] || fail "f, g, dir copied up"
  same "$(stat -c '%a %u:%g %.9Y' "$u/f")" "640 1:2 $(date -d "$OVL_OLD_TIME" +%s.%N)" "upper f"
  same "$(cat "$m/f")" "lower data" "content of f"
  same "$(getfattr --absolute-names -n user.test --only-values "$m/f")" v "xattr of f"
  same "$(getfattr --absolute-names -n user.added --only-values "$m/f")" 1 "new xattr of f"
  same "$(cat "$m/g")" "lower data
more" "content of g"
  same "$(stat -c '%a %u:%g' "$m/g" "$m/dir")" "640 1:2
750 3:4" "g and dir"
  same "$(cat "$m/dir/inner")" inner "dir/inner"
  [[ -z $(getfattr --absolute-names -n user.added --only-values "$1/lower1/f" 2>/dev/null) ]] || fail "lower f changed"
  same "$(cat "$1/lower1/g")" "lower data" "lower g"
}

# ---- delete of a lower file and directory leaves a whiteout and hides it
case_whiteout_layers ()
{
  local l=$1/lower1
  mkdir -p "$l/gonedir"
  echo a >"$l/gonedir/a"
  echo gone >"$l/gone"
  echo keep >"$l/keep"
  old "$l/gone" "$l/keep" "$l/gonedir/a"
}
case_whiteout_ops ()
{
  rm "$1/gone"
  rm -r "$1/gonedir"
}
case_whiteout_check ()
{
  [[ ! -e $1/merged/gone && ! -e $1/merged/gonedir ]] || fail "deleted entries hidden"
  ovl_is_whiteout "$1/upper" gone || fail "whiteout for gone in the upper layer"
  ovl_is_whiteout "$1/upper" gonedir || fail "whiteout for gonedir in the upper layer"
  [[ -f $1/lower1/gone && -f $1/lower1/gonedir/a ]] || fail "the lower layer keeps them"
}

# ---- recreate after delete
case_recreate_layers ()
{
  local l=$1/lower1
  mkdir -p "$l/d"
  echo x >"$l/d/x"
  echo "old content" >"$l/f"
  chmod 0600 "$l/f"
  setfattr -n user.lower -v 1 "$l/f"
  old "$l/f" "$l/d/x"
}
case_recreate_ops ()
{
  rm "$1/f"
  echo new >"$1/f"
  chmod 0604 "$1/f"
  rm -r "$1/d"
  mkdir "$1/d"
  echo y >"$1/d/y"
}
case_recreate_check ()
{
  same "$(cat "$1/merged/f")" new "content of f"
  same "$(stat -c %a "$1/merged/f")" 604 "mode of f"
  [[ -z $(getfattr --absolute-names -n user.lower --only-values "$1/merged/f" 2>/dev/null) ]] || fail "lower xattr leaked"
  same "$(ls -A "$1/merged/d")" y "d holds only y"
}

# ---- opaque directory: a directory made again hides every lower layer's entries
case_opaque_layers ()
{
  mkdir -p "$1/lower1/d" "$1/lower2/d"
  echo b >"$1/lower1/d/b"
  echo a >"$1/lower2/d/a"
  old "$1/lower1/d/b" "$1/lower2/d/a"
}
case_opaque_ops ()
{
  rm -r "$1/d"
  mkdir "$1/d"
  echo c >"$1/d/c"
}
case_opaque_check ()
{
  same "$(ls -A "$1/merged/d")" c "opaque d"
  same "$(ls -A "$1/lower2/d")" a "lower2 intact"
}

# ---- rename across layers (files and directories; mv copes with EXDEV as users do)
case_rename_layers ()
{
  local l=$1/lower1
  mkdir -p "$l/dir"
  echo in >"$l/dir/in"
  echo content >"$l/f"
  echo other >"$l/other"
  old "$l/f" "$l/other" "$l/dir/in"
}
case_rename_ops ()
{
  mv "$1/f" "$1/f2"
  mv "$1/dir" "$1/dir2"
  mv "$1/other" "$1/dir2/other"
}
case_rename_check ()
{
  local m=$1/merged
  [[ ! -e $m/f && ! -e $m/dir && ! -e $m/other ]] || fail "old names gone"
  same "$(cat "$m/f2" "$m/dir2/in" "$m/dir2/other")" "content
in
other" "renamed contents"
  [[ -f $1/lower1/f && -f $1/lower1/dir/in ]] || fail "lower intact"
}

# ---- hard link of a lower file
case_hardlink_layers ()
{
  echo shared >"$1/lower1/f"
  old "$1/lower1/f"
}
case_hardlink_ops ()
{
  ln "$1/f" "$1/f2"
  echo appended >>"$1/f2"
}
case_hardlink_check ()
{
  local m=$1/merged
  same "$(cat "$m/f")" "shared
appended" "write through the link shows in f"
  same "$(stat -c %h "$m/f")" 2 "link count"
  same "$(stat -c %i "$m/f")" "$(stat -c %i "$m/f2")" "one inode"
  same "$(cat "$1/lower1/f")" shared "lower f"
}

# ---- readdir of merged directories: every name once, the top layer's entry wins
case_readdir_layers ()
{
  local i
  mkdir -p "$1/lower1/d" "$1/lower2/d"
  for i in $(seq 1 600); do : >"$1/lower2/d/n$i"; done
  for i in $(seq 300 900); do : >"$1/lower1/d/n$i"; done
  echo top >"$1/lower1/d/b"
  echo bottom >"$1/lower2/d/b"
  old "$1"/lower*/d/*
}
case_readdir_ops ()
{
  touch "$1/d/n1000"
  rm "$1/d/n1"
}
case_readdir_check ()
{
  local m=$1/merged
  same "$(ls -a "$m/d" | wc -l)" 903 "entries in d (. .. b n2..n900 n1000)"
  same "$(ls -a "$m/d" | sort | uniq -d)" "" "duplicate names"
  same "$(cat "$m/d/b")" top "the top layer wins"
  [[ ! -e $m/d/n1 && -e $m/d/n1000 ]] || fail "n1 removed, n1000 added"
}

# ---- whiteouts and opaque markers already in lower layers (an unpacked image's)
case_lowerwh_layers ()
{
  mkdir -p "$1/lower1/od" "$1/lower2/od"
  echo x >"$1/lower2/x"
  echo old >"$1/lower2/od/old"
  echo new >"$1/lower1/od/new"
  if [[ $OVL_IMPL == kernel ]]; then
    # the kernel's own forms: a 0/0 character device, an opaque xattr
    mknod "$1/lower1/x" c 0 0
    if [[ $(id -u) -eq 0 && $(readlink /proc/self/ns/user) == "$(readlink /proc/1/ns/user 2>/dev/null)" ]]; then
      setfattr -n trusted.overlay.opaque -v y "$1/lower1/od"
    else
      setfattr -n user.overlay.opaque -v y "$1/lower1/od"
    fi
  else
    # the OCI layer forms
    : >"$1/lower1/.wh.x"
    : >"$1/lower1/od/.wh..wh..opq"
  fi
  old "$1/lower2/x" "$1/lower2/od/old" "$1/lower1/od/new"
}
case_lowerwh_ops () { :; }
case_lowerwh_check ()
{
  [[ ! -e $1/merged/x && ! -e $1/merged/.wh.x ]] || fail "x hidden by the lower whiteout"
  same "$(ls -A "$1/merged/od")" new "od opaque in the lower layer"
}

# ---- uid/gid mapping options (FUSE helpers: HOST:CONTAINER:LENGTH, fuse-overlayfs' order)
case_idmap_layers ()
{
  echo f >"$1/lower1/f"
  chown 3:4 "$1/lower1/f"
  old "$1/lower1/f"
}
case_idmap_ops ()
{
  chown 1005:1006 "$1/f"
}
case_idmap_check ()
{
  same "$(stat -c %u:%g "$1/merged/f")" 1005:1006 "owner seen through the mount"
  same "$(stat -c %u:%g "$1/upper/f")" 5:6 "owner on disk"
  same "$(stat -c %u:%g "$1/lower1/f")" 3:4 "lower owner"
}

# ---- uid/gid mapping with writes (FUSE helpers), several ranges: run with
# uidmapping=0:1000:100:200:0:50 (and the same gids): on disk 0..99 show as 1000..1099,
# 200..249 as 0..49. The check prints the owners on disk, so that two helpers given the
# same option can be compared.
case_idmapw_layers ()
{
  echo f >"$1/lower1/f"
  echo g >"$1/lower1/g"
  mkdir "$1/lower1/d"
  chown 3:4 "$1/lower1/f"
  chown 150:150 "$1/lower1/g"
  chown 210:211 "$1/lower1/d"
  old "$1/lower1/f" "$1/lower1/g" "$1/lower1/d"
}
case_idmapw_ops ()
{
  chown 1005:1006 "$1/f"
  echo new >"$1/d/new"
  mkdir "$1/d/sub"
  chown 1:2 "$1/d/sub"
}
case_idmapw_check ()
{
  local m=$1/merged u=$1/upper
  same "$(stat -c %u:%g "$m/f" "$m/g" "$m/d" "$m/d/new" "$m/d/sub" | tr '\n' ' ')" \
    "1005:1006 65534:65534 10:11 0:0 1:2 " "owners seen through the mount (f g d d/new d/sub)"
  same "$(stat -c %u:%g "$u/f" "$u/d" "$u/d/new" "$u/d/sub" | tr '\n' ' ')" \
    "5:6 210:211 200:200 201:202 " "owners on disk (f d d/new d/sub)"
  echo "on disk: $(cd "$u" && stat -c '%n %u:%g' f d d/new d/sub | tr '\n' ' ')"
}

# ---- squash_to_root: everything shows as owned by root
case_squash_layers ()
{
  mkdir -p "$1/lower1/d"
  echo f >"$1/lower1/d/f"
  chown 3:4 "$1/lower1/d" "$1/lower1/d/f"
  old "$1/lower1/d/f"
}
case_squash_ops () { :; }
case_squash_check ()
{
  same "$(stat -c %u:%g "$1/merged/d" "$1/merged/d/f")" "0:0
0:0" "squashed owners"
  same "$(stat -c %u:%g "$1/lower1/d/f")" 3:4 "lower owner"
}

# ---- a write clears suid/sgid as the kernel does (a writer without CAP_FSETID in the
# initial user namespace: uid 1000 with no groups, and root inside a user namespace) and
# security.capability (any writer), whether the file was made write-only
# (burrow-overlay: direct writes, cleared by the helper) or read-write (cached writes,
# cleared by the kernel)
case_killpriv_layers ()
{
  mkdir -p "$1/lower1/w"
  chmod 0777 "$1/lower1/w"
}
# killpriv_write FILE MODE wo|rw: make FILE open write-only or read-write, give it MODE
# while open, write through the open file
killpriv_write ()
{
  if [[ $3 == wo ]]; then exec 3>"$1"; else exec 3<>"$1"; fi
  chmod "$2" "$1"
  echo data >&3
  exec 3>&-
}
# killpriv_as_user DIR NAME MODE wo|rw: killpriv_write as uid 1000 in DIR (the path
# above it may not be open to that user)
killpriv_as_user ()
{
  (cd "$1" && setpriv --reuid 1000 --regid 1000 --clear-groups \
    bash -c "set -e; $(declare -f killpriv_write); killpriv_write $2 $3 $4")
}
case_killpriv_ops ()
{
  local w=$1/w
  killpriv_write "$w/root-wo-suid" 4755 wo
  killpriv_write "$w/root-wo-sgid" 2775 wo
  killpriv_as_user "$w" user-wo-suid 4755 wo
  killpriv_as_user "$w" user-rw-suid 4755 rw
  killpriv_as_user "$w" user-wo-sgid-gx 2775 wo
  killpriv_as_user "$w" user-wo-sgid-nogx 2764 wo
  killpriv_as_user "$w" user-rw-sgid-gx 2775 rw
  # a truncation by truncate(2), and a chown (even to no change), clear them too
  killpriv_as_user "$w" user-truncate-suid 644 wo
  (cd "$w" && setpriv --reuid 1000 --regid 1000 --clear-groups bash -c \
    'chmod 4755 user-truncate-suid; truncate -s 2 user-truncate-suid')
  for f in root-chown-suid:4755 root-chown-sgid-gx:2775 root-chown-sgid-nogx:2764 root-chown-none-suid:4755; do
    echo data >"$w/${f%:*}"
    chmod "${f#*:}" "$w/${f%:*}"
  done
  chown 0:0 "$w/root-chown-suid" "$w/root-chown-sgid-gx" "$w/root-chown-sgid-nogx"
  perl -e 'chown -1, -1, $ARGV[0] or die "chown: $!\n"' "$w/root-chown-none-suid"
  # security.capability set while open (cap_net_raw+ep), then a write by root
  exec 3>"$w/root-wo-caps"
  if setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= "$w/root-wo-caps"; then
    echo set >"$w/caps-were-set"
  fi
  echo data >&3
  exec 3>&-
}
case_killpriv_check ()
{
  local w=$1/merged/w f root_sgid=2775 root_suid=4755
  # root keeps the bits only where it has CAP_FSETID in the initial user namespace
  if [[ $(awk 'NR == 1 { print $1, $2, $3 }' /proc/self/uid_map) != "0 0 4294967295" ]]; then
    root_sgid=775 root_suid=755
  fi
  same "$(cd "$w" && for f in root-* user-*; do echo "$f $(stat -c %a "$f")"; done)" \
    "root-chown-none-suid 755
root-chown-sgid-gx 775
root-chown-sgid-nogx 2764
root-chown-suid 755
root-wo-caps 644
root-wo-sgid $root_sgid
root-wo-suid $root_suid
user-rw-sgid-gx 775
user-rw-suid 755
user-truncate-suid 755
user-wo-sgid-gx 775
user-wo-sgid-nogx 2764
user-wo-suid 755" "modes after the writes, truncations and chowns"
  if [[ -e $w/caps-were-set ]]; then
    [[ -z $(getfattr --absolute-names -n security.capability "$w/root-wo-caps" 2>/dev/null) ]] \
      || fail "security.capability left after a write"
  fi
}

# ---- what FUSE leaves set (the helper must clear it): a sgid bit without group-exec
# after a write or chown by someone outside the file's group (FUSE looks only at
# group-exec), and suid after a truncating open (FUSE sends no SETATTR for it)
case_killfuse_layers () { case_killpriv_layers "$@"; }
case_killfuse_ops ()
{
  local w=$1/w f
  for f in append chown otrunc member; do
    echo data >"$w/$f"
    chown 1000:0 "$w/$f"
    chmod 2766 "$w/$f"
  done
  chmod 4766 "$w/otrunc"
  (cd "$w" && setpriv --reuid 1000 --regid 1000 --clear-groups \
    bash -c 'echo more >>append; chown 1000 chown; : >otrunc')
  # in the file's group through a supplementary group: the bit stays
  (cd "$w" && setpriv --reuid 1000 --regid 1000 --groups 0 bash -c 'echo more >>member')
}
case_killfuse_check ()
{
  same "$(cd "$1/merged/w" && stat -c '%n %a' append chown otrunc member)" "append 766
chown 766
otrunc 766
member 2766" "modes after the write, the chown and the truncating open"
}

# ---- a user is refused a file under another owner's 0700 directory, even once root
# has looked it up (the kernel then has the path cached and asks the filesystem nothing:
# only default_permissions refuses it)
case_pathperm_layers ()
{
  mkdir -p "$1/lower1/secret" "$1/lower1/w"
  echo data >"$1/lower1/secret/file"
  chmod 0700 "$1/lower1/secret"
  chmod 0777 "$1/lower1/w"
}
case_pathperm_ops ()
{
  cat "$1/secret/file" >/dev/null
  # from inside the mount: the path above it may not be open to that user
  (cd "$1" && setpriv --reuid 1000 --regid 1000 --clear-groups bash -c \
    'stat secret/file >/dev/null 2>&1 && echo stat: allowed || echo stat: refused
     cat secret/file >/dev/null 2>&1 && echo read: allowed || echo read: refused
     (echo x >secret/new) 2>/dev/null && echo create: allowed || echo create: refused' \
    >w/result)
}
case_pathperm_check ()
{
  same "$(cat "$1/merged/w/result")" "stat: refused
read: refused
create: refused" "what uid 1000 could do under secret/"
}
