/* scheduling.c: CPU scheduling policy, I/O priority and CPU affinity of the container's
   process. */
#include "config.h"
#include "scheduling.h"

#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IOPRIO_CLASS_SHIFT 13

struct name_value
{
  const char *name;
  unsigned long value;
};

static const struct name_value policies[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },       { "SCHED_BATCH", 3 },
  { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};
static const struct name_value sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};
static const struct name_value io_classes[] = {
  { "IOPRIO_CLASS_RT", 1 },
  { "IOPRIO_CLASS_BE", 2 },
  { "IOPRIO_CLASS_IDLE", 3 },
};

static int
lookup (const struct name_value *t, size_t n, const char *name, unsigned long *out)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      {
        *out = t[i].value;
        return 0;
      }
  return -1;
}

static int
get_number (const cJSON *o, const char *key, const char *field, double min, double max, double *out,
            struct burrow_error *err)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);
  if (v == NULL || cJSON_IsNull (v))
    return 0;
  if (!cJSON_IsNumber (v) || v->valuedouble < min || v->valuedouble > max
      || v->valuedouble != (double)(long long)v->valuedouble)
    return burrow_fail_plain (err, EINVAL, "%s.%s must be an integer between %.0f and %.0f", field,
                              key, min, max);
  *out = v->valuedouble;
  return 1;
}

static int
parse_scheduler (const cJSON *o, struct burrow_sched_attr *a, struct burrow_error *err)
{
  const cJSON *policy = cJSON_GetObjectItemCaseSensitive (o, "policy");
  unsigned long v;
  if (!cJSON_IsString (policy)
      || lookup (policies, sizeof policies / sizeof policies[0], policy->valuestring, &v) < 0)
    return burrow_fail_plain (err, EINVAL, "process.scheduler.policy: unknown policy `%s`",
                              cJSON_IsString (policy) ? policy->valuestring : "(not a string)");
  memset (a, 0, sizeof *a);
  a->size = sizeof *a;
  a->sched_policy = v;
  double nice = 0, prio = 0, runtime = 0, deadline = 0, period = 0;
  if (get_number (o, "nice", "process.scheduler", -20, 19, &nice, err) < 0
      || get_number (o, "priority", "process.scheduler", 0, 99, &prio, err) < 0
      || get_number (o, "runtime", "process.scheduler", 0, 9e18, &runtime, err) < 0
      || get_number (o, "deadline", "process.scheduler", 0, 9e18, &deadline, err) < 0
      || get_number (o, "period", "process.scheduler", 0, 9e18, &period, err) < 0)
    return -1;
  a->sched_nice = nice;
  a->sched_priority = prio;
  a->sched_runtime = runtime;
  a->sched_deadline = deadline;
  a->sched_period = period;
  const cJSON *flags = cJSON_GetObjectItemCaseSensitive (o, "flags"), *f;
  cJSON_ArrayForEach (f, flags)
  {
    if (!cJSON_IsString (f)
        || lookup (sched_flags, sizeof sched_flags / sizeof sched_flags[0], f->valuestring, &v) < 0)
      return burrow_fail_plain (err, EINVAL, "process.scheduler.flags: unknown flag `%s`",
                                cJSON_IsString (f) ? f->valuestring : "(not a string)");
    a->sched_flags |= v;
  }
  return 0;
}

static int
parse_ioprio (const cJSON *o, int *out, struct burrow_error *err)
{
  const cJSON *cls = cJSON_GetObjectItemCaseSensitive (o, "class");
  unsigned long c;
  if (!cJSON_IsString (cls)
      || lookup (io_classes, sizeof io_classes / sizeof io_classes[0], cls->valuestring, &c) < 0)
    return burrow_fail_plain (err, EINVAL, "process.ioPriority.class: unknown class `%s`",
                              cJSON_IsString (cls) ? cls->valuestring : "(not a string)");
  double prio = 0;
  if (get_number (o, "priority", "process.ioPriority", 0, 7, &prio, err) < 0)
    return -1;
  *out = (int)(c << IOPRIO_CLASS_SHIFT) | (int)prio;
  return 0;
}

int
burrow_cpu_list_parse (const char *list, cpu_set_t *set, struct burrow_error *err)
{
  CPU_ZERO (set);
  const char *p = list;
  while (*p)
    {
      char *end;
      errno = 0;
      unsigned long lo = strtoul (p, &end, 10), hi = lo;
      if (end == p || errno)
        goto bad;
      if (*end == '-')
        {
          p = end + 1;
          hi = strtoul (p, &end, 10);
          if (end == p || hi < lo)
            goto bad;
        }
      if (hi >= CPU_SETSIZE)
        goto bad;
      for (unsigned long c = lo; c <= hi; c++)
        CPU_SET (c, set);
      if (*end == ',')
        end++;
      else if (*end)
        goto bad;
      p = end;
    }
  if (CPU_COUNT (set) > 0)
    return 0;
bad:
  return burrow_fail_plain (err, EINVAL, "invalid CPU list `%s` (expected e.g. `0-3,7`)", list);
}

static int
parse_affinity (const cJSON *o, struct burrow_sched *s, struct burrow_error *err)
{
  const cJSON *initial = cJSON_GetObjectItemCaseSensitive (o, "initial");
  const cJSON *final = cJSON_GetObjectItemCaseSensitive (o, "final");
  if (cJSON_IsString (initial))
    {
      if (burrow_cpu_list_parse (initial->valuestring, &s->initial_cpus, err) < 0)
        return burrow_error_prefix (err, "process.execCPUAffinity.initial");
      s->has_initial_cpus = true;
    }
  if (cJSON_IsString (final))
    {
      if (burrow_cpu_list_parse (final->valuestring, &s->final_cpus, err) < 0)
        return burrow_error_prefix (err, "process.execCPUAffinity.final");
      s->has_final_cpus = true;
    }
  return 0;
}

int
burrow_sched_parse (const struct burrow_process *p, struct burrow_sched *out,
                    struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  if (p->scheduler)
    {
      if (parse_scheduler (p->scheduler, &out->attr, err) < 0)
        return -1;
      out->has_scheduler = true;
    }
  if (p->io_priority)
    {
      if (parse_ioprio (p->io_priority, &out->ioprio, err) < 0)
        return -1;
      out->has_ioprio = true;
    }
  if (p->exec_cpu_affinity && parse_affinity (p->exec_cpu_affinity, out, err) < 0)
    return -1;
  return 0;
}

int
burrow_sched_apply_initial (const struct burrow_sched *s, struct burrow_error *err)
{
  if (s->has_initial_cpus && sched_setaffinity (0, sizeof s->initial_cpus, &s->initial_cpus) < 0)
    return burrow_fail_errno (err, "process.execCPUAffinity.initial");
  if (s->has_scheduler && syscall (SYS_sched_setattr, 0, &s->attr, 0) < 0)
    return burrow_fail_errno (err, "process.scheduler: sched_setattr");
  if (s->has_ioprio && syscall (SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, s->ioprio) < 0)
    return burrow_fail_errno (err, "process.ioPriority: ioprio_set");
  return 0;
}

int
burrow_sched_apply_final (const struct burrow_sched *s, struct burrow_error *err)
{
  if (s->has_final_cpus && sched_setaffinity (0, sizeof s->final_cpus, &s->final_cpus) < 0)
    return burrow_fail_errno (err, "process.execCPUAffinity.final");
  return 0;
}
