/* cgroup_systemd.c: the systemd manager: a transient scope (Delegate=yes) holding the
   init, asked of the user's systemd (rootless) or the system's over sd-bus; limits
   systemd knows become unit properties, the rest are written in the delegated scope. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_US (30ULL * 1000000)

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* systemd's slice names: a-b.slice nests in a.slice, so no empty part between dashes. */
static bool
valid_slice (const char *s)
{
  if (strcmp (s, "-.slice") == 0)
    return true;
  if (!ends_with (s, ".slice") || strchr (s, '/') || s[0] == '-' || strstr (s, "--")
      || strstr (s, "-.slice") || strlen (s) == 6)
    return false;
  return true;
}

int
burrow_cg_systemd_parse_path (const char *path, const char *default_slice, char **slice,
                              char **unit, struct burrow_error *err)
{
  *slice = NULL;
  *unit = NULL;
  if (path[0] == '\0')
    return (*slice = strdup (default_slice)) ? 0 : burrow_fail (err, ENOMEM, "cgroup");
  const char *c1 = strchr (path, ':');
  const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL || strchr (c2 + 1, ':'))
    return burrow_fail_plain (err, EINVAL,
                              "linux.cgroupsPath `%s`: a systemd cgroup path has the form "
                              "slice:prefix:name (e.g. system.slice:burrow:mybox)",
                              path);
  cleanup_free char *s = strndup (path, c1 - path);
  cleanup_free char *prefix = strndup (c1 + 1, c2 - c1 - 1);
  const char *name = c2 + 1;
  if (s == NULL || prefix == NULL)
    return burrow_fail (err, ENOMEM, "cgroup");
  if (s[0] && !valid_slice (s))
    return burrow_fail_plain (err, EINVAL,
                              "linux.cgroupsPath `%s`: `%s` is not a slice name (NAME.slice, "
                              "dashes separating nesting levels, no `/`)",
                              path, s);
  if (name[0] == '\0' || strchr (name, '/') || strchr (prefix, '/'))
    return burrow_fail_plain (err, EINVAL,
                              "linux.cgroupsPath `%s`: the prefix and name must not contain "
                              "`/`, and the name must not be empty",
                              path);
  if (ends_with (name, ".slice"))
    return burrow_fail_plain (err, ENOTSUP,
                              "linux.cgroupsPath `%s`: a slice as the container's unit is not "
                              "supported (name it as a scope)",
                              path);
  *slice = strdup (s[0] ? s : default_slice);
  int n = ends_with (name, ".scope")
              ? asprintf (unit, "%s", name)
              : asprintf (unit, "%s%s%s.scope", prefix, prefix[0] ? "-" : "", name);
  if (n < 0 || *slice == NULL)
    {
      *unit = NULL;
      return burrow_fail (err, ENOMEM, "cgroup");
    }
  return 0;
}

static bool
exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

/* The bus socket, or systemd's private socket (no D-Bus broker needed). */
static const char *
private_socket (bool user, char *buf, size_t size)
{
  const char *rt = getenv ("XDG_RUNTIME_DIR");
  if (!user)
    return "/run/systemd/private";
  if (rt == NULL)
    return NULL;
  snprintf (buf, size, "%s/systemd/private", rt);
  return buf;
}

bool
burrow_cg_systemd_reachable (bool user_manager, char *why, size_t why_size)
{
  char p[4096], q[4096];
  const char *rt = getenv ("XDG_RUNTIME_DIR");
  const char *priv = private_socket (user_manager, q, sizeof q);
  if (priv && exists (priv))
    return true;
  if (user_manager)
    {
      if (getenv ("DBUS_SESSION_BUS_ADDRESS"))
        return true;
      if (rt && (snprintf (p, sizeof p, "%s/bus", rt), exists (p)))
        return true;
      if (why_size)
        snprintf (why, why_size,
                  rt ? "no user bus: %s/bus does not exist (is `systemd --user` running for "
                       "this user? `loginctl enable-linger`)"
                     : "no user bus: XDG_RUNTIME_DIR is not set%s",
                  rt ? rt : "");
      return false;
    }
  if (!exists ("/run/systemd/system"))
    {
      if (why_size)
        snprintf (why, why_size, "systemd is not the init of this host (no /run/systemd/system)");
      return false;
    }
  if (getenv ("DBUS_SYSTEM_BUS_ADDRESS") || exists ("/run/dbus/system_bus_socket"))
    return true;
  if (why_size)
    snprintf (why, why_size, "no system bus (/run/dbus/system_bus_socket)");
  return false;
}

