/* path_in_rootfs.h: every path inside a container's root is resolved as if that root were
   "/" (openat2 RESOLVE_IN_ROOT, no magic links), so no symlink in an image, and no rename
   racing us, can make burrow act on a host path. */
#ifndef BURROW_PATH_IN_ROOTFS_H
#define BURROW_PATH_IN_ROOTFS_H

#include "burrow.h"

#include <stdbool.h>

/* Open path beneath rootfd as O_PATH | O_CLOEXEC | extra_flags (e.g. O_DIRECTORY). */
int burrow_open_in_root (int rootfd, const char *path, int extra_flags, struct burrow_error *err);

/* Like burrow_open_in_root, creating what is missing: directories (0755), and the last
   component as an empty file (0644) when as_file. Returns an O_PATH fd. */
int burrow_mkpath_in_root (int rootfd, const char *path, bool as_file, struct burrow_error *err);

/* "/proc/self/fd/N": the name through which mount(2) acts on exactly that fd. */
void burrow_fd_path (int fd, char buf[static 32]);

#endif
