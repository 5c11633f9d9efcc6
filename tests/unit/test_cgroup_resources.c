/* test_cgroup_resources.c: linux.resources -> cgroup files (v1 and v2), runc's
   conversions, the systemd path form, bad values refused with the field named, and the
   state JSON round trip. */
#include "config.h"
#include "cgroup_internal.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* The value written to `file` by resources `json` on `version`, or NULL. */
static char *
written (const char *json, int version, const char *file)
{
  static char value[256];
  struct burrow_error err = { 0 };
  struct burrow_cg_writes w;
  cJSON *res = cJSON_Parse (json);
  char *ret = NULL;
  if (burrow_cg_translate (res, version, &w, &err) == 0)
    {
      for (size_t i = 0; i < w.n; i++)
        if (strcmp (w.v[i].file, file) == 0)
          {
            snprintf (value, sizeof value, "%s", w.v[i].value);
            ret = value;
          }
      burrow_cg_writes_release (&w);
    }
  cJSON_Delete (res);
  return ret;
}

static const char *
refused (const char *json, int version)
{
  static struct burrow_error err;
  struct burrow_cg_writes w;
  memset (&err, 0, sizeof err);
  cJSON *res = cJSON_Parse (json);
  int r = burrow_cg_translate (res, version, &w, &err);
  cJSON_Delete (res);
  if (r == 0)
    {
      burrow_cg_writes_release (&w);
      return NULL;
    }
  return err.msg;
}

static void
conversions (void)
{
  ok (burrow_cg_shares_to_weight (1024) == 39, "shares 1024 -> weight 39 (runc)");
  ok (burrow_cg_shares_to_weight (2) == 1, "shares 2 -> weight 1");
  ok (burrow_cg_shares_to_weight (262144) == 10000, "shares 262144 -> weight 10000");
  ok (burrow_cg_shares_to_weight (0) == 0, "shares 0 -> unset");
  ok (burrow_cg_blkio_to_io_weight (10) == 1, "blkio 10 -> io 1");
  ok (burrow_cg_blkio_to_io_weight (1000) == 10000, "blkio 1000 -> io 10000");
  struct burrow_error err = { 0 };
  int64_t s = 0;
  ok (burrow_cg_swap_v2 (200, 100, &s, &err) == 0 && s == 100, "swap 200 with limit 100 -> 100");
  ok (burrow_cg_swap_v2 (-1, 100, &s, &err) == 0 && s == -1, "swap -1 -> max");
  ok (burrow_cg_swap_v2 (0, -1, &s, &err) == 0 && s == -1, "unlimited memory: swap max too");
  ok (burrow_cg_swap_v2 (50, 100, &s, &err) < 0, "swap below the limit refused");
  like (err.msg, "memory plus swap", "message says why");
}

static void
v2 (void)
{
  is_str (written ("{\"memory\":{\"limit\":104857600}}", 2, "memory.max"), "104857600",
          "memory.limit -> memory.max");
  is_str (written ("{\"memory\":{\"limit\":-1}}", 2, "memory.max"), "max", "-1 -> max");
  is_str (written ("{\"memory\":{\"limit\":104857600,\"swap\":209715200}}", 2, "memory.swap.max"),
          "104857600", "memory.swap is memory+swap: v2 gets the difference");
  is_str (written ("{\"memory\":{\"reservation\":1048576}}", 2, "memory.low"), "1048576",
          "reservation -> memory.low");
  is_str (written ("{\"cpu\":{\"shares\":1024}}", 2, "cpu.weight"), "39", "shares -> cpu.weight");
  is_str (written ("{\"cpu\":{\"quota\":50000,\"period\":100000}}", 2, "cpu.max"), "50000 100000",
          "quota/period -> cpu.max");
  is_str (written ("{\"cpu\":{\"quota\":-1,\"period\":200000}}", 2, "cpu.max"), "max 200000",
          "no quota, a period -> max PERIOD");
  is_str (written ("{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\"}}", 2, "cpuset.cpus"), "0-1",
          "cpus -> cpuset.cpus");
  is_str (written ("{\"pids\":{\"limit\":32}}", 2, "pids.max"), "32", "pids.limit -> pids.max");
  is_str (written ("{\"pids\":{\"limit\":0}}", 2, "pids.max"), "max", "pids.limit 0 -> max");
  is_str (written ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", 2,
                   "hugetlb.2MB.max"),
          "4194304", "hugepageLimits -> hugetlb.2MB.max");
  is_str (written ("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
                   "\"rate\":1048576}]}}",
                   2, "io.max"),
          "8:0 rbps=1048576", "throttleReadBpsDevice -> io.max rbps");
  is_str (written ("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}}", 2, "rdma.max"),
          "mlx5_1 hca_handle=3 hca_object=max", "rdma -> rdma.max");
  is_str (written ("{\"unified\":{\"memory.high\":\"50000000\"}}", 2, "memory.high"), "50000000",
          "unified written as is");
  ok (written ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", 2, "devices.deny") == NULL,
      "v2: no devices files");
}

