/* lsm.h: process.apparmorProfile and process.selinuxLabel, written to the init's own
   /proc/self/attr files (checked to be procfs) just before execve, where the host has
   that LSM; where it does not, runc's behaviour: a warning and nothing applied. */
#ifndef BURROW_LSM_H
#define BURROW_LSM_H

#include "burrow.h"
#include "spec.h"

struct burrow_lsm
{
  const char *apparmor_profile; /* NULL: none or not enabled */
  const char *selinux_label;
};

/* Whether the host has the LSM enabled (what `features` reports too). */
bool burrow_lsm_apparmor_enabled (void);
bool burrow_lsm_selinux_enabled (void);
/* In the runtime: decide what will be applied (warning for what the host lacks). */
void burrow_lsm_plan (const struct burrow_process *p, struct burrow_lsm *out);
/* In the init, before execve. */
int burrow_lsm_apply (const struct burrow_lsm *l, struct burrow_error *err);

#endif
