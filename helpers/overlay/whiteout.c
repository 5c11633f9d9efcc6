/* whiteout.c: how a layer says "deleted" and "opaque": a 0/0 character device or a
   .wh.NAME file (OCI layers, and our upper when mknod is not allowed); an opaque directory
   has the trusted./user.overlay.opaque xattr or holds .wh..wh..opq. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *const opaque_xattrs[] = { "trusted.overlay.opaque", "user.overlay.opaque" };

bool
ovl_is_whiteout_stat (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

bool
ovl_is_private_name (const char *name)
{
  return strncmp (name, OVL_WH_PREFIX, OVL_WH_PREFIX_LEN) == 0;
}

bool
ovl_is_private_xattr (const char *name)
{
  return strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0
         || strncmp (name, "user.fuseoverlayfs.", 19) == 0;
}

static int
join (char *buf, size_t size, const char *dir, const char *prefix, const char *name)
{
  int n = strcmp (dir, ".") == 0 ? snprintf (buf, size, "%s%s", prefix, name)
                                 : snprintf (buf, size, "%s/%s%s", dir, prefix, name);
  return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* 1 when layer has dirpath/.wh.name, 0 when not, -errno */
int
ovl_has_whiteout_file (struct ovl_fs *fs, int layer, const char *dirpath, const char *name)
{
  char p[PATH_MAX];
  int r = join (p, sizeof p, dirpath, OVL_WH_PREFIX, name);
  if (r < 0)
    return r;
  struct stat st;
  if (fstatat (fs->layers[layer].fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return 1;
  return errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG ? 0 : -errno;
}

/* 1 when the directory path of layer hides what lies below it */
int
ovl_is_opaque (struct ovl_fs *fs, int layer, const char *path)
{
  char p[PATH_MAX];
  char v[4];
  if (ovl_abs_path (fs, layer, path, p, sizeof p) < 0)
    return -ENAMETOOLONG;
  for (size_t i = 0; i < sizeof opaque_xattrs / sizeof *opaque_xattrs; i++)
    {
      ssize_t n = lgetxattr (p, opaque_xattrs[i], v, sizeof v);
      if (n == 1 && v[0] == 'y')
        return 1;
    }
  char o[PATH_MAX];
  if (join (o, sizeof o, path, "", OVL_OPAQUE_FILE) < 0)
    return -ENAMETOOLONG;
  struct stat st;
  return fstatat (fs->layers[layer].fd, o, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Hide dirpath/name of the lower layers; dirpath exists in the upper. */
int
ovl_make_whiteout (struct ovl_fs *fs, const char *dirpath, const char *name)
{
  char p[PATH_MAX];
  int up = fs->layers[OVL_UPPER].fd;
  if (fs->whiteout_dev_ok)
    {
      if (join (p, sizeof p, dirpath, "", name) < 0)
        return -ENAMETOOLONG;
      if (mknodat (up, p, S_IFCHR | 0, makedev (0, 0)) == 0)
        return 0;
      if (errno != EPERM)
        return -errno;
    }
  if (join (p, sizeof p, dirpath, OVL_WH_PREFIX, name) < 0)
    return -ENAMETOOLONG;
  int fd = openat (up, p, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return -errno;
  close (fd);
  return 0;
}

/* Remove a whiteout of dirpath/name from the upper before a new name takes its place. */
int
ovl_remove_whiteout (struct ovl_fs *fs, const char *dirpath, const char *name)
{
  char p[PATH_MAX];
  int up = fs->layers[OVL_UPPER].fd;
  struct stat st;
  if (join (p, sizeof p, dirpath, "", name) < 0)
    return -ENAMETOOLONG;
  if (fstatat (up, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && ovl_is_whiteout_stat (&st)
      && unlinkat (up, p, 0) < 0)
    return -errno;
  if (join (p, sizeof p, dirpath, OVL_WH_PREFIX, name) < 0)
    return -ENAMETOOLONG;
  if (unlinkat (up, p, 0) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}

/* Mark the upper directory path opaque: an xattr where allowed, else .wh..wh..opq. */
int
ovl_set_opaque (struct ovl_fs *fs, const char *path)
{
  char p[PATH_MAX];
  if (fs->opaque_xattr)
    {
      if (ovl_abs_path (fs, OVL_UPPER, path, p, sizeof p) < 0)
        return -ENAMETOOLONG;
      if (lsetxattr (p, fs->opaque_xattr, "y", 1, 0) == 0)
        return 0;
    }
  if (join (p, sizeof p, path, "", OVL_OPAQUE_FILE) < 0)
    return -ENAMETOOLONG;
  int fd = openat (fs->layers[OVL_UPPER].fd, p, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                   0600);
  if (fd < 0)
    return -errno;
  close (fd);
  return 0;
}

/* What the upper's filesystem lets us write: 0/0 devices (not in a user namespace) and
   which opaque xattr. Tried once in the workdir. */
void
ovl_whiteout_probe (struct ovl_fs *fs)
{
  if (!fs->has_upper)
    return;
  char name[64];
  snprintf (name, sizeof name, "probe-%d", (int)getpid ());
  /* as fuse-overlayfs' FUSE_OVERLAYFS_DISABLE_OVL_WHITEOUT: .wh. files even where the
     kernel's form could be made (images for tools that only read OCI whiteouts) */
  if (getenv ("BURROW_OVERLAY_DISABLE_OVL_WHITEOUT") == NULL
      && mknodat (fs->work_fd, name, S_IFCHR | 0, makedev (0, 0)) == 0)
    {
      fs->whiteout_dev_ok = true;
      unlinkat (fs->work_fd, name, 0);
    }
  if (mkdirat (fs->work_fd, name, 0700) < 0)
    return;
  char p[PATH_MAX];
  snprintf (p, sizeof p, "/proc/self/fd/%d/%s", fs->work_fd, name);
  for (size_t i = 0; i < sizeof opaque_xattrs / sizeof *opaque_xattrs; i++)
    if (lsetxattr (p, opaque_xattrs[i], "y", 1, 0) == 0)
      {
        fs->opaque_xattr = opaque_xattrs[i];
        break;
      }
  unlinkat (fs->work_fd, name, AT_REMOVEDIR);
}
