/* test_cgroup_stats.c: the stats parsers and runc's JSON shape, on cgroup directories made
   of sample files (v2, v1, a hybrid host) in a temporary directory. */
#include "config.h"
#include "cgroup_stats.h"

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[] = "/tmp/burrow-test-cgstats.XXXXXX";

static void
put (const char *dir, const char *name, const char *text)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    {
      perror (path);
      exit (1);
    }
  fputs (text, f);
  fclose (f);
}

static char *
subdir (const char *name)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s", top, name) < 0 || mkdir (p, 0700) < 0)
    {
      perror (name);
      exit (1);
    }
  return p;
}

/* The stats of cg as JSON text, NULL (with the error printed) on failure. */
static char *
stats_of (const struct burrow_cgroup *cg)
{
  cJSON *o = NULL;
  struct burrow_error err = { 0 };
  if (burrow_cgroup_stats (cg, &o, &err) < 0)
    {
      printf ("# %s\n", err.msg);
      return NULL;
    }
  char *s = cJSON_PrintUnformatted (o);
  cJSON_Delete (o);
  return s;
}

static void
test_parsers (void)
{
  uint64_t v = 0;
  ok (burrow_cgstat_parse_u64 ("42\n", &v) == 0 && v == 42, "a number with a newline");
  ok (burrow_cgstat_parse_u64 ("max\n", &v) == 0 && v == UINT64_MAX, "max is the largest value");
  ok (burrow_cgstat_parse_u64 ("4x", &v) < 0, "trailing garbage refused");
  ok (burrow_cgstat_parse_u64 ("", &v) < 0, "empty refused");

  struct burrow_cgstat_u64s l = { 0 };
  ok (burrow_cgstat_parse_cpuset ("0-2,5,7-8\n", &l) == 0 && l.n == 6 && l.v[0] == 0 && l.v[2] == 2
          && l.v[3] == 5 && l.v[5] == 8,
      "cpuset list 0-2,5,7-8");
  free (l.v);
  l = (struct burrow_cgstat_u64s){ 0 };
  ok (burrow_cgstat_parse_cpuset ("3-1", &l) < 0, "a backwards range is refused");
  free (l.v);
  l = (struct burrow_cgstat_u64s){ 0 };
  ok (burrow_cgstat_parse_list ("10 20 30 \n", &l) == 0 && l.n == 3 && l.v[2] == 30, "percpu list");
  free (l.v);

  struct burrow_cgstat_blkio b = { 0 }, ios = { 0 };
  ok (burrow_cgstat_parse_blkio_v1 ("8:0 Read 4096\n8:0 Write 512\n8:16 Total 0\nTotal 4608\n", &b)
              == 0
          && b.n == 3 && b.v[0].major == 8 && strcmp (b.v[0].op, "Read") == 0
          && b.v[0].value == 4096 && b.v[2].minor == 16,
      "v1 blkio lines, the Total line left out");
  free (b.v);
  b = (struct burrow_cgstat_blkio){ 0 };
  ok (burrow_cgstat_parse_blkio_v1 ("8:0 77\n", &b) == 0 && b.n == 1 && b.v[0].op[0] == '\0'
          && b.v[0].value == 77,
      "v1 sectors line without op");
  free (b.v);
  b = (struct burrow_cgstat_blkio){ 0 };
  ok (burrow_cgstat_parse_io_stat ("259:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n",
                                   &b, &ios)
              == 0
          && b.n == 2 && ios.n == 2 && strcmp (b.v[1].op, "Write") == 0 && b.v[1].value == 200
          && ios.v[0].value == 3 && b.v[0].major == 259,
      "v2 io.stat: bytes and ios as Read/Write entries, the rest left out");
  free (b.v);
  free (ios.v);
}

