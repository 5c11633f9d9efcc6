/* cgroup_stats.c: `events --stats`: runc's `stats` data object (types.Stats: cpu, cpuset,
   memory, pids, blkio, hugetlb, intel_rdt, network_interfaces), read from the v1
   controller files or the v2 unified files, with runc's names, nesting and omissions
   (Go's omitempty drops zero numbers and empty lists; maps come out sorted by key). */
#include "config.h"
#include "cgroup.h"

#include "cgroup_stats.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- reading files */

/* DIR/NAME into *out; 0, 1 when it does not exist, -1 (err filled) on other failures. */
int
burrow_cgstat_read (const char *dir, const char *name, char **out, struct burrow_error *err)
{
  char path[4096];
  *out = NULL;
  if (dir == NULL)
    return 1;
  snprintf (path, sizeof path, "%s/%s", dir, name);
  if (burrow_read_file (path, 1 << 20, out, NULL, err) < 0)
    return err->errnum == ENOENT || err->errnum == ENOTDIR ? 1 : -1;
  return 0;
}

/* A number as cgroup files write it: "max" is the largest value (runc's convention). */
int
burrow_cgstat_parse_u64 (const char *s, uint64_t *v)
{
  while (*s == ' ' || *s == '\t')
    s++;
  if (strncmp (s, "max", 3) == 0 && (s[3] == '\0' || s[3] == '\n' || s[3] == ' '))
    {
      *v = UINT64_MAX;
      return 0;
    }
  if (*s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long x = strtoull (s, &end, 10);
  if (errno != 0 || (*end != '\0' && *end != '\n' && *end != ' '))
    return -1;
  *v = x;
  return 0;
}

/* A file holding one number: 0, 1 (missing: *v = 0), -1 on failure. */
static int
read_u64 (const char *dir, const char *name, uint64_t *v, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  *v = 0;
  int r = burrow_cgstat_read (dir, name, &text, err);
  if (r != 0)
    return r;
  if (burrow_cgstat_parse_u64 (text, v) < 0)
    return burrow_fail_plain (err, EINVAL, "`%s/%s`: not a number: `%.*s`", dir, name,
                              (int)strcspn (text, "\n"), text);
  return 0;
}

/* Calls fn for every "key value" line of a flat-keyed file (memory.stat, cpu.stat). */
int
burrow_cgstat_each_kv (const char *text, int (*fn) (const char *key, uint64_t v, void *data),
                       void *data)
{
  const char *line = text;
  while (line && *line)
    {
      const char *nl = strchr (line, '\n');
      size_t len = nl ? (size_t)(nl - line) : strlen (line);
      char key[128];
      const char *sp = memchr (line, ' ', len);
      uint64_t v;
      if (sp && (size_t)(sp - line) < sizeof key)
        {
          memcpy (key, line, sp - line);
          key[sp - line] = '\0';
          if (burrow_cgstat_parse_u64 (sp + 1, &v) == 0 && fn (key, v, data) < 0)
            return -1;
        }
      line = nl ? nl + 1 : NULL;
    }
  return 0;
}

struct key_lookup
{
  const char *key;
  uint64_t *v;
};

static int
match_key (const char *key, uint64_t v, void *data)
{
  struct key_lookup *l = data;
  if (strcmp (key, l->key) == 0)
    *l->v = v;
  return 0;
}

/* The value of one key of a flat-keyed file (0 when absent). */
static int
read_key (const char *dir, const char *name, const char *key, uint64_t *v, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  *v = 0;
  int r = burrow_cgstat_read (dir, name, &text, err);
  if (r != 0)
    return r;
  struct key_lookup l = { key, v };
  return burrow_cgstat_each_kv (text, match_key, &l);
}

/* ---------------------------------------------------------------- filling the struct */

static int
push_u64 (struct burrow_cgstat_u64s *l, uint64_t v)
{
  if (l->n % 16 == 0)
    {
      uint64_t *nv = realloc (l->v, (l->n + 16) * sizeof *nv);
      if (nv == NULL)
        return -1;
      l->v = nv;
    }
  l->v[l->n++] = v;
  return 0;
}

static int
add_raw (const char *key, uint64_t v, void *data)
{
  struct burrow_cgstat_raw *r = data;
  if (r->n % 32 == 0)
    {
      struct burrow_cgstat_kv *nv = realloc (r->v, (r->n + 32) * sizeof *nv);
      if (nv == NULL)
        return -1;
      r->v = nv;
    }
  r->v[r->n].key = strdup (key);
  if (r->v[r->n].key == NULL)
    return -1;
  r->v[r->n++].value = v;
  return 0;
}

uint64_t
burrow_cgstat_raw_get (const struct burrow_cgstat_raw *r, const char *key)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp (r->v[i].key, key) == 0)
      return r->v[i].value;
  return 0;
}

