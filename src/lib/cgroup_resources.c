/* cgroup_resources.c: linux.resources -> the cgroup files to write, for v1 and v2, with
   runc's conversions (shares -> weight, memory+swap -> swap, blkio -> io weight). No I/O
   here: the managers write what this returns. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int __attribute__ ((format (printf, 5, 6)))
add (struct burrow_cg_writes *w, const char *key, const char *ctrl, const char *file,
     const char *fmt, ...)
{
  if (w->n == w->cap)
    {
      size_t cap = w->cap ? w->cap * 2 : 16;
      struct burrow_cg_write *v = realloc (w->v, cap * sizeof *v);
      if (v == NULL)
        return -1;
      w->v = v;
      w->cap = cap;
    }
  struct burrow_cg_write *x = &w->v[w->n];
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&x->value, fmt, ap);
  va_end (ap);
  if (r < 0)
    return -1;
  if ((x->file = strdup (file)) == NULL)
    {
      free (x->value);
      return -1;
    }
  x->key = key;
  x->ctrl = ctrl;
  w->n++;
  return 0;
}

void
burrow_cg_writes_release (struct burrow_cg_writes *w)
{
  for (size_t i = 0; i < w->n; i++)
    {
      free (w->v[i].file);
      free (w->v[i].value);
    }
  free (w->v);
  memset (w, 0, sizeof *w);
}

/* A number field: 1 present (in *out), 0 absent, -1 wrong type. */
static int
num (const cJSON *o, const char *key, int64_t *out, struct burrow_error *err, const char *where)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);
  if (v == NULL || cJSON_IsNull (v))
    return 0;
  if (!cJSON_IsNumber (v))
    return burrow_fail_plain (err, EINVAL, "linux.resources.%s.%s: must be a number", where, key);
  /* cJSON keeps doubles: the largest values (2^63-1 for "unlimited") saturate. */
  *out = v->valuedouble >= 9.2e18 ? INT64_MAX : (int64_t)v->valuedouble;
  return 1;
}

static const char *
str (const cJSON *o, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);
  return cJSON_IsString (v) ? v->valuestring : NULL;
}

uint64_t
burrow_cg_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
burrow_cg_blkio_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

/* OCI's memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. */
int
burrow_cg_swap_v2 (int64_t swap, int64_t limit, int64_t *out, struct burrow_error *err)
{
  if (limit == -1 && swap == 0)
    *out = -1;
  else if (swap == -1 || swap == 0)
    *out = swap;
  else if (limit <= 0)
    return burrow_fail_plain (err, EINVAL,
                              "linux.resources.memory.swap: a swap limit needs a memory limit");
  else if (swap < limit)
    return burrow_fail_plain (err, EINVAL,
                              "linux.resources.memory.swap (%" PRId64
                              ") is below memory.limit (%" PRId64 "): it counts memory plus swap",
                              swap, limit);
  else
    *out = swap - limit;
  return 0;
}

#define MAXV(v) ((v) < 0 || (v) == INT64_MAX)

/* v2's spelling of a limit: a number, or "max" for -1 (and 2^63-1). */
static int
add_limit (struct burrow_cg_writes *w, const char *key, const char *ctrl, const char *file,
           int64_t v)
{
  return MAXV (v) ? add (w, key, ctrl, file, "max") : add (w, key, ctrl, file, "%" PRId64, v);
}

