/* name_ops.c: making names (mkdir, mknod, symlink, link, create) in the upper layer over
   whatever whiteout hid a lower one, and removing names (unlink, rmdir) with a whiteout
   where a lower layer still has them. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Make room for parent/name in the upper: it must not exist in the merged view; the
   parent is copied up and a whiteout of the name removed. below: a lower layer has it. */
int
ovl_prepare_new_name (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                      char *path, size_t size, bool *below)
{
  int r = ovl_check_name (name);
  if (r < 0)
    return r;
  if (ovl_is_private_name (name))
    return -EINVAL;
  if (!fs->has_upper)
    return -EROFS;
  if (!S_ISDIR (parent->type))
    return -ENOTDIR;
  struct ovl_found f;
  if ((r = ovl_resolve (fs, parent, name, &f)) < 0)
    return r;
  if (f.layer >= 0)
    return -EEXIST;
  if ((r = ovl_copy_up (fs, parent, false)) < 0)
    return r;
  if ((r = ovl_child_path (parent, name, path, size)) < 0)
    return r;
  /* a whiteout hid it: a lower layer may hold the name (a new directory must hide it) */
  *below = f.whiteout_layer >= 0;
  if (f.whiteout_layer != OVL_UPPER)
    return 0;
  char dpath[PATH_MAX];
  if ((r = ovl_node_path (parent, dpath, sizeof dpath)) < 0)
    return r;
  return ovl_remove_whiteout (fs, dpath, name);
}

static bool
parent_is_setgid (struct ovl_fs *fs, struct ovl_node *parent)
{
  char p[PATH_MAX];
  struct stat st;
  return ovl_node_path (parent, p, sizeof p) == 0
         && fstatat (fs->layers[OVL_UPPER].fd, p, &st, 0) == 0 && (st.st_mode & S_ISGID);
}

