/* rename.c: rename of files and directories. The source is copied up (a directory with
   lower parts as a whole tree, made opaque, since the lower parts cannot move), renamed in
   the upper, and a whiteout left where a lower layer still shows the old name. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct rename_end
{
  struct ovl_node *parent;
  const char *name;
  struct ovl_found f;
  char path[PATH_MAX];
  char dpath[PATH_MAX];
};

static int
end_init (struct ovl_fs *fs, struct rename_end *end, struct ovl_node *parent, const char *name)
{
  int r = ovl_check_name (name);
  if (r < 0)
    return r;
  if (ovl_is_private_name (name))
    return -EINVAL;
  if (!S_ISDIR (parent->type))
    return -ENOTDIR;
  end->parent = parent;
  end->name = name;
  if ((r = ovl_resolve (fs, parent, name, &end->f)) < 0)
    return r;
  if ((r = ovl_child_path (parent, name, end->path, sizeof end->path)) < 0)
    return r;
  return ovl_node_path (parent, end->dpath, sizeof end->dpath);
}

static int
is_empty_dir (struct ovl_fs *fs, struct rename_end *end)
{
  struct ovl_node probe = { .parent = end->parent, .name = (char *)end->name,
                            .type = S_IFDIR, .dir_layers = end->f.dir_layers };
  struct ovl_dirlist list;
  int r = ovl_dir_list (fs, &probe, &list, true);
  if (r < 0)
    return r;
  r = list.n == 0;
  ovl_dirlist_free (&list);
  return r;
}

/* Copy up what moves: a whole tree for a directory with lower parts. */
static int
copy_up_source (struct ovl_fs *fs, struct rename_end *src, struct ovl_node **node)
{
  int r = ovl_child_node (fs, src->parent, src->name, NULL, node);
  if (r < 0)
    return r;
  r = S_ISDIR ((*node)->type) ? ovl_copy_up_tree (fs, *node) : ovl_copy_up (fs, *node, true);
  if (r < 0)
    ovl_node_forget (fs, *node, 0);
  return r;
}

static int
do_exchange (struct ovl_fs *fs, struct rename_end *src, struct rename_end *dst)
{
  if (dst->f.layer < 0)
    return -ENOENT;
  struct ovl_node *a, *b;
  int r;
  if ((r = copy_up_source (fs, src, &a)) < 0)
    return r;
  if ((r = copy_up_source (fs, dst, &b)) < 0)
    {
      ovl_node_forget (fs, a, 0);
      return r;
    }
  int up = fs->layers[OVL_UPPER].fd;
  if (renameat2 (up, src->path, up, dst->path, RENAME_EXCHANGE) < 0)
    r = -errno;
  else
    {
      ovl_node_unhash (fs, a);
      ovl_node_unhash (fs, b);
      /* each takes the other's place */
      if ((r = ovl_node_move (fs, b, src->parent, src->name)) == 0)
        r = ovl_node_move (fs, a, dst->parent, dst->name);
    }
  ovl_node_forget (fs, a, 0);
  ovl_node_forget (fs, b, 0);
  return r;
}

static int
do_rename (struct ovl_fs *fs, struct ovl_node *sp, const char *sname, struct ovl_node *dp,
           const char *dname, unsigned int flags)
{
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
    return -EINVAL;
  if (!fs->has_upper)
    return -EROFS;
  struct rename_end src, dst;
  int r;
  if ((r = end_init (fs, &src, sp, sname)) < 0 || (r = end_init (fs, &dst, dp, dname)) < 0)
    return r;
  if (src.f.layer < 0)
    return -ENOENT;
  if (sp == dp && strcmp (sname, dname) == 0)
    return 0;
  if ((r = ovl_copy_up (fs, sp, false)) < 0 || (r = ovl_copy_up (fs, dp, false)) < 0)
    return r;
  if (flags & RENAME_EXCHANGE)
    return do_exchange (fs, &src, &dst);
  bool src_dir = S_ISDIR (src.f.st.st_mode);
  if (dst.f.layer >= 0)
    {
      if (flags & RENAME_NOREPLACE)
        return -EEXIST;
      bool dst_dir = S_ISDIR (dst.f.st.st_mode);
      if (src_dir && !dst_dir)
        return -ENOTDIR;
      if (!src_dir && dst_dir)
        return -EISDIR;
      if (dst_dir && (r = is_empty_dir (fs, &dst)) <= 0)
        return r < 0 ? r : -ENOTEMPTY;
    }
  int src_below = src.f.layer != OVL_UPPER ? 1 : ovl_exists_below (fs, sp, sname, OVL_UPPER);
  int dst_below = ovl_exists_below (fs, dp, dname, OVL_UPPER);
  if (src_below < 0 || dst_below < 0)
    return src_below < 0 ? src_below : dst_below;
  struct ovl_node *node;
  if ((r = copy_up_source (fs, &src, &node)) < 0)
    return r;
  int up = fs->layers[OVL_UPPER].fd;
  struct stat old;
  bool replaced = dst.f.layer == OVL_UPPER && fstatat (up, dst.path, &old, AT_SYMLINK_NOFOLLOW) == 0;
  if (replaced && S_ISDIR (old.st_mode))
    r = ovl_clear_upper_dir (fs, dst.path);
  if (r == 0)
    r = ovl_remove_whiteout (fs, dst.dpath, dname);
  if (r == 0 && renameat (up, src.path, up, dst.path) < 0)
    r = -errno;
  if (r == 0 && src_dir && dst_below)
    r = ovl_set_opaque (fs, dst.path);
  if (r == 0 && src_below)
    r = ovl_make_whiteout (fs, src.dpath, sname);
  if (r == 0)
    {
      if (replaced && (old.st_nlink <= 1 || S_ISDIR (old.st_mode)))
        ovl_inomap_drop (fs, old.st_ino);
      struct ovl_node *victim = ovl_node_find (fs, dp, dname);
      if (victim)
        ovl_node_unhash (fs, victim);
      r = ovl_node_move (fs, node, dp, dname);
      if (src_dir && dst_below)
        node->dir_layers = 1ULL << OVL_UPPER;
    }
  ovl_node_forget (fs, node, 0);
  return r;
}

void
ovl_rename (fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
            const char *newname, unsigned int flags)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *sp = ovl_node_get (fs, parent);
  struct ovl_node *dp = ovl_node_get (fs, newparent);
  int r = sp && dp ? do_rename (fs, sp, name, dp, newname, flags) : -ESTALE;
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_err (req, -r);
}
