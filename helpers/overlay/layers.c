/* layers.c: opening and checking the layers before anything is mounted: every lowerdir
   exists, upper and work share a filesystem, no layer lies inside another. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
open_layer (struct ovl_layer *l, const char *what, const char *given)
{
  l->fd = -1;
  char *real = realpath (given, NULL);
  if (!real)
    {
      fprintf (stderr, "burrow-overlay: %s %s: %s\n", what, given, strerror (errno));
      return -1;
    }
  l->path = real;
  l->fd = open (real, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (l->fd < 0)
    {
      fprintf (stderr, "burrow-overlay: %s %s: %s\n", what, given,
               errno == ENOTDIR ? "not a directory" : strerror (errno));
      return -1;
    }
  struct stat st;
  if (fstat (l->fd, &st) < 0)
    {
      fprintf (stderr, "burrow-overlay: %s %s: %s\n", what, given, strerror (errno));
      return -1;
    }
  l->dev = st.st_dev;
  return 0;
}

/* a is b or lies below it */
static bool
path_within (const char *a, const char *b)
{
  size_t n = strlen (b);
  if (strcmp (b, "/") == 0)
    return true;
  return strncmp (a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static int
check_overlaps (struct ovl_fs *fs, const char *work)
{
  for (int i = 1; i < fs->n_layers; i++)
    {
      const char *lp = fs->layers[i].path;
      if (work && path_within (work, lp))
        {
          fprintf (stderr, "burrow-overlay: workdir %s is inside lowerdir %s\n", work, lp);
          return -1;
        }
      if (fs->has_upper
          && (path_within (fs->layers[0].path, lp) || path_within (lp, fs->layers[0].path)))
        {
          fprintf (stderr, "burrow-overlay: upperdir %s and lowerdir %s overlap\n",
                   fs->layers[0].path, lp);
          return -1;
        }
      for (int j = 1; j < i; j++)
        if (path_within (lp, fs->layers[j].path) || path_within (fs->layers[j].path, lp))
          {
            fprintf (stderr, "burrow-overlay: lowerdirs %s and %s overlap\n",
                     fs->layers[j].path, lp);
            return -1;
          }
    }
  if (work && (path_within (work, fs->layers[0].path) || path_within (fs->layers[0].path, work)))
    {
      fprintf (stderr, "burrow-overlay: upperdir %s and workdir %s overlap\n",
               fs->layers[0].path, work);
      return -1;
    }
  return 0;
}

static int
open_workdir (struct ovl_fs *fs)
{
  struct ovl_layer w = { 0 };
  if (open_layer (&w, "workdir", fs->opt.workdir) < 0)
    {
      free (w.path);
      if (w.fd >= 0)
        close (w.fd);
      return -1;
    }
  int r = -1;
  if (check_overlaps (fs, w.path) < 0)
    goto out;
  if (w.dev != fs->layers[0].dev)
    {
      fprintf (stderr, "burrow-overlay: upperdir %s and workdir %s are on different filesystems\n",
               fs->layers[0].path, w.path);
      goto out;
    }
  if (mkdirat (w.fd, "burrow", 0700) < 0 && errno != EEXIST)
    {
      fprintf (stderr, "burrow-overlay: workdir %s: cannot create burrow/: %s\n", w.path,
               strerror (errno));
      goto out;
    }
  fs->work_fd = openat (w.fd, "burrow", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fs->work_fd < 0)
    {
      fprintf (stderr, "burrow-overlay: workdir %s/burrow: %s\n", w.path, strerror (errno));
      goto out;
    }
  if (faccessat (fs->layers[0].fd, ".", W_OK, AT_EACCESS) < 0)
    {
      fprintf (stderr, "burrow-overlay: upperdir %s is not writable: %s\n", fs->layers[0].path,
               strerror (errno));
      goto out;
    }
  r = 0;
out:
  free (w.path);
  close (w.fd);
  return r;
}

int
ovl_layers_open (struct ovl_fs *fs)
{
  fs->n_layers = 1;
  fs->layers[0].fd = -1;
  fs->work_fd = -1;
  char *list = strdup (fs->opt.lowerdir);
  if (!list)
    return -1;
  int r = 0;
  char *save = NULL;
  for (char *p = strtok_r (list, ":", &save); p; p = strtok_r (NULL, ":", &save))
    {
      if (fs->n_layers == OVL_MAX_LAYERS)
        {
          fprintf (stderr, "burrow-overlay: more than %d lowerdirs\n", OVL_MAX_LAYERS - 1);
          r = -1;
          break;
        }
      if ((r = open_layer (&fs->layers[fs->n_layers++], "lowerdir", p)) < 0)
        break;
    }
  free (list);
  if (r < 0)
    return -1;
  if (fs->n_layers == 1)
    {
      fprintf (stderr, "burrow-overlay: lowerdir= names no directory\n");
      return -1;
    }
  if (fs->opt.upperdir)
    {
      fs->has_upper = true;
      if (open_layer (&fs->layers[0], "upperdir", fs->opt.upperdir) < 0)
        return -1;
      return open_workdir (fs);
    }
  return check_overlaps (fs, NULL);
}

void
ovl_layers_close (struct ovl_fs *fs)
{
  for (int i = 0; i < fs->n_layers; i++)
    {
      if (fs->layers[i].fd >= 0)
        close (fs->layers[i].fd);
      free (fs->layers[i].path);
    }
  if (fs->work_fd >= 0)
    close (fs->work_fd);
}

int
ovl_abs_path (struct ovl_fs *fs, int layer, const char *path, char *buf, size_t size)
{
  int n = snprintf (buf, size, "%s/%s", fs->layers[layer].path, path);
  return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