/* The node and reply entry of a name just made in the upper. */
static int
new_entry (struct ovl_fs *fs, struct ovl_node *parent, const char *name, const char *path,
           struct fuse_entry_param *e)
{
  struct stat st;
  if (fstatat (fs->layers[OVL_UPPER].fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  struct ovl_node *node = ovl_node_find (fs, parent, name);
  if (!node && !(node = ovl_node_new (fs, parent, name)))
    return -ENOMEM;
  node->ino = ovl_inomap_get (fs, st.st_ino);
  node->layer = OVL_UPPER;
  node->type = st.st_mode & S_IFMT;
  /* new directories have nothing below: nothing was there, or they are opaque */
  node->dir_layers = S_ISDIR (st.st_mode) ? 1ULL << OVL_UPPER : 0;
  ovl_fill_entry (fs, node, &st, e);
  return 0;
}

/* After the new upper object exists: owner, opacity, and the entry for the reply. On
   failure the object goes and the whiteout comes back. */
static int
finish_new (struct ovl_fs *fs, fuse_req_t req, struct ovl_node *parent, const char *name,
            const char *path, bool below, bool is_dir, struct fuse_entry_param *e)
{
  int r = ovl_set_owner (fs, path, req, parent_is_setgid (fs, parent));
  if (r == 0 && is_dir && below)
    r = ovl_set_opaque (fs, path);
  if (r == 0)
    r = new_entry (fs, parent, name, path, e);
  if (r < 0)
    {
      if (is_dir)
        ovl_clear_upper_dir (fs, path);
      unlinkat (fs->layers[OVL_UPPER].fd, path, is_dir ? AT_REMOVEDIR : 0);
    }
  return r;
}

static void
restore_whiteout (struct ovl_fs *fs, struct ovl_node *parent, const char *name, bool below)
{
  char dpath[PATH_MAX];
  if (below && ovl_node_path (parent, dpath, sizeof dpath) == 0)
    ovl_make_whiteout (fs, dpath, name);
}

enum new_kind
{
  NEW_DIR,
  NEW_NODE,
  NEW_SYMLINK
};

static void
make_name (fuse_req_t req, fuse_ino_t parent_id, const char *name, enum new_kind kind,
           mode_t mode, dev_t rdev, const char *target)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct fuse_entry_param e;
  char path[PATH_MAX];
  bool below = false;
  int r;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *parent = ovl_node_get (fs, parent_id);
  if (!parent)
    r = -ESTALE;
  else if ((r = ovl_prepare_new_name (fs, parent, name, path, sizeof path, &below)) == 0)
    {
      int up = fs->layers[OVL_UPPER].fd;
      int made = kind == NEW_DIR       ? mkdirat (up, path, mode & 07777)
                 : kind == NEW_SYMLINK ? symlinkat (target, up, path)
                                       : mknodat (up, path, mode, rdev);
      r = made < 0 ? -errno : finish_new (fs, req, parent, name, path, below, kind == NEW_DIR, &e);
      if (r < 0)
        restore_whiteout (fs, parent, name, below);
    }
  pthread_mutex_unlock (&fs->lock);
  if (r < 0)
    fuse_reply_err (req, -r);
  else
    fuse_reply_entry (req, &e);
}

void
ovl_mkdir (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
  make_name (req, parent, name, NEW_DIR, mode, 0, NULL);
}

void
ovl_mknod (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
  make_name (req, parent, name, NEW_NODE, mode, rdev, NULL);
}

void
ovl_symlink (fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
  make_name (req, parent, name, NEW_SYMLINK, 0, 0, link);
}

void
ovl_create (fuse_req_t req, fuse_ino_t parent_id, const char *name, mode_t mode,
            struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct fuse_entry_param e;
  char path[PATH_MAX];
  bool below = false;
  int r, fd = -1;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *parent = ovl_node_get (fs, parent_id);
  if (!parent)
    r = -ESTALE;
  else if ((r = ovl_prepare_new_name (fs, parent, name, path, sizeof path, &below)) == 0)
    {
      int flags = ovl_open_flags (fi->flags) | O_CREAT | O_EXCL;
      fd = openat (fs->layers[OVL_UPPER].fd, path, flags, mode & 07777);
      r = fd < 0 ? -errno : finish_new (fs, req, parent, name, path, below, false, &e);
      if (r < 0)
        restore_whiteout (fs, parent, name, below);
      else
        {
          struct ovl_node *node = ovl_node_get (fs, e.ino);
          if (node)
            node->written = true;
        }
    }
  pthread_mutex_unlock (&fs->lock);
  if (r < 0)
    {
      if (fd >= 0)
        close (fd);
      fuse_reply_err (req, -r);
      return;
    }
  fi->fh = (uint64_t)fd;
  /* A file made to be written only (tar, cp, a shell's >): the kernel sends its writes
     straight here rather than through the page cache, which spares the GETXATTR of
     security.capability it sends before each cached write (one round trip of the ten an
     untarred file costs); write_buf clears what the kernel then leaves. A write-only
     handle cannot be mapped, so no one sees another difference. */
  if ((fi->flags & O_ACCMODE) == O_WRONLY)
    {
      fi->direct_io = 1;
      fi->fh |= OVL_FH_DIRECT;
    }
  if (fuse_reply_create (req, &e, fi) == -ENOENT)
    close (fd);
}

void
ovl_link (fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent_id, const char *newname)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct fuse_entry_param e;
  char oldpath[PATH_MAX], path[PATH_MAX];
  bool below = false;
  int r;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  struct ovl_node *parent = ovl_node_get (fs, newparent_id);
  if (!node || !parent)
    r = -ESTALE;
  else if (S_ISDIR (node->type))
    r = -EPERM;
  else if ((r = ovl_copy_up (fs, node, true)) == 0
           && (r = ovl_node_path (node, oldpath, sizeof oldpath)) == 0
           && (r = ovl_prepare_new_name (fs, parent, newname, path, sizeof path, &below)) == 0)
    {
      int up = fs->layers[OVL_UPPER].fd;
      r = linkat (up, oldpath, up, path, 0) < 0 ? -errno : 0;
      if (r < 0)
        restore_whiteout (fs, parent, newname, below);
      /* the kernel's new name is the same inode: the same node, which remembers the name
         to follow when its own goes */
      else if ((r = ovl_node_set_alias (fs, node, parent, newname)) == 0)
        {
          struct stat st;
          if (fstatat (up, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
            r = -errno;
          else
            ovl_fill_entry (fs, node, &st, &e);
        }
    }
  pthread_mutex_unlock (&fs->lock);
  if (r < 0)
    fuse_reply_err (req, -r);
  else
    fuse_reply_entry (req, &e);
}

/* Remove parent/name: the upper copy goes, a whiteout hides the lower ones. */
static int
remove_name (struct ovl_fs *fs, struct ovl_node *parent, const char *name, bool dir)
{
  int r = ovl_check_name (name);
  if (r < 0)
    return r;
  if (!fs->has_upper)
    return -EROFS;
  if (ovl_is_private_name (name))
    return -ENOENT;
  struct ovl_found f;
  if ((r = ovl_resolve (fs, parent, name, &f)) < 0)
    return r;
  if (f.layer < 0)
    return -ENOENT;
  if (dir && !S_ISDIR (f.st.st_mode))
    return -ENOTDIR;
  if (!dir && S_ISDIR (f.st.st_mode))
    return -EISDIR;
  char path[PATH_MAX], dpath[PATH_MAX];
  if ((r = ovl_child_path (parent, name, path, sizeof path)) < 0
      || (r = ovl_node_path (parent, dpath, sizeof dpath)) < 0)
    return r;
  if (dir)
    {
      struct ovl_node probe = { .parent = parent, .name = (char *)name, .type = S_IFDIR,
                                .dir_layers = f.dir_layers };
      struct ovl_dirlist list;
      if ((r = ovl_dir_list (fs, &probe, &list, true)) < 0)
        return r;
      bool empty = list.n == 0;
      ovl_dirlist_free (&list);
      if (!empty)
        return -ENOTEMPTY;
    }
  int below = f.layer != OVL_UPPER ? 1 : ovl_exists_below (fs, parent, name, OVL_UPPER);
  if (below < 0)
    return below;
  if ((r = ovl_copy_up (fs, parent, false)) < 0)
    return r;
  int up = fs->layers[OVL_UPPER].fd;
  if (f.layer == OVL_UPPER)
    {
      if (dir && (r = ovl_clear_upper_dir (fs, path)) < 0)
        return r;
      if (unlinkat (up, path, dir ? AT_REMOVEDIR : 0) < 0)
        return -errno;
      if (f.st.st_nlink <= 1 || dir)
        ovl_inomap_drop (fs, f.st.st_ino);
    }
  if (below && (r = ovl_make_whiteout (fs, dpath, name)) < 0)
    return r;
  struct ovl_node *node = ovl_node_find (fs, parent, name);
  if (node && node->alias_name && f.st.st_nlink > 1)
    return ovl_node_follow_alias (fs, node);
  if (node)
    ovl_node_unhash (fs, node);
  return 0;
}

static void
remove_op (fuse_req_t req, fuse_ino_t parent_id, const char *name, bool dir)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *parent = ovl_node_get (fs, parent_id);
  int r = parent ? remove_name (fs, parent, name, dir) : -ESTALE;
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_err (req, -r);
}

void
ovl_unlink (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  remove_op (req, parent, name, false);
}

void
ovl_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  remove_op (req, parent, name, true);
}
