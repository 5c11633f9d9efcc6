#!/usr/bin/env bats
# shellcheck disable=SC2154
# The overlay semantic suite (lib/overlay_semantics.bash, lib/overlay_cases.bash) as an
# unprivileged user, inside a user namespace with its subordinate ids: kernel overlayfs
# (userxattr) is the oracle; burrow-overlay, and fuse-overlayfs for reference, must show
# the same result.

load ../lib/overlay_semantics

setup ()
{
  [[ $(id -u) -ne 0 ]] || skip "the rootless suite runs as an unprivileged user, not root"
}

@test "copy-up keeps content, mode, owner, times and xattrs: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel copyup
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "copy-up keeps content, mode, owner, times and xattrs: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay copyup
}

@test "copy-up keeps content, mode, owner, times and xattrs: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs copyup
}

@test "deleting a lower file and directory leaves whiteouts and hides them: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel whiteout
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "deleting a lower file and directory leaves whiteouts and hides them: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay whiteout
}

@test "deleting a lower file and directory leaves whiteouts and hides them: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs whiteout
}

@test "a file and a directory made again after delete: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel recreate
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "a file and a directory made again after delete: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay recreate
}

@test "a file and a directory made again after delete: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs recreate
}

@test "a directory made again is opaque over every lower layer: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel opaque
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "a directory made again is opaque over every lower layer: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay opaque
}

@test "a directory made again is opaque over every lower layer: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs opaque
}

@test "rename across layers: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel rename
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "rename across layers: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay rename
}

@test "rename across layers: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs rename
}

@test "hard link of a lower file: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel hardlink
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "hard link of a lower file: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay hardlink
}

@test "hard link of a lower file: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs hardlink
}

@test "readdir of merged directories: kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel readdir
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "readdir of merged directories: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay readdir
}

@test "readdir of merged directories: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs readdir
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): kernel overlayfs (the oracle)" {
  ovl_require kernel
  ovl_run kernel lowerwh
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay lowerwh
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs lowerwh
}

@test "uidmapping/gidmapping: burrow-overlay (no kernel equivalent: the kernel has idmapped mounts)" {
  ovl_require burrow-overlay
  ovl_run burrow-overlay idmap uidmapping=0:1000:100,gidmapping=0:1000:100
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "squash_to_root: burrow-overlay" {
  ovl_require burrow-overlay
  ovl_run burrow-overlay squash squash_to_root
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "uidmapping/gidmapping: fuse-overlayfs (no kernel equivalent: the kernel has idmapped mounts)" {
  ovl_require fuse-overlayfs
  ovl_run fuse-overlayfs idmap uidmapping=0:1000:100,gidmapping=0:1000:100
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}

@test "squash_to_root: fuse-overlayfs" {
  ovl_require fuse-overlayfs
  ovl_run fuse-overlayfs squash squash_to_root
  [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
}
