/* options.c: burrow-overlay's command line, option-compatible with fuse-overlayfs:
   -o lowerdir=..,upperdir=..,workdir=..[,...] MOUNTPOINT, -f, -d, --help, --version.
   Options that are not ours go to the FUSE mount (ro, nodev, allow_other, fsname=...). */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ovl_usage[]
    = "Usage: burrow-overlay [-f] [-d] -o lowerdir=A:B[,upperdir=U,workdir=W][,OPTION...] "
      "MOUNTPOINT\n"
      "\n"
      "Mount the union of the lower directories (A on top of B) with the writable upper\n"
      "directory U at MOUNTPOINT, or read-only without upperdir. MOUNTPOINT may be\n"
      "/dev/fd/N: an open /dev/fuse already mounted by the caller.\n"
      "\n"
      "Options:\n"
      "  -o lowerdir=A:B:C        lower layers, top first\n"
      "  -o upperdir=U            the writable layer\n"
      "  -o workdir=W             scratch directory on the same filesystem as U\n"
      "  -o uidmapping=H:C:N[:H:C:N...]  show host uid H..H+N-1 as C..C+N-1\n"
      "  -o gidmapping=H:C:N[:...]       the same for gids\n"
      "  -o squash_to_root        every file appears owned by 0:0\n"
      "  -o squash_to_uid=N, squash_to_gid=N   every file appears owned by N\n"
      "  -o static_nlink          directories report a link count of 1\n"
      "  -o noacl                 no POSIX ACLs\n"
      "  -o fsync=0               fsync is a no-op (scratch containers)\n"
      "  -o threads=N             serve requests on N threads (default 1)\n"
      "  -o io_uring=0            never take requests over io_uring, even where the\n"
      "                           kernel offers it (default: take them so, on one thread)\n"
      "  -o OPTION                any other option is a FUSE mount option (ro, nodev, ...)\n"
      "  -f                       stay in the foreground\n"
      "  -d                       debug: print every FUSE request (implies -f)\n"
      "  -h, --help               show this help\n"
      "  -V, --version            show the version\n";

static int
parse_long (const char *s, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > UINT32_MAX - 1)
    return -1;
  *out = v;
  return 0;
}

static int
append_fuse_opt (struct ovl_options *opt, const char *o)
{
  size_t old = opt->fuse_opts ? strlen (opt->fuse_opts) : 0;
  char *n = realloc (opt->fuse_opts, old + strlen (o) + 2);
  if (!n)
    return -1;
  if (old)
    n[old++] = ',';
  strcpy (n + old, o);
  opt->fuse_opts = n;
  return 0;
}

static int
set_string (char **field, const char *value)
{
  free (*field);
  *field = strdup (value);
  return *field ? 0 : -1;
}

/* Options fuse-overlayfs accepts that need nothing from us. */
static bool
ignored_option (const char *key)
{
  static const char *const names[]
      = { "redirect_dir", "index",   "metacopy",          "xino",     "volatile", "userxattr",
          "fast_ino",     "plugins", "xattr_permissions", "threaded", NULL };
  for (size_t i = 0; names[i]; i++)
    if (strcmp (key, names[i]) == 0)
      return true;
  return false;
}

static int
parse_one (struct ovl_options *opt, char *o)
{
  char *eq = strchr (o, '=');
  const char *value = eq ? eq + 1 : NULL;
  if (eq)
    *eq = '\0';
  int r = 0;
  if (strcmp (o, "lowerdir") == 0 && value)
    r = set_string (&opt->lowerdir, value);
  else if (strcmp (o, "upperdir") == 0 && value)
    r = set_string (&opt->upperdir, value);
  else if (strcmp (o, "workdir") == 0 && value)
    r = set_string (&opt->workdir, value);
  else if (strcmp (o, "uidmapping") == 0 && value)
    {
      if (ovl_parse_idmap (value, &opt->uidmap, &opt->n_uidmap) < 0)
        {
          fprintf (stderr, "burrow-overlay: uidmapping=%s: want HOST:CONTAINER:COUNT[:...]\n",
                   value);
          return -1;
        }
    }
  else if (strcmp (o, "gidmapping") == 0 && value)
    {
      if (ovl_parse_idmap (value, &opt->gidmap, &opt->n_gidmap) < 0)
        {
          fprintf (stderr, "burrow-overlay: gidmapping=%s: want HOST:CONTAINER:COUNT[:...]\n",
                   value);
          return -1;
        }
    }
  else if (strcmp (o, "squash_to_root") == 0 && !value)
    opt->squash_uid = opt->squash_gid = 0;
  else if ((strcmp (o, "squash_to_uid") == 0 || strcmp (o, "squash_to_gid") == 0) && value)
    {
      long v;
      if (parse_long (value, &v) < 0)
        {
          fprintf (stderr, "burrow-overlay: %s=%s: not an id\n", o, value);
          return -1;
        }
      if (o[10] == 'u')
        opt->squash_uid = v;
      else
        opt->squash_gid = v;
    }
  else if (strcmp (o, "threads") == 0 && value)
    {
      long v;
      if (parse_long (value, &v) < 0 || v < 1 || v > 64)
        {
          fprintf (stderr, "burrow-overlay: threads=%s: want 1 to 64\n", value);
          return -1;
        }
      opt->threads = (int)v;
    }
  else if (strcmp (o, "static_nlink") == 0 && !value)
    opt->static_nlink = true;
  else if (strcmp (o, "noacl") == 0 && !value)
    opt->noacl = true;
  else if (strcmp (o, "fsync") == 0 && value)
    opt->fsync = strcmp (value, "0") != 0;
  else if (strcmp (o, "io_uring") == 0 && value)
    opt->io_uring = strcmp (value, "0") != 0;
  else if (ignored_option (o))
    ;
  else
    {
      if (eq)
        *eq = '=';
      r = append_fuse_opt (opt, o);
    }
  if (r < 0)
    fprintf (stderr, "burrow-overlay: out of memory\n");
  return r;
}