static int
memory (const cJSON *m, int version, struct burrow_cg_writes *w, struct burrow_error *err)
{
  int64_t limit = 0, swap = 0, resv = 0, v;
  int hl = num (m, "limit", &limit, err, "memory");
  int hs = num (m, "swap", &swap, err, "memory");
  int hr = num (m, "reservation", &resv, err, "memory");
  if (hl < 0 || hs < 0 || hr < 0)
    return -1;
  if (hl && limit >= 0 && limit < 4096)
    return burrow_fail_plain (err, EINVAL,
                              "linux.resources.memory.limit: %" PRId64
                              " bytes is below one page (the kernel's minimum)",
                              limit);
  if (version == 2)
    {
      if (hr && add_limit (w, "memory.reservation", "memory", "memory.low", resv) < 0)
        return -1;
      if (hl && add_limit (w, "memory.limit", "memory", "memory.max", limit) < 0)
        return -1;
      if (hs)
        {
          int64_t s;
          if (burrow_cg_swap_v2 (swap, hl ? limit : 0, &s, err) < 0)
            return -1;
          if (add_limit (w, "memory.swap", "memory", "memory.swap.max", s) < 0)
            return -1;
        }
      return 0;
    }
  if (hs && hl && swap >= 0 && limit >= 0 && swap < limit)
    return burrow_fail_plain (err, EINVAL,
                              "linux.resources.memory.swap (%" PRId64
                              ") is below memory.limit (%" PRId64 "): it counts memory plus swap",
                              swap, limit);
  if (hr
      && add (w, "memory.reservation", "memory", "memory.soft_limit_in_bytes", "%" PRId64,
              MAXV (resv) ? -1 : resv)
             < 0)
    return -1;
  /* memsw must stay >= limit at every step: limit first suits a new cgroup (memsw starts
     unlimited); on update the v1 manager retries the pair in the other order on EINVAL. */
  if (hl
      && add (w, "memory.limit", "memory", "memory.limit_in_bytes", "%" PRId64,
              MAXV (limit) ? -1 : limit)
             < 0)
    return -1;
  if (hs
      && add (w, "memory.swap", "memory", "memory.memsw.limit_in_bytes", "%" PRId64,
              MAXV (swap) ? -1 : swap)
             < 0)
    return -1;
  if (num (m, "kernelTCP", &v, err, "memory") > 0
      && add (w, "memory.kernelTCP", "memory", "memory.kmem.tcp.limit_in_bytes", "%" PRId64, v) < 0)
    return -1;
  if (num (m, "swappiness", &v, err, "memory") > 0 && v >= 0
      && add (w, "memory.swappiness", "memory", "memory.swappiness", "%" PRId64, v) < 0)
    return -1;
  const cJSON *oom = cJSON_GetObjectItemCaseSensitive (m, "disableOOMKiller");
  if (cJSON_IsTrue (oom)
      && add (w, "memory.disableOOMKiller", "memory", "memory.oom_control", "1") < 0)
    return -1;
  return err->errnum ? -1 : 0;
}

static int
cpu (const cJSON *c, int version, struct burrow_cg_writes *w, struct burrow_error *err)
{
  int64_t shares = 0, quota = 0, period = 0, v;
  int hs = num (c, "shares", &shares, err, "cpu");
  int hq = num (c, "quota", &quota, err, "cpu");
  int hp = num (c, "period", &period, err, "cpu");
  if (hs < 0 || hq < 0 || hp < 0)
    return -1;
  if (hp && period != 0 && (period < 1000 || period > 1000000))
    return burrow_fail_plain (err, EINVAL,
                              "linux.resources.cpu.period: %" PRId64
                              " us is outside what the kernel accepts (1000 to 1000000)",
                              period);
  if (hq && quota > 0 && quota < 1000)
    return burrow_fail_plain (
        err, EINVAL,
        "linux.resources.cpu.quota: %" PRId64 " us is below the kernel's minimum (1000)", quota);
  const char *cpus = str (c, "cpus"), *mems = str (c, "mems");
  if (version == 2)
    {
      if (hs && shares > 0
          && add (w, "cpu.shares", "cpu", "cpu.weight", "%" PRIu64,
                  burrow_cg_shares_to_weight (shares))
                 < 0)
        return -1;
      if ((hq && quota != 0) || (hp && period != 0))
        {
          char q[32] = "max";
          if (quota > 0)
            snprintf (q, sizeof q, "%" PRId64, quota);
          if (add (w, "cpu.quota", "cpu", "cpu.max", "%s %" PRId64, q, period ? period : 100000)
              < 0)
            return -1;
        }
      if (num (c, "burst", &v, err, "cpu") > 0
          && add (w, "cpu.burst", "cpu", "cpu.max.burst", "%" PRId64, v) < 0)
        return -1;
      if (num (c, "idle", &v, err, "cpu") > 0
          && add (w, "cpu.idle", "cpu", "cpu.idle", "%" PRId64, v) < 0)
        return -1;
      if (num (c, "realtimeRuntime", &v, err, "cpu") > 0
          || num (c, "realtimePeriod", &v, err, "cpu") > 0)
        return burrow_fail_plain (err, ENOTSUP,
                                  "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup "
                                  "v2 has no real-time group scheduling");
    }
  else
    {
      if (hs && shares > 0 && add (w, "cpu.shares", "cpu", "cpu.shares", "%" PRId64, shares) < 0)
        return -1;
      if (hp && period > 0
          && add (w, "cpu.period", "cpu", "cpu.cfs_period_us", "%" PRId64, period) < 0)
        return -1;
      if (hq && quota != 0
          && add (w, "cpu.quota", "cpu", "cpu.cfs_quota_us", "%" PRId64, quota < 0 ? -1 : quota)
                 < 0)
        return -1;
      if (num (c, "realtimePeriod", &v, err, "cpu") > 0
          && add (w, "cpu.realtimePeriod", "cpu", "cpu.rt_period_us", "%" PRId64, v) < 0)
        return -1;
      if (num (c, "realtimeRuntime", &v, err, "cpu") > 0
          && add (w, "cpu.realtimeRuntime", "cpu", "cpu.rt_runtime_us", "%" PRId64, v) < 0)
        return -1;
      if (num (c, "idle", &v, err, "cpu") > 0
          && add (w, "cpu.idle", "cpu", "cpu.idle", "%" PRId64, v) < 0)
        return -1;
    }
  if (cpus && *cpus && add (w, "cpu.cpus", "cpuset", "cpuset.cpus", "%s", cpus) < 0)
    return -1;
  if (mems && *mems && add (w, "cpu.mems", "cpuset", "cpuset.mems", "%s", mems) < 0)
    return -1;
  return err->errnum ? -1 : 0;
}

