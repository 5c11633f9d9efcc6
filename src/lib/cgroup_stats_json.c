/* cgroup_stats_json.c: struct burrow_cgstats as runc prints types.Stats: its field order,
   Go's omitempty (zero numbers, empty lists and maps left out; structs always present),
   map keys sorted, and 64-bit numbers printed exactly (cJSON's doubles would round
   18446744073709551615). */
#include "config.h"
#include "cgroup_stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_u64 (cJSON *o, const char *name, uint64_t v)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRIu64, v);
  cJSON_AddRawToObject (o, name, buf);
}

/* omitempty */
static void
add_u64_nz (cJSON *o, const char *name, uint64_t v)
{
  if (v != 0)
    add_u64 (o, name, v);
}

static void
add_list (cJSON *o, const char *name, const struct burrow_cgstat_u64s *l)
{
  if (l->n == 0)
    return;
  cJSON *a = cJSON_AddArrayToObject (o, name);
  char buf[32];
  for (size_t i = 0; i < l->n; i++)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, l->v[i]);
      cJSON_AddItemToArray (a, cJSON_CreateRaw (buf));
    }
}

static void
add_cpu (cJSON *root, const struct burrow_cgstats *s)
{
  cJSON *cpu = cJSON_AddObjectToObject (root, "cpu");
  cJSON *u = cJSON_AddObjectToObject (cpu, "usage");
  add_u64_nz (u, "total", s->cpu.total);
  add_list (u, "percpu", &s->cpu.percpu);
  add_list (u, "percpu_kernel", &s->cpu.percpu_kernel);
  add_list (u, "percpu_user", &s->cpu.percpu_user);
  add_u64 (u, "kernel", s->cpu.kernel);
  add_u64 (u, "user", s->cpu.user);
  cJSON *t = cJSON_AddObjectToObject (cpu, "throttling");
  add_u64_nz (t, "periods", s->cpu.periods);
  add_u64_nz (t, "throttledPeriods", s->cpu.throttled_periods);
  add_u64_nz (t, "throttledTime", s->cpu.throttled_time);
}

static void
add_cpuset (cJSON *root, const struct burrow_cgstats *s)
{
  cJSON *c = cJSON_AddObjectToObject (root, "cpuset");
  add_list (c, "cpus", &s->cpuset.cpus);
  add_u64 (c, "cpu_exclusive", s->cpuset.cpu_exclusive);
  add_list (c, "mems", &s->cpuset.mems);
  add_u64 (c, "mem_hardwall", s->cpuset.mem_hardwall);
  add_u64 (c, "mem_exclusive", s->cpuset.mem_exclusive);
  add_u64 (c, "memory_migrate", s->cpuset.memory_migrate);
  add_u64 (c, "memory_spread_page", s->cpuset.memory_spread_page);
  add_u64 (c, "memory_spread_slab", s->cpuset.memory_spread_slab);
  add_u64 (c, "memory_pressure", s->cpuset.memory_pressure);
  add_u64 (c, "sched_load_balance", s->cpuset.sched_load_balance);
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, s->cpuset.sched_relax_domain_level);
  cJSON_AddRawToObject (c, "sched_relax_domain_level", buf);
}

static void
add_mem_entry (cJSON *o, const char *name, const struct burrow_cgstat_mem *e)
{
  cJSON *m = cJSON_AddObjectToObject (o, name);
  add_u64 (m, "limit", e->limit);
  add_u64_nz (m, "usage", e->usage);
  add_u64_nz (m, "max", e->max);
  add_u64 (m, "failcnt", e->failcnt);
}

static int
cmp_kv (const void *a, const void *b)
{
  return strcmp (((const struct burrow_cgstat_kv *)a)->key,
                 ((const struct burrow_cgstat_kv *)b)->key);
}