int
burrow_cgstat_raw_read (const char *dir, const char *name, struct burrow_cgstat_raw *out,
                        struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  int r = burrow_cgstat_read (dir, name, &text, err);
  if (r != 0)
    return r;
  if (burrow_cgstat_each_kv (text, add_raw, out) < 0)
    return burrow_fail_errno (err, "`%s/%s`", dir, name);
  return 0;
}

/* Numbers separated by blanks (cpuacct.usage_percpu). */
int
burrow_cgstat_parse_list (const char *text, struct burrow_cgstat_u64s *out)
{
  const char *p = text;
  for (;;)
    {
      while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
      if (*p == '\0')
        return 0;
      char *end;
      errno = 0;
      unsigned long long v = strtoull (p, &end, 10);
      if (end == p || errno != 0 || push_u64 (out, v) < 0)
        return -1;
      p = end;
    }
}

/* A cpuset list such as "0-3,8,10-11". */
int
burrow_cgstat_parse_cpuset (const char *text, struct burrow_cgstat_u64s *out)
{
  const char *p = text;
  while (*p && *p != '\n')
    {
      char *end;
      unsigned long a = strtoul (p, &end, 10), b = a;
      if (end == p)
        return -1;
      p = end;
      if (*p == '-')
        {
          b = strtoul (p + 1, &end, 10);
          if (end == p + 1 || b < a || b - a > 65535)
            return -1;
          p = end;
        }
      for (unsigned long i = a; i <= b; i++)
        if (push_u64 (out, i) < 0)
          return -1;
      if (*p == ',')
        p++;
      else if (*p && *p != '\n')
        return -1;
    }
  return 0;
}

static int
push_blkio (struct burrow_cgstat_blkio *l, uint64_t major, uint64_t minor, const char *op,
            uint64_t value)
{
  if (l->n % 16 == 0)
    {
      struct burrow_cgstat_blkio_entry *nv = realloc (l->v, (l->n + 16) * sizeof *nv);
      if (nv == NULL)
        return -1;
      l->v = nv;
    }
  struct burrow_cgstat_blkio_entry *e = &l->v[l->n++];
  e->major = major;
  e->minor = minor;
  snprintf (e->op, sizeof e->op, "%s", op);
  e->value = value;
  return 0;
}

/* v1 blkio files: "MAJ:MIN Op VALUE" (or "MAJ:MIN VALUE" for sectors and time), and a
   "Total N" line that runc leaves out. */
