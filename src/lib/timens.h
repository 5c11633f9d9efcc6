/* timens.h: linux.timeOffsets. Offsets can only be set before any process enters a time
   namespace, so the init unshares one for its children, writes the offsets, and enters it
   at execve (the kernel moves a process into time_for_children when it execs). */
#ifndef BURROW_TIMENS_H
#define BURROW_TIMENS_H

#include "burrow.h"
#include "spec.h"

struct burrow_time_offsets
{
  bool present;
  long long monotonic_secs;
  long monotonic_nsecs;
  long long boottime_secs;
  long boottime_nsecs;
};

/* Parse and check (a new time namespace must be asked for). */
int burrow_time_offsets_parse (const struct burrow_spec *spec, struct burrow_time_offsets *out,
                               struct burrow_error *err);
/* In the init: unshare(CLONE_NEWTIME) and write /proc/self/timens_offsets. */
int burrow_time_offsets_apply (const struct burrow_time_offsets *t, struct burrow_error *err);

#endif
