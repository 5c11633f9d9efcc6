#!/usr/bin/env bats
# shellcheck disable=SC2154
# The overlay semantic suite (lib/overlay_semantics.bash, lib/overlay_cases.bash): kernel
# overlayfs is the oracle; burrow-overlay, and fuse-overlayfs for reference, must show the
# same result. As root: in the initial user namespace (trusted xattrs). As a user: inside
# a user namespace with its subordinate ids (userxattr).

load ../lib/overlay_semantics

@test "copy-up keeps content, mode, owner, times and xattrs: kernel overlayfs (the oracle)" {
  ovl_passes kernel copyup
}

@test "copy-up keeps content, mode, owner, times and xattrs: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay copyup
}

@test "copy-up keeps content, mode, owner, times and xattrs: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs copyup
}

@test "deleting a lower file and directory leaves whiteouts and hides them: kernel overlayfs (the oracle)" {
  ovl_passes kernel whiteout
}

@test "deleting a lower file and directory leaves whiteouts and hides them: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay whiteout
}

@test "deleting a lower file and directory leaves whiteouts and hides them: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs whiteout
}

@test "a file and a directory made again after delete: kernel overlayfs (the oracle)" {
  ovl_passes kernel recreate
}

@test "a file and a directory made again after delete: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay recreate
}

@test "a file and a directory made again after delete: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs recreate
}

@test "a directory made again is opaque over every lower layer: kernel overlayfs (the oracle)" {
  ovl_passes kernel opaque
}

@test "a directory made again is opaque over every lower layer: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay opaque
}

@test "a directory made again is opaque over every lower layer: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs opaque
}

@test "rename across layers: kernel overlayfs (the oracle)" {
  ovl_passes kernel rename
}

@test "rename across layers: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay rename
}

@test "rename across layers: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs rename
}

@test "hard link of a lower file: kernel overlayfs (the oracle)" {
  ovl_passes kernel hardlink
}

@test "hard link of a lower file: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay hardlink
}

@test "hard link of a lower file: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs hardlink
}

@test "readdir of merged directories: kernel overlayfs (the oracle)" {
  ovl_passes kernel readdir
}

@test "readdir of merged directories: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay readdir
}

@test "readdir of merged directories: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs readdir
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): kernel overlayfs (the oracle)" {
  ovl_passes kernel lowerwh
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay lowerwh
}

@test "whiteouts and opaque markers in lower layers are honoured (.wh. files for FUSE): fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs lowerwh
}

@test "a write clears suid, sgid and security.capability: kernel overlayfs (the oracle)" {
  ovl_passes kernel killpriv
}

@test "a write clears suid, sgid and security.capability: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay killpriv
}

@test "a write clears suid, sgid and security.capability: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs killpriv
}

@test "what FUSE leaves set (sgid outside the group, suid on a truncating open) is cleared: kernel overlayfs (the oracle)" {
  ovl_passes kernel killfuse
}

@test "what FUSE leaves set (sgid outside the group, suid on a truncating open) is cleared: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay killfuse
}

# No fuse-overlayfs case for killfuse: it leaves this to FUSE, which clears sgid only with
# group-exec and sends nothing after a truncating open, so it differs from the kernel.

@test "a user is refused what is under another owner's 0700 directory, also once cached: kernel overlayfs (the oracle)" {
  ovl_passes kernel pathperm
}

@test "a user is refused what is under another owner's 0700 directory, also once cached: burrow-overlay shows what the kernel shows" {
  ovl_same_as_kernel burrow-overlay pathperm
}

@test "a user is refused what is under another owner's 0700 directory, also once cached: fuse-overlayfs shows what the kernel shows" {
  ovl_same_as_kernel fuse-overlayfs pathperm
}

@test "uidmapping/gidmapping: burrow-overlay (no kernel equivalent: the kernel has idmapped mounts)" {
  ovl_passes burrow-overlay idmap uidmapping=0:1000:100,gidmapping=0:1000:100
}

@test "uidmapping/gidmapping with writes, several ranges: burrow-overlay shows and stores what fuse-overlayfs does" {
  ovl_same_as burrow-overlay fuse-overlayfs idmapw uidmapping=0:1000:100:200:0:50,gidmapping=0:1000:100:200:0:50
}

@test "squash_to_root: burrow-overlay" {
  ovl_passes burrow-overlay squash squash_to_root
}

@test "uidmapping/gidmapping: fuse-overlayfs (no kernel equivalent: the kernel has idmapped mounts)" {
  ovl_passes fuse-overlayfs idmap uidmapping=0:1000:100,gidmapping=0:1000:100
}

@test "squash_to_root: fuse-overlayfs" {
  ovl_passes fuse-overlayfs squash squash_to_root
}