int
burrow_cgstat_parse_blkio_v1 (const char *text, struct burrow_cgstat_blkio *out)
{
  const char *line = text;
  while (line && *line)
    {
      const char *nl = strchr (line, '\n');
      char buf[256];
      size_t len = nl ? (size_t)(nl - line) : strlen (line);
      snprintf (buf, sizeof buf, "%.*s", (int)len, line);
      line = nl ? nl + 1 : NULL;
      unsigned long long major, minor, value;
      char op[32];
      if (sscanf (buf, "%llu:%llu %31s %llu", &major, &minor, op, &value) == 4)
        {
          if (push_blkio (out, major, minor, op, value) < 0)
            return -1;
        }
      else if (sscanf (buf, "%llu:%llu %llu", &major, &minor, &value) == 3)
        {
          if (push_blkio (out, major, minor, "", value) < 0)
            return -1;
        }
    }
  return 0;
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N"; as runc does,
   bytes and ios become v1's Read/Write entries of ioServiceBytesRecursive and
   ioServicedRecursive, and the rest is left out. */
int
burrow_cgstat_parse_io_stat (const char *text, struct burrow_cgstat_blkio *bytes,
                             struct burrow_cgstat_blkio *ios)
{
  const char *line = text;
  while (line && *line)
    {
      const char *nl = strchr (line, '\n');
      char buf[1024], *save = NULL;
      size_t len = nl ? (size_t)(nl - line) : strlen (line);
      snprintf (buf, sizeof buf, "%.*s", (int)len, line);
      line = nl ? nl + 1 : NULL;
      unsigned long long major, minor;
      char *dev = strtok_r (buf, " ", &save);
      if (dev == NULL || sscanf (dev, "%llu:%llu", &major, &minor) != 2)
        continue;
      for (char *f = strtok_r (NULL, " ", &save); f; f = strtok_r (NULL, " ", &save))
        {
          char *eq = strchr (f, '=');
          uint64_t v;
          if (eq == NULL || burrow_cgstat_parse_u64 (eq + 1, &v) < 0)
            continue;
          *eq = '\0';
          struct burrow_cgstat_blkio *to = NULL;
          const char *op = NULL;
          if (strcmp (f, "rbytes") == 0 || strcmp (f, "wbytes") == 0)
            to = bytes;
          else if (strcmp (f, "rios") == 0 || strcmp (f, "wios") == 0)
            to = ios;
          if (to == NULL)
            continue;
          op = f[0] == 'r' ? "Read" : "Write";
          if (push_blkio (to, major, minor, op, v) < 0)
            return -1;
        }
    }
  return 0;
}

/* ---------------------------------------------------------------- per controller */

static int
memory_entry_v1 (const char *dir, const char *prefix, struct burrow_cgstat_mem *e,
                 struct burrow_error *err)
{
  static const char *const files[]
      = { "usage_in_bytes", "max_usage_in_bytes", "failcnt", "limit_in_bytes" };
  uint64_t *dst[] = { &e->usage, &e->max, &e->failcnt, &e->limit };
  char name[128];
  for (size_t i = 0; i < 4; i++)
    {
      snprintf (name, sizeof name, "%s%s", prefix, files[i]);
      int r = read_u64 (dir, name, dst[i], err);
      if (r < 0)
        return -1;
      /* No memsw (swap accounting off) or no kmem: the entry stays empty. */
      if (r > 0)
        {
          memset (e, 0, sizeof *e);
          return 0;
        }
    }
  return 0;
}

static int
memory_v1 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  int r = burrow_cgstat_raw_read (dir, "memory.stat", &s->memory.raw, err);
  if (r != 0)
    return r > 0 ? 0 : -1;
  s->memory.cache = burrow_cgstat_raw_get (&s->memory.raw, "cache");
  if (memory_entry_v1 (dir, "memory.", &s->memory.usage, err) < 0
      || memory_entry_v1 (dir, "memory.memsw.", &s->memory.swap, err) < 0
      || memory_entry_v1 (dir, "memory.kmem.", &s->memory.kernel, err) < 0
      || memory_entry_v1 (dir, "memory.kmem.tcp.", &s->memory.kernel_tcp, err) < 0)
    return -1;
  return 0;
}

/* v2: swap is reported as memory + swap, as v1's memsw was (runc does the same). */
static int
memory_v2 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  int r = burrow_cgstat_raw_read (dir, "memory.stat", &s->memory.raw, err);
  if (r != 0)
    return r > 0 ? 0 : -1;
  s->memory.cache = burrow_cgstat_raw_get (&s->memory.raw, "file");
  struct burrow_cgstat_mem *m = &s->memory.usage, *sw = &s->memory.swap;
  if (read_u64 (dir, "memory.current", &m->usage, err) < 0
      || read_u64 (dir, "memory.max", &m->limit, err) < 0
      || read_u64 (dir, "memory.peak", &m->max, err) < 0
      || read_key (dir, "memory.events", "max", &m->failcnt, err) < 0
      || read_u64 (dir, "memory.swap.current", &sw->usage, err) < 0
      || read_u64 (dir, "memory.swap.max", &sw->limit, err) < 0
      || read_key (dir, "memory.swap.events", "max", &sw->failcnt, err) < 0)
    return -1;
  sw->usage += m->usage;
  if (sw->limit != UINT64_MAX)
    sw->limit += m->limit;
  return 0;
}

/* cpuacct.usage_all: "cpu user system" then one line per cpu, in nanoseconds. */
static int
percpu_modes_v1 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  int r = burrow_cgstat_read (dir, "cpuacct.usage_all", &text, err);
  if (r != 0)
    return r > 0 ? 0 : -1;
  const char *line = strchr (text, '\n');
  while (line && *++line)
    {
      unsigned long long cpu, user, sys;
      if (sscanf (line, "%llu %llu %llu", &cpu, &user, &sys) == 3
          && (push_u64 (&s->cpu.percpu_user, user) < 0
              || push_u64 (&s->cpu.percpu_kernel, sys) < 0))
        return burrow_fail_errno (err, "cpuacct.usage_all");
      line = strchr (line, '\n');
    }
  return 0;
}

