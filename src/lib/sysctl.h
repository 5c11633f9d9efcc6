/* sysctl.h: linux.sysctl: only keys the container's own namespaces scope, checked before
   any process exists and written through the container's verified procfs. */
#ifndef BURROW_SYSCTL_H
#define BURROW_SYSCTL_H

#include "burrow.h"
#include "spec.h"

/* Each key must belong to a namespace the config has (ipc: kernel.msg*, kernel.sem,
   kernel.shm*, fs.mqueue.*; net: net.*; uts: kernel.hostname, kernel.domainname). */
int burrow_sysctl_validate (const struct burrow_spec *spec, struct burrow_error *err);
/* In the init, after pivot_root: write each value under /proc/sys (which must be procfs). */
int burrow_sysctl_apply (const struct burrow_spec *spec, struct burrow_error *err);

#endif