static void
bus_unrefp (sd_bus **b)
{
  sd_bus_flush_close_unref (*b);
}
static void
msg_unrefp (sd_bus_message **m)
{
  sd_bus_message_unref (*m);
}
static void
slot_unrefp (sd_bus_slot **s)
{
  sd_bus_slot_unref (*s);
}
#define cleanup_bus __attribute__ ((cleanup (bus_unrefp)))
#define cleanup_msg __attribute__ ((cleanup (msg_unrefp)))
#define cleanup_slot __attribute__ ((cleanup (slot_unrefp)))

static int
open_bus (bool user, sd_bus **bus, struct burrow_error *err)
{
  char buf[4096];
  const char *priv = private_socket (user, buf, sizeof buf);
  int r;
  if (priv && exists (priv))
    {
      cleanup_free char *addr = NULL;
      if (asprintf (&addr, "unix:path=%s", priv) < 0)
        return burrow_fail (err, ENOMEM, "systemd");
      if ((r = sd_bus_new (bus)) >= 0 && (r = sd_bus_set_address (*bus, addr)) >= 0
          && (r = sd_bus_start (*bus)) >= 0)
        return 0;
      sd_bus_unref (*bus);
      *bus = NULL;
    }
  r = user ? sd_bus_open_user (bus) : sd_bus_open_system (bus);
  if (r < 0)
    return burrow_fail (err, -r, "connect to the %s systemd", user ? "user's" : "system");
  return 0;
}

static int
bus_error (struct burrow_error *err, int r, const sd_bus_error *e, const char *what,
           const char *unit)
{
  int errnum = sd_bus_error_is_set (e) ? sd_bus_error_get_errno (e) : -r;
  if (sd_bus_error_is_set (e))
    return burrow_fail_plain (err, errnum ? errnum : EIO, "systemd: %s `%s`: %s", what, unit,
                              e->message ? e->message : e->name);
  return burrow_fail (err, errnum, "systemd: %s `%s`", what, unit);
}

/* "0-2,5" -> the byte mask systemd's AllowedCPUs takes. */
static int
cpu_mask (const char *list, uint8_t *mask, size_t *len)
{
  *len = 0;
  for (const char *p = list; *p;)
    {
      char *end;
      unsigned long a = strtoul (p, &end, 10), b = a;
      if (end == p)
        return -1;
      if (*end == '-')
        {
          p = end + 1;
          b = strtoul (p, &end, 10);
          if (end == p || b < a)
            return -1;
        }
      if (b >= 8192)
        return -1;
      for (unsigned long i = a; i <= b; i++)
        {
          mask[i / 8] |= 1u << (i % 8);
          if (i / 8 + 1 > *len)
            *len = i / 8 + 1;
        }
      p = *end == ',' ? end + 1 : end;
      if (*end && *end != ',')
        return -1;
    }
  return 0;
}

static int
append_u64 (sd_bus_message *m, const char *name, uint64_t v)
{
  return sd_bus_message_append (m, "(sv)", name, "t", v);
}

static int
append_mask (sd_bus_message *m, const char *name, const char *list)
{
  uint8_t mask[1024] = { 0 };
  size_t len;
  if (cpu_mask (list, mask, &len) < 0)
    return -EINVAL;
  int r;
  if ((r = sd_bus_message_open_container (m, 'r', "sv")) < 0
      || (r = sd_bus_message_append (m, "s", name)) < 0
      || (r = sd_bus_message_open_container (m, 'v', "ay")) < 0
      || (r = sd_bus_message_append_array (m, 'y', mask, len)) < 0
      || (r = sd_bus_message_close_container (m)) < 0)
    return r;
  return sd_bus_message_close_container (m);
}

