/* copy_up.c: bringing a lower file or directory into the upper layer before it changes:
   parents first, built under a temporary name in the workdir (data by FICLONE, else
   copy_file_range, else read/write; then owner, mode, xattrs, times) and renamed into
   place, so a crash never leaves a half-copied file in the upper. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

int
ovl_tmp_name (struct ovl_fs *fs, char *buf, size_t size)
{
  int n = snprintf (buf, size, "t%d-%llu", (int)getpid (),
                    (unsigned long long)++fs->tmp_counter);
  return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int
copy_bytes (int src, int dst, off_t size)
{
  if (ioctl (dst, FICLONE, src) == 0)
    return 0;
  off_t done = 0;
  while (done < size)
    {
      size_t chunk = size - done > (1 << 30) ? (1 << 30) : (size_t)(size - done);
      ssize_t n = copy_file_range (src, NULL, dst, NULL, chunk, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
                    || errno == EOPNOTSUPP))
        break;
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;
      done += n;
    }
  if (done >= size)
    return 0;
  static __thread char buf[1 << 17];
  for (;;)
    {
      ssize_t n = pread (src, buf, sizeof buf, done);
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;
      for (ssize_t w = 0; w < n;)
        {
          ssize_t m = pwrite (dst, buf + w, n - w, done + w);
          if (m < 0)
            return -errno;
          w += m;
        }
      done += n;
    }
}

/* Every xattr but the overlay's own; ones the upper cannot take (trusted.* in a user
   namespace, security.* without the LSM) are left out, as fuse-overlayfs does. */
int
ovl_copy_xattrs (const char *src, const char *dst)
{
  ssize_t len = llistxattr (src, NULL, 0);
  if (len <= 0)
    return len < 0 && errno != ENOTSUP ? -errno : 0;
  char *names = malloc (len);
  char *value = malloc (XATTR_SIZE_MAX);
  int r = 0;
  if (!names || !value)
    {
      r = -ENOMEM;
      goto out;
    }
  len = llistxattr (src, names, len);
  if (len < 0)
    {
      r = -errno;
      goto out;
    }
  for (char *n = names; n < names + len; n += strlen (n) + 1)
    {
      if (ovl_is_private_xattr (n))
        continue;
      ssize_t vlen = lgetxattr (src, n, value, XATTR_SIZE_MAX);
      if (vlen < 0)
        continue;
      if (lsetxattr (dst, n, value, vlen, 0) < 0 && errno != EPERM && errno != ENOTSUP
          && errno != EACCES)
        {
          r = -errno;
          break;
        }
    }
out:
  free (names);
  free (value);
  return r;
}