static void
test_v2 (void)
{
  char *d = subdir ("v2");
  put (d, "cpu.stat",
       "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\n"
       "throttled_usec 30\n");
  put (d, "memory.stat", "file 4096\nanon 8192\nkernel_stack 16384\n");
  put (d, "memory.current", "12288\n");
  put (d, "memory.max", "max\n");
  put (d, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  put (d, "memory.swap.current", "100\n");
  put (d, "memory.swap.max", "1000\n");
  put (d, "memory.max", "50000\n");
  put (d, "pids.current", "3\n");
  put (d, "pids.max", "max\n");
  put (d, "io.stat", "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
  put (d, "hugetlb.2MB.current", "0\n");
  put (d, "hugetlb.2MB.events", "max 4\n");
  put (d, "hugetlb.2MB.rsvd.current", "0\n");
  put (d, "hugetlb.1GB.current", "1073741824\n");
  put (d, "hugetlb.1GB.events", "max 0\n");
  struct burrow_cgroup cg = { .manager = BURROW_CGROUP_CGROUPFS, .version = 2, .path = d };
  char *s = stats_of (&cg);
  like (s,
        "\"cpu\":{\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000},"
        "\"throttling\":{\"periods\":7,\"throttledPeriods\":2,\"throttledTime\":30000}}",
        "v2 cpu.stat in nanoseconds");
  like (s, "\"memory\":{\"cache\":4096,\"usage\":{\"limit\":50000,\"usage\":12288,\"failcnt\":3}",
        "v2 memory: cache from file, usage and limit, failcnt from events max");
  like (s, "\"swap\":{\"limit\":51000,\"usage\":12388,\"failcnt\":0}",
        "v2 swap reported as memory + swap (runc)");
  like (s, "\"raw\":{\"anon\":8192,\"file\":4096,\"kernel_stack\":16384}",
        "memory.stat as raw, keys sorted");
  like (s, "\"pids\":{\"current\":3}", "pids: max means no limit, left out");
  like (s,
        "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096},"
        "{\"major\":8,\"op\":\"Write\"}],\"ioServicedRecursive\":",
        "io.stat as blkio entries, zero fields left out");
  like (s, "\"hugetlb\":{\"1GB\":{\"usage\":1073741824,\"failcnt\":0},\"2MB\":{\"failcnt\":4}}",
        "hugetlb by page size, sorted, rsvd files ignored");
  like (s, "\"intel_rdt\":{},\"network_interfaces\":null}", "runc's trailing fields");
  free (s);

  /* Without the pids and memory controllers (a rootless subtree on this host). */
  char *e = subdir ("v2-bare");
  put (e, "cgroup.procs", "10\n11\n");
  put (e, "cpu.stat", "usage_usec 1\nuser_usec 1\nsystem_usec 0\n");
  cg.path = e;
  s = stats_of (&cg);
  like (s, "\"pids\":{\"current\":2}", "no pids controller: cgroup.procs counted");
  like (s, "\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},", "no memory controller: zeros");
  like (s, "\"blkio\":{},\"hugetlb\":{}", "no io, no hugetlb: empty objects");
  free (s);

  put (e, "memory.stat", "file 1\n");
  put (e, "memory.current", "twelve\n");
  struct burrow_error err = { 0 };
  cJSON *o = NULL;
  ok (burrow_cgroup_stats (&cg, &o, &err) < 0 && o == NULL, "a malformed file is an error");
  like (err.msg, "memory.current`: not a number", "the error names the file: %s", err.msg);
  free (d);
  free (e);
}

static void
test_v1 (void)
{
  char *mem = subdir ("memory"), *acct = subdir ("cpuacct"), *cpu = subdir ("cpu");
  char *pids = subdir ("pids"), *blkio = subdir ("blkio"), *cpuset = subdir ("cpuset");
  char *unified = subdir ("unified");
  put (mem, "memory.stat", "cache 100\nrss 200\ntotal_rss 200\n");
  put (mem, "memory.usage_in_bytes", "300\n");
  put (mem, "memory.max_usage_in_bytes", "400\n");
  put (mem, "memory.failcnt", "0\n");
  put (mem, "memory.limit_in_bytes", "9223372036854771712\n");
  put (mem, "memory.memsw.usage_in_bytes", "300\n");
  put (mem, "memory.memsw.max_usage_in_bytes", "400\n");
  put (mem, "memory.memsw.failcnt", "0\n");
  put (mem, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
  put (acct, "cpuacct.usage", "123456789\n");
  put (acct, "cpuacct.usage_percpu", "100000000 23456789 \n");
  put (acct, "cpuacct.usage_all", "cpu user system\n0 90000000 10000000\n1 20000000 3456789\n");
  put (acct, "cpuacct.stat", "user 10\nsystem 2\n");
  put (cpu, "cpu.stat", "nr_periods 5\nnr_throttled 1\nthrottled_time 777\n");
  put (pids, "pids.current", "2\n");
  put (pids, "pids.max", "64\n");
  put (blkio, "blkio.throttle.io_service_bytes_recursive",
       "8:0 Read 512\n8:0 Write 0\nTotal 512\n");
  put (blkio, "blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
  put (blkio, "blkio.throttle.io_service_bytes", "8:0 Read 999\n");
  put (blkio, "blkio.throttle.io_serviced", "8:0 Read 9\n");
  put (cpuset, "cpuset.cpus", "0-1\n");
  put (cpuset, "cpuset.mems", "0\n");
  put (cpuset, "cpuset.sched_load_balance", "1\n");
  put (cpuset, "cpuset.sched_relax_domain_level", "-1\n");
  put (unified, "hugetlb.2MB.current", "2097152\n");
  put (unified, "hugetlb.2MB.events", "max 0\n");
  struct burrow_cgroup cg = { .manager = BURROW_CGROUP_CGROUPFS, .version = 1, .path = unified };
  cg.v1[BURROW_CG1_MEMORY] = mem;
  cg.v1[BURROW_CG1_CPUACCT] = acct;
  cg.v1[BURROW_CG1_CPU] = cpu;
  cg.v1[BURROW_CG1_PIDS] = pids;
  cg.v1[BURROW_CG1_BLKIO] = blkio;
  cg.v1[BURROW_CG1_CPUSET] = cpuset;
  char *s = stats_of (&cg);
  long hz = sysconf (_SC_CLK_TCK);
  char want[512];
  snprintf (want, sizeof want,
            "\"usage\":{\"total\":123456789,\"percpu\":[100000000,23456789],"
            "\"percpu_kernel\":[10000000,3456789],\"percpu_user\":[90000000,20000000],"
            "\"kernel\":%llu,\"user\":%llu}",
            2000000000ULL / hz, 10000000000ULL / hz);
  like (s, want, "v1 cpuacct: total, per cpu, per mode, ticks in nanoseconds");
  like (s, "\"throttling\":{\"periods\":5,\"throttledPeriods\":1,\"throttledTime\":777}",
        "v1 cpu.stat throttling");
  like (s,
        "\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mems\":[0],\"mem_hardwall\":0,"
        "\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,"
        "\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":1,"
        "\"sched_relax_domain_level\":-1}",
        "v1 cpuset");
  like (s,
        "\"memory\":{\"cache\":100,\"usage\":{\"limit\":9223372036854771712,\"usage\":300,"
        "\"max\":400,\"failcnt\":0},\"swap\":{\"limit\":9223372036854771712,\"usage\":300,"
        "\"max\":400,\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0}",
        "v1 memory and memsw exact to the byte; no kmem files: an empty entry");
  like (s, "\"raw\":{\"cache\":100,\"rss\":200,\"total_rss\":200}", "v1 memory.stat raw");
  like (s, "\"pids\":{\"current\":2,\"limit\":64}", "v1 pids");
  like (s,
        "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":512},"
        "{\"major\":8,\"op\":\"Write\"}],\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\","
        "\"value\":1}]}",
        "v1 blkio: the recursive throttle files win over the plain ones");
  like (s, "\"hugetlb\":{\"2MB\":{\"usage\":2097152,\"failcnt\":0}}",
        "hybrid: hugetlb from the unified hierarchy");
  free (s);
  free (mem);
  free (acct);
  free (cpu);
  free (pids);
  free (blkio);
  free (cpuset);
  free (unified);
}

int
main (void)
{
  if (mkdtemp (top) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  test_parsers ();
  test_v2 ();
  test_v1 ();
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", top);
  if (system (cmd) != 0)
    printf ("# could not remove %s\n", top);
  return tap_done ();
}