static const char *const handled_v2[]
    = { "memory.max", "memory.low", "memory.swap.max", "pids.max", "cpu.weight", "cpu.max" };

bool
burrow_cg_systemd_handles (const char *file)
{
  for (size_t i = 0; i < sizeof handled_v2 / sizeof *handled_v2; i++)
    if (strcmp (file, handled_v2[i]) == 0)
      return true;
  return false;
}

static uint64_t
limit_of (const char *v)
{
  return strcmp (v, "max") == 0 ? UINT64_MAX : strtoull (v, NULL, 10);
}

/* The unit properties for the writes systemd knows (runc's names): taken from the v2
   translation, so the conversions are the same as for cgroupfs. */
static int
append_resources (sd_bus_message *m, const cJSON *res, int version, struct burrow_error *err)
{
  struct burrow_cg_writes w;
  if (burrow_cg_translate (res, 2, &w, err) < 0)
    return -1;
  int r = 0;
  for (size_t i = 0; i < w.n && r >= 0; i++)
    {
      const char *f = w.v[i].file, *v = w.v[i].value;
      if (strcmp (f, "memory.max") == 0)
        r = append_u64 (m, version == 2 ? "MemoryMax" : "MemoryLimit", limit_of (v));
      else if (strcmp (f, "memory.low") == 0 && version == 2)
        r = append_u64 (m, "MemoryLow", limit_of (v));
      else if (strcmp (f, "memory.swap.max") == 0 && version == 2)
        r = append_u64 (m, "MemorySwapMax", limit_of (v));
      else if (strcmp (f, "pids.max") == 0)
        r = append_u64 (m, "TasksMax", limit_of (v));
      else if (strcmp (f, "cpu.weight") == 0 && version == 2)
        r = append_u64 (m, "CPUWeight", strtoull (v, NULL, 10));
      else if (strcmp (f, "cpu.max") == 0)
        {
          uint64_t quota, period = 100000;
          char q[32];
          if (sscanf (v, "%31s %" SCNu64, q, &period) < 1)
            continue;
          quota = strcmp (q, "max") == 0 ? UINT64_MAX : strtoull (q, NULL, 10);
          /* per second, rounded up to systemd's 10ms granularity (as runc does) */
          uint64_t per_sec = quota == UINT64_MAX ? UINT64_MAX : quota * 1000000 / period;
          if (per_sec != UINT64_MAX && per_sec % 10000)
            per_sec = (per_sec / 10000 + 1) * 10000;
          r = append_u64 (m, "CPUQuotaPerSecUSec", per_sec);
          if (r >= 0 && version == 2)
            r = append_u64 (m, "CPUQuotaPeriodUSec", period);
        }
      else if (strcmp (f, "cpuset.cpus") == 0 && version == 2)
        r = append_mask (m, "AllowedCPUs", v);
      else if (strcmp (f, "cpuset.mems") == 0 && version == 2)
        r = append_mask (m, "AllowedMemoryNodes", v);
    }
  burrow_cg_writes_release (&w);
  if (r < 0)
    return burrow_fail (err, -r, "systemd: unit properties from linux.resources");
  const cJSON *cpu = cJSON_GetObjectItemCaseSensitive (res, "cpu");
  const cJSON *shares = cJSON_GetObjectItemCaseSensitive (cpu, "shares");
  if (version == 1 && cJSON_IsNumber (shares) && shares->valuedouble > 0)
    r = append_u64 (m, "CPUShares", (uint64_t)shares->valuedouble);
  return r < 0 ? burrow_fail (err, -r, "systemd: CPUShares") : 0;
}

struct job_wait
{
  const char *unit;
  bool done;
  char result[64];
};

static int
on_job_removed (sd_bus_message *m, void *data, sd_bus_error *e)
{
  struct job_wait *w = data;
  uint32_t id;
  const char *path, *unit, *result;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) >= 0
      && strcmp (unit, w->unit) == 0)
    {
      w->done = true;
      snprintf (w->result, sizeof w->result, "%s", result);
    }
  return 0;
}

