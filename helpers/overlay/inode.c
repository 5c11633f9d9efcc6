/* inode.c: the inode table: nodes by FUSE nodeid and by (parent, name) in two hash tables,
   lookup counts, paths, and the copy-up map that keeps st_ino stable. All under fs->lock. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ovl_inomap_ent
{
  ino_t upper;
  ino_t origin;
  bool used;
};

struct ovl_inomap
{
  struct ovl_inomap_ent *ents;
  size_t cap; /* power of two */
  size_t n;
};

static uint64_t
hash_name (uint64_t parent, const char *name)
{
  uint64_t h = 1469598103934665603ULL ^ (parent * 0x9E3779B97F4A7C15ULL);
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * 1099511628211ULL;
  return h ^ (h >> 29);
}

static uint64_t
hash_id (uint64_t id)
{
  id *= 0x9E3779B97F4A7C15ULL;
  return id ^ (id >> 31);
}

static int
grow (struct ovl_fs *fs)
{
  size_t n = fs->n_buckets ? fs->n_buckets * 2 : 1024;
  struct ovl_node **by_name = calloc (n, sizeof *by_name);
  struct ovl_node **by_id = calloc (n, sizeof *by_id);
  if (!by_name || !by_id)
    {
      free (by_name);
      free (by_id);
      return -1;
    }
  for (size_t i = 0; i < fs->n_buckets; i++)
    {
      for (struct ovl_node *x = fs->by_id[i], *next; x; x = next)
        {
          next = x->next_by_id;
          size_t b = hash_id (x->id) & (n - 1);
          x->next_by_id = by_id[b];
          by_id[b] = x;
        }
      for (struct ovl_node *x = fs->by_name[i], *next; x; x = next)
        {
          next = x->next_by_name;
          size_t b = hash_name (x->parent->id, x->name) & (n - 1);
          x->next_by_name = by_name[b];
          by_name[b] = x;
        }
    }
  free (fs->by_name);
  free (fs->by_id);
  fs->by_name = by_name;
  fs->by_id = by_id;
  fs->n_buckets = n;
  return 0;
}

int
ovl_table_init (struct ovl_fs *fs)
{
  fs->inomap = calloc (1, sizeof *fs->inomap);
  if (!fs->inomap || grow (fs) < 0)
    return -1;
  fs->next_id = FUSE_ROOT_ID;
  fs->root = ovl_node_new (fs, NULL, "");
  if (!fs->root)
    return -1;
  fs->root->nlookup = 1;
  return 0;
}

void
ovl_table_free (struct ovl_fs *fs)
{
  for (size_t i = 0; i < fs->n_buckets; i++)
    for (struct ovl_node *x = fs->by_id[i], *next; x; x = next)
      {
        next = x->next_by_id;
        free (x->alias_name);
        free (x->name);
        free (x);
      }
  free (fs->by_id);
  free (fs->by_name);
  if (fs->inomap)
    free (fs->inomap->ents);
  free (fs->inomap);
}

/* The node of a nodeid the kernel sent; NULL for one we never gave out. */
struct ovl_node *
ovl_node_get (struct ovl_fs *fs, fuse_ino_t id)
{
  for (struct ovl_node *x = fs->by_id[hash_id (id) & (fs->n_buckets - 1)]; x; x = x->next_by_id)
    if (x->id == id)
      return x;
  return NULL;
}

struct ovl_node *
ovl_node_find (struct ovl_fs *fs, struct ovl_node *parent, const char *name)
{
  size_t b = hash_name (parent->id, name) & (fs->n_buckets - 1);
  for (struct ovl_node *x = fs->by_name[b]; x; x = x->next_by_name)
    if (x->parent == parent && strcmp (x->name, name) == 0)
      return x;
  return NULL;
}

static void
hash_by_name (struct ovl_fs *fs, struct ovl_node *node)
{
  size_t b = hash_name (node->parent->id, node->name) & (fs->n_buckets - 1);
  node->next_by_name = fs->by_name[b];
  fs->by_name[b] = node;
  node->hashed = true;
}

