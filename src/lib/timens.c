/* timens.c: the clock offsets of a new time namespace. */
#include "config.h"
#include "timens.h"

#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int
parse_clock (const cJSON *offsets, const char *name, long long *secs, long *nsecs,
             struct burrow_error *err)
{
  const cJSON *c = cJSON_GetObjectItemCaseSensitive (offsets, name);
  if (c == NULL)
    return 0;
  const cJSON *s = cJSON_GetObjectItemCaseSensitive (c, "secs");
  const cJSON *ns = cJSON_GetObjectItemCaseSensitive (c, "nanosecs");
  if (!cJSON_IsObject (c) || (s && !cJSON_IsNumber (s)) || (ns && !cJSON_IsNumber (ns))
      || (ns && (ns->valuedouble < 0 || ns->valuedouble >= 1e9)))
    return burrow_fail_plain (err, EINVAL,
                              "linux.timeOffsets.%s must be {\"secs\": N, \"nanosecs\": "
                              "0-999999999}",
                              name);
  *secs = s ? (long long)s->valuedouble : 0;
  *nsecs = ns ? (long)ns->valuedouble : 0;
  return 0;
}

int
burrow_time_offsets_parse (const struct burrow_spec *spec, struct burrow_time_offsets *out,
                           struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  const cJSON *o = spec->linux_.time_offsets;
  if (o == NULL)
    return 0;
  const struct burrow_namespace *ns = &spec->linux_.namespaces[BURROW_NS_TIME];
  if (!ns->present || ns->path)
    return burrow_fail_plain (err, EINVAL,
                              "linux.timeOffsets needs a new time namespace: add "
                              "{\"type\": \"time\"} to linux.namespaces");
  for (const cJSON *c = o->child; c; c = c->next)
    if (strcmp (c->string, "monotonic") != 0 && strcmp (c->string, "boottime") != 0)
      return burrow_fail_plain (err, EINVAL, "linux.timeOffsets: unknown clock `%s`", c->string);
  if (parse_clock (o, "monotonic", &out->monotonic_secs, &out->monotonic_nsecs, err) < 0
      || parse_clock (o, "boottime", &out->boottime_secs, &out->boottime_nsecs, err) < 0)
    return -1;
  out->present = true;
  return 0;
}

int
burrow_time_offsets_apply (const struct burrow_time_offsets *t, struct burrow_error *err)
{
  if (!t->present)
    return 0;
  if (unshare (CLONE_NEWTIME) < 0)
    return burrow_fail_errno (err, "create the time namespace");
  char buf[128];
  snprintf (buf, sizeof buf, "monotonic %lld %ld\nboottime %lld %ld\n", t->monotonic_secs,
            t->monotonic_nsecs, t->boottime_secs, t->boottime_nsecs);
  if (burrow_write_proc ("/proc/self/timens_offsets", buf, err) < 0)
    return burrow_error_prefix (err, "linux.timeOffsets");
  return 0;
}