/* blockIO device lists: {major, minor, rate} or {major, minor, weight}. */
static int
device_list (const cJSON *b, const char *key, const char *field, int version, const char *ctrl,
             const char *file, const char *v2_name, struct burrow_cg_writes *w,
             struct burrow_error *err)
{
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive (b, key), *d;
  if (arr == NULL)
    return 0;
  if (!cJSON_IsArray (arr))
    return burrow_fail_plain (err, EINVAL, "linux.resources.blockIO.%s: must be an array", key);
  cJSON_ArrayForEach (d, arr)
  {
    int64_t maj, min, v;
    if (num (d, "major", &maj, err, "blockIO") <= 0 || num (d, "minor", &min, err, "blockIO") <= 0
        || num (d, field, &v, err, "blockIO") <= 0)
      return burrow_fail_plain (err, EINVAL,
                                "linux.resources.blockIO.%s: each entry needs major, minor "
                                "and %s",
                                key, field);
    int r = v2_name && version == 2
                ? add (w, key, ctrl, file, "%" PRId64 ":%" PRId64 " %s=%" PRId64, maj, min, v2_name,
                       v)
                : add (w, key, ctrl, file, "%" PRId64 ":%" PRId64 " %" PRId64, maj, min, v);
    if (r < 0)
      return -1;
  }
  return 0;
}

static int
block_io (const cJSON *b, int version, struct burrow_cg_writes *w, struct burrow_error *err)
{
  int64_t v;
  static const struct
  {
    const char *key, *v1, *v2;
  } thr[] = {
    { "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps" },
    { "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps" },
    { "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops" },
    { "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops" },
  };
  if (num (b, "weight", &v, err, "blockIO") > 0 && v > 0
      && (version == 2 ? add (w, "blockIO.weight", "io", "io.bfq.weight", "%" PRId64, v)
                       : add (w, "blockIO.weight", "blkio", "blkio.bfq.weight", "%" PRId64, v))
             < 0)
    return -1;
  if (version == 1 && num (b, "leafWeight", &v, err, "blockIO") > 0 && v > 0
      && add (w, "blockIO.leafWeight", "blkio", "blkio.leaf_weight", "%" PRId64, v) < 0)
    return -1;
  if (err->errnum)
    return -1;
  if (device_list (b, "weightDevice", "weight", version, version == 2 ? "io" : "blkio",
                   version == 2 ? "io.bfq.weight" : "blkio.bfq.weight_device", NULL, w, err)
      < 0)
    return -1;
  for (size_t i = 0; i < sizeof thr / sizeof *thr; i++)
    if (device_list (b, thr[i].key, "rate", version, version == 2 ? "io" : "blkio",
                     version == 2 ? "io.max" : thr[i].v1, thr[i].v2, w, err)
        < 0)
      return -1;
  return 0;
}

