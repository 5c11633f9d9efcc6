/* mounts.h: the container's mount namespace, set up by the init before pivot_root. All
   targets are resolved inside the rootfs (path_in_rootfs.h) and mounted through their fd. */
#ifndef BURROW_MOUNTS_H
#define BURROW_MOUNTS_H

#include "burrow.h"
#include "spec.h"

struct burrow_mount_env
{
  const struct burrow_spec *spec;
  int rootfd;           /* O_PATH fd of the (bind-mounted) rootfs */
  bool rootless;        /* no mknod, sysfs/cgroup fall back to read-only binds */
  const int *idmap_fds; /* per mounts[i]: idmapped tree from the runtime, or -1; NULL */
};

/* Make "/" private (so nothing propagates back to the host) and bind the rootfs onto
   itself so it is a mount point pivot_root accepts. Returns an O_PATH fd of it. */
int burrow_rootfs_prepare (const struct burrow_spec *spec, struct burrow_error *err);
/* Every entry of mounts[], in order. */
int burrow_mounts_apply (const struct burrow_mount_env *env, struct burrow_error *err);
/* devices.c: default devices, linux.devices, and the /dev symlinks. */
int burrow_devices_setup (const struct burrow_mount_env *env, struct burrow_error *err);
/* pivot_root into the rootfs and detach the old root; no_pivot: MS_MOVE + chroot. */
int burrow_rootfs_pivot (const struct burrow_spec *spec, bool no_pivot, struct burrow_error *err);
/* After the pivot: rootfsPropagation, root.readonly, maskedPaths, readonlyPaths. */
int burrow_rootfs_finish (const struct burrow_spec *spec, struct burrow_error *err);

/* mount(2) with a message naming what failed. target is a path as seen now. */
int burrow_mount (const char *source, const char *target, const char *type, unsigned long flags,
                  const char *data, const char *what, struct burrow_error *err);
/* Bind-remount `target` with `flags` added to the flags the kernel locks for mounts
   inherited by a user namespace (nosuid, nodev, noexec, atime), so remounting read-only
   does not fail with EPERM. */
int burrow_remount_bind (const char *target, unsigned long flags, const char *what,
                         struct burrow_error *err);

#endif
