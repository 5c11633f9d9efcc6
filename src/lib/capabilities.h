/* capabilities.h: capability names and applying the five sets in the init. */
#ifndef BURROW_CAPABILITIES_H
#define BURROW_CAPABILITIES_H

#include "burrow.h"
#include "spec.h"

/* "CAP_CHOWN" -> 0; -1 when unknown to this build. */
int burrow_cap_from_name (const char *name);
/* 0 -> "CAP_CHOWN"; NULL when out of range. */
const char *burrow_cap_name (int cap);
/* The highest capability this build knows (CAP_CHECKPOINT_RESTORE = 40). */
int burrow_cap_last_known (void);
/* The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap; the
   build's last on failure). */
int burrow_cap_last_kernel (void);

/* Step 1, before switching to the process user: drop every capability not in the
   bounding set (PR_CAPBSET_DROP, up to the kernel's last) and set PR_SET_KEEPCAPS so the
   permitted set survives setresuid. */
int burrow_caps_prepare (const struct burrow_caps *caps, struct burrow_error *err);
/* Step 2, after setresuid: capset effective/permitted/inheritable (64-bit, version 3),
   clear PR_SET_KEEPCAPS, clear the ambient set and raise each ambient capability.
   Inheritable is exactly what the config lists (empty when it lists none). */
int burrow_caps_apply (const struct burrow_caps *caps, struct burrow_error *err);

/* Without a new user namespace the init keeps the runtime's own bounding set: drop from
   every set what is not in it, with one warning naming those capabilities, instead of
   failing at start (a container asking for CAP_SYS_RESOURCE where the caller's root lacks
   it still runs). */
void burrow_caps_limit_to_own_bounding (struct burrow_caps *caps);

#endif
