/* setattr.c: chmod, chown (container ids mapped back to the host), truncate and utimes;
   the file is copied up first (without its data when truncated to 0). */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int
apply (struct ovl_fs *fs, const char *path, int fd, struct stat *attr, int to_set, bool is_link)
{
  int up = fs->layers[OVL_UPPER].fd;
  if (to_set & FUSE_SET_ATTR_MODE)
    {
      if (is_link)
        return -EOPNOTSUPP;
      if ((fd >= 0 ? fchmod (fd, attr->st_mode & 07777)
                   : fchmodat (up, path, attr->st_mode & 07777, 0))
          < 0)
        return -errno;
    }
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
    {
      uid_t uid = to_set & FUSE_SET_ATTR_UID ? ovl_uid_to_host (fs, attr->st_uid) : (uid_t)-1;
      gid_t gid = to_set & FUSE_SET_ATTR_GID ? ovl_gid_to_host (fs, attr->st_gid) : (gid_t)-1;
      if (fchownat (up, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    }
  if (to_set & FUSE_SET_ATTR_SIZE)
    {
      int tfd = fd >= 0 ? fd : openat (up, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      if (tfd < 0)
        return -errno;
      int r = ftruncate (tfd, attr->st_size) < 0 ? -errno : 0;
      if (tfd != fd)
        close (tfd);
      if (r < 0)
        return r;
    }
  if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))
    {
      struct timespec t[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
      if (to_set & FUSE_SET_ATTR_ATIME_NOW)
        t[0].tv_nsec = UTIME_NOW;
      else if (to_set & FUSE_SET_ATTR_ATIME)
        t[0] = attr->st_atim;
      if (to_set & FUSE_SET_ATTR_MTIME_NOW)
        t[1].tv_nsec = UTIME_NOW;
      else if (to_set & FUSE_SET_ATTR_MTIME)
        t[1] = attr->st_mtim;
      if ((fd >= 0 ? futimens (fd, t) : utimensat (up, path, t, AT_SYMLINK_NOFOLLOW)) < 0)
        return -errno;
    }
  return 0;
}

void
ovl_setattr (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
             struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char path[PATH_MAX];
  struct stat st;
  int r;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  bool truncate0 = (to_set & FUSE_SET_ATTR_SIZE) && attr->st_size == 0;
  /* ctime alone: a chown to no change (chown -1 -1), which with handle_killpriv is ours
     to clear bits for as any chown; else nothing to copy up for (the writeback cache
     sends it, even after an unlink) */
  bool ctime_only = (to_set & ~FUSE_SET_ATTR_CTIME) == 0;
  if (!node)
    r = -ESTALE;
  else if (!node->hashed && node != fs->root)
    r = -ENOENT; /* removed: its path names something else now */
  else if (ctime_only
           && ((r = ovl_node_stat (fs, node, &st)) < 0 || !fs->killpriv
               || !ovl_kill_bits (req, st.st_mode, st.st_gid, true)))
    ; /* nothing to change */
  else if (!fs->has_upper)
    r = -EROFS;
  else if ((r = ovl_copy_up (fs, node, !truncate0)) == 0
           && (r = ovl_node_path (node, path, sizeof path)) == 0)
    {
      /* what the caller's chown or truncation clears, by the mode and group before it */
      bool chown = (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) || ctime_only;
      mode_t kill = 0;
      if ((chown || (to_set & FUSE_SET_ATTR_SIZE)) && (r = ovl_node_stat (fs, node, &st)) == 0)
        kill = ovl_kill_bits (req, st.st_mode, st.st_gid, chown);
      /* an fd of the file opened before a copy-up by another name would be the lower's */
      int fd = fi && node->written ? ovl_fh_fd (fi) : -1;
      if (r == 0)
        r = apply (fs, path, fd, attr, to_set, S_ISLNK (node->type));
      if (r == 0)
        r = ovl_node_stat (fs, node, &st);
      if (r == 0 && (st.st_mode & kill))
        {
          r = fchmodat (fs->layers[OVL_UPPER].fd, path, st.st_mode & 07777 & ~kill, 0) < 0
                  ? -errno
                  : ovl_node_stat (fs, node, &st);
        }
    }
  pthread_mutex_unlock (&fs->lock);
  ovl_reply_attr (req, r, &st);
}