static int
make_copy (struct ovl_fs *fs, int layer, const char *path, const struct stat *st,
           const char *tmp, bool with_data)
{
  int lfd = fs->layers[layer].fd;
  switch (st->st_mode & S_IFMT)
    {
    case S_IFDIR:
      return mkdirat (fs->work_fd, tmp, 0700) < 0 ? -errno : 0;
    case S_IFREG:
      {
        int dst = openat (fs->work_fd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (dst < 0)
          return -errno;
        int r = 0;
        if (with_data && st->st_size > 0)
          {
            int src = openat (lfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            r = src < 0 ? -errno : copy_bytes (src, dst, st->st_size);
            if (src >= 0)
              close (src);
          }
        close (dst);
        return r;
      }
    case S_IFLNK:
      {
        char target[PATH_MAX];
        ssize_t n = readlinkat (lfd, path, target, sizeof target - 1);
        if (n < 0)
          return -errno;
        target[n] = '\0';
        return symlinkat (target, fs->work_fd, tmp) < 0 ? -errno : 0;
      }
    default:
      return mknodat (fs->work_fd, tmp, st->st_mode, st->st_rdev) < 0 ? -errno : 0;
    }
}

static int
copy_metadata (struct ovl_fs *fs, int layer, const char *path, const struct stat *st,
               const char *tmp)
{
  int w = fs->work_fd;
  /* an id the user namespace cannot represent (EINVAL) stays as it is: it cannot be kept */
  if (fchownat (w, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
    return -errno;
  if (!S_ISLNK (st->st_mode) && fchmodat (w, tmp, st->st_mode & 07777, 0) < 0)
    return -errno;
  char src[PATH_MAX], dst[PATH_MAX];
  if (ovl_abs_path (fs, layer, path, src, sizeof src) < 0)
    return -ENAMETOOLONG;
  snprintf (dst, sizeof dst, "/proc/self/fd/%d/%s", w, tmp);
  int r = ovl_copy_xattrs (src, dst);
  if (r < 0)
    return r;
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  if (utimensat (w, tmp, times, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  return 0;
}

/* Bring node into the upper layer (its parents first). with_data false: the caller is
   about to truncate it to 0 anyway. */
int
ovl_copy_up (struct ovl_fs *fs, struct ovl_node *node, bool with_data)
{
  if (node->layer == OVL_UPPER)
    return 0;
  if (!fs->has_upper)
    return -EROFS;
  int r;
  if (node->parent && (r = ovl_copy_up (fs, node->parent, false)) < 0)
    return r;
  ovl_push_wait (fs, node);
  char path[PATH_MAX], tmp[64];
  if ((r = ovl_node_path (node, path, sizeof path)) < 0 || (r = ovl_tmp_name (fs, tmp, sizeof tmp)) < 0)
    return r;
  struct stat st;
  if (fstatat (fs->layers[node->layer].fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (!node->parent)
    return -EIO; /* the root always has an upper copy when there is an upper */
  r = make_copy (fs, node->layer, path, &st, tmp, with_data);
  if (r == 0)
    r = copy_metadata (fs, node->layer, path, &st, tmp);
  if (r == 0 && renameat (fs->work_fd, tmp, fs->layers[OVL_UPPER].fd, path) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (fs->work_fd, tmp, S_ISDIR (st.st_mode) ? AT_REMOVEDIR : 0);
      return r;
    }
  struct stat up;
  if (fstatat (fs->layers[OVL_UPPER].fd, path, &up, AT_SYMLINK_NOFOLLOW) == 0)
    ovl_inomap_set (fs, up.st_ino, node->ino);
  node->layer = OVL_UPPER;
  if (S_ISDIR (st.st_mode))
    node->dir_layers |= 1ULL << OVL_UPPER;
  return 0;
}

/* Copy a whole merged directory into the upper and make it opaque: what a directory
   rename needs, as the lower parts cannot follow it. */
int
ovl_copy_up_tree (struct ovl_fs *fs, struct ovl_node *node)
{
  int r = ovl_copy_up (fs, node, true);
  if (r < 0 || node->dir_layers == (1ULL << OVL_UPPER))
    return r;
  struct ovl_dirlist list = { 0 };
  if ((r = ovl_dir_list (fs, node, &list, false)) < 0)
    return r;
  /* pinned: forgetting its last child must not free it under us */
  node->nlookup++;
  for (size_t i = 0; i < list.n && r == 0; i++)
    {
      struct ovl_node *child;
      if ((r = ovl_child_node (fs, node, list.ents[i].name, NULL, &child)) < 0)
        break;
      r = S_ISDIR (child->type) ? ovl_copy_up_tree (fs, child) : ovl_copy_up (fs, child, true);
      ovl_node_forget (fs, child, 0);
    }
  ovl_dirlist_free (&list);
  node->nlookup--;
  if (r < 0)
    return r;
  char path[PATH_MAX];
  if ((r = ovl_node_path (node, path, sizeof path)) < 0 || (r = ovl_set_opaque (fs, path)) < 0)
    return r;
  node->dir_layers = 1ULL << OVL_UPPER;
  return 0;
}

/* Give a new upper file the caller's owner (mapped to the host), as the kernel would. */
int
ovl_set_owner (struct ovl_fs *fs, const char *path, fuse_req_t req, bool setgid_parent)
{
  if (fs->opt.squash_uid >= 0 && fs->opt.squash_gid >= 0)
    return 0;
  const struct fuse_ctx *ctx = fuse_req_ctx (req);
  uid_t uid = fs->opt.squash_uid >= 0 ? (uid_t)-1 : ovl_uid_to_host (fs, ctx->uid);
  gid_t gid = fs->opt.squash_gid >= 0 || setgid_parent ? (gid_t)-1
                                                         : ovl_gid_to_host (fs, ctx->gid);
  if (uid == fs->euid)
    uid = (uid_t)-1;
  if (gid == fs->egid)
    gid = (gid_t)-1;
  if (uid == (uid_t)-1 && gid == (gid_t)-1)
    return 0;
  if (fchownat (fs->layers[OVL_UPPER].fd, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  return 0;
}
