/* cgroup_stats.h: the stats of one cgroup as runc's types.Stats holds them, between the
   file parsers (cgroup_stats.c) and the JSON writer (cgroup_stats_json.c); the parsers are
   exposed for the unit tests. */
#ifndef BURROW_CGROUP_STATS_H
#define BURROW_CGROUP_STATS_H

#include "cgroup.h"

#include <cjson/cJSON.h>
#include <stdint.h>

struct burrow_cgstat_u64s
{
  uint64_t *v;
  size_t n;
};

struct burrow_cgstat_kv
{
  char *key;
  uint64_t value;
};

struct burrow_cgstat_raw
{
  struct burrow_cgstat_kv *v;
  size_t n;
};

struct burrow_cgstat_mem
{
  uint64_t limit, usage, max, failcnt;
};

struct burrow_cgstat_blkio_entry
{
  uint64_t major, minor;
  char op[16];
  uint64_t value;
};

struct burrow_cgstat_blkio
{
  struct burrow_cgstat_blkio_entry *v;
  size_t n;
};

/* runc's blkio lists, in the order of its struct. */
enum
{
  BURROW_CGSTAT_IO_SERVICE_BYTES,
  BURROW_CGSTAT_IO_SERVICED,
  BURROW_CGSTAT_IO_QUEUED,
  BURROW_CGSTAT_IO_SERVICE_TIME,
  BURROW_CGSTAT_IO_WAIT_TIME,
  BURROW_CGSTAT_IO_MERGED,
  BURROW_CGSTAT_IO_TIME,
  BURROW_CGSTAT_SECTORS,
  BURROW_CGSTAT_BLKIO_COUNT,
};

#define BURROW_CGSTAT_HUGETLB_MAX 8

struct burrow_cgstat_hugetlb
{
  char size[16]; /* "2MB", "1GB" */
  uint64_t usage, max, failcnt;
};

struct burrow_cgstats
{
  struct
  {
    uint64_t total, kernel, user;
    struct burrow_cgstat_u64s percpu, percpu_kernel, percpu_user;
    uint64_t periods, throttled_periods, throttled_time;
  } cpu;
  struct
  {
    struct burrow_cgstat_u64s cpus, mems;
    uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate, memory_spread_page,
        memory_spread_slab, memory_pressure, sched_load_balance;
    int64_t sched_relax_domain_level;
  } cpuset;
  struct
  {
    uint64_t cache;
    struct burrow_cgstat_mem usage, swap, kernel, kernel_tcp;
    struct burrow_cgstat_raw raw;
  } memory;
  struct
  {
    uint64_t current, limit;
  } pids;
  struct burrow_cgstat_blkio blkio[BURROW_CGSTAT_BLKIO_COUNT];
  struct burrow_cgstat_hugetlb hugetlb[BURROW_CGSTAT_HUGETLB_MAX];
  size_t n_hugetlb;
};

/* Read every controller the cgroup has; files that are missing leave zeros. */
int burrow_cgstats_collect (const struct burrow_cgroup *cg, struct burrow_cgstats *s,
                            struct burrow_error *err);
void burrow_cgstats_release (struct burrow_cgstats *s);
/* runc's JSON: numbers are exact 64-bit integers (cJSON raw values). */
cJSON *burrow_cgstats_to_json (const struct burrow_cgstats *s);

/* Parsers. */
int burrow_cgstat_read (const char *dir, const char *name, char **out, struct burrow_error *err);
int burrow_cgstat_parse_u64 (const char *s, uint64_t *v);
int burrow_cgstat_each_kv (const char *text, int (*fn) (const char *key, uint64_t v, void *data),
                           void *data);
int burrow_cgstat_raw_read (const char *dir, const char *name, struct burrow_cgstat_raw *out,
                            struct burrow_error *err);
uint64_t burrow_cgstat_raw_get (const struct burrow_cgstat_raw *r, const char *key);
int burrow_cgstat_parse_list (const char *text, struct burrow_cgstat_u64s *out);
int burrow_cgstat_parse_cpuset (const char *text, struct burrow_cgstat_u64s *out);
int burrow_cgstat_parse_blkio_v1 (const char *text, struct burrow_cgstat_blkio *out);
int burrow_cgstat_parse_io_stat (const char *text, struct burrow_cgstat_blkio *bytes,
                                 struct burrow_cgstat_blkio *ios);

#endif