static uint64_t
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
wait_job (sd_bus *bus, struct job_wait *w, struct burrow_error *err)
{
  uint64_t deadline = now_us () + JOB_TIMEOUT_US;
  while (!w->done)
    {
      int r = sd_bus_process (bus, NULL);
      if (r < 0)
        return burrow_fail (err, -r, "systemd: wait for the job of `%s`", w->unit);
      if (r > 0)
        continue;
      uint64_t now = now_us ();
      if (now >= deadline)
        return burrow_fail_plain (err, ETIMEDOUT, "systemd: the job of `%s` did not finish",
                                  w->unit);
      if ((r = sd_bus_wait (bus, deadline - now)) < 0)
        return burrow_fail (err, -r, "systemd: wait for the job of `%s`", w->unit);
    }
  return 0;
}

/* Signals reach a client only once it has subscribed; a refusal changes nothing here. */
static int
subscribe (sd_bus *bus, struct job_wait *w, sd_bus_slot **slot)
{
  sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, "");
  /* On systemd's private socket there is no bus, and signals carry no sender. */
  const char *sender = sd_bus_is_bus_client (bus) > 0 ? SD_DEST : NULL;
  return sd_bus_match_signal (bus, slot, sender, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed,
                              w);
}

/* The scope's directories, from where its pid now is. */
static int
fill_paths (struct burrow_cgroup *cg, pid_t pid, struct burrow_error *err)
{
  struct burrow_cg_host h;
  if (burrow_cg_host_probe (&h) < 0)
    {
      burrow_cg_host_release (&h);
      return burrow_fail_errno (err, "read /proc/self/mountinfo");
    }
  cleanup_free char *v2 = burrow_cg_proc_path (pid, NULL);
  if (h.v2_mount && v2 && (h.unified || strcmp (v2, "/") != 0)
      && asprintf (&cg->path, "%s%s", h.v2_mount, v2) < 0)
    cg->path = NULL;
  for (int c = 0; c < BURROW_CG1_COUNT && cg->version == 1; c++)
    {
      cleanup_free char *p
          = h.v1_mount[c] ? burrow_cg_proc_path (pid, burrow_cgroup_v1_name (c)) : NULL;
      if (p && asprintf (&cg->v1[c], "%s%s", h.v1_mount[c], p) < 0)
        cg->v1[c] = NULL;
    }
  burrow_cg_host_release (&h);
  if (cg->path == NULL && cg->v1[BURROW_CG1_PIDS] == NULL && cg->v1[BURROW_CG1_MEMORY] == NULL)
    return burrow_fail_plain (err, ENOENT, "systemd: the scope `%s` has no cgroup for pid %d",
                              cg->unit, pid);
  return 0;
}

