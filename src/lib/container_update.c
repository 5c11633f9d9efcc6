/* container_update.c: `update`: new linux.resources for a live container, read from a
   JSON file (or stdin) or made from runc's flags, applied to the cgroup recorded at create
   through burrow_cgroup_apply. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h> /* isfinite */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum flag_kind
{
  KIND_UINT,    /* ParseUint */
  KIND_INT,     /* ParseInt */
  KIND_BYTES,   /* "-1" or a size with an optional binary unit: 512k, 1.5g, 100MiB */
  KIND_STRING,  /* as given */
  KIND_IGNORED, /* accepted, warned about */
};

struct flag
{
  const char *name;            /* the command-line flag */
  size_t offset;               /* in struct burrow_update_opts */
  const char *section, *field; /* where it goes in linux.resources */
  enum flag_kind kind;
};

#define OPT(f) offsetof (struct burrow_update_opts, f)

static const struct flag flags[] = {
  { "blkio-weight", OPT (blkio_weight), "blockIO", "weight", KIND_UINT },
  { "cpu-period", OPT (cpu_period), "cpu", "period", KIND_UINT },
  { "cpu-quota", OPT (cpu_quota), "cpu", "quota", KIND_INT },
  { "cpu-burst", OPT (cpu_burst), "cpu", "burst", KIND_UINT },
  { "cpu-rt-period", OPT (cpu_rt_period), "cpu", "realtimePeriod", KIND_UINT },
  { "cpu-rt-runtime", OPT (cpu_rt_runtime), "cpu", "realtimeRuntime", KIND_INT },
  { "cpu-share", OPT (cpu_shares), "cpu", "shares", KIND_UINT },
  { "cpu-idle", OPT (cpu_idle), "cpu", "idle", KIND_INT },
  { "cpuset-cpus", OPT (cpuset_cpus), "cpu", "cpus", KIND_STRING },
  { "cpuset-mems", OPT (cpuset_mems), "cpu", "mems", KIND_STRING },
  { "memory", OPT (memory), "memory", "limit", KIND_BYTES },
  { "memory-reservation", OPT (memory_reservation), "memory", "reservation", KIND_BYTES },
  { "memory-swap", OPT (memory_swap), "memory", "swap", KIND_BYTES },
  { "kernel-memory", OPT (kernel_memory), NULL, NULL, KIND_IGNORED },
  { "kernel-memory-tcp", OPT (kernel_memory_tcp), NULL, NULL, KIND_IGNORED },
  { "pids-limit", OPT (pids_limit), "pids", "limit", KIND_INT },
  { "l3-cache-schema", OPT (l3_cache_schema), NULL, NULL, KIND_IGNORED },
  { "mem-bw-schema", OPT (mem_bw_schema), NULL, NULL, KIND_IGNORED },
};

static const char *
flag_value (const struct burrow_update_opts *o, const struct flag *f)
{
  return *(const char *const *)((const char *)o + f->offset);
}

/* docker's RAMInBytes: a decimal number, an optional space, then k, m, g, t or p (powers
   of 1024) with an optional i and b; a bare b or nothing means bytes. */
static int
parse_bytes (const char *s, double *out)
{
  char *end;
  if (!isdigit ((unsigned char)s[0]))
    return -1;
  double v = strtod (s, &end);
  if (*end == ' ')
    end++;
  static const char units[] = "kmgtp";
  const char *u = *end ? strchr (units, tolower ((unsigned char)*end)) : NULL;
  if (u && *end)
    {
      for (const char *k = units; k <= u; k++)
        v *= 1024;
      end++;
    }
  if (*end == 'i' || *end == 'I')
    end++;
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end != '\0' || !isfinite (v) || v > 9.2e18)
    return -1;
  *out = (double)(long long)v;
  return 0;
}

static int
parse_flag (const struct flag *f, const char *s, double *out, struct burrow_error *err)
{
  char *end;
  errno = 0;
  switch (f->kind)
    {
    case KIND_UINT:
      {
        if (!isdigit ((unsigned char)s[0]))
          break;
        unsigned long long v = strtoull (s, &end, 10);
        if (errno || *end)
          break;
        *out = (double)v;
        return 0;
      }
    case KIND_INT:
      {
        long long v = strtoll (s, &end, 10);
        if (errno || *end || end == s)
          break;
        *out = (double)v;
        return 0;
      }
    case KIND_BYTES:
      if (strcmp (s, "-1") == 0)
        {
          *out = -1;
          return 0;
        }
      if (parse_bytes (s, out) == 0)
        return 0;
      break;
    default:
      return 0;
    }
  return burrow_fail_plain (err, EINVAL, "invalid value for --%s: `%s`%s", f->name, s,
                            f->kind == KIND_BYTES  ? " (a size such as 512m, 2g, or -1)"
                            : f->kind == KIND_UINT ? " (a non-negative integer)"
                                                   : " (an integer)");
}