static int
cpuacct_v1 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  cleanup_free char *percpu = NULL;
  uint64_t user = 0, sys = 0;
  long ticks = sysconf (_SC_CLK_TCK);
  if (ticks <= 0)
    ticks = 100;
  if (read_u64 (dir, "cpuacct.usage", &s->cpu.total, err) < 0
      || read_key (dir, "cpuacct.stat", "user", &user, err) < 0
      || read_key (dir, "cpuacct.stat", "system", &sys, err) < 0)
    return -1;
  /* cpuacct.stat counts USER_HZ ticks. */
  s->cpu.user = user * 1000000000ULL / ticks;
  s->cpu.kernel = sys * 1000000000ULL / ticks;
  int r = burrow_cgstat_read (dir, "cpuacct.usage_percpu", &percpu, err);
  if (r < 0)
    return -1;
  if (r == 0 && burrow_cgstat_parse_list (percpu, &s->cpu.percpu) < 0)
    return burrow_fail_plain (err, EINVAL, "`%s/cpuacct.usage_percpu`: not a list of numbers", dir);
  return percpu_modes_v1 (dir, s, err);
}

static int
cpu_stat_kv (const char *key, uint64_t v, void *data)
{
  struct burrow_cgstats *s = data;
  /* v2 counts microseconds, v1's throttled_time nanoseconds. */
  if (strcmp (key, "usage_usec") == 0)
    s->cpu.total = v * 1000;
  else if (strcmp (key, "user_usec") == 0)
    s->cpu.user = v * 1000;
  else if (strcmp (key, "system_usec") == 0)
    s->cpu.kernel = v * 1000;
  else if (strcmp (key, "nr_periods") == 0)
    s->cpu.periods = v;
  else if (strcmp (key, "nr_throttled") == 0)
    s->cpu.throttled_periods = v;
  else if (strcmp (key, "throttled_usec") == 0)
    s->cpu.throttled_time = v * 1000;
  else if (strcmp (key, "throttled_time") == 0)
    s->cpu.throttled_time = v;
  return 0;
}

static int
cpu_stat (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  int r = burrow_cgstat_read (dir, "cpu.stat", &text, err);
  if (r != 0)
    return r > 0 ? 0 : -1;
  return burrow_cgstat_each_kv (text, cpu_stat_kv, s);
}

static int
cpuset_v1 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  static const struct
  {
    const char *file;
    size_t offset;
  } flags[] = {
    { "cpuset.cpu_exclusive", offsetof (struct burrow_cgstats, cpuset.cpu_exclusive) },
    { "cpuset.mem_hardwall", offsetof (struct burrow_cgstats, cpuset.mem_hardwall) },
    { "cpuset.mem_exclusive", offsetof (struct burrow_cgstats, cpuset.mem_exclusive) },
    { "cpuset.memory_migrate", offsetof (struct burrow_cgstats, cpuset.memory_migrate) },
    { "cpuset.memory_spread_page", offsetof (struct burrow_cgstats, cpuset.memory_spread_page) },
    { "cpuset.memory_spread_slab", offsetof (struct burrow_cgstats, cpuset.memory_spread_slab) },
    { "cpuset.memory_pressure", offsetof (struct burrow_cgstats, cpuset.memory_pressure) },
    { "cpuset.sched_load_balance", offsetof (struct burrow_cgstats, cpuset.sched_load_balance) },
  };
  const char *lists[] = { "cpuset.cpus", "cpuset.mems" };
  struct burrow_cgstat_u64s *dst[] = { &s->cpuset.cpus, &s->cpuset.mems };
  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *text = NULL;
      int r = burrow_cgstat_read (dir, lists[i], &text, err);
      if (r < 0)
        return -1;
      if (r == 0 && burrow_cgstat_parse_cpuset (text, dst[i]) < 0)
        return burrow_fail_plain (err, EINVAL, "`%s/%s`: not a cpu list: `%.40s`", dir, lists[i],
                                  text);
    }
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (read_u64 (dir, flags[i].file, (uint64_t *)((char *)s + flags[i].offset), err) < 0)
      return -1;
  cleanup_free char *level = NULL;
  if (burrow_cgstat_read (dir, "cpuset.sched_relax_domain_level", &level, err) == 0)
    s->cpuset.sched_relax_domain_level = strtoll (level, NULL, 10);
  return 0;
}

