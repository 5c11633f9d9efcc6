/* dir_ops.c: opendir takes a snapshot of the merged listing; readdir and readdirplus page
   through it (readdirplus looks every entry up, so `ls -l` and `find` need no more
   requests); releasedir and fsyncdir. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dir_handle
{
  struct ovl_dirlist list;
  ino_t dot_ino;    /* "." and "..": a zero d_ino makes readdir(3) skip the entry */
  ino_t dotdot_ino;
};

void
ovl_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct dir_handle *h = calloc (1, sizeof *h);
  if (!h)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  int r = !node ? -ESTALE : !S_ISDIR (node->type) ? -ENOTDIR : ovl_dir_list (fs, node, &h->list, false);
  if (r == 0)
    {
      h->dot_ino = node->ino;
      h->dotdot_ino = node->parent ? node->parent->ino : node->ino;
    }
  pthread_mutex_unlock (&fs->lock);
  if (r < 0)
    {
      free (h);
      fuse_reply_err (req, -r);
      return;
    }
  fi->fh = (uintptr_t)h;
  /* the kernel may keep the listing: every change to the directory comes through us, and
     the kernel drops its copy on each of them */
  fi->cache_readdir = 1;
  fi->keep_cache = 1;
  if (fuse_reply_open (req, fi) == -ENOENT)
    {
      ovl_dirlist_free (&h->list);
      free (h);
    }
}

void
ovl_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
  if (h)
    {
      ovl_dirlist_free (&h->list);
      free (h);
    }
  fuse_reply_err (req, 0);
}

/* Entry i of the listing: 0 is ".", 1 is "..", then the merged names. */
static const char *
entry_name (struct dir_handle *h, size_t i)
{
  return i == 0 ? "." : i == 1 ? ".." : h->list.ents[i - 2].name;
}

static void
do_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi,
            bool plus)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
  if (!h || off < 0)
    {
      fuse_reply_err (req, EINVAL);
      return;
    }
  char *buf = malloc (size);
  if (!buf)
    {
      fuse_reply_err (req, ENOMEM);
      return;
    }
  size_t pos = 0, total = h->list.n + 2;
  struct ovl_node *dir = NULL;
  if (plus)
    {
      pthread_mutex_lock (&fs->lock);
      dir = ovl_node_get (fs, ino);
    }
  for (size_t i = (size_t)off; i < total; i++)
    {
      const char *name = entry_name (h, i);
      size_t n;
      if (!plus)
        {
          struct stat st = { 0 };
          st.st_ino = i == 0 ? h->dot_ino : i == 1 ? h->dotdot_ino : h->list.ents[i - 2].ino;
          st.st_mode = i < 2 ? S_IFDIR : (mode_t)h->list.ents[i - 2].type << 12;
          n = fuse_add_direntry (req, buf + pos, size - pos, name, &st, (off_t)i + 1);
          if (n > size - pos)
            break;
          pos += n;
          continue;
        }
      struct fuse_entry_param e;
      struct ovl_node *child = NULL;
      memset (&e, 0, sizeof e);
      if (i < 2 || !dir || ovl_lookup_entry (fs, dir, name, &e, &child) < 0)
        {
          /* "." and "..", or a name gone since opendir: no reference given */
          memset (&e, 0, sizeof e);
          e.attr.st_mode = S_IFDIR;
          e.attr.st_ino = i == 0 ? h->dot_ino : h->dotdot_ino;
          if (i >= 2)
            continue;
        }
      n = fuse_add_direntry_plus (req, buf + pos, size - pos, name, &e, (off_t)i + 1);
      if (n > size - pos)
        {
          if (child)
            ovl_node_forget (fs, child, 1);
          break;
        }
      pos += n;
    }
  if (plus)
    pthread_mutex_unlock (&fs->lock);
  fuse_reply_buf (req, buf, pos);
  free (buf);
}

void
ovl_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
  do_readdir (req, ino, size, off, fi, false);
}

void
ovl_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                 struct fuse_file_info *fi)
{
  do_readdir (req, ino, size, off, fi, true);
}

void
ovl_fsyncdir (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char path[PATH_MAX];
  int r = 0;
  if (!fs->opt.fsync || !fs->has_upper)
    {
      fuse_reply_err (req, 0);
      return;
    }
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (!node)
    r = -ESTALE;
  else if (node->layer == OVL_UPPER && (r = ovl_node_path (node, path, sizeof path)) == 0)
    {
      int fd = openat (fs->layers[OVL_UPPER].fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        r = -errno;
      else
        {
          if ((datasync ? fdatasync (fd) : fsync (fd)) < 0)
            r = -errno;
          close (fd);
        }
    }
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_err (req, -r);
}