static void
add_memory (cJSON *root, const struct burrow_cgstats *s)
{
  cJSON *m = cJSON_AddObjectToObject (root, "memory");
  add_u64_nz (m, "cache", s->memory.cache);
  add_mem_entry (m, "usage", &s->memory.usage);
  add_mem_entry (m, "swap", &s->memory.swap);
  add_mem_entry (m, "kernel", &s->memory.kernel);
  add_mem_entry (m, "kernelTCP", &s->memory.kernel_tcp);
  if (s->memory.raw.n == 0)
    return;
  /* Go sorts a map's keys; the file's order is the kernel's. */
  struct burrow_cgstat_kv *sorted = malloc (s->memory.raw.n * sizeof *sorted);
  if (sorted == NULL)
    return;
  memcpy (sorted, s->memory.raw.v, s->memory.raw.n * sizeof *sorted);
  qsort (sorted, s->memory.raw.n, sizeof *sorted, cmp_kv);
  cJSON *raw = cJSON_AddObjectToObject (m, "raw");
  for (size_t i = 0; i < s->memory.raw.n; i++)
    add_u64 (raw, sorted[i].key, sorted[i].value);
  free (sorted);
}

static void
add_blkio (cJSON *root, const struct burrow_cgstats *s)
{
  static const char *const names[BURROW_CGSTAT_BLKIO_COUNT] = {
    "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive", "ioServiceTimeRecursive",
    "ioWaitTimeRecursive",     "ioMergedRecursive",   "ioTimeRecursive",  "sectorsRecursive",
  };
  cJSON *b = cJSON_AddObjectToObject (root, "blkio");
  for (size_t i = 0; i < BURROW_CGSTAT_BLKIO_COUNT; i++)
    {
      if (s->blkio[i].n == 0)
        continue;
      cJSON *a = cJSON_AddArrayToObject (b, names[i]);
      for (size_t j = 0; j < s->blkio[i].n; j++)
        {
          const struct burrow_cgstat_blkio_entry *e = &s->blkio[i].v[j];
          cJSON *o = cJSON_CreateObject ();
          add_u64_nz (o, "major", e->major);
          add_u64_nz (o, "minor", e->minor);
          if (e->op[0])
            cJSON_AddStringToObject (o, "op", e->op);
          add_u64_nz (o, "value", e->value);
          cJSON_AddItemToArray (a, o);
        }
    }
}

static int
cmp_hugetlb (const void *a, const void *b)
{
  return strcmp (((const struct burrow_cgstat_hugetlb *)a)->size,
                 ((const struct burrow_cgstat_hugetlb *)b)->size);
}

static void
add_hugetlb (cJSON *root, const struct burrow_cgstats *s)
{
  struct burrow_cgstat_hugetlb sorted[BURROW_CGSTAT_HUGETLB_MAX];
  memcpy (sorted, s->hugetlb, s->n_hugetlb * sizeof *sorted);
  qsort (sorted, s->n_hugetlb, sizeof *sorted, cmp_hugetlb);
  cJSON *h = cJSON_AddObjectToObject (root, "hugetlb");
  for (size_t i = 0; i < s->n_hugetlb; i++)
    {
      cJSON *o = cJSON_AddObjectToObject (h, sorted[i].size);
      add_u64_nz (o, "usage", sorted[i].usage);
      add_u64_nz (o, "max", sorted[i].max);
      add_u64 (o, "failcnt", sorted[i].failcnt);
    }
}

cJSON *
burrow_cgstats_to_json (const struct burrow_cgstats *s)
{
  cJSON *root = cJSON_CreateObject ();
  if (root == NULL)
    return NULL;
  add_cpu (root, s);
  add_cpuset (root, s);
  add_memory (root, s);
  cJSON *p = cJSON_AddObjectToObject (root, "pids");
  add_u64_nz (p, "current", s->pids.current);
  add_u64_nz (p, "limit", s->pids.limit);
  add_blkio (root, s);
  add_hugetlb (root, s);
  cJSON_AddObjectToObject (root, "intel_rdt");
  cJSON_AddNullToObject (root, "network_interfaces");
  return root;
}