static void
v1 (void)
{
  is_str (written ("{\"memory\":{\"limit\":104857600}}", 1, "memory.limit_in_bytes"), "104857600",
          "memory.limit -> memory.limit_in_bytes");
  is_str (written ("{\"memory\":{\"limit\":104857600,\"swap\":209715200}}", 1,
                   "memory.memsw.limit_in_bytes"),
          "209715200", "memory.swap -> memsw as is");
  is_str (written ("{\"memory\":{\"reservation\":1048576}}", 1, "memory.soft_limit_in_bytes"),
          "1048576", "reservation -> soft limit");
  is_str (written ("{\"memory\":{\"disableOOMKiller\":true}}", 1, "memory.oom_control"), "1",
          "disableOOMKiller -> oom_control");
  is_str (written ("{\"cpu\":{\"shares\":512}}", 1, "cpu.shares"), "512", "shares as is");
  is_str (written ("{\"cpu\":{\"quota\":20000,\"period\":100000}}", 1, "cpu.cfs_quota_us"), "20000",
          "quota -> cfs_quota_us");
  is_str (written ("{\"cpu\":{\"quota\":20000,\"period\":100000}}", 1, "cpu.cfs_period_us"),
          "100000", "period -> cfs_period_us");
  is_str (written ("{\"pids\":{\"limit\":16}}", 1, "pids.max"), "16", "pids.max");
  is_str (written ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", 1,
                   "hugetlb.2MB.limit_in_bytes"),
          "4194304", "hugetlb v1 file");
  is_str (written ("{\"network\":{\"classID\":1048577}}", 1, "net_cls.classid"), "1048577",
          "classID -> net_cls.classid");
  is_str (written ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", 1, "devices.deny"),
          "a *:* rwm", "deny-all rule");
  is_str (written ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", 1, "devices.allow"),
          "c 136:* rwm", "default devices allowed after the rules (pts last)");
  is_str (written ("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,"
                   "\"rate\":100}]}}",
                   1, "blkio.throttle.write_iops_device"),
          "8:16 100", "throttle v1 file");
}

static void
bad_input (void)
{
  like (refused ("{\"memory\":{\"limit\":100}}", 2), "below one page",
        "a memory limit below a page is refused");
  like (refused ("{\"memory\":{\"limit\":\"big\"}}", 2), "linux.resources.memory.limit",
        "wrong type names the field");
  like (refused ("{\"cpu\":{\"period\":10}}", 2), "linux.resources.cpu.period",
        "a period the kernel refuses is named");
  like (refused ("{\"cpu\":{\"quota\":10,\"period\":100000}}", 1), "linux.resources.cpu.quota",
        "a quota below 1ms is named");
  like (refused ("{\"unified\":{\"memory.high\":\"1\"}}", 1), "cgroup v2",
        "unified on v1 is refused");
  like (refused ("{\"unified\":{\"../x\":\"1\"}}", 2), "file name", "unified key with a slash");
  like (refused ("{\"memory\":{\"limit\":1048576,\"swap\":4096}}", 2), "memory plus swap",
        "swap below limit");
}

static void
systemd_path (void)
{
  struct burrow_error err = { 0 };
  char *slice = NULL, *unit = NULL;
  ok (burrow_cg_systemd_parse_path ("system.slice:burrow:box", "x.slice", &slice, &unit, &err) == 0,
      "slice:prefix:name parses");
  is_str (slice, "system.slice", "its slice");
  is_str (unit, "burrow-box.scope", "its unit");
  free (slice);
  free (unit);
  ok (burrow_cg_systemd_parse_path (":burrow:box", "user.slice", &slice, &unit, &err) == 0,
      "empty slice");
  is_str (slice, "user.slice", "default slice");
  free (slice);
  free (unit);
  ok (burrow_cg_systemd_parse_path ("a-b.slice:p:n", "x.slice", &slice, &unit, &err) == 0,
      "nested slice name accepted");
  free (slice);
  free (unit);
  ok (burrow_cg_systemd_parse_path ("system.slice:burrow", "x.slice", &slice, &unit, &err) < 0,
      "two parts refused");
  like (err.msg, "slice:prefix:name", "message gives the form");
  ok (burrow_cg_systemd_parse_path ("a--b.slice:p:n", "x.slice", &slice, &unit, &err) < 0,
      "a--b.slice refused");
  ok (burrow_cg_systemd_parse_path ("foo:p:n", "x.slice", &slice, &unit, &err) < 0,
      "a slice without .slice refused");
  ok (burrow_cg_systemd_parse_path ("s.slice:p:a/b", "x.slice", &slice, &unit, &err) < 0,
      "a name with a slash refused");
}

static void
state_json (void)
{
  struct burrow_cgroup cg = { .manager = BURROW_CGROUP_CGROUPFS, .version = 1, .owned = true };
  cg.path = strdup ("/sys/fs/cgroup/unified/x");
  cg.v1[BURROW_CG1_MEMORY] = strdup ("/sys/fs/cgroup/memory/x");
  cg.id = strdup ("x");
  cJSON *j = burrow_cgroup_to_json (&cg);
  struct burrow_cgroup back;
  struct burrow_error err = { 0 };
  ok (burrow_cgroup_from_json (j, &back, &err) == 0, "state JSON reads back");
  ok (back.manager == BURROW_CGROUP_CGROUPFS && back.version == 1 && back.owned,
      "manager, version, owned");
  is_str (back.v1[BURROW_CG1_MEMORY], "/sys/fs/cgroup/memory/x", "v1 memory path");
  is_str (back.path, "/sys/fs/cgroup/unified/x", "unified path");
  char *text = cJSON_PrintUnformatted (j);
  like (text, "\"manager\":\"cgroupfs\"", "manager by name");
  free (text);
  cJSON_Delete (j);
  burrow_cgroup_release (&cg);
  burrow_cgroup_release (&back);
  ok (burrow_cgroup_from_json (NULL, &back, &err) == 0 && back.manager == BURROW_CGROUP_DISABLED,
      "no cgroup recorded: disabled");
}

int
main (void)
{
  conversions ();
  v2 ();
  v1 ();
  bad_input ();
  systemd_path ();
  state_json ();
  return tap_done ();
}