/* Split a -o argument at commas; "\," keeps a comma in a value. */
static int
parse_opt_string (struct ovl_options *opt, const char *s)
{
  char *copy = strdup (s);
  if (!copy)
    return -1;
  char *start = copy, *w = copy;
  int r = 0;
  for (const char *p = copy;; p++)
    {
      if (*p == '\\' && p[1])
        {
          *w++ = *++p;
          continue;
        }
      if (*p == ',' || *p == '\0')
        {
          bool end = *p == '\0';
          *w = '\0';
          if (*start && (r = parse_one (opt, start)) < 0)
            break;
          if (end)
            break;
          start = w = (char *)p + 1;
          continue;
        }
      *w++ = *p;
    }
  free (copy);
  return r;
}

/* Returns 0 to go on, 1 when --help/--version was answered, -1 on a bad command line. */
int
ovl_parse_args (int argc, char **argv, struct ovl_options *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->squash_uid = opt->squash_gid = -1;
  opt->fsync = true;
  opt->io_uring = true;
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0)
        {
          fputs (ovl_usage, stdout);
          return 1;
        }
      if (strcmp (a, "-V") == 0 || strcmp (a, "--version") == 0)
        {
          printf ("burrow-overlay version %s\nFUSE library version %s\n", PACKAGE_VERSION,
                  fuse_pkgversion ());
          return 1;
        }
      if (strcmp (a, "-f") == 0)
        opt->foreground = true;
      else if (strcmp (a, "-d") == 0 || strcmp (a, "--debug") == 0)
        opt->debug = opt->foreground = true;
      else if (strcmp (a, "-o") == 0)
        {
          if (++i >= argc)
            {
              fprintf (stderr, "burrow-overlay: -o needs an argument\n");
              return -1;
            }
          if (parse_opt_string (opt, argv[i]) < 0)
            return -1;
        }
      else if (strncmp (a, "-o", 2) == 0)
        {
          if (parse_opt_string (opt, a + 2) < 0)
            return -1;
        }
      else if (a[0] == '-' && a[1])
        {
          fprintf (stderr, "burrow-overlay: unknown option %s (see --help)\n", a);
          return -1;
        }
      else if (!opt->mountpoint)
        {
          if (set_string (&opt->mountpoint, a) < 0)
            return -1;
        }
      else
        {
          fprintf (stderr, "burrow-overlay: unexpected argument %s (one MOUNTPOINT)\n", a);
          return -1;
        }
    }
  if (!opt->mountpoint)
    {
      fprintf (stderr, "burrow-overlay: no MOUNTPOINT given (see --help)\n");
      return -1;
    }
  if (!opt->lowerdir || !*opt->lowerdir)
    {
      fprintf (stderr, "burrow-overlay: no lowerdir= given (see --help)\n");
      return -1;
    }
  if (!!opt->upperdir != !!opt->workdir)
    {
      fprintf (stderr, "burrow-overlay: upperdir= and workdir= go together: %s given alone\n",
               opt->upperdir ? "upperdir" : "workdir");
      return -1;
    }
  return 0;
}

void
ovl_options_free (struct ovl_options *opt)
{
  free (opt->lowerdir);
  free (opt->upperdir);
  free (opt->workdir);
  free (opt->mountpoint);
  free (opt->uidmap);
  free (opt->gidmap);
  free (opt->fuse_opts);
}
