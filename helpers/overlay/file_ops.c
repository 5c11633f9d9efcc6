/* file_ops.c: open (copy-up before a write), read and write by fd with splice where the
   kernel allows, release, fsync, fallocate, lseek. Data requests take no lock: the fd in
   fi->fh is all they need. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* The flags to open a layer's file with for the kernel's open flags. O_DIRECT stays with
   the kernel, which already sends such I/O to us uncached: on the layer's file it would
   refuse the unaligned buffers of a splice from /dev/fuse (EINVAL). */
int
ovl_open_flags (int flags)
{
  return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_DIRECT)) | O_CLOEXEC | O_NOFOLLOW;
}

void
ovl_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  bool writes = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
  char path[PATH_MAX];
  int r = 0, fd = -1;
  bool keep = false, lower = false;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (!node)
    r = -ESTALE;
  else if (writes && !fs->has_upper)
    r = -EROFS;
  else if (writes && (r = ovl_copy_up (fs, node, !(fi->flags & O_TRUNC))) < 0)
    ;
  else if ((r = ovl_node_path (node, path, sizeof path)) == 0)
    {
      fd = openat (fs->layers[node->layer].fd, path, ovl_open_flags (fi->flags));
      if (fd < 0)
        r = -errno;
      if (writes)
        node->written = true;
      lower = node->layer != OVL_UPPER;
      /* another name of the file may have been written through another kernel inode */
      struct stat st;
      keep = fd >= 0 && !node->written && fstat (fd, &st) == 0 && st.st_nlink == 1;
    }
  pthread_mutex_unlock (&fs->lock);
  /* the kernel sends no SETATTR after an open that truncated (atomic_o_trunc) */
  if (r == 0 && (fi->flags & O_TRUNC) && (r = ovl_kill_privs_fd (req, fd, false, true)) < 0)
    close (fd);
  if (r < 0)
    {
      fuse_reply_err (req, -r);
      return;
    }
  fi->fh = (uint64_t)fd;
  if (lower)
    fi->fh |= OVL_FH_LOWER;
  fi->keep_cache = keep;
  if (fuse_reply_open (req, fi) == -ENOENT)
    close (fd);
}

/* The fds of lower files that now read their node's upper copy (follow_copy_up), so that
   it is looked for once. Larger fds are looked at on every read. */
#define FD_TRACKED 65536
static uint8_t fd_upper[FD_TRACKED];

/* A lower file's fd, once its node has been copied up (opened for writing through another
   handle), reads the upper copy, as on the kernel's overlayfs: the new file is put in
   place of the old under the same number (the kernel knows the handle by it). Otherwise
   the old data it read would fill the page cache that every open of the file shares.
   True while the fd still reads a lower file. */
static bool
follow_copy_up (struct ovl_fs *fs, fuse_ino_t ino, int fd)
{
  if (fd < FD_TRACKED && __atomic_load_n (&fd_upper[fd], __ATOMIC_RELAXED))
    return false;
  char path[PATH_MAX];
  int up = -1;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  bool node_lower = node && node->layer != OVL_UPPER;
  if (node && node->layer == OVL_UPPER && ovl_node_path (node, path, sizeof path) == 0)
    up = openat (fs->layers[OVL_UPPER].fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  pthread_mutex_unlock (&fs->lock);
  if (up < 0)
    return node_lower;
  if (dup3 (up, fd, O_CLOEXEC) == fd && fd < FD_TRACKED)
    __atomic_store_n (&fd_upper[fd], 1, __ATOMIC_RELAXED);
  close (up);
  return false;
}

void
ovl_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
  if (fi->fh & OVL_FH_LOWER)
    {
      if (follow_copy_up (ovl_fs_of (req), ino, ovl_fh_fd (fi)))
        ovl_push_read (ino, ovl_fh_fd (fi), off, size);
    }
  size_t room;
  char *ring = ovl_uring_payload (&room);
  if (ring && size <= room)
    {
      /* over io_uring: straight into the buffer the kernel reads the reply from */
      ssize_t n = pread (ovl_fh_fd (fi), ring, size, off);
      if (n < 0)
        fuse_reply_err (req, errno);
      else
        fuse_reply_buf (req, ring, (size_t)n);
      return;
    }
  struct fuse_bufvec buf = FUSE_BUFVEC_INIT (size);
  buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  buf.buf[0].fd = ovl_fh_fd (fi);
  buf.buf[0].pos = off;
  fuse_reply_data (req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void
ovl_write_buf (fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in, off_t off,
               struct fuse_file_info *fi)
{
  struct fuse_bufvec out = FUSE_BUFVEC_INIT (fuse_buf_size (in));
  out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
  out.buf[0].fd = ovl_fh_fd (fi);
  out.buf[0].pos = off;
  /* the kernel leaves some clearing to us, and all of it on a direct handle; a write
     back of mapped pages clears nothing, as in the kernel */
  int r = fi->writepage ? 0 : ovl_kill_privs_fd (req, out.buf[0].fd, false, fi->fh & OVL_FH_DIRECT);
  if (r < 0)
    {
      fuse_reply_err (req, -r);
      return;
    }
  ssize_t n = fuse_buf_copy (&out, in, 0);
  if (n < 0)
    fuse_reply_err (req, (int)-n);
  else
    fuse_reply_write (req, (size_t)n);
}

void
ovl_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  int fd = ovl_fh_fd (fi);
  if (fd < FD_TRACKED)
    __atomic_store_n (&fd_upper[fd], 0, __ATOMIC_RELAXED);
  close (fd);
  fuse_reply_err (req, 0);
}

void
ovl_fsync (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  int r = 0;
  if (fs->opt.fsync)
    r = (datasync ? fdatasync (ovl_fh_fd (fi)) : fsync (ovl_fh_fd (fi))) < 0 ? errno : 0;
  fuse_reply_err (req, r);
}

void
ovl_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
               struct fuse_file_info *fi)
{
  int r = ovl_kill_privs_fd (req, ovl_fh_fd (fi), false, false);
  if (r == 0 && fallocate (ovl_fh_fd (fi), mode, offset, length) < 0)
    r = -errno;
  fuse_reply_err (req, -r);
}

void
ovl_lseek (fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
  off_t r = lseek (ovl_fh_fd (fi), off, whence);
  if (r < 0)
    fuse_reply_err (req, errno);
  else
    fuse_reply_lseek (req, r);
}
