/* xattr_ops.c: extended attributes (the overlay's own are neither shown nor settable;
   noacl hides POSIX ACLs; setting one copies the file up) and statfs of the upper. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

static bool
hidden (struct ovl_fs *fs, const char *name)
{
  return ovl_is_private_xattr (name)
         || (fs->opt.noacl && strncmp (name, "system.posix_acl_", 17) == 0);
}

/* The node's path under its layer, for the l*xattr calls; copied up first when writing. */
static int
node_xattr_path (struct ovl_fs *fs, fuse_ino_t ino, bool write, char *p, size_t size)
{
  char path[PATH_MAX];
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (!node)
    return -ESTALE;
  int r;
  if (write && !fs->has_upper)
    return -EROFS;
  if (write && (r = ovl_copy_up (fs, node, true)) < 0)
    return r;
  if ((r = ovl_node_path (node, path, sizeof path)) < 0)
    return r;
  return ovl_abs_path (fs, node->layer, path, p, size);
}

static void
forget_xattrs (struct ovl_fs *fs, fuse_ino_t ino)
{
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (node)
    node->xattrs = OVL_XATTRS_UNKNOWN;
}

void
ovl_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char p[PATH_MAX + 64];
  if (hidden (fs, name))
    {
      fuse_reply_err (req, ovl_is_private_xattr (name) ? ENODATA : EOPNOTSUPP);
      return;
    }
  char *buf = size ? malloc (size) : NULL;
  if (size && !buf)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  pthread_mutex_lock (&fs->lock);
  ssize_t n = node_xattr_path (fs, ino, false, p, sizeof p);
  struct ovl_node *node = n == 0 ? ovl_node_get (fs, ino) : NULL;
  /* `ls -l` asks every file for two xattrs it almost never has: remember which have none
     (every change to them comes through us) */
  if (node && node->xattrs == OVL_XATTRS_UNKNOWN)
    node->xattrs = llistxattr (p, NULL, 0) == 0 ? OVL_XATTRS_NONE : OVL_XATTRS_SOME;
  if (node && node->xattrs == OVL_XATTRS_NONE)
    n = -ENODATA;
  else if (n == 0 && (n = lgetxattr (p, name, buf, size)) < 0)
    n = -errno;
  pthread_mutex_unlock (&fs->lock);
  if (n < 0)
    fuse_reply_err (req, (int)-n);
  else if (size == 0)
    fuse_reply_xattr (req, (size_t)n);
  else
    fuse_reply_buf (req, buf, (size_t)n);
  free (buf);
}

void
ovl_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char p[PATH_MAX + 64];
  char *names = NULL;
  pthread_mutex_lock (&fs->lock);
  ssize_t n = node_xattr_path (fs, ino, false, p, sizeof p);
  if (n == 0 && (n = llistxattr (p, NULL, 0)) < 0)
    n = -errno;
  if (n > 0)
    {
      names = malloc ((size_t)n);
      if (!names)
        n = -ENOMEM;
      else if ((n = llistxattr (p, names, (size_t)n)) < 0)
        n = -errno;
    }
  pthread_mutex_unlock (&fs->lock);
  if (n < 0)
    {
      free (names);
      fuse_reply_err (req, (int)-n);
      return;
    }
  size_t out = 0;
  for (ssize_t i = 0; i < n; i += (ssize_t)strlen (names + i) + 1)
    if (!hidden (fs, names + i))
      {
        size_t len = strlen (names + i) + 1;
        memmove (names + out, names + i, len);
        out += len;
      }
  if (size == 0)
    fuse_reply_xattr (req, out);
  else if (out > size)
    fuse_reply_err (req, ERANGE);
  else
    fuse_reply_buf (req, names, out);
  free (names);
}

void
ovl_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
              int flags)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char p[PATH_MAX + 64];
  if (hidden (fs, name))
    {
      fuse_reply_err (req, ovl_is_private_xattr (name) ? EPERM : EOPNOTSUPP);
      return;
    }
  pthread_mutex_lock (&fs->lock);
  int r = node_xattr_path (fs, ino, true, p, sizeof p);
  if (r == 0 && lsetxattr (p, name, value, size, flags) < 0)
    r = -errno;
  forget_xattrs (fs, ino);
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_err (req, -r);
}

void
ovl_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char p[PATH_MAX + 64];
  if (hidden (fs, name))
    {
      fuse_reply_err (req, ovl_is_private_xattr (name) ? ENODATA : EOPNOTSUPP);
      return;
    }
  pthread_mutex_lock (&fs->lock);
  int r = node_xattr_path (fs, ino, true, p, sizeof p);
  if (r == 0 && lremovexattr (p, name) < 0)
    r = -errno;
  forget_xattrs (fs, ino);
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_err (req, -r);
}

void
ovl_statfs (fuse_req_t req, fuse_ino_t ino)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct statvfs sv;
  int layer = fs->has_upper ? OVL_UPPER : 1;
  if (fstatvfs (fs->layers[layer].fd, &sv) < 0)
    fuse_reply_err (req, errno);
  else
    fuse_reply_statfs (req, &sv);
}
