/* mount_options.c: the option words of a config's mounts[] turned into mount(2) flags,
   propagation, mount_setattr(2) attributes and the filesystem's data string. */
#include "config.h"
#include "mount_options.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/mount.h>

/* Older kernel headers lack some of these; the values are kernel ABI. */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_NOSUID
#define MOUNT_ATTR_NOSUID 0x00000002
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_NOEXEC
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef MOUNT_ATTR__ATIME
#define MOUNT_ATTR__ATIME 0x00000070
#endif
#ifndef MOUNT_ATTR_RELATIME
#define MOUNT_ATTR_RELATIME 0x00000000
#endif
#ifndef MOUNT_ATTR_NOATIME
#define MOUNT_ATTR_NOATIME 0x00000010
#endif
#ifndef MOUNT_ATTR_STRICTATIME
#define MOUNT_ATTR_STRICTATIME 0x00000020
#endif
#ifndef MOUNT_ATTR_NODIRATIME
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif

#define MS_ATIME_MODES (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum opt_kind
{
  OPT_NONE,        /* defaults, tmpcopyup: nothing to do here */
  OPT_SET,         /* MS_* on */
  OPT_CLEAR,       /* MS_* explicitly off */
  OPT_ATIME,       /* one of the MS_* atime modes: the last one given wins */
  OPT_BIND,        /* MS_BIND, | MS_REC for rbind */
  OPT_PROPAGATION, /* the last one given wins */
  OPT_ATTR_SET,    /* MOUNT_ATTR_* on, recursively */
  OPT_ATTR_CLR,    /* MOUNT_ATTR_* off, recursively */
  OPT_ATTR_ATIME,  /* atime is an enum in mount_setattr: clear the field, set the value */
  OPT_IDMAP,
  OPT_RIDMAP,
};

struct mount_opt
{
  const char *name;
  enum opt_kind kind;
  unsigned long value;
};

static const struct mount_opt mount_opts[] = {
  { "defaults", OPT_NONE, 0 },
  { "tmpcopyup", OPT_NONE, 0 },
  { "ro", OPT_SET, MS_RDONLY },
  { "rw", OPT_CLEAR, MS_RDONLY },
  { "nosuid", OPT_SET, MS_NOSUID },
  { "suid", OPT_CLEAR, MS_NOSUID },
  { "nodev", OPT_SET, MS_NODEV },
  { "dev", OPT_CLEAR, MS_NODEV },
  { "noexec", OPT_SET, MS_NOEXEC },
  { "exec", OPT_CLEAR, MS_NOEXEC },
  { "sync", OPT_SET, MS_SYNCHRONOUS },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_SET, MS_DIRSYNC },
  { "remount", OPT_SET, MS_REMOUNT },
  { "mand", OPT_SET, MS_MANDLOCK },
  { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "noatime", OPT_ATIME, MS_NOATIME },
  { "atime", OPT_CLEAR, MS_NOATIME },
  { "nodiratime", OPT_SET, MS_NODIRATIME },
  { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "relatime", OPT_ATIME, MS_RELATIME },
  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_ATIME, MS_STRICTATIME },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "lazytime", OPT_SET, MS_LAZYTIME },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "bind", OPT_BIND, MS_BIND },
  { "rbind", OPT_BIND, MS_BIND | MS_REC },
  { "private", OPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "shared", OPT_PROPAGATION, MS_SHARED },
  { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  { "rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_ATTR_CLR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_ATTR_CLR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV },
  { "rdev", OPT_ATTR_CLR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_ATTR_CLR, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_ATTR_CLR, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_ATTR_CLR, MOUNT_ATTR_NOSYMFOLLOW },
  { "rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME },
  { "rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  /* The kernel cannot turn one atime mode "off", only pick another: atime updates and
     no strictatime mean the default, relatime; no relatime means update every time. */
  { "ratime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rnostrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "idmap", OPT_IDMAP, 0 },
  { "ridmap", OPT_RIDMAP, 0 },
};

static const struct mount_opt *
find_opt (const char *name)
{
  for (size_t i = 0; i < sizeof mount_opts / sizeof mount_opts[0]; i++)
    if (strcmp (name, mount_opts[i].name) == 0)
      return &mount_opts[i];
  return NULL;
}

static void
apply_opt (const struct mount_opt *o, struct burrow_mount_opts *out)
{
  switch (o->kind)
    {
    case OPT_NONE:
      break;
    case OPT_SET:
      out->flags |= o->value;
      out->clear &= ~o->value;
      break;
    case OPT_CLEAR:
      out->flags &= ~o->value;
      out->clear |= o->value;
      break;
    case OPT_ATIME:
      out->flags = (out->flags & ~MS_ATIME_MODES) | o->value;
      out->clear &= ~o->value;
      break;
    case OPT_BIND:
      out->flags |= o->value;
      out->bind = true;
      break;
    case OPT_PROPAGATION:
      out->propagation = o->value;
      break;
    case OPT_ATTR_SET:
      out->attr_set |= o->value;
      out->attr_clr &= ~(uint64_t)o->value;
      break;
    case OPT_ATTR_CLR:
      out->attr_set &= ~(uint64_t)o->value;
      out->attr_clr |= o->value;
      break;
    case OPT_ATTR_ATIME:
      out->attr_set = (out->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->value;
      out->attr_clr |= MOUNT_ATTR__ATIME;
      break;
    case OPT_IDMAP:
      out->idmap = true;
      break;
    case OPT_RIDMAP:
      out->idmap = true;
      out->ridmap = true;
      break;
    }
}

static int
append_data (char **data, const char *opt, struct burrow_error *err)
{
  size_t old = *data ? strlen (*data) : 0;
  size_t add = strlen (opt);
  char *n = realloc (*data, old + add + 2);
  if (n == NULL)
    return burrow_fail_errno (err, "mount data");
  if (old)
    n[old++] = ',';
  memcpy (n + old, opt, add + 1);
  *data = n;
  return 0;
}

int
burrow_mount_opts_parse (char *const *options, size_t n, bool is_bind, const char *destination,
                         struct burrow_mount_opts *out, struct burrow_error *err)
{
  cleanup_free char *data = NULL;

  memset (out, 0, sizeof *out);
  /* A bind option anywhere makes every other word a flag, whatever its position. */
  for (size_t i = 0; i < n && !is_bind; i++)
    if (strcmp (options[i], "bind") == 0 || strcmp (options[i], "rbind") == 0)
      is_bind = true;
  if (is_bind)
    {
      out->flags |= MS_BIND;
      out->bind = true;
    }

  for (size_t i = 0; i < n; i++)
    {
      const struct mount_opt *o = find_opt (options[i]);
      if (o)
        {
          apply_opt (o, out);
          continue;
        }
      if (is_bind)
        {
          burrow_fail (err, 0, "unknown mount option `%s` for bind mount `%s`", options[i],
                       destination ? destination : "");
          err->errnum = EINVAL;
          return -1;
        }
      if (options[i][0] != '\0' && append_data (&data, options[i], err) < 0)
        return -1;
    }
  out->data = steal_ptr (&data);
  return 0;
}

/* The table's words in its order, for `features`; NULL past the end. */
const char *
burrow_mount_option_name (size_t i)
{
  return i < sizeof mount_opts / sizeof mount_opts[0] ? mount_opts[i].name : NULL;
}

void
burrow_mount_opts_release (struct burrow_mount_opts *o)
{
  if (o == NULL)
    return;
  free (o->data);
  o->data = NULL;
}