/* A new node, hashed under (parent, name) when it has a parent; nlookup 0. */
struct ovl_node *
ovl_node_new (struct ovl_fs *fs, struct ovl_node *parent, const char *name)
{
  if (fs->n_nodes >= fs->n_buckets && grow (fs) < 0)
    return NULL;
  struct ovl_node *node = calloc (1, sizeof *node);
  if (!node)
    return NULL;
  node->name = strdup (name);
  if (!node->name)
    {
      free (node);
      return NULL;
    }
  node->id = fs->next_id++;
  node->parent = parent;
  size_t b = hash_id (node->id) & (fs->n_buckets - 1);
  node->next_by_id = fs->by_id[b];
  fs->by_id[b] = node;
  fs->n_nodes++;
  if (parent)
    {
      parent->nchildren++;
      hash_by_name (fs, node);
    }
  return node;
}

/* The name went away (unlink, rmdir, replaced by rename); the kernel may still hold it. */
void
ovl_node_unhash (struct ovl_fs *fs, struct ovl_node *node)
{
  if (!node->hashed)
    return;
  struct ovl_node **pp = &fs->by_name[hash_name (node->parent->id, node->name)
                                      & (fs->n_buckets - 1)];
  for (; *pp; pp = &(*pp)->next_by_name)
    if (*pp == node)
      {
        *pp = node->next_by_name;
        break;
      }
  node->hashed = false;
}

int
ovl_node_move (struct ovl_fs *fs, struct ovl_node *node, struct ovl_node *parent,
               const char *name)
{
  char *n = strdup (name);
  if (!n)
    return -ENOMEM;
  ovl_node_unhash (fs, node);
  free (node->name);
  node->name = n;
  if (node->parent != parent)
    {
      parent->nchildren++;
      struct ovl_node *old = node->parent;
      node->parent = parent;
      old->nchildren--;
      ovl_node_forget (fs, old, 0);
    }
  hash_by_name (fs, node);
  return 0;
}

static void
drop_alias (struct ovl_fs *fs, struct ovl_node *node)
{
  struct ovl_node *p = node->alias_parent;
  free (node->alias_name);
  node->alias_name = NULL;
  node->alias_parent = NULL;
  if (p)
    {
      p->nchildren--;
      ovl_node_forget (fs, p, 0);
    }
}

/* A hard link made through the mount: the node is also parent/name. */
int
ovl_node_set_alias (struct ovl_fs *fs, struct ovl_node *node, struct ovl_node *parent,
                    const char *name)
{
  char *n = strdup (name);
  if (!n)
    return -ENOMEM;
  parent->nchildren++;
  drop_alias (fs, node);
  node->alias_parent = parent;
  node->alias_name = n;
  return 0;
}

/* The node's name was removed but its hard link made through the mount remains: the node
   (which the kernel holds for both) goes on as that name. */
int
ovl_node_follow_alias (struct ovl_fs *fs, struct ovl_node *node)
{
  struct ovl_node *p = node->alias_parent;
  int r = ovl_node_move (fs, node, p, node->alias_name);
  if (r == 0)
    drop_alias (fs, node);
  return r;
}

/* Drop n kernel references; a node nobody refers to is freed, and so up the tree. */
void
ovl_node_forget (struct ovl_fs *fs, struct ovl_node *node, uint64_t n)
{
  node->nlookup = n > node->nlookup ? 0 : node->nlookup - n;
  while (node && node != fs->root && node->nlookup == 0 && node->nchildren == 0)
    {
      struct ovl_node *parent = node->parent;
      ovl_node_unhash (fs, node);
      struct ovl_node **pp = &fs->by_id[hash_id (node->id) & (fs->n_buckets - 1)];
      for (; *pp; pp = &(*pp)->next_by_id)
        if (*pp == node)
          {
            *pp = node->next_by_id;
            break;
          }
      fs->n_nodes--;
      drop_alias (fs, node);
      free (node->name);
      free (node);
      parent->nchildren--;
      node = parent;
    }
}