static int
count_lines (const char *dir, const char *name, uint64_t *n, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  int r = burrow_cgstat_read (dir, name, &text, err);
  *n = 0;
  if (r != 0)
    return r;
  for (const char *p = text; *p; p++)
    *n += *p == '\n';
  return 0;
}

/* pids.max "max" means no limit: runc shows 0. Without the pids controller (v2), the
   processes listed in cgroup.procs are counted, as runc does. */
static int
pids_stat (const char *dir, bool v2, struct burrow_cgstats *s, struct burrow_error *err)
{
  int r = read_u64 (dir, "pids.current", &s->pids.current, err);
  if (r < 0)
    return -1;
  if (r > 0)
    return v2 ? count_lines (dir, "cgroup.procs", &s->pids.current, err) < 0 ? -1 : 0 : 0;
  if (read_u64 (dir, "pids.max", &s->pids.limit, err) < 0)
    return -1;
  if (s->pids.limit == UINT64_MAX)
    s->pids.limit = 0;
  return 0;
}

/* runc reads the first group of files that exists: bfq's debug files, bfq, cfq, then the
   throttle files (recursive first). */
static int
blkio_v1 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  static const char *const groups[][8] = {
    { "blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive",
      "blkio.bfq.io_queued_recursive", "blkio.bfq.io_service_time_recursive",
      "blkio.bfq.io_wait_time_recursive", "blkio.bfq.io_merged_recursive",
      "blkio.bfq.time_recursive", "blkio.bfq.sectors_recursive" },
    { "blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive" },
    { "blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive",
      "blkio.io_queued_recursive", "blkio.io_service_time_recursive",
      "blkio.io_wait_time_recursive", "blkio.io_merged_recursive", "blkio.time_recursive",
      "blkio.sectors_recursive" },
    { "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive" },
    { "blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced" },
  };
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
    {
      struct burrow_cgstat_blkio lists[BURROW_CGSTAT_BLKIO_COUNT] = { { 0 } };
      int r = 0;
      for (size_t i = 0; i < 8 && groups[g][i] && r == 0; i++)
        {
          cleanup_free char *text = NULL;
          r = burrow_cgstat_read (dir, groups[g][i], &text, err);
          if (r == 0 && burrow_cgstat_parse_blkio_v1 (text, &lists[i]) < 0)
            r = burrow_fail_errno (err, "`%s/%s`", dir, groups[g][i]);
        }
      if (r == 0)
        {
          memcpy (s->blkio, lists, sizeof lists);
          return 0;
        }
      for (size_t j = 0; j < BURROW_CGSTAT_BLKIO_COUNT; j++)
        free (lists[j].v);
      /* r > 0: a file of this group is missing, try the next group. */
      if (r < 0)
        return -1;
    }
  return 0;
}

static int
io_v2 (const char *dir, struct burrow_cgstats *s, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  int r = burrow_cgstat_read (dir, "io.stat", &text, err);
  if (r != 0)
    return r > 0 ? 0 : -1;
  if (burrow_cgstat_parse_io_stat (text, &s->blkio[BURROW_CGSTAT_IO_SERVICE_BYTES],
                                   &s->blkio[BURROW_CGSTAT_IO_SERVICED])
      < 0)
    return burrow_fail_errno (err, "`%s/io.stat`", dir);
  return 0;
}

/* The page sizes come from the file names themselves (hugetlb.2MB.current), not from
   /sys/kernel/mm/hugepages, so the object names exactly what the cgroup offers. */