int
burrow_cg_systemd_start (struct burrow_cgroup *cg, const char *slice, pid_t pid, const cJSON *res,
                         struct burrow_error *err)
{
  cleanup_bus sd_bus *bus = NULL;
  cleanup_msg sd_bus_message *m = NULL;
  cleanup_msg sd_bus_message *reply = NULL;
  cleanup_slot sd_bus_slot *slot = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  struct job_wait w = { .unit = cg->unit };
  char desc[256];
  int r;
  if (open_bus (cg->user_manager, &bus, err) < 0)
    return -1;
  if ((r = subscribe (bus, &w, &slot)) < 0)
    return burrow_fail (err, -r, "systemd: watch for jobs");
  snprintf (desc, sizeof desc, "burrow container %s", cg->id ? cg->id : cg->unit);
  if ((r = sd_bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                           "StartTransientUnit"))
          < 0
      || (r = sd_bus_message_append (m, "ss", cg->unit, "fail")) < 0
      || (r = sd_bus_message_open_container (m, 'a', "(sv)")) < 0
      || (r = sd_bus_message_append (m, "(sv)(sv)(sv)(sv)", "Description", "s", desc, "Delegate",
                                     "b", 1, "DefaultDependencies", "b", 0, "PIDs", "au", 1,
                                     (uint32_t)pid))
             < 0
      || (slice && (r = sd_bus_message_append (m, "(sv)", "Slice", "s", slice)) < 0)
      || (r = sd_bus_message_append (m, "(sv)(sv)(sv)", "MemoryAccounting", "b", 1, "CPUAccounting",
                                     "b", 1, "TasksAccounting", "b", 1))
             < 0)
    return burrow_fail (err, -r, "systemd: build StartTransientUnit");
  if (append_resources (m, res, cg->version, err) < 0)
    return -1;
  if ((r = sd_bus_message_close_container (m)) < 0
      || (r = sd_bus_message_append (m, "a(sa(sv))", 0)) < 0)
    return burrow_fail (err, -r, "systemd: build StartTransientUnit");
  r = sd_bus_call (bus, m, 0, &e, &reply);
  if (r < 0)
    {
      bus_error (err, r, &e, "start the scope", cg->unit);
      sd_bus_error_free (&e);
      return -1;
    }
  cg->owned = true; /* the unit is ours from here: delete (or a failed create) stops it */
  if (wait_job (bus, &w, err) < 0)
    return -1;
  if (strcmp (w.result, "done") != 0)
    return burrow_fail_plain (err, EIO, "systemd: the scope `%s` did not start (job %s)", cg->unit,
                              w.result);
  if (fill_paths (cg, pid, err) < 0)
    return -1;
  /* What systemd has no property for is written in the delegated scope. */
  struct burrow_cg_writes all;
  if (cg->version == 1)
    return burrow_cg_fs1_apply (cg, res, true, err);
  if (burrow_cg_translate (res, 2, &all, err) < 0)
    return -1;
  burrow_cg_fs2_warn_missing (cg->path, &all);
  for (size_t i = 0; i < all.n && r >= 0; i++)
    {
      struct burrow_cg_writes one = { .v = &all.v[i], .n = 1, .cap = 1 };
      if (!burrow_cg_systemd_handles (all.v[i].file))
        r = burrow_cg_fs2_apply (cg->path, &one, true, err);
    }
  burrow_cg_writes_release (&all);
  return r < 0 ? -1 : 0;
}

static int
call_unit (const struct burrow_cgroup *cg, const char *method, bool wait, struct burrow_error *err)
{
  cleanup_bus sd_bus *bus = NULL;
  cleanup_slot sd_bus_slot *slot = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  struct job_wait w = { .unit = cg->unit };
  if (open_bus (cg->user_manager, &bus, err) < 0)
    return -1;
  if (wait && subscribe (bus, &w, &slot) < 0)
    wait = false;
  int r = strcmp (method, "ResetFailedUnit") == 0
              ? sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, method, &e, NULL, "s",
                                    cg->unit)
              : sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, method, &e, NULL, "ss",
                                    cg->unit, "replace");
  if (r < 0)
    {
      bool gone = sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit");
      if (!gone)
        bus_error (err, r, &e, method, cg->unit);
      sd_bus_error_free (&e);
      return gone ? 0 : -1;
    }
  return wait ? wait_job (bus, &w, err) : 0;
}

int
burrow_cg_systemd_stop (const struct burrow_cgroup *cg, struct burrow_error *err)
{
  struct burrow_error ignored;
  if (cg->unit == NULL)
    return 0;
  int r = call_unit (cg, "StopUnit", true, err);
  call_unit (cg, "ResetFailedUnit", false, &ignored);
  return r;
}

int
burrow_cg_systemd_set (const struct burrow_cgroup *cg, const cJSON *res, struct burrow_error *err)
{
  cleanup_bus sd_bus *bus = NULL;
  cleanup_msg sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;
  if (open_bus (cg->user_manager, &bus, err) < 0)
    return -1;
  if ((r = sd_bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                           "SetUnitProperties"))
          < 0
      || (r = sd_bus_message_append (m, "sb", cg->unit, 1)) < 0
      || (r = sd_bus_message_open_container (m, 'a', "(sv)")) < 0)
    return burrow_fail (err, -r, "systemd: build SetUnitProperties");
  if (append_resources (m, res, cg->version, err) < 0)
    return -1;
  if ((r = sd_bus_message_close_container (m)) < 0)
    return burrow_fail (err, -r, "systemd: build SetUnitProperties");
  if ((r = sd_bus_call (bus, m, 0, &e, NULL)) < 0)
    {
      bus_error (err, r, &e, "set the properties of", cg->unit);
      sd_bus_error_free (&e);
      return -1;
    }
  return 0;
}
