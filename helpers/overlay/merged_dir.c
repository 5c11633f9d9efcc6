/* merged_dir.c: the listing of a merged directory: the layers read top first, each name
   kept once (a hash set, not a list walk), whiteouts and opaque markers hidden. */
#include "config.h"
#include "overlay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct name_set
{
  char **slots;
  size_t cap; /* power of two */
  size_t n;
};

static uint64_t
hash_str (const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h ^ (h >> 32);
}

/* 1 when added, 0 when it was there, -ENOMEM */
static int
set_add (struct name_set *set, const char *name)
{
  if ((set->n + 1) * 2 > set->cap)
    {
      size_t cap = set->cap ? set->cap * 2 : 64;
      char **slots = calloc (cap, sizeof *slots);
      if (!slots)
        return -ENOMEM;
      for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
          {
            size_t j = hash_str (set->slots[i]) & (cap - 1);
            while (slots[j])
              j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
          }
      free (set->slots);
      set->slots = slots;
      set->cap = cap;
    }
  size_t i = hash_str (name) & (set->cap - 1);
  for (; set->slots[i]; i = (i + 1) & (set->cap - 1))
    if (strcmp (set->slots[i], name) == 0)
      return 0;
  set->slots[i] = strdup (name);
  if (!set->slots[i])
    return -ENOMEM;
  set->n++;
  return 1;
}

static void
set_free (struct name_set *set)
{
  for (size_t i = 0; i < set->cap; i++)
    free (set->slots[i]);
  free (set->slots);
}

static int
list_add (struct ovl_dirlist *list, const char *name, ino_t ino, unsigned char type)
{
  if (list->n == list->cap)
    {
      size_t cap = list->cap ? list->cap * 2 : 32;
      struct ovl_dirent *e = realloc (list->ents, cap * sizeof *e);
      if (!e)
        return -ENOMEM;
      list->ents = e;
      list->cap = cap;
    }
  char *n = strdup (name);
  if (!n)
    return -ENOMEM;
  list->ents[list->n++] = (struct ovl_dirent){ n, ino, type };
  return 0;
}

void
ovl_dirlist_free (struct ovl_dirlist *list)
{
  for (size_t i = 0; i < list->n; i++)
    free (list->ents[i].name);
  free (list->ents);
  memset (list, 0, sizeof *list);
}

static DIR *
open_layer_dir (struct ovl_fs *fs, int layer, const char *path)
{
  int fd = openat (fs->layers[layer].fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir (fd);
  if (!d)
    close (fd);
  return d;
}

/* One layer's entries: whiteouts go into seen as hidden names, the rest into list. */
static int
read_layer (struct ovl_fs *fs, int layer, DIR *d, struct name_set *seen,
            struct ovl_dirlist *list, bool stop_at_first)
{
  struct dirent *de;
  int r;
  errno = 0;
  while ((de = readdir (d)))
    {
      const char *name = de->d_name;
      if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
        continue;
      if (ovl_is_private_name (name))
        {
          if (strcmp (name, OVL_OPAQUE_FILE) != 0
              && (r = set_add (seen, name + OVL_WH_PREFIX_LEN)) < 0)
            return r;
          continue;
        }
      if (de->d_type == DT_CHR || de->d_type == DT_UNKNOWN)
        {
          struct stat st;
          if (fstatat (dirfd (d), name, &st, AT_SYMLINK_NOFOLLOW) == 0
              && ovl_is_whiteout_stat (&st))
            {
              if ((r = set_add (seen, name)) < 0)
                return r;
              continue;
            }
        }
      if ((r = set_add (seen, name)) <= 0)
        {
          if (r < 0)
            return r;
          continue;
        }
      ino_t ino = layer == OVL_UPPER ? ovl_inomap_get (fs, de->d_ino) : de->d_ino;
      if ((r = list_add (list, name, ino, de->d_type)) < 0)
        return r;
      if (stop_at_first)
        return 0;
    }
  return errno ? -errno : 0;
}

/* The merged entries of dir (no "." and ".."); stop_at_first: only whether it is empty. */
int
ovl_dir_list (struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *out,
              bool stop_at_first)
{
  char path[PATH_MAX];
  int r = ovl_node_path (dir, path, sizeof path);
  if (r < 0)
    return r;
  struct name_set seen = { 0 };
  memset (out, 0, sizeof *out);
  for (int l = 0; l < fs->n_layers && r == 0; l++)
    {
      if (!(dir->dir_layers & (1ULL << l)))
        continue;
      DIR *d = open_layer_dir (fs, l, path);
      if (!d)
        {
          r = errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
          continue;
        }
      r = read_layer (fs, l, d, &seen, out, stop_at_first);
      closedir (d);
      if (stop_at_first && out->n)
        break;
    }
  set_free (&seen);
  if (r < 0)
    ovl_dirlist_free (out);
  return r;
}

/* Before rmdir of an upper directory that is empty in the merged view: remove the
   whiteouts and opaque marker it still holds. */
int
ovl_clear_upper_dir (struct ovl_fs *fs, const char *path)
{
  DIR *d = open_layer_dir (fs, OVL_UPPER, path);
  if (!d)
    return errno == ENOENT ? 0 : -errno;
  int r = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      const char *name = de->d_name;
      if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
        continue;
      struct stat st;
      if (!ovl_is_private_name (name)
          && (fstatat (dirfd (d), name, &st, AT_SYMLINK_NOFOLLOW) < 0
              || !ovl_is_whiteout_stat (&st)))
        {
          r = -ENOTEMPTY;
          break;
        }
      if (unlinkat (dirfd (d), name, 0) < 0)
        {
          r = -errno;
          break;
        }
    }
  closedir (d);
  return r;
}