static int
hugepages (const cJSON *arr, int version, struct burrow_cg_writes *w, struct burrow_error *err)
{
  const cJSON *h;
  if (!cJSON_IsArray (arr))
    return burrow_fail_plain (err, EINVAL, "linux.resources.hugepageLimits: must be an array");
  cJSON_ArrayForEach (h, arr)
  {
    const char *size = str (h, "pageSize");
    int64_t limit;
    if (size == NULL || strchr (size, '/') || num (h, "limit", &limit, err, "hugepageLimits") <= 0)
      return burrow_fail_plain (err, EINVAL,
                                "linux.resources.hugepageLimits: each entry needs pageSize "
                                "(\"2MB\") and limit");
    char file[64];
    snprintf (file, sizeof file, "hugetlb.%s.%s", size, version == 2 ? "max" : "limit_in_bytes");
    if (add (w, "hugepageLimits", "hugetlb", file, "%" PRId64, limit) < 0)
      return -1;
  }
  return 0;
}

static int
rdma (const cJSON *o, struct burrow_cg_writes *w, struct burrow_error *err)
{
  const cJSON *dev;
  cJSON_ArrayForEach (dev, o)
  {
    int64_t handles = -1, objects = -1;
    if (num (dev, "hcaHandles", &handles, err, "rdma") < 0
        || num (dev, "hcaObjects", &objects, err, "rdma") < 0)
      return -1;
    char hv[24] = "max", ov[24] = "max";
    if (handles >= 0)
      snprintf (hv, sizeof hv, "%" PRId64, handles);
    if (objects >= 0)
      snprintf (ov, sizeof ov, "%" PRId64, objects);
    if (add (w, "rdma", "rdma", "rdma.max", "%s hca_handle=%s hca_object=%s", dev->string, hv, ov)
        < 0)
      return -1;
  }
  return 0;
}

static int
network (const cJSON *n, struct burrow_cg_writes *w, struct burrow_error *err)
{
  int64_t v;
  if (num (n, "classID", &v, err, "network") > 0
      && add (w, "network.classID", "net_cls", "net_cls.classid", "%" PRId64, v) < 0)
    return -1;
  const cJSON *prios = cJSON_GetObjectItemCaseSensitive (n, "priorities"), *p;
  cJSON_ArrayForEach (p, prios)
  {
    const char *name = str (p, "name");
    int64_t prio;
    if (name == NULL || num (p, "priority", &prio, err, "network") <= 0)
      return burrow_fail_plain (err, EINVAL,
                                "linux.resources.network.priorities: each entry needs name "
                                "and priority");
    if (add (w, "network.priorities", "net_prio", "net_prio.ifpriomap", "%s %" PRId64, name, prio)
        < 0)
      return -1;
  }
  return err->errnum ? -1 : 0;
}

/* The devices every container gets, as runc allows them (null, zero, full, tty, random,
   urandom, ptmx, pts). */
static const char *const default_devices[] = {
  "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 5:0 rwm",
  "c 1:8 rwm", "c 1:9 rwm", "c 5:2 rwm", "c 136:* rwm",
};

static int
devices_v1 (const cJSON *arr, struct burrow_cg_writes *w, struct burrow_error *err)
{
  const cJSON *d;
  cJSON_ArrayForEach (d, arr)
  {
    const cJSON *allow = cJSON_GetObjectItemCaseSensitive (d, "allow");
    if (!cJSON_IsBool (allow))
      return burrow_fail_plain (err, EINVAL, "linux.resources.devices: each rule needs allow");
    const char *type = str (d, "type"), *access = str (d, "access");
    int64_t maj = -1, min = -1;
    if (num (d, "major", &maj, err, "devices") < 0 || num (d, "minor", &min, err, "devices") < 0)
      return -1;
    char ma[24] = "*", mi[24] = "*";
    if (maj >= 0)
      snprintf (ma, sizeof ma, "%" PRId64, maj);
    if (min >= 0)
      snprintf (mi, sizeof mi, "%" PRId64, min);
    if (add (w, "devices", "devices", cJSON_IsTrue (allow) ? "devices.allow" : "devices.deny",
             "%s %s:%s %s", type && *type ? type : "a", ma, mi, access && *access ? access : "rwm")
        < 0)
      return -1;
  }
  for (size_t i = 0; i < sizeof default_devices / sizeof *default_devices; i++)
    if (add (w, "devices", "devices", "devices.allow", "%s", default_devices[i]) < 0)
      return -1;
  return 0;
}

