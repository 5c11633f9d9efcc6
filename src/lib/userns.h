/* userns.h: the id maps of a new user namespace, written by the runtime (the parent). */
#ifndef BURROW_USERNS_H
#define BURROW_USERNS_H

#include "burrow.h"
#include "spec.h"

/* Write uid_map and gid_map of the child `pid`: directly when the caller is root (of its
   own user namespace) or maps only its own id (gid: after writing "deny" to setgroups, as
   the kernel requires), else through newuidmap/newgidmap. */
int burrow_userns_write_maps (struct burrow_context *ctx, pid_t pid, const struct burrow_spec *spec,
                              struct burrow_error *err);

/* True when the child's setgroups(2) will be denied (single own gid written directly). */
bool burrow_userns_setgroups_denied (const struct burrow_context *ctx,
                                     const struct burrow_spec *spec);

#endif
