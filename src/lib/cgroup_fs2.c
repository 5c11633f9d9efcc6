/* cgroup_fs2.c: cgroupfs on the unified hierarchy: where a caller may make cgroups (its
   delegated subtree), making one with the controllers its limits need, writing them. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
owned_by_me (const char *dir)
{
  struct stat st;
  cleanup_free char *procs = NULL;
  if (stat (dir, &st) < 0 || st.st_uid != geteuid ()
      || asprintf (&procs, "%s/cgroup.procs", dir) < 0)
    return false;
  return access (dir, W_OK) == 0 && access (procs, W_OK) == 0;
}

/* Root: its own cgroup (runc's convention, a trailing init.scope dropped). A user: the
   top of the subtree delegated to it (the highest ancestor of its cgroup it owns), so its
   containers are siblings of its shell's cgroup and controllers can be enabled above them. */
int
burrow_cg_fs2_base (const struct burrow_cg_host *h, bool rootless, char **out)
{
  *out = NULL;
  cleanup_free char *own = burrow_cg_proc_path (0, NULL);
  if (own == NULL)
    return -1;
  size_t n = strlen (own);
  if (n >= 11 && strcmp (own + n - 11, "/init.scope") == 0)
    own[n - 11] = '\0';
  if (strcmp (own, "/") == 0)
    own[0] = '\0';
  if (asprintf (out, "%s%s", h->v2_mount, own) < 0)
    {
      *out = NULL;
      return -1;
    }
  if (!rootless)
    return 0;
  if (!owned_by_me (*out))
    return -1;
  size_t mlen = strlen (h->v2_mount);
  for (;;)
    {
      /* Never above the mount's top: the root cgroup is not delegated. */
      char *slash = strrchr (*out, '/');
      if (slash == NULL || (size_t)(slash - *out) <= mlen)
        break;
      *slash = '\0';
      if (!owned_by_me (*out))
        {
          *slash = '/';
          break;
        }
    }
  return 0;
}

static bool
has_ctrl (const char *dir, const char *file, const char *c)
{
  return burrow_cg_has_word (dir, file, c);
}

/* Enable each controller the writes need in the subtree_control of every ancestor of
   path below the cgroup2 mount, where it is offered and not yet on. Failures show up as
   missing controllers. */
void
burrow_cg_fs2_enable (const char *path, const struct burrow_cg_writes *w)
{
  char ctrls[256];
  struct burrow_cg_host h = { 0 };
  burrow_cg_writes_controllers (w, ctrls, sizeof ctrls);
  if (ctrls[0] == '\0' || burrow_cg_host_probe (&h) < 0 || h.v2_mount == NULL
      || strncmp (path, h.v2_mount, strlen (h.v2_mount)) != 0)
    {
      burrow_cg_host_release (&h);
      return;
    }
  size_t mlen = strlen (h.v2_mount);
  burrow_cg_host_release (&h);
  cleanup_free char *dir = strdup (path);
  if (dir == NULL)
    return;
  for (char *p = dir + mlen; p && *p; p = strchr (p + 1, '/'))
    {
      char saved = *p;
      *p = '\0';
      cleanup_free char *list = strdup (ctrls);
      char *save = NULL;
      for (char *c = list ? strtok_r (list, " ", &save) : NULL; c; c = strtok_r (NULL, " ", &save))
        if (has_ctrl (dir, "cgroup.controllers", c) && !has_ctrl (dir, "cgroup.subtree_control", c))
          {
            char plus[64];
            struct burrow_error ignored;
            snprintf (plus, sizeof plus, "+%s", c);
            burrow_cg_write (dir, "cgroup.subtree_control", plus, &ignored);
          }
      *p = saved;
    }
}

void
burrow_cg_fs2_warn_missing (const char *path, const struct burrow_cg_writes *w)
{
  char keys[256] = "", ctrls[128] = "";
  size_t kl = 0, cl = 0;
  for (size_t i = 0; i < w->n; i++)
    {
      const char *c = w->v[i].ctrl;
      if (c == NULL || has_ctrl (path, "cgroup.controllers", c))
        continue;
      char pad[300], word[80];
      snprintf (pad, sizeof pad, ", %s, ", keys);
      snprintf (word, sizeof word, ", %s, ", w->v[i].key);
      if (strstr (pad, word) == NULL && kl < sizeof keys)
        kl += snprintf (keys + kl, sizeof keys - kl, "%s%s", kl ? ", " : "", w->v[i].key);
      snprintf (pad, sizeof pad, " %s ", ctrls);
      snprintf (word, sizeof word, " %s ", c);
      if (strstr (pad, word) == NULL && cl < sizeof ctrls)
        cl += snprintf (ctrls + cl, sizeof ctrls - cl, "%s%s", cl ? " " : "", c);
    }
  if (kl)
    burrow_log (BURROW_LOG_WARNING,
                "linux.resources (%s) not applied: the controllers `%s` are not available to "
                "cgroup `%s` (not delegated; for a user's systemd, a drop-in "
                "/etc/systemd/system/user@.service.d/delegate.conf with [Service] "
                "Delegate=%s, or enable them in cgroup.subtree_control above it)",
                keys, ctrls, path, ctrls);
}

int
burrow_cg_fs2_make (const struct burrow_cg_host *h, const char *path, bool explicit_path,
                    const cJSON *res, struct burrow_error *err)
{
  struct burrow_cg_writes w;
  if (burrow_cg_translate (res, 2, &w, err) < 0)
    return -1;
  cleanup_free char *first = NULL;
  int made = burrow_cg_mkdir_p (h->v2_mount, path, &first, err);
  if (made >= 0 && !owned_by_me (path) && geteuid () != 0)
    made = burrow_fail_plain (err, EACCES, "cgroup `%s` exists and is not writable by uid %d", path,
                              (int)geteuid ());
  if (made < 0)
    {
      if (first)
        rmdir (first);
      burrow_cg_writes_release (&w);
      return -1;
    }
  burrow_cg_fs2_enable (path, &w);
  burrow_cg_fs2_warn_missing (path, &w);
  burrow_cg_writes_release (&w);
  return made;
}

int
burrow_cg_fs2_apply (const char *path, const struct burrow_cg_writes *w, bool skip_missing,
                     struct burrow_error *err)
{
  for (size_t i = 0; i < w->n; i++)
    {
      const struct burrow_cg_write *x = &w->v[i];
      if (x->ctrl && !has_ctrl (path, "cgroup.controllers", x->ctrl))
        {
          if (skip_missing)
            continue; /* named by burrow_cg_fs2_warn_missing */
          return burrow_fail_plain (err, ENOTSUP,
                                    "linux.resources.%s: the %s controller is not available "
                                    "in cgroup `%s` (not delegated or not enabled above it)",
                                    x->key, x->ctrl, path);
        }
      if (burrow_cg_write (path, x->file, x->value, err) < 0)
        return burrow_error_prefix (err, "linux.resources.%s", x->key);
    }
  return 0;
}
