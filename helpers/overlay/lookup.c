/* lookup.c: resolving a name across the layers (top first, stopping at a whiteout, a
   non-directory or an opaque directory), the attributes shown for a node, and the lookup,
   forget, getattr and readlink requests. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int
ovl_check_name (const char *name)
{
  size_t len = strlen (name);
  if (len == 0 || strchr (name, '/') || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return -EINVAL;
  if (len > NAME_MAX)
    return -ENAMETOOLONG;
  return 0;
}

/* Resolve parent/name in the layers from first down. */
static int
resolve_from (struct ovl_fs *fs, struct ovl_node *parent, const char *name, int first,
              struct ovl_found *found)
{
  char path[PATH_MAX], dpath[PATH_MAX];
  int r = ovl_child_path (parent, name, path, sizeof path);
  if (r < 0)
    return r;
  bool have_dpath = false;
  found->layer = -1;
  found->whiteout_layer = -1;
  found->dir_layers = 0;
  for (int l = first; l < fs->n_layers; l++)
    {
      if (!(parent->dir_layers & (1ULL << l)))
        continue;
      struct stat st;
      if (fstatat (fs->layers[l].fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          if (ovl_is_whiteout_stat (&st))
            {
              found->whiteout_layer = l;
              break;
            }
          if (found->layer < 0)
            {
              found->layer = l;
              found->st = st;
            }
          if (!S_ISDIR (st.st_mode) || !S_ISDIR (found->st.st_mode))
            break;
          found->dir_layers |= 1ULL << l;
          if ((r = ovl_is_opaque (fs, l, path)) != 0)
            {
              if (r < 0)
                return r;
              break;
            }
          continue;
        }
      if (errno != ENOENT && errno != ENOTDIR)
        return -errno;
      if (!have_dpath)
        {
          if ((r = ovl_node_path (parent, dpath, sizeof dpath)) < 0)
            return r;
          have_dpath = true;
        }
      if ((r = ovl_has_whiteout_file (fs, l, dpath, name)) != 0)
        {
          if (r < 0)
            return r;
          found->whiteout_layer = l;
          break;
        }
    }
  return 0;
}

int
ovl_resolve (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
             struct ovl_found *found)
{
  return resolve_from (fs, parent, name, 0, found);
}

/* 1 when a layer below `below` shows parent/name: a whiteout is needed to remove it. */
int
ovl_exists_below (struct ovl_fs *fs, struct ovl_node *parent, const char *name, int below)
{
  struct ovl_found f;
  int r = resolve_from (fs, parent, name, below + 1, &f);
  return r < 0 ? r : f.layer >= 0;
}

void
ovl_stat_present (struct ovl_fs *fs, struct ovl_node *node, struct stat *st)
{
  st->st_ino = node->ino;
  st->st_uid = ovl_uid_to_container (fs, st->st_uid);
  st->st_gid = ovl_gid_to_container (fs, st->st_gid);
  /* a merged directory's link count is unknown: 1, as the kernel's overlayfs says */
  if (S_ISDIR (st->st_mode)
      && (fs->opt.static_nlink || (node->dir_layers & (node->dir_layers - 1))))
    st->st_nlink = 1;
}

/* How long the kernel may keep attributes: a file with several names may be known to the
   kernel as several inodes (a name looked up anew), which must not go stale. */
double
ovl_attr_timeout (struct ovl_fs *fs, const struct stat *st)
{
  return S_ISREG (st->st_mode) && st->st_nlink > 1 ? 0.0 : fs->timeout;
}

int
ovl_node_stat (struct ovl_fs *fs, struct ovl_node *node, struct stat *st)
{
  char path[PATH_MAX];
  int r = ovl_node_path (node, path, sizeof path);
  if (r < 0)
    return r;
  if (fstatat (fs->layers[node->layer].fd, path, st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  ovl_stat_present (fs, node, st);
  return 0;
}

/* A node for parent/name without a kernel reference (forget it with n = 0 when done). */
int
ovl_child_node (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                struct ovl_found *found, struct ovl_node **out)
{
  struct ovl_found local, *f = found ? found : &local;
  int r = ovl_resolve (fs, parent, name, f);
  if (r < 0)
    return r;
  if (f->layer < 0)
    return -ENOENT;
  struct ovl_node *node = ovl_node_find (fs, parent, name);
  if (!node)
    {
      node = ovl_node_new (fs, parent, name);
      if (!node)
        return -ENOMEM;
      node->ino = f->layer == OVL_UPPER ? ovl_inomap_get (fs, f->st.st_ino) : f->st.st_ino;
    }
  node->layer = f->layer;
  node->type = f->st.st_mode & S_IFMT;
  node->dir_layers = f->dir_layers;
  *out = node;
  return 0;
}

/* Look parent/name up and count one kernel reference on its node. */
int
ovl_lookup_entry (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                  struct fuse_entry_param *e, struct ovl_node **out)
{
  if (!S_ISDIR (parent->type))
    return -ENOTDIR;
  int r = ovl_check_name (name);
  if (r < 0)
    return r;
  if (ovl_is_private_name (name))
    return -ENOENT;
  struct ovl_found f;
  struct ovl_node *node;
  if ((r = ovl_child_node (fs, parent, name, &f, &node)) < 0)
    return r;
  ovl_fill_entry (fs, node, &f.st, e);
  if (out)
    *out = node;
  return 0;
}

/* The entry of a reply for node with the layer's attributes st; one kernel reference. */
void
ovl_fill_entry (struct ovl_fs *fs, struct ovl_node *node, const struct stat *st,
                struct fuse_entry_param *e)
{
  memset (e, 0, sizeof *e);
  e->attr = *st;
  ovl_stat_present (fs, node, &e->attr);
  e->ino = node->id;
  e->attr_timeout = ovl_attr_timeout (fs, st);
  e->entry_timeout = fs->timeout;
  node->nlookup++;
}

void
ovl_lookup (fuse_req_t req, fuse_ino_t parent, const char *name)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct fuse_entry_param e;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *p = ovl_node_get (fs, parent);
  int r = p ? ovl_lookup_entry (fs, p, name, &e, NULL) : -ESTALE;
  pthread_mutex_unlock (&fs->lock);
  if (r == -ENOENT)
    {
      /* a negative entry the kernel may keep: every new name comes through us */
      memset (&e, 0, sizeof e);
      e.entry_timeout = fs->timeout;
      fuse_reply_entry (req, &e);
    }
  else if (r < 0)
    fuse_reply_err (req, -r);
  else
    fuse_reply_entry (req, &e);
}

void
ovl_forget (fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (node)
    ovl_node_forget (fs, node, nlookup);
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_none (req);
}

void
ovl_forget_multi (fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  pthread_mutex_lock (&fs->lock);
  for (size_t i = 0; i < count; i++)
    {
      struct ovl_node *node = ovl_node_get (fs, forgets[i].ino);
      if (node)
        ovl_node_forget (fs, node, forgets[i].nlookup);
    }
  pthread_mutex_unlock (&fs->lock);
  fuse_reply_none (req);
}

/* Reply to a getattr or setattr: the error r, or the attributes. */
void
ovl_reply_attr (fuse_req_t req, int r, const struct stat *st)
{
  if (r < 0)
    fuse_reply_err (req, -r);
  else
    fuse_reply_attr (req, st, ovl_attr_timeout (ovl_fs_of (req), st));
}

void
ovl_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  struct stat st;
  int r;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (!node)
    r = -ESTALE;
  else if (fi && fi->fh && !S_ISDIR (node->type))
    {
      r = fstat (ovl_fh_fd (fi), &st) < 0 ? -errno : 0;
      if (r == 0)
        ovl_stat_present (fs, node, &st);
    }
  else if (!node->hashed && node != fs->root)
    r = -ENOENT; /* removed: its path names something else now */
  else
    r = ovl_node_stat (fs, node, &st);
  pthread_mutex_unlock (&fs->lock);
  ovl_reply_attr (req, r, &st);
}

void
ovl_readlink (fuse_req_t req, fuse_ino_t ino)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  char path[PATH_MAX], target[PATH_MAX];
  ssize_t n = -ESTALE;
  pthread_mutex_lock (&fs->lock);
  struct ovl_node *node = ovl_node_get (fs, ino);
  if (node)
    {
      int r = ovl_node_path (node, path, sizeof path);
      if (r < 0)
        n = r;
      else
        {
          n = readlinkat (fs->layers[node->layer].fd, path, target, sizeof target - 1);
          if (n < 0)
            n = -errno;
        }
    }
  pthread_mutex_unlock (&fs->lock);
  if (n < 0)
    {
      fuse_reply_err (req, (int)-n);
      return;
    }
  target[n] = '\0';
  fuse_reply_readlink (req, target);
}
