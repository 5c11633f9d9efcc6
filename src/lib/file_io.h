/* file_io.h: reading and writing whole files, atomically where it matters. */
#ifndef BURROW_FILE_IO_H
#define BURROW_FILE_IO_H

#include "burrow.h"

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (at most max bytes, 0: 64 MiB) into a NUL-terminated buffer. */
int burrow_read_file (const char *path, size_t max, char **out, size_t *len_out,
                      struct burrow_error *err);
int burrow_read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len_out,
                         struct burrow_error *err);
/* Write buf to path through a temporary file in the same directory and rename(2). */
int burrow_write_file_atomic (const char *path, const void *buf, size_t len, mode_t mode,
                              struct burrow_error *err);
/* Write the whole buffer to an already open fd (retrying short writes and EINTR). */
int burrow_write_all (int fd, const void *buf, size_t len);
/* Write a short string to a file that must exist (procfs, sysfs): open O_WRONLY, write. */
int burrow_write_string (const char *path, const char *s, struct burrow_error *err);
/* burrow_write_string for procfs files: refuses a file that is not on procfs (after
   pivot_root, the container's /proc may be anything the image put there). */
int burrow_write_proc (const char *path, const char *s, struct burrow_error *err);
/* Make every directory of path (mode 0700 for new ones), like mkdir -p. */
int burrow_mkdir_p (const char *path, mode_t mode, struct burrow_error *err);
/* Remove a directory tree without following symlinks (like rm -rf, on one filesystem). */
int burrow_remove_tree (const char *path, struct burrow_error *err);

#endif
