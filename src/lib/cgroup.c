/* cgroup.c: choosing the manager at create, recording it in the state, and dispatching
   each operation to the manager the container was created with. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *
burrow_cgroup_manager_name (enum burrow_cgroup_manager m)
{
  switch (m)
    {
    case BURROW_CGROUP_CGROUPFS:
      return "cgroupfs";
    case BURROW_CGROUP_SYSTEMD:
      return "systemd";
    default:
      return "disabled";
    }
}

void
burrow_cgroup_release (struct burrow_cgroup *cg)
{
  free (cg->path);
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    free (cg->v1[c]);
  free (cg->unit);
  free (cg->slice);
  free (cg->id);
  memset (cg, 0, sizeof *cg);
}

cJSON *
burrow_cgroup_to_json (const struct burrow_cgroup *cg)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "manager", burrow_cgroup_manager_name (cg->manager));
  cJSON_AddNumberToObject (o, "version", cg->version);
  if (cg->path)
    cJSON_AddStringToObject (o, "path", cg->path);
  cJSON *v1 = NULL;
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    if (cg->v1[c])
      {
        if (v1 == NULL)
          v1 = cJSON_AddObjectToObject (o, "v1");
        cJSON_AddStringToObject (v1, burrow_cgroup_v1_name (c), cg->v1[c]);
      }
  if (cg->unit)
    cJSON_AddStringToObject (o, "unit", cg->unit);
  if (cg->slice)
    cJSON_AddStringToObject (o, "slice", cg->slice);
  if (cg->id)
    cJSON_AddStringToObject (o, "id", cg->id);
  cJSON_AddBoolToObject (o, "userManager", cg->user_manager);
  cJSON_AddBoolToObject (o, "owned", cg->owned);
  return o;
}

static int
dup_string (const cJSON *o, const char *key, char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, key);
  if (!cJSON_IsString (v))
    return 0;
  return (*out = strdup (v->valuestring)) ? 0 : -1;
}

int
burrow_cgroup_from_json (const cJSON *o, struct burrow_cgroup *out, struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  if (!cJSON_IsObject (o))
    return 0; /* no cgroup recorded: disabled */
  const cJSON *m = cJSON_GetObjectItemCaseSensitive (o, "manager");
  const char *name = cJSON_IsString (m) ? m->valuestring : "disabled";
  if (strcmp (name, "systemd") == 0)
    out->manager = BURROW_CGROUP_SYSTEMD;
  else if (strcmp (name, "cgroupfs") == 0)
    out->manager = BURROW_CGROUP_CGROUPFS;
  else if (strcmp (name, "disabled") != 0)
    return burrow_fail_plain (err, EINVAL, "state: unknown cgroup manager `%s`", name);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, "version");
  out->version = cJSON_IsNumber (v) ? v->valueint : 0;
  out->user_manager = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "userManager"));
  out->owned = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "owned"));
  const cJSON *v1 = cJSON_GetObjectItemCaseSensitive (o, "v1");
  int r = dup_string (o, "path", &out->path) | dup_string (o, "unit", &out->unit)
          | dup_string (o, "slice", &out->slice) | dup_string (o, "id", &out->id);
  for (int c = 0; c < BURROW_CG1_COUNT && v1; c++)
    r |= dup_string (v1, burrow_cgroup_v1_name (c), &out->v1[c]);
  if (r < 0)
    {
      burrow_cgroup_release (out);
      return burrow_fail (err, ENOMEM, "state: cgroup");
    }
  return 0;
}

cJSON *
burrow_cgroup_features (void)
{
  struct burrow_cg_host h;
  cJSON *o = cJSON_CreateObject ();
  int ok = burrow_cg_host_probe (&h);
  bool v1 = false;
  for (int c = 0; ok == 0 && c < BURROW_CG1_COUNT; c++)
    v1 |= h.v1_mount[c] != NULL;
  char why[8];
  bool rdma = ok == 0
              && (h.v1_mount[BURROW_CG1_RDMA]
                  || (h.v2_mount && burrow_cg_has_word (h.v2_mount, "cgroup.controllers", "rdma")));
  cJSON_AddBoolToObject (o, "v1", v1);
  cJSON_AddBoolToObject (o, "v2", ok == 0 && h.v2_mount != NULL);
  cJSON_AddBoolToObject (o, "systemd", burrow_cg_systemd_reachable (false, why, 0));
  cJSON_AddBoolToObject (o, "systemdUser", burrow_cg_systemd_reachable (true, why, 0));
  cJSON_AddBoolToObject (o, "rdma", rdma);
  burrow_cg_host_release (&h);
  return o;
}

