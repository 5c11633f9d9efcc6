/* file_io.c: whole-file reads and writes; state files are written to a temporary file
   and renamed so a reader never sees half of one. */
#include "config.h"
#include "file_io.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define DEFAULT_MAX (64u << 20)

int
burrow_read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len_out,
                     struct burrow_error *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "open `%s`", path);
  if (max == 0)
    max = DEFAULT_MAX;

  size_t cap = 4096, len = 0;
  cleanup_free char *buf = malloc (cap + 1);
  if (buf == NULL)
    return burrow_fail_errno (err, "read `%s`", path);
  for (;;)
    {
      if (len == cap)
        {
          if (cap >= max)
            return burrow_fail_plain (err, EFBIG, "read `%s`: larger than %zu bytes", path, max);
          cap = cap * 2 > max ? max : cap * 2;
          char *n = realloc (buf, cap + 1);
          if (n == NULL)
            return burrow_fail_errno (err, "read `%s`", path);
          buf = n;
        }
      ssize_t r = read (fd, buf + len, cap - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return burrow_fail_errno (err, "read `%s`", path);
      if (r == 0)
        break;
      len += r;
    }
  buf[len] = '\0';
  if (len_out)
    *len_out = len;
  *out = steal_ptr (&buf);
  return 0;
}

int
burrow_read_file (const char *path, size_t max, char **out, size_t *len_out,
                  struct burrow_error *err)
{
  return burrow_read_file_at (AT_FDCWD, path, max, out, len_out, err);
}

int
burrow_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= w;
    }
  return 0;
}

int
burrow_write_file_atomic (const char *path, const void *buf, size_t len, mode_t mode,
                          struct burrow_error *err)
{
  char tmp[PATH_MAX];
  if (snprintf (tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
    return burrow_fail (err, ENAMETOOLONG, "write `%s`", path);
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "write `%s`: create temporary file", path);
  /* No fsync: this is runtime state (in $XDG_RUNTIME_DIR or /run), meaningless after a
     crash; rename alone keeps every reader from seeing half a file. An fsync cost 0.4 ms
     (sometimes tens) of every container start on ext4 (bench/README.md). */
  if (fchmod (fd, mode) < 0 || burrow_write_all (fd, buf, len) < 0)
    {
      burrow_fail_errno (err, "write `%s`", path);
      unlink (tmp);
      return -1;
    }
  if (rename (tmp, path) < 0)
    {
      burrow_fail_errno (err, "write `%s`: rename", path);
      unlink (tmp);
      return -1;
    }
  return 0;
}

int
burrow_write_string (const char *path, const char *s, struct burrow_error *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "open `%s`", path);
  if (burrow_write_all (fd, s, strlen (s)) < 0)
    return burrow_fail_errno (err, "write `%s`", path);
  return 0;
}

int
burrow_write_proc (const char *path, const char *s, struct burrow_error *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sf;
  if (fd < 0 || fstatfs (fd, &sf) < 0)
    return burrow_fail_errno (err, "open `%s`", path);
  if (sf.f_type != PROC_SUPER_MAGIC)
    return burrow_fail_plain (err, EPERM, "`%s` is not on procfs", path);
  if (burrow_write_all (fd, s, strlen (s)) < 0)
    return burrow_fail_errno (err, "write `%s`", path);
  return 0;
}

int
burrow_mkdir_p (const char *path, mode_t mode, struct burrow_error *err)
{
  cleanup_free char *p = strdup (path);
  if (p == NULL)
    return burrow_fail_errno (err, "mkdir `%s`", path);
  for (char *s = p + 1;; s++)
    {
      if (*s != '/' && *s != '\0')
        continue;
      char c = *s;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return burrow_fail_errno (err, "mkdir `%s`", p);
      *s = c;
      if (c == '\0')
        break;
    }
  return 0;
}

static int
remove_tree_at (int parent, const char *name, struct burrow_error *err)
{
  if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return burrow_fail_errno (err, "remove `%s`", name);

  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* overlayfs leaves its work/work directory with mode 0000: ours to open after a chmod. */
  if (fd < 0 && errno == EACCES && fchmodat (parent, name, 0700, 0) == 0)
    fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "open `%s`", name);
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return burrow_fail_errno (err, "open `%s`", name);
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (remove_tree_at (dirfd (d), de->d_name, err) < 0)
        return -1;
    }
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return burrow_fail_errno (err, "remove `%s`", name);
  return 0;
}

int
burrow_remove_tree (const char *path, struct burrow_error *err)
{
  return remove_tree_at (AT_FDCWD, path, err);
}
