/* container_ps.c: `ps`: the host pids of a container's processes: every process of the
   init's pid namespace, or, without one, the init and its descendants. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pid_list
{
  pid_t *v;
  size_t n, cap;
};

static int
pid_list_add (struct pid_list *l, pid_t pid)
{
  if (l->n == l->cap)
    {
      size_t cap = l->cap ? l->cap * 2 : 64;
      pid_t *v = realloc (l->v, cap * sizeof *v);
      if (v == NULL)
        return -1;
      l->v = v;
      l->cap = cap;
    }
  l->v[l->n++] = pid;
  return 0;
}

static bool
pid_list_has (const struct pid_list *l, pid_t pid)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i] == pid)
      return true;
  return false;
}

/* The numeric entries of /proc: every thread group on the host. */
static int
host_pids (struct pid_list *out)
{
  cleanup_dir DIR *proc = opendir ("/proc");
  if (proc == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir (proc)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end == '\0' && pid > 0 && pid_list_add (out, pid) < 0)
        return -1;
    }
  return 0;
}

static int
pidns_of (pid_t pid, struct stat *st)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
  return stat (path, st);
}

/* Every process whose pid namespace is the init's. A process we may not inspect (or a
   zombie, which has no namespaces left) is not counted. */
static int
scan_pidns (pid_t init, const struct stat *ns, struct pid_list *out)
{
  struct pid_list all = { 0 };
  if (host_pids (&all) < 0)
    {
      free (all.v);
      return -1;
    }
  int ret = 0;
  for (size_t i = 0; i < all.n && ret == 0; i++)
    {
      struct stat other;
      if (all.v[i] == init || pidns_of (all.v[i], &other) < 0)
        continue;
      if (other.st_ino == ns->st_ino && other.st_dev == ns->st_dev)
        ret = pid_list_add (out, all.v[i]);
    }
  free (all.v);
  return ret;
}

/* /proc/PID/stat field 4; -1 when the process is gone. */
static pid_t
parent_of (pid_t pid)
{
  char buf[512];
  const char *p = burrow_proc_stat_fields (pid, buf, sizeof buf);
  int ppid;
  if (p == NULL || sscanf (p, "%*c %d", &ppid) != 1)
    return -1;
  return ppid;
}

/* The init's descendants: passes over the process table until no new child turns up
   (a child may be listed before its parent). */
static int
scan_descendants (pid_t init, struct pid_list *out)
{
  struct pid_list all = { 0 };
  pid_t *parents = NULL;
  int ret = -1;
  if (host_pids (&all) < 0 || (parents = calloc (all.n ? all.n : 1, sizeof *parents)) == NULL)
    goto out;
  for (size_t i = 0; i < all.n; i++)
    parents[i] = parent_of (all.v[i]);
  bool grew = true;
  while (grew)
    {
      grew = false;
      for (size_t i = 0; i < all.n; i++)
        {
          if (parents[i] <= 0 || all.v[i] == init || pid_list_has (out, all.v[i]))
            continue;
          if (parents[i] != init && !pid_list_has (out, parents[i]))
            continue;
          if (pid_list_add (out, all.v[i]) < 0)
            goto out;
          grew = true;
        }
    }
  ret = 0;
out:
  free (parents);
  free (all.v);
  return ret;
}

static int
cmp_pid (const void *a, const void *b)
{
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

/* The cgroup's processes, when the container has one. 1: listed, 0: no cgroup. */
static int
collect_cgroup (const struct burrow_state *st, struct pid_list *out)
{
  struct burrow_cgroup cg;
  struct burrow_error err;
  if (burrow_cgroup_from_state (st->cgroup_json, &cg, &err) < 0)
    return 0;
  int r = 0;
  if (cg.manager != BURROW_CGROUP_DISABLED)
    {
      pid_t *v = NULL;
      size_t n = 0;
      r = burrow_cgroup_pids (&cg, &v, &n, &err) < 0 ? 0 : 1;
      if (r == 1)
        {
          free (out->v);
          out->v = v;
          out->n = out->cap = n;
        }
    }
  burrow_cgroup_release (&cg);
  return r;
}

static int
collect (const struct burrow_state *st, struct pid_list *out)
{
  if (collect_cgroup (st, out) == 1)
    return 0;
  if (pid_list_add (out, st->pid) < 0)
    return -1;
  /* Until `start`, a rootless caller may not look at the (non-dumpable) init's
     namespaces; it has no descendants then, but its parent chain is readable. */
  struct stat ns;
  if (st->pid_ns && pidns_of (st->pid, &ns) == 0)
    return scan_pidns (st->pid, &ns, out);
  return scan_descendants (st->pid, out);
}

int
burrow_container_pids (struct burrow_context *ctx, const char *id, pid_t **out, size_t *n,
                       struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  struct pid_list list = { 0 };
  cleanup_close int pidfd = -1;
  int ret = -1;
  *out = NULL;
  *n = 0;
  /* The pidfd is held while scanning: the init's pid cannot be reused under us. */
  pidfd = burrow_open_live (ctx, id, &d, &st, err);
  if (pidfd < 0)
    goto out;
  if (collect (&st, &list) < 0)
    {
      burrow_fail_errno (err, "processes of container `%s`", id);
      goto out;
    }
  qsort (list.v, list.n, sizeof *list.v, cmp_pid);
  *out = steal_ptr (&list.v);
  *n = list.n;
  ret = 0;
out:
  free (list.v);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}

int
burrow_state_pids (const struct burrow_state *st, pid_t **out, size_t *n)
{
  struct pid_list list = { 0 };
  if (collect (st, &list) < 0)
    {
      free (list.v);
      return -1;
    }
  *out = list.v;
  *n = list.n;
  return 0;
}