static cJSON *
section (cJSON *res, const char *name)
{
  cJSON *s = cJSON_GetObjectItemCaseSensitive (res, name);
  return s ? s : cJSON_AddObjectToObject (res, name);
}

static cJSON *
resources_from_flags (const struct burrow_update_opts *o, struct burrow_error *err)
{
  cJSON *res = cJSON_CreateObject ();
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    {
      const struct flag *f = &flags[i];
      const char *v = flag_value (o, f);
      double n = 0;
      if (v == NULL)
        continue;
      if (f->kind == KIND_IGNORED)
        {
          burrow_log (BURROW_LOG_WARNING, "update: --%s is ignored (%s)", f->name,
                      f->name[0] == 'k' ? "kernel memory limits are not supported by the kernel "
                                          "any more"
                                        : "Intel RDT is not supported by burrow");
          continue;
        }
      if (parse_flag (f, v, &n, err) < 0)
        {
          cJSON_Delete (res);
          return NULL;
        }
      cJSON *s = section (res, f->section);
      if (f->kind == KIND_STRING)
        cJSON_AddStringToObject (s, f->field, v);
      else
        cJSON_AddNumberToObject (s, f->field, n);
    }
  /* runc: an unlimited memory without a swap value makes swap unlimited too, or the
     kernel refuses a swap limit below the memory limit. */
  cJSON *mem = cJSON_GetObjectItemCaseSensitive (res, "memory");
  cJSON *limit = cJSON_GetObjectItemCaseSensitive (mem, "limit");
  if (cJSON_IsNumber (limit) && limit->valuedouble == -1 && !cJSON_HasObjectItem (mem, "swap"))
    cJSON_AddNumberToObject (mem, "swap", -1);
  return res;
}

static bool
any_flag (const struct burrow_update_opts *o)
{
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (flag_value (o, &flags[i]) != NULL)
      return true;
  return false;
}

static cJSON *
resources_from_file (const char *path, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  if (burrow_read_file (strcmp (path, "-") == 0 ? "/dev/stdin" : path, 1 << 20, &text, NULL, err)
      < 0)
    {
      burrow_error_prefix (err, "--resources");
      return NULL;
    }
  cJSON *res = cJSON_Parse (text);
  if (!cJSON_IsObject (res))
    {
      cJSON_Delete (res);
      burrow_fail_plain (err, EINVAL,
                         "--resources `%s`: not a JSON object (an OCI "
                         "linux.resources object is expected)",
                         path);
      return NULL;
    }
  return res;
}

static cJSON *
resources_of (const struct burrow_update_opts *o, struct burrow_error *err)
{
  if (o->resources == NULL)
    return resources_from_flags (o, err);
  if (any_flag (o))
    {
      burrow_fail_plain (err, EINVAL,
                         "--resources cannot be combined with other resource "
                         "flags (put every value in the JSON)");
      return NULL;
    }
  return resources_from_file (o->resources, err);
}

int
burrow_update_resources_json (const struct burrow_update_opts *opts, char **json_out,
                              struct burrow_error *err)
{
  cJSON *res = resources_of (opts, err);
  if (res == NULL)
    return -1;
  *json_out = cJSON_PrintUnformatted (res);
  cJSON_Delete (res);
  return *json_out ? 0 : burrow_fail (err, ENOMEM, "update");
}

int
burrow_container_update (struct burrow_context *ctx, const char *id,
                         const struct burrow_update_opts *opts, struct burrow_error *err)
{
  struct burrow_state_dir d = { .fd = -1 };
  struct burrow_state st = { 0 };
  struct burrow_cgroup cg;
  int ret = -1;
  /* Bad input is refused before the container is looked at. */
  cJSON *res = resources_of (opts, err);
  if (res == NULL)
    return -1;
  cleanup_close int pidfd = burrow_open_live_cgroup (ctx, id, "update", &d, &st, &cg, err);
  if (pidfd < 0)
    goto out;
  if (burrow_cgroup_apply (&cg, res, err) < 0)
    {
      burrow_error_prefix (err, "update container `%s`", id);
      goto out;
    }
  ret = 0;
out:
  cJSON_Delete (res);
  burrow_cgroup_release (&cg);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}