static int
hugetlb_stat (const char *dir, bool v2, struct burrow_cgstats *s, struct burrow_error *err)
{
  cleanup_dir DIR *d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : burrow_fail_errno (err, "open `%s`", dir);
  const char *suffix = v2 ? ".current" : ".usage_in_bytes";
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      const char *n = de->d_name;
      size_t len = strlen (n), sl = strlen (suffix);
      if (strncmp (n, "hugetlb.", 8) != 0 || len <= 8 + sl || strcmp (n + len - sl, suffix) != 0)
        continue;
      char size[16], name[128];
      int sz = (int)(len - 8 - sl);
      /* hugetlb.2MB.rsvd.current is the reservation counter, not a page size. */
      if (sz >= (int)sizeof size || memchr (n + 8, '.', sz) != NULL)
        continue;
      snprintf (size, sizeof size, "%.*s", sz, n + 8);
      if (s->n_hugetlb == BURROW_CGSTAT_HUGETLB_MAX)
        break;
      struct burrow_cgstat_hugetlb *h = &s->hugetlb[s->n_hugetlb++];
      memset (h, 0, sizeof *h);
      snprintf (h->size, sizeof h->size, "%s", size);
      snprintf (name, sizeof name, "hugetlb.%s%s", size, suffix);
      if (read_u64 (dir, name, &h->usage, err) < 0)
        return -1;
      if (v2)
        {
          snprintf (name, sizeof name, "hugetlb.%s.events", size);
          if (read_key (dir, name, "max", &h->failcnt, err) < 0)
            return -1;
          continue;
        }
      snprintf (name, sizeof name, "hugetlb.%s.max_usage_in_bytes", size);
      if (read_u64 (dir, name, &h->max, err) < 0)
        return -1;
      snprintf (name, sizeof name, "hugetlb.%s.failcnt", size);
      if (read_u64 (dir, name, &h->failcnt, err) < 0)
        return -1;
    }
  return 0;
}

/* ---------------------------------------------------------------- collecting */

int
burrow_cgstats_collect (const struct burrow_cgroup *cg, struct burrow_cgstats *s,
                        struct burrow_error *err)
{
  memset (s, 0, sizeof *s);
  const char *const *v1 = (const char *const *)cg->v1;
  bool is_v1 = cg->version == 1;
  /* On a hybrid host, a controller v1 lacks may still be in the unified hierarchy. */
  const char *u = cg->path;
#define V1(c) (is_v1 ? v1[c] : NULL)
  int r = 0;
  if (V1 (BURROW_CG1_CPUACCT))
    r = cpuacct_v1 (V1 (BURROW_CG1_CPUACCT), s, err);
  else if (u)
    r = cpu_stat (u, s, err);
  if (r == 0 && V1 (BURROW_CG1_CPU))
    r = cpu_stat (V1 (BURROW_CG1_CPU), s, err);
  if (r == 0 && V1 (BURROW_CG1_CPUSET))
    r = cpuset_v1 (V1 (BURROW_CG1_CPUSET), s, err);
  if (r == 0)
    r = V1 (BURROW_CG1_MEMORY) ? memory_v1 (V1 (BURROW_CG1_MEMORY), s, err)
        : u                    ? memory_v2 (u, s, err)
                               : 0;
  if (r == 0)
    r = V1 (BURROW_CG1_PIDS) ? pids_stat (V1 (BURROW_CG1_PIDS), false, s, err)
        : u                  ? pids_stat (u, true, s, err)
                             : 0;
  if (r == 0)
    r = V1 (BURROW_CG1_BLKIO) ? blkio_v1 (V1 (BURROW_CG1_BLKIO), s, err)
        : u                   ? io_v2 (u, s, err)
                              : 0;
  if (r == 0)
    r = V1 (BURROW_CG1_HUGETLB) ? hugetlb_stat (V1 (BURROW_CG1_HUGETLB), false, s, err)
        : u                     ? hugetlb_stat (u, true, s, err)
                                : 0;
#undef V1
  return r < 0 ? -1 : 0;
}

void
burrow_cgstats_release (struct burrow_cgstats *s)
{
  free (s->cpu.percpu.v);
  free (s->cpu.percpu_kernel.v);
  free (s->cpu.percpu_user.v);
  free (s->cpuset.cpus.v);
  free (s->cpuset.mems.v);
  for (size_t i = 0; i < s->memory.raw.n; i++)
    free (s->memory.raw.v[i].key);
  free (s->memory.raw.v);
  for (size_t i = 0; i < BURROW_CGSTAT_BLKIO_COUNT; i++)
    free (s->blkio[i].v);
  memset (s, 0, sizeof *s);
}

int
burrow_cgroup_stats (const struct burrow_cgroup *cg, cJSON **out, struct burrow_error *err)
{
  struct burrow_cgstats s;
  *out = NULL;
  if (burrow_cgstats_collect (cg, &s, err) < 0)
    {
      burrow_cgstats_release (&s);
      return burrow_error_prefix (err, "cgroup stats");
    }
  *out = burrow_cgstats_to_json (&s);
  burrow_cgstats_release (&s);
  return *out ? 0 : burrow_fail (err, ENOMEM, "cgroup stats");
}
