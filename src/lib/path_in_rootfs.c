/* path_in_rootfs.c: resolving and creating paths confined to a container's root. */
#include "config.h"
#include "path_in_rootfs.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void
burrow_fd_path (int fd, char buf[static 32])
{
  snprintf (buf, 32, "/proc/self/fd/%d", fd);
}

static int
openat2_in_root (int rootfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | flags,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  /* "/a/b" and "a/b" mean the same beneath the root. */
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  for (int tries = 0; tries < 32; tries++)
    {
      int fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        return fd;
    }
  errno = EAGAIN;
  return -1;
}

int
burrow_open_in_root (int rootfd, const char *path, int extra_flags, struct burrow_error *err)
{
  int fd = openat2_in_root (rootfd, path, extra_flags);
  if (fd < 0)
    return burrow_fail_errno (err, "resolve `%s` in the container's root", path);
  return fd;
}

/* Create the component `name` beneath the directory `parent_path` of the root. */
static int
create_component (int rootfd, const char *parent_path, const char *name, bool as_file,
                  struct burrow_error *err)
{
  cleanup_close int parent = openat2_in_root (rootfd, parent_path, O_DIRECTORY);
  if (parent < 0)
    return burrow_fail_errno (err, "resolve `%s` in the container's root", parent_path);
  /* O_PATH fds can't be used with mkdirat on every kernel: reopen as a real directory. */
  char p[32];
  burrow_fd_path (parent, p);
  cleanup_close int dir = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return burrow_fail_errno (err, "open `%s` in the container's root", parent_path);
  if (as_file)
    {
      int fd = openat (dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd >= 0)
        close (fd);
      else if (errno != EEXIST)
        return burrow_fail_errno (err, "create `%s/%s` in the container's root", parent_path, name);
    }
  else if (mkdirat (dir, name, 0755) < 0 && errno != EEXIST)
    return burrow_fail_errno (err, "mkdir `%s/%s` in the container's root", parent_path, name);
  return 0;
}

int
burrow_mkpath_in_root (int rootfd, const char *path, bool as_file, struct burrow_error *err)
{
  int fd = openat2_in_root (rootfd, path, 0);
  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        return burrow_fail_errno (err, "resolve `%s` in the container's root", path);
      return fd;
    }

  cleanup_free char *buf = NULL;
  if (asprintf (&buf, "%s%s", *path == '/' ? "" : "/", path) < 0)
    return burrow_fail_errno (err, "%s", path);
  size_t len = strlen (buf);
  while (len > 1 && buf[len - 1] == '/')
    buf[--len] = '\0';

  /* Walk the prefixes, creating each missing one; a symlink among them is followed
     inside the root only, so the created entries stay inside it too. */
  for (char *s = buf + 1;; s++)
    {
      if (*s != '/' && *s != '\0')
        continue;
      char c = *s;
      *s = '\0';
      cleanup_close int probe = openat2_in_root (rootfd, buf, 0);
      if (probe < 0)
        {
          if (errno != ENOENT)
            return burrow_fail_errno (err, "resolve `%s` in the container's root", buf);
          char *slash = strrchr (buf, '/');
          const char *name = slash + 1;
          *slash = '\0';
          int r = create_component (rootfd, *buf ? buf : "/", name, as_file && c == '\0', err);
          *slash = '/';
          if (r < 0)
            return -1;
        }
      *s = c;
      if (c == '\0')
        break;
    }
  fd = openat2_in_root (rootfd, path, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "resolve `%s` in the container's root", path);
  return fd;
}
