/* mount_options.h: mount(8) option strings of a config's mounts[] turned into flags. */
#ifndef BURROW_MOUNT_OPTIONS_H
#define BURROW_MOUNT_OPTIONS_H

#include "burrow.h"

#include <stdbool.h>
#include <stdint.h>

struct burrow_mount_opts
{
  unsigned long flags;       /* MS_* to set (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, ...) */
  unsigned long clear;       /* MS_* explicitly asked off (rw, suid, dev, exec, ...) */
  unsigned long propagation; /* MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE, | MS_REC; 0 none */
  uint64_t attr_set;         /* MOUNT_ATTR_* from recursive options (rro, rnosuid, ...) */
  uint64_t attr_clr;         /* MOUNT_ATTR_* from rrw, rsuid, ... */
  bool bind;                 /* bind or rbind */
  bool idmap;                /* idmap or ridmap */
  bool ridmap;
  char *data; /* the rest, comma-joined for the filesystem; NULL when none */
};

/* Known flag options: defaults, ro, rw, suid, nosuid, dev, nodev, exec, noexec, sync,
   async, dirsync, remount, mand, nomand, atime, noatime, diratime, nodiratime, relatime,
   norelatime, strictatime, nostrictatime, lazytime, nolazytime, bind, rbind, the
   propagation words ([r]private, [r]shared, [r]slave, [r]unbindable), the recursive
   attributes (rro, rrw, rnosuid, rsuid, rnodev, rdev, rnoexec, rexec, rnoatime, ratime,
   rrelatime, rnorelatime, rstrictatime, rnostrictatime, rnodiratime, rdiratime,
   rnosymfollow, rsymfollow), idmap, ridmap, tmpcopyup (ignored).
   Anything else is filesystem data; for a bind mount it is an error naming the option
   ("unknown mount option `x` for bind mount `/dst`"). */
int burrow_mount_opts_parse (char *const *options, size_t n, bool is_bind, const char *destination,
                             struct burrow_mount_opts *out, struct burrow_error *err);
void burrow_mount_opts_release (struct burrow_mount_opts *o);
/* The i-th option word known above (0, 1, ... until NULL): what `features` lists. */
const char *burrow_mount_option_name (size_t i);

#endif