/* The node's path relative to a layer root ("." for the root). */
int
ovl_node_path (const struct ovl_node *node, char *buf, size_t size)
{
  if (!node->parent)
    {
      if (size < 2)
        return -ENAMETOOLONG;
      strcpy (buf, ".");
      return 0;
    }
  size_t pos = size - 1;
  buf[pos] = '\0';
  for (const struct ovl_node *x = node; x->parent; x = x->parent)
    {
      size_t len = strlen (x->name);
      if (len + 1 > pos)
        return -ENAMETOOLONG;
      pos -= len;
      memcpy (buf + pos, x->name, len);
      if (x->parent->parent)
        buf[--pos] = '/';
    }
  memmove (buf, buf + pos, size - pos);
  return 0;
}

int
ovl_child_path (const struct ovl_node *parent, const char *name, char *buf, size_t size)
{
  if (!parent->parent)
    {
      size_t len = strlen (name);
      if (len + 1 > size)
        return -ENAMETOOLONG;
      memcpy (buf, name, len + 1);
      return 0;
    }
  int r = ovl_node_path (parent, buf, size);
  if (r < 0)
    return r;
  size_t used = strlen (buf), len = strlen (name);
  if (used + len + 2 > size)
    return -ENAMETOOLONG;
  buf[used] = '/';
  memcpy (buf + used + 1, name, len + 1);
  return 0;
}

/* ---- st_ino of copied-up files: upper ino -> the ino it had below */

static void
inomap_put (struct ovl_inomap *m, ino_t upper, ino_t origin)
{
  size_t i = hash_id (upper) & (m->cap - 1);
  while (m->ents[i].used && m->ents[i].upper != upper)
    i = (i + 1) & (m->cap - 1);
  if (!m->ents[i].used)
    m->n++;
  m->ents[i] = (struct ovl_inomap_ent){ upper, origin, true };
}

void
ovl_inomap_set (struct ovl_fs *fs, ino_t upper, ino_t origin)
{
  struct ovl_inomap *m = fs->inomap;
  if (upper == origin)
    return;
  if ((m->n + 1) * 2 > m->cap)
    {
      size_t cap = m->cap ? m->cap * 2 : 256;
      struct ovl_inomap_ent *old = m->ents, *ents = calloc (cap, sizeof *ents);
      if (!ents)
        return;
      size_t old_cap = m->cap;
      m->ents = ents;
      m->cap = cap;
      m->n = 0;
      for (size_t i = 0; i < old_cap; i++)
        if (old[i].used)
          inomap_put (m, old[i].upper, old[i].origin);
      free (old);
    }
  inomap_put (m, upper, origin);
}

ino_t
ovl_inomap_get (struct ovl_fs *fs, ino_t upper)
{
  struct ovl_inomap *m = fs->inomap;
  if (!m->n)
    return upper;
  for (size_t i = hash_id (upper) & (m->cap - 1); m->ents[i].used; i = (i + 1) & (m->cap - 1))
    if (m->ents[i].upper == upper)
      return m->ents[i].origin;
  return upper;
}

/* The upper file is gone: its ino may be reused by a new file. */
void
ovl_inomap_drop (struct ovl_fs *fs, ino_t upper)
{
  struct ovl_inomap *m = fs->inomap;
  if (!m->n)
    return;
  size_t i = hash_id (upper) & (m->cap - 1);
  while (m->ents[i].used && m->ents[i].upper != upper)
    i = (i + 1) & (m->cap - 1);
  if (!m->ents[i].used)
    return;
  /* re-insert the rest of the cluster (linear probing deletion) */
  m->ents[i].used = false;
  m->n--;
  for (size_t j = (i + 1) & (m->cap - 1); m->ents[j].used; j = (j + 1) & (m->cap - 1))
    {
      struct ovl_inomap_ent e = m->ents[j];
      m->ents[j].used = false;
      m->n--;
      inomap_put (m, e.upper, e.origin);
    }
}
