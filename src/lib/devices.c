/* devices.c: /dev inside the container: the default nodes every container gets, the
   config's linux.devices, and the usual symlinks. In a user namespace mknod is denied,
   so nodes are bind mounts of the host's. */
#include "config.h"
#include "mounts.h"

#include "cleanup.h"
#include "error.h"
#include "path_in_rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct burrow_device default_devices[] = {
  { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
  { .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
  { .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
  { .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
  { .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
  { .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

static int
open_parent_dir (int rootfd, const char *path, const char **name, struct burrow_error *err)
{
  cleanup_free char *dir = strdup (path);
  if (dir == NULL)
    return burrow_fail_errno (err, "device `%s`", path);
  char *slash = strrchr (dir, '/');
  *name = path + (slash - dir) + 1;
  *slash = '\0';
  cleanup_close int p = burrow_mkpath_in_root (rootfd, *dir ? dir : "/", false, err);
  if (p < 0)
    return -1;
  char fdp[32];
  burrow_fd_path (p, fdp);
  int fd = open (fdp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "device `%s`: open parent", path);
  return fd;
}

static int
device_bind (const struct burrow_mount_env *env, const struct burrow_device *d,
             struct burrow_error *err)
{
  struct stat st;
  if (stat (d->path, &st) < 0)
    return burrow_fail_errno (err,
                              "device `%s`: in a user namespace devices are bind-mounted "
                              "from the host, which lacks it",
                              d->path);
  cleanup_close int target = burrow_mkpath_in_root (env->rootfd, d->path, true, err);
  if (target < 0)
    return -1;
  char p[32];
  burrow_fd_path (target, p);
  return burrow_mount (d->path, p, NULL, MS_BIND, NULL, d->path, err);
}

static int
device_mknod (const struct burrow_mount_env *env, const struct burrow_device *d,
              struct burrow_error *err)
{
  const char *name;
  cleanup_close int dir = open_parent_dir (env->rootfd, d->path, &name, err);
  if (dir < 0)
    return -1;
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t mode = d->has_file_mode ? d->file_mode & 07777 : 0666;
  unlinkat (dir, name, 0);
  if (mknodat (dir, name, type | mode, makedev (d->major, d->minor)) < 0)
    return burrow_fail_errno (err, "mknod `%s`", d->path);
  /* mknod honours the umask; the config's mode is what the container must see. */
  if (fchmodat (dir, name, mode, 0) < 0)
    return burrow_fail_errno (err, "chmod `%s`", d->path);
  uid_t uid = d->has_uid ? d->uid : 0;
  gid_t gid = d->has_gid ? d->gid : 0;
  if (fchownat (dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return burrow_fail_errno (err, "chown `%s`", d->path);
  return 0;
}

static int
make_symlink (int rootfd, const char *target, const char *path, struct burrow_error *err)
{
  const char *name;
  cleanup_close int dir = open_parent_dir (rootfd, path, &name, err);
  if (dir < 0)
    return -1;
  if (symlinkat (target, dir, name) < 0 && errno != EEXIST)
    return burrow_fail_errno (err, "symlink `%s` -> `%s`", path, target);
  return 0;
}

static bool
dev_is_bind_mounted (const struct burrow_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct burrow_mount *m = &spec->mounts[i];
      if (strcmp (m->destination, "/dev") != 0)
        continue;
      if (m->type && strcmp (m->type, "bind") == 0)
        return true;
      for (size_t j = 0; j < m->n_options; j++)
        if (strcmp (m->options[j], "bind") == 0 || strcmp (m->options[j], "rbind") == 0)
          return true;
    }
  return false;
}

static bool
has_mount_at (const struct burrow_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, dest) == 0)
      return true;
  return false;
}

static int
setup_one (const struct burrow_mount_env *env, const struct burrow_device *d,
           struct burrow_error *err)
{
  if (env->rootless)
    return device_bind (env, d, err);
  return device_mknod (env, d, err);
}

int
burrow_devices_setup (const struct burrow_mount_env *env, struct burrow_error *err)
{
  const struct burrow_spec *spec = env->spec;
  if (dev_is_bind_mounted (spec))
    return 0;

  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    {
      bool overridden = false;
      for (size_t j = 0; j < spec->linux_.n_devices; j++)
        overridden |= strcmp (spec->linux_.devices[j].path, default_devices[i].path) == 0;
      if (!overridden && setup_one (env, &default_devices[i], err) < 0)
        return -1;
    }
  for (size_t i = 0; i < spec->linux_.n_devices; i++)
    if (setup_one (env, &spec->linux_.devices[i], err) < 0)
      return -1;

  static const char *const links[][2] = {
    { "/proc/self/fd", "/dev/fd" },
    { "/proc/self/fd/0", "/dev/stdin" },
    { "/proc/self/fd/1", "/dev/stdout" },
    { "/proc/self/fd/2", "/dev/stderr" },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (make_symlink (env->rootfd, links[i][0], links[i][1], err) < 0)
      return -1;
  if (has_mount_at (spec, "/dev/pts"))
    {
      /* /dev/ptmx must be the container's devpts instance, not the host's. */
      cleanup_close int dir = -1;
      const char *name;
      dir = open_parent_dir (env->rootfd, "/dev/ptmx", &name, err);
      if (dir < 0)
        return -1;
      unlinkat (dir, name, 0);
      if (make_symlink (env->rootfd, "pts/ptmx", "/dev/ptmx", err) < 0)
        return -1;
    }
  return 0;
}