static int
unified (const cJSON *u, int version, struct burrow_cg_writes *w, struct burrow_error *err)
{
  const cJSON *kv;
  cJSON_ArrayForEach (kv, u)
  {
    if (version != 2)
      return burrow_fail_plain (err, ENOTSUP,
                                "linux.resources.unified: needs a cgroup v2 hierarchy, and "
                                "this container's cgroup is v1");
    if (!cJSON_IsString (kv) || strchr (kv->string, '/') || kv->string[0] == '.')
      return burrow_fail_plain (err, EINVAL,
                                "linux.resources.unified: `%s` must be a file name with a "
                                "string value",
                                kv->string);
    /* The controller is the file's prefix (memory.high -> memory); cgroup.* needs none. */
    char ctrl[64];
    snprintf (ctrl, sizeof ctrl, "%s", kv->string);
    char *dot = strchr (ctrl, '.');
    if (dot)
      *dot = '\0';
    static const char *const known[]
        = { "cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc" };
    const char *c = NULL;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
      if (strcmp (ctrl, known[i]) == 0)
        c = known[i];
    if (add (w, "unified", c, kv->string, "%s", kv->valuestring) < 0)
      return -1;
  }
  return 0;
}

int
burrow_cg_translate (const cJSON *res, int version, struct burrow_cg_writes *out,
                     struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  if (res == NULL)
    return 0;
  const cJSON *o;
  int64_t v;
  int r = 0;
  burrow_error_clear (err);
  if ((o = cJSON_GetObjectItemCaseSensitive (res, "memory")))
    r = memory (o, version, out, err);
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "cpu")))
    r = cpu (o, version, out, err);
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "pids")))
    {
      int h = num (o, "limit", &v, err, "pids");
      /* 0 and below: unlimited (runtime-spec). */
      if (h < 0 || (h && add_limit (out, "pids.limit", "pids", "pids.max", v > 0 ? v : -1) < 0))
        r = -1;
    }
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "blockIO")))
    r = block_io (o, version, out, err);
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "hugepageLimits")))
    r = hugepages (o, version, out, err);
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "rdma")))
    r = rdma (o, out, err);
  if (r == 0 && version == 1 && (o = cJSON_GetObjectItemCaseSensitive (res, "network")))
    r = network (o, out, err);
  if (r == 0 && version == 1 && (o = cJSON_GetObjectItemCaseSensitive (res, "devices")))
    r = devices_v1 (o, out, err);
  if (r == 0 && (o = cJSON_GetObjectItemCaseSensitive (res, "unified")))
    r = unified (o, version, out, err);
  if (r < 0)
    {
      if (err->msg[0] == '\0')
        burrow_fail (err, ENOMEM, "linux.resources");
      burrow_cg_writes_release (out);
      return -1;
    }
  return 0;
}

void
burrow_cg_writes_controllers (const struct burrow_cg_writes *w, char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < w->n; i++)
    {
      const char *c = w->v[i].ctrl;
      if (c == NULL)
        continue;
      /* v1 names of the same controllers */
      if (strcmp (c, "blkio") == 0)
        c = "io";
      char word[40];
      snprintf (word, sizeof word, " %s ", c);
      char padded[512];
      snprintf (padded, sizeof padded, " %s ", buf);
      if (strstr (padded, word) == NULL && len < size)
        len += snprintf (buf + len, size - len, "%s%s", len ? " " : "", c);
    }
}

void
burrow_cg_resource_keys (const cJSON *res, char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (const cJSON *r = res ? res->child : NULL; r; r = r->next)
    if (strcmp (r->string, "devices") != 0 && len < size)
      len += snprintf (buf + len, size - len, "%s%s", len ? ", " : "", r->string);
}