int
burrow_cgroup_from_state (const char *cgroup_json, struct burrow_cgroup *out,
                          struct burrow_error *err)
{
  cJSON *j = cgroup_json ? cJSON_Parse (cgroup_json) : NULL;
  int r = burrow_cgroup_from_json (j, out, err);
  cJSON_Delete (j);
  return r;
}

/* Nothing usable: the container runs without a cgroup; limits it asks for are named. */
static void
disable (struct burrow_cgroup *out, const cJSON *res, const char *why)
{
  char keys[256];
  char *id = steal_ptr (&out->id);
  burrow_cgroup_release (out);
  out->id = id;
  out->manager = BURROW_CGROUP_DISABLED;
  burrow_cg_resource_keys (res, keys, sizeof keys);
  if (keys[0])
    burrow_log (BURROW_LOG_WARNING, "linux.resources (%s) not applied: %s", keys, why);
}

static bool
has_dotdot (const char *p)
{
  size_t n = strlen (p);
  return strcmp (p, "..") == 0 || strncmp (p, "../", 3) == 0 || strstr (p, "/../")
         || (n >= 3 && strcmp (p + n - 3, "/..") == 0);
}

/* cgroupfs v2: the path, made, limited, and an fd to clone the init into. */
static int
prepare_fs2 (const struct burrow_cg_host *h, bool rootless, const char *cp,
             const struct burrow_spec *spec, struct burrow_cgroup *out, int *clone_into_fd,
             struct burrow_error *err)
{
  const cJSON *res = spec->linux_.resources;
  cleanup_free char *base = NULL;
  cleanup_free char *root_default = NULL;
  /* root's default is runc's: /<id> from the top of the hierarchy */
  if (cp == NULL && !rootless && asprintf (&root_default, "/%s", out->id) > 0)
    cp = root_default;
  if (cp == NULL || cp[0] != '/')
    {
      if (burrow_cg_fs2_base (h, rootless, &base) < 0)
        {
          char why[512];
          snprintf (why, sizeof why,
                    "no cgroup is delegated to uid %d (its cgroup `%s` is not its own; "
                    "start it in a delegated cgroup, e.g. `systemd-run --user --scope -p "
                    "Delegate=yes`, or run as root)",
                    (int)geteuid (), base ? base : h->v2_mount);
          if (cp)
            return burrow_fail_plain (err, EACCES, "linux.cgroupsPath `%s`: %s", cp, why);
          disable (out, res, why);
          return 0;
        }
    }
  int n = cp == NULL     ? asprintf (&out->path, "%s/%s", base, out->id)
          : cp[0] == '/' ? asprintf (&out->path, "%s%s", h->v2_mount, cp)
                         : asprintf (&out->path, "%s/%s", base, cp);
  if (n < 0)
    {
      out->path = NULL;
      return burrow_fail (err, ENOMEM, "cgroup");
    }
  out->manager = BURROW_CGROUP_CGROUPFS;
  out->version = 2;
  bool explicit_path = cp != NULL && cp != root_default;
  int made = burrow_cg_fs2_make (h, out->path, explicit_path, res, err);
  if (made < 0)
    {
      if (explicit_path)
        return burrow_error_prefix (err, "linux.cgroupsPath `%s`", cp);
      char why[BURROW_ERROR_MSG_MAX + 64];
      snprintf (why, sizeof why, "cannot make a cgroup: %s", err->msg);
      burrow_error_clear (err);
      disable (out, res, why);
      return 0;
    }
  out->owned = made > 0;
  struct burrow_cg_writes w;
  if (burrow_cg_translate (res, 2, &w, err) < 0
      || burrow_cg_fs2_apply (out->path, &w, true, err) < 0)
    {
      burrow_cg_writes_release (&w);
      return -1;
    }
  burrow_cg_writes_release (&w);
  /* Device rules on v2 are an eBPF program: root's to load. A user's container has only
     the device nodes bound into its /dev. */
  const cJSON *devices = cJSON_GetObjectItemCaseSensitive (res, "devices");
  if (!rootless && devices && burrow_cg_devices_attach (out->path, devices, spec, err) < 0)
    return -1;
  *clone_into_fd = open (out->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return 0;
}

static int
prepare_fs1 (const struct burrow_cg_host *h, const struct burrow_spec *spec,
             struct burrow_cgroup *out, struct burrow_error *err)
{
  const char *cp = spec->linux_.cgroups_path;
  out->manager = BURROW_CGROUP_CGROUPFS;
  out->version = 1;
  if (burrow_cg_fs1_make (h, out, cp, out->id, err) < 0)
    {
      if (cp)
        return burrow_error_prefix (err, "linux.cgroupsPath `%s`", cp);
      char why[BURROW_ERROR_MSG_MAX + 64];
      snprintf (why, sizeof why, "cannot make a cgroup: %s", err->msg);
      burrow_error_clear (err);
      disable (out, spec->linux_.resources, why);
      return 0;
    }
  if (burrow_cg_fs1_apply (out, spec->linux_.resources, true, err) < 0
      || burrow_cg_fs1_allow_devices (out, spec, err) < 0)
    return -1;
  return 0;
}

static int
prepare_cgroupfs (const struct burrow_cg_host *h, bool rootless, const struct burrow_spec *spec,
                  const char *cp, struct burrow_cgroup *out, int *clone_into_fd,
                  struct burrow_error *err)
{
  const cJSON *res = spec->linux_.resources;
  if (cp && has_dotdot (cp))
    return burrow_fail_plain (err, EINVAL, "linux.cgroupsPath `%s`: `..` is not allowed", cp);
  if (h->v2_mount && (h->unified || rootless))
    return prepare_fs2 (h, rootless, cp, spec, out, clone_into_fd, err);
  if (!rootless)
    return prepare_fs1 (h, spec, out, err);
  disable (out, res, "this host has no cgroup v2 hierarchy, and cgroup v1 cannot be delegated");
  return 0;
}

int
burrow_cgroup_prepare (struct burrow_context *ctx, const char *id, const struct burrow_spec *spec,
                       struct burrow_cgroup *out, int *clone_into_fd, struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  *clone_into_fd = -1;
  if ((out->id = strdup (id)) == NULL)
    return burrow_fail (err, ENOMEM, "cgroup");
  struct burrow_cg_host h;
  if (burrow_cg_host_probe (&h) < 0)
    {
      burrow_cg_host_release (&h);
      disable (out, spec->linux_.resources, "cannot read /proc/self/mountinfo");
      return 0;
    }
  const char *cp = spec->linux_.cgroups_path;
  bool rootless = ctx->rootless;
  bool systemd_form = cp && strchr (cp, ':');
  int r = 0;
  char why[256] = "";
  if (ctx->systemd_cgroup && cp && !systemd_form)
    r = burrow_fail_plain (err, EINVAL,
                           "linux.cgroupsPath `%s`: with --systemd-cgroup it must have the "
                           "form slice:prefix:name (e.g. system.slice:burrow:%s)",
                           cp, id);
  else if (ctx->systemd_cgroup || systemd_form
           || (rootless && h.unified && cp == NULL && burrow_cg_systemd_reachable (true, why, 0)))
    {
      r = burrow_cg_systemd_parse_path (cp ? cp : "", rootless ? "user.slice" : "system.slice",
                                        &out->slice, &out->unit, err);
      if (r == 0 && (out->unit == NULL || strstr (out->unit, "-.scope")))
        {
          /* no name given: the container's id */
          free (out->unit);
          if (asprintf (&out->unit, "burrow-%s.scope", id) < 0)
            r = burrow_fail (err, ENOMEM, "cgroup");
        }
      if (r == 0 && burrow_cg_systemd_reachable (rootless, why, sizeof why))
        {
          out->manager = BURROW_CGROUP_SYSTEMD;
          out->user_manager = rootless;
          /* a user's manager delegates only in the unified hierarchy (hybrid: its mount) */
          out->version = h.unified || (rootless && h.v2_mount) ? 2 : 1;
          out->owned = false; /* until systemd has accepted the unit: a name clash is not ours */
        }
      else if (r == 0)
        {
          burrow_log (BURROW_LOG_WARNING, "systemd cgroup manager not usable (%s): using cgroupfs",
                      why);
          free (steal_ptr (&out->unit));
          free (steal_ptr (&out->slice));
          r = prepare_cgroupfs (&h, rootless, spec, NULL, out, clone_into_fd, err);
        }
    }
  else
    r = prepare_cgroupfs (&h, rootless, spec, cp, out, clone_into_fd, err);
  burrow_cg_host_release (&h);
  if (r < 0)
    {
      struct burrow_error ignored;
      burrow_cgroup_destroy (out, &ignored);
      burrow_cgroup_release (out);
      if (*clone_into_fd >= 0)
        close (*clone_into_fd);
      *clone_into_fd = -1;
      return burrow_error_prefix (err, "cgroup");
    }
  return 0;
}

/* systemd refused: the same container in cgroupfs, the init moved in by hand. */
static int
systemd_fallback (struct burrow_cgroup *cg, pid_t pid, const struct burrow_spec *spec,
                  const char *why, struct burrow_error *err)
{
  burrow_log (BURROW_LOG_WARNING, "systemd did not start the scope %s (%s): using cgroupfs",
              cg->unit, why);
  struct burrow_error ignored;
  if (cg->owned)
    burrow_cg_systemd_stop (cg, &ignored); /* it started, and a limit failed after */
  struct burrow_cg_host h;
  int fd = -1;
  bool rootless = cg->user_manager;
  char *id = steal_ptr (&cg->id);
  burrow_cgroup_release (cg);
  cg->id = id;
  int r = burrow_cg_host_probe (&h) < 0 ? 0
                                        : prepare_cgroupfs (&h, rootless, spec, NULL, cg, &fd, err);
  burrow_cg_host_release (&h);
  if (fd >= 0)
    close (fd);
  if (r < 0)
    return -1;
  return cg->version == 1 ? burrow_cg_fs1_enter (cg, pid, err)
                          : burrow_cgroup_join (cg, NULL, pid, err);
}

int
burrow_cgroup_enter (struct burrow_cgroup *cg, pid_t pid, const struct burrow_spec *spec,
                     struct burrow_error *err)
{
  switch (cg->manager)
    {
    case BURROW_CGROUP_DISABLED:
      return 0;
    case BURROW_CGROUP_SYSTEMD:
      if (burrow_cg_systemd_start (cg, cg->slice, pid, spec->linux_.resources, err) < 0)
        {
          /* a limit systemd or the kernel refused, a unit of that name already there */
          if (err->errnum == EINVAL || err->errnum == EEXIST)
            return -1;
          char why[BURROW_ERROR_MSG_MAX];
          snprintf (why, sizeof why, "%s", err->msg);
          burrow_error_clear (err);
          return systemd_fallback (cg, pid, spec, why, err);
        }
      return 0;
    case BURROW_CGROUP_CGROUPFS:
      /* v2: already there when born with CLONE_INTO_CGROUP; writing the pid again is
         harmless, and needed when clone3 could not do it. */
      return cg->version == 1 ? burrow_cg_fs1_enter (cg, pid, err)
                              : burrow_cgroup_join (cg, NULL, pid, err);
    }
  return 0;
}

int
burrow_cgroup_apply (const struct burrow_cgroup *cg, const cJSON *resources,
                     struct burrow_error *err)
{
  if (resources == NULL)
    return 0;
  if (cg->manager == BURROW_CGROUP_DISABLED)
    {
      char keys[256];
      burrow_cg_resource_keys (resources, keys, sizeof keys);
      if (keys[0] == '\0')
        return 0;
      return burrow_fail_plain (err, ENOTSUP,
                                "linux.resources (%s): the container has no cgroup (it was "
                                "created without a usable cgroup manager)",
                                keys);
    }
  if (cg->manager == BURROW_CGROUP_SYSTEMD && burrow_cg_systemd_set (cg, resources, err) < 0)
    return -1;
  if (cg->version == 1)
    return burrow_cg_fs1_apply (cg, resources, false, err);
  struct burrow_cg_writes w;
  if (burrow_cg_translate (resources, 2, &w, err) < 0)
    return -1;
  /* a limit the container did not have at create may need a controller enabled */
  if (cg->manager == BURROW_CGROUP_CGROUPFS)
    burrow_cg_fs2_enable (cg->path, &w);
  int r = burrow_cg_fs2_apply (cg->path, &w, false, err);
  burrow_cg_writes_release (&w);
  return r;
}

int
burrow_cgroup_destroy (const struct burrow_cgroup *cg, struct burrow_error *err)
{
  if (cg->manager == BURROW_CGROUP_DISABLED || !cg->owned)
    return 0;
  struct burrow_error ignored;
  if (cg->manager == BURROW_CGROUP_SYSTEMD && cg->path == NULL && cg->v1[BURROW_CG1_PIDS] == NULL)
    return burrow_cg_systemd_stop (cg, err); /* never started, or nothing known of it */
  burrow_cgroup_kill_all (cg, SIGKILL, &ignored);
  if (cg->manager == BURROW_CGROUP_SYSTEMD && burrow_cg_systemd_stop (cg, err) < 0)
    return -1;
  if (cg->version == 1)
    return burrow_cg_fs1_destroy (cg, err);
  return burrow_cg_rmdir_tree (cg->path, err);
}
