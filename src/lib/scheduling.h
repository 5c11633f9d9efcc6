/* scheduling.h: process.scheduler, process.ioPriority and process.execCPUAffinity, parsed
   by the runtime (so a bad value is an error before any process exists) and applied by
   the init. */
#ifndef BURROW_SCHEDULING_H
#define BURROW_SCHEDULING_H

#include "burrow.h"
#include "spec.h"

#include <sched.h>
#include <stdint.h>

/* The kernel's struct sched_attr (linux/sched/types.h clashes with <sched.h>). */
struct burrow_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

struct burrow_sched
{
  bool has_scheduler;
  struct burrow_sched_attr attr;
  bool has_ioprio;
  int ioprio;
  bool has_initial_cpus;
  cpu_set_t initial_cpus;
  bool has_final_cpus;
  cpu_set_t final_cpus;
};

int burrow_sched_parse (const struct burrow_process *p, struct burrow_sched *out,
                        struct burrow_error *err);
/* "0-3,7" -> set; exposed for the unit tests. */
int burrow_cpu_list_parse (const char *list, cpu_set_t *set, struct burrow_error *err);
/* Early in the init: execCPUAffinity.initial, scheduler, ioPriority. */
int burrow_sched_apply_initial (const struct burrow_sched *s, struct burrow_error *err);
/* Just before execve: execCPUAffinity.final. */
int burrow_sched_apply_final (const struct burrow_sched *s, struct burrow_error *err);

#endif
