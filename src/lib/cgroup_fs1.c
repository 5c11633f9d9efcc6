/* cgroup_fs1.c: cgroupfs on v1 (legacy and hybrid hosts, root only): one directory per
   mounted controller, plus the container's directory in the hybrid unified hierarchy,
   which takes the limits of controllers v1 does not have. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* <mount><own cgroup>/<rel>, <mount><abs> for an absolute cgroupsPath, and runc's
   default <mount>/<id> without one. */
static char *
dir_for (const char *mount, const char *controller, const char *cp, const char *id)
{
  char *out = NULL;
  if (cp == NULL)
    return asprintf (&out, "%s/%s", mount, id) < 0 ? NULL : out;
  if (cp[0] == '/')
    return asprintf (&out, "%s%s", mount, cp) < 0 ? NULL : out;
  cleanup_free char *own = burrow_cg_proc_path (0, controller);
  if (own == NULL)
    own = strdup ("/");
  if (own == NULL)
    return NULL;
  size_t n = strlen (own);
  if (n >= 11 && strcmp (own + n - 11, "/init.scope") == 0)
    own[n - 11] = '\0';
  if (strcmp (own, "/") == 0)
    own[0] = '\0';
  return asprintf (&out, "%s%s/%s", mount, own, cp) < 0 ? NULL : out;
}

/* A new cpuset cgroup starts with no cpus and no mems: no task may join it until they are
   copied from the parent, level by level. */
static int
cpuset_init (const char *mount, const char *dir, struct burrow_error *err)
{
  cleanup_free char *d = strdup (dir);
  if (d == NULL)
    return burrow_fail (err, ENOMEM, "cgroup");
  for (char *p = strchr (d + strlen (mount) + 1, '/');; p = strchr (p + 1, '/'))
    {
      if (p)
        *p = '\0';
      cleanup_free char *parent = strdup (d);
      char *slash = parent ? strrchr (parent, '/') : NULL;
      if (slash)
        *slash = '\0';
      static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
      for (int i = 0; slash && i < 2; i++)
        {
          cleanup_free char *mine = NULL, *theirs = NULL;
          if (burrow_cg_read (d, files[i], &mine, err) < 0)
            return -1;
          if (mine[0] == '\0'
              && (burrow_cg_read (parent, files[i], &theirs, err) < 0
                  || burrow_cg_write (d, files[i], theirs, err) < 0))
            return -1;
        }
      if (p == NULL)
        break;
      *p = '/';
    }
  return 0;
}

/* Co-mounted controllers (cpu,cpuacct) share one directory: visit it once. */
static bool
seen_before (const struct burrow_cgroup *cg, int c)
{
  for (int i = 0; i < c; i++)
    if (cg->v1[i] && strcmp (cg->v1[i], cg->v1[c]) == 0)
      return true;
  return false;
}

int
burrow_cg_fs1_destroy (const struct burrow_cgroup *cg, struct burrow_error *err)
{
  int r = 0;
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    if (cg->v1[c] && !seen_before (cg, c) && burrow_cg_rmdir_tree (cg->v1[c], err) < 0)
      r = -1;
  if (cg->path && burrow_cg_rmdir_tree (cg->path, err) < 0)
    r = -1;
  return r;
}

int
burrow_cg_fs1_make (const struct burrow_cg_host *h, struct burrow_cgroup *cg,
                    const char *cgroups_path, const char *id, struct burrow_error *err)
{
  bool any = false;
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    {
      if (h->v1_mount[c] == NULL)
        continue;
      cg->v1[c] = dir_for (h->v1_mount[c], burrow_cgroup_v1_name (c), cgroups_path, id);
      if (cg->v1[c] == NULL)
        return burrow_fail (err, ENOMEM, "cgroup");
      if (seen_before (cg, c))
        continue;
      cleanup_free char *first = NULL;
      int made = burrow_cg_mkdir_p (h->v1_mount[c], cg->v1[c], &first, err);
      if (made > 0)
        cg->owned = true;
      if (made >= 0 && c == BURROW_CG1_CPUSET && cpuset_init (h->v1_mount[c], cg->v1[c], err) < 0)
        made = -1;
      if (made < 0)
        {
          struct burrow_error ignored;
          if (first)
            rmdir (first);
          free (steal_ptr (&cg->v1[c]));
          if (cg->owned)
            burrow_cg_fs1_destroy (cg, &ignored);
          return -1;
        }
      any = true;
    }
  if (!any)
    return burrow_fail_plain (err, ENOENT, "no cgroup v1 controller is mounted");
  /* Hybrid: the unified hierarchy too, where it can be made (best effort). */
  if (h->v2_mount && !h->unified)
    {
      cleanup_free char *first = NULL;
      struct burrow_error ignored;
      cg->path = dir_for (h->v2_mount, NULL, cgroups_path, id);
      if (cg->path && burrow_cg_mkdir_p (h->v2_mount, cg->path, &first, &ignored) < 0)
        free (steal_ptr (&cg->path));
    }
  return 0;
}

