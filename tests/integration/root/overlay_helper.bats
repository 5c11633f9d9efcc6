#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow-overlay, the FUSE overlay helper, on its own: the cases live in
# ../overlay_helper.bash and run in a new mount namespace each. rootless/overlay_helper.bats
# is a link to this file: the same cases as an unprivileged user in `unshare -Urm`.

load ../helpers
load ../overlay_helper

setup ()
{
  ovh_setup
}

teardown ()
{
  ovh_teardown
}

@test "burrow-overlay: --help, --version, unknown options, -f serves in the foreground" {
  run_case cli
}

@test "burrow-overlay: bad input is refused before mounting, one clear line each" {
  run_case bad_input
}

@test "burrow-overlay: merged lookup, OCI whiteouts and opaque dirs of the lowers, statfs" {
  run_case merged_lookup
}

@test "burrow-overlay: readdir merges 5000 names of two layers and the upper, no duplicates" {
  run_case readdir_large
}

@test "burrow-overlay: copy-up keeps data, mode, times, xattrs and the inode number" {
  run_case copy_up
}

@test "burrow-overlay: whiteouts in the upper, names recreated, opaque new dirs" {
  run_case whiteouts
}

@test "burrow-overlay: .wh.NAME whiteouts in the upper where no 0/0 device is made" {
  run_case whiteout_files
}

@test "burrow-overlay: rename of files and directories, kept after a remount" {
  run_case rename
}

@test "burrow-overlay: hard links, symlinks, fifos" {
  run_case links
}

@test "burrow-overlay: a lowerdir-only mount is read-only" {
  run_case readonly
}

@test "burrow-overlay: uidmapping, gidmapping, squash_to_uid/gid, squash_to_root" {
  run_case idmap
}

@test "burrow-overlay: MOUNTPOINT /dev/fd/N serves a /dev/fuse mounted by the caller" {
  run_case dev_fd
}

@test "burrow-overlay: the same operations as on the kernel's overlayfs give the same tree" {
  run_case oracle
}

@test "burrow-overlay: 3 x 120 random operations on real trees end as on the kernel's overlayfs" {
  [[ -d /usr/share/doc/bash && -d /usr/share/doc/coreutils && -d /usr/share/doc/util-linux ]] \
    || skip "no /usr/share/doc/{bash,coreutils,util-linux} to build layers from"
  run_case oracle_random 1 2 3
}

@test "burrow-overlay: threads=4 serves parallel copy-ups, writes and listings" {
  run_case threads
}

@test "burrow-overlay: sequential reads of a lower file find what follows already cached; writes meanwhile win" {
  command -v fincore >/dev/null || skip "fincore is not installed (Debian: util-linux)"
  run_case push
}

@test "burrow-overlay over /dev/fuse (io_uring=0): read-ahead by the helper, writes meanwhile win" {
  command -v fincore >/dev/null || skip "fincore is not installed (Debian: util-linux)"
  OVH_EXTRA=io_uring=0 run_case push
}

# FUSE over io_uring needs fs/fuse's enable_uring (distributions ship it off; tests/lib/
# setup-host.sh turns it on as root, and says so).
require_fuse_uring ()
{
  [[ $(cat /sys/module/fuse/parameters/enable_uring 2>/dev/null) == Y ]] \
    || skip "this kernel's fuse does not offer io_uring (/sys/module/fuse/parameters/enable_uring is not Y)"
}

@test "burrow-overlay: requests come over io_uring where the kernel offers it; io_uring=0 keeps to /dev/fuse" {
  require_fuse_uring
  run_case io_uring
}

@test "burrow-overlay: io_uring refused (seccomp): served over /dev/fuse, with a warning" {
  require_fuse_uring
  run_case io_uring_refused
}

@test "burrow-overlay over /dev/fuse (io_uring=0): 3 x 120 random operations end as on the kernel's overlayfs" {
  [[ -d /usr/share/doc/bash && -d /usr/share/doc/coreutils && -d /usr/share/doc/util-linux ]] \
    || skip "no /usr/share/doc/{bash,coreutils,util-linux} to build layers from"
  OVH_EXTRA=io_uring=0 run_case oracle_random 4 5 6
}
