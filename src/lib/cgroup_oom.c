/* cgroup_oom.c: OOM-kill notices for `events`: v2 watches memory.events with inotify and
   reports a rise of its oom_kill count; v1 registers an eventfd for memory.oom_control
   through cgroup.event_control, and every count read from it is one OOM. */
#include "config.h"
#include "cgroup.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

static int
v2_oom_kills (const char *dir, unsigned long long *n)
{
  char path[4096], key[64];
  unsigned long long v;
  snprintf (path, sizeof path, "%s/memory.events", dir);
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  *n = 0;
  while (fscanf (f, "%63s %llu", key, &v) == 2)
    if (strcmp (key, "oom_kill") == 0)
      *n = v;
  return 0;
}

static int
v2_open (const char *dir, struct burrow_cgroup_oom *w, struct burrow_error *err)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/memory.events", dir);
  if (access (path, F_OK) < 0)
    return 0;
  cleanup_close int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0)
    return burrow_fail_errno (err, "inotify");
  if (inotify_add_watch (fd, path, IN_MODIFY) < 0)
    return burrow_fail_errno (err, "watch `%s`", path);
  /* Read after the watch exists: a kill in between is then seen as a change. */
  if (v2_oom_kills (dir, &w->oom_kills) < 0)
    return burrow_fail_errno (err, "read `%s`", path);
  w->dir = strdup (dir);
  if (w->dir == NULL)
    return burrow_fail_errno (err, "OOM notices");
  w->version = 2;
  w->fd = steal_fd (&fd);
  return 0;
}

static int
v1_open (const char *dir, struct burrow_cgroup_oom *w, struct burrow_error *err)
{
  char path[4096], line[64];
  snprintf (path, sizeof path, "%s/memory.oom_control", dir);
  cleanup_close int oc = open (path, O_RDONLY | O_CLOEXEC);
  if (oc < 0)
    return errno == ENOENT ? 0 : burrow_fail_errno (err, "open `%s`", path);
  cleanup_close int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0)
    return burrow_fail_errno (err, "eventfd");
  snprintf (path, sizeof path, "%s/cgroup.event_control", dir);
  cleanup_close int ec = open (path, O_WRONLY | O_CLOEXEC);
  int n = snprintf (line, sizeof line, "%d %d", efd, oc);
  if (ec < 0 || write (ec, line, n) != n)
    return burrow_fail_errno (err, "register for OOM notices in `%s`", path);
  w->version = 1;
  w->fd = steal_fd (&efd);
  return 0;
}

int
burrow_cgroup_oom_open (const struct burrow_cgroup *cg, struct burrow_cgroup_oom *out,
                        struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  out->fd = -1;
  if (cg == NULL || cg->manager == BURROW_CGROUP_DISABLED)
    return 0;
  if (cg->version == 1 && cg->v1[BURROW_CG1_MEMORY])
    return v1_open (cg->v1[BURROW_CG1_MEMORY], out, err);
  if (cg->path)
    return v2_open (cg->path, out, err);
  return 0;
}

int
burrow_cgroup_oom_read (struct burrow_cgroup_oom *w)
{
  if (w->fd < 0)
    return 0;
  if (w->version == 1)
    {
      uint64_t count = 0;
      if (read (w->fd, &count, sizeof count) != sizeof count)
        return errno == EAGAIN ? 0 : -1;
      return (int)count;
    }
  char drain[4096];
  while (read (w->fd, drain, sizeof drain) > 0)
    ;
  unsigned long long now;
  if (v2_oom_kills (w->dir, &now) < 0)
    return -1;
  int rise = now > w->oom_kills ? (int)(now - w->oom_kills) : 0;
  w->oom_kills = now;
  return rise;
}

void
burrow_cgroup_oom_close (struct burrow_cgroup_oom *w)
{
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  free (w->dir);
  w->dir = NULL;
}