int
burrow_cg_fs1_enter (const struct burrow_cgroup *cg, pid_t pid, struct burrow_error *err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", pid);
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    if (cg->v1[c] && !seen_before (cg, c)
        && burrow_cg_write (cg->v1[c], "cgroup.procs", buf, err) < 0)
      return -1;
  if (cg->path && burrow_cg_write (cg->path, "cgroup.procs", buf, err) < 0)
    return -1;
  return 0;
}

static int
v1_index (const char *name)
{
  for (int c = 0; name && c < BURROW_CG1_COUNT; c++)
    if (strcmp (burrow_cgroup_v1_name (c), name) == 0)
      return c;
  return -1;
}

static int
write_one (const char *dir, const struct burrow_cg_write *x, struct burrow_error *err)
{
  if (burrow_cg_write (dir, x->file, x->value, err) < 0)
    return burrow_error_prefix (err, "linux.resources.%s", x->key);
  return 0;
}

/* memory.limit_in_bytes may not rise above memsw, nor memsw fall below it: when the limit
   is refused and memsw comes next, write memsw first. */
static int
write_v1 (const char *dir, const struct burrow_cg_writes *w, size_t *i, struct burrow_error *err)
{
  const struct burrow_cg_write *x = &w->v[*i];
  if (write_one (dir, x, err) == 0)
    return 0;
  if (err->errnum == EINVAL && strcmp (x->file, "memory.limit_in_bytes") == 0 && *i + 1 < w->n
      && strcmp (w->v[*i + 1].file, "memory.memsw.limit_in_bytes") == 0)
    {
      burrow_error_clear (err);
      if (write_one (dir, &w->v[*i + 1], err) < 0 || write_one (dir, x, err) < 0)
        return -1;
      (*i)++;
      return 0;
    }
  return -1;
}

/* The controllers v1 lacks but the hybrid unified cgroup has: written there, v2-style. */
static int
apply_unified (const struct burrow_cgroup *cg, const cJSON *res, const char *missing,
               struct burrow_error *err)
{
  struct burrow_cg_writes w2;
  if (burrow_cg_translate (res, 2, &w2, err) < 0)
    return -1;
  int r = 0;
  for (size_t i = 0; i < w2.n && r == 0; i++)
    {
      char word[64];
      snprintf (word, sizeof word, " %s ", w2.v[i].ctrl ? w2.v[i].ctrl : "");
      if (w2.v[i].ctrl && strstr (missing, word)
          && burrow_cg_has_word (cg->path, "cgroup.controllers", w2.v[i].ctrl))
        r = write_one (cg->path, &w2.v[i], err);
    }
  burrow_cg_writes_release (&w2);
  return r;
}

int
burrow_cg_fs1_apply (const struct burrow_cgroup *cg, const cJSON *res, bool skip_missing,
                     struct burrow_error *err)
{
  struct burrow_cg_writes w;
  if (burrow_cg_translate (res, 1, &w, err) < 0)
    return -1;
  char missing[256] = " ", keys[256] = "";
  size_t ml = 1, kl = 0;
  int r = 0;
  for (size_t i = 0; i < w.n && r == 0; i++)
    {
      const struct burrow_cg_write *x = &w.v[i];
      int c = v1_index (x->ctrl);
      if (c >= 0 && cg->v1[c])
        {
          r = write_v1 (cg->v1[c], &w, &i, err);
          continue;
        }
      bool v2_has
          = cg->path && x->ctrl && burrow_cg_has_word (cg->path, "cgroup.controllers", x->ctrl);
      if (x->ctrl && ml < sizeof missing)
        ml += snprintf (missing + ml, sizeof missing - ml, "%s ", x->ctrl);
      if (!v2_has && kl < sizeof keys && strstr (keys, x->key) == NULL)
        kl += snprintf (keys + kl, sizeof keys - kl, "%s%s", kl ? ", " : "", x->key);
    }
  burrow_cg_writes_release (&w);
  if (r < 0)
    return -1;
  if (ml > 1 && cg->path && apply_unified (cg, res, missing, err) < 0)
    return -1;
  if (kl && !skip_missing)
    return burrow_fail_plain (err, ENOTSUP,
                              "linux.resources (%s): this host mounts no cgroup controller "
                              "for them",
                              keys);
  if (kl)
    burrow_log (BURROW_LOG_WARNING,
                "linux.resources (%s) not applied: this host mounts no cgroup controller for "
                "them",
                keys);
  return 0;
}

int
burrow_cg_fs1_allow_devices (const struct burrow_cgroup *cg, const struct burrow_spec *spec,
                             struct burrow_error *err)
{
  const char *dir = cg->v1[BURROW_CG1_DEVICES];
  for (size_t i = 0; dir && i < spec->linux_.n_devices; i++)
    {
      const struct burrow_device *d = &spec->linux_.devices[i];
      char rule[96];
      snprintf (rule, sizeof rule, "%c %lld:%lld rwm", d->type == 'u' ? 'c' : d->type,
                (long long)d->major, (long long)d->minor);
      if (burrow_cg_write (dir, "devices.allow", rule, err) < 0)
        return burrow_error_prefix (err, "linux.devices `%s`", d->path);
    }
  return 0;
}
