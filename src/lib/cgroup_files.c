/* cgroup_files.c: the host's cgroup mounts, reading and writing cgroup files, and what
   works the same on every manager once the cgroup exists: its pids, signalling them,
   joining it, removing it. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char *const v1_names[BURROW_CG1_COUNT] = {
  [BURROW_CG1_BLKIO] = "blkio",
  [BURROW_CG1_CPU] = "cpu",
  [BURROW_CG1_CPUACCT] = "cpuacct",
  [BURROW_CG1_CPUSET] = "cpuset",
  [BURROW_CG1_DEVICES] = "devices",
  [BURROW_CG1_FREEZER] = "freezer",
  [BURROW_CG1_HUGETLB] = "hugetlb",
  [BURROW_CG1_MEMORY] = "memory",
  [BURROW_CG1_NET_CLS] = "net_cls",
  [BURROW_CG1_NET_PRIO] = "net_prio",
  [BURROW_CG1_PERF_EVENT] = "perf_event",
  [BURROW_CG1_PIDS] = "pids",
  [BURROW_CG1_RDMA] = "rdma",
};

const char *
burrow_cgroup_v1_name (enum burrow_cgroup_v1 c)
{
  return c < BURROW_CG1_COUNT ? v1_names[c] : NULL;
}

/* Is `word` one of the comma-separated items of list? */
static bool
in_list (const char *list, const char *word)
{
  size_t n = strlen (word);
  for (const char *p = list; p && *p;)
    {
      const char *e = strchr (p, ',');
      size_t len = e ? (size_t)(e - p) : strlen (p);
      if (len == n && strncmp (p, word, n) == 0)
        return true;
      p = e ? e + 1 : NULL;
    }
  return false;
}

int
burrow_cg_host_probe (struct burrow_cg_host *h)
{
  memset (h, 0, sizeof *h);
  struct statfs sf;
  h->unified = statfs ("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -1;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      char mnt[4096], type[64], opts[1024];
      const char *sep = strstr (line, " - ");
      if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %4095s", mnt) != 1
          || sscanf (sep, " - %63s %*s %1023s", type, opts) != 2)
        continue;
      if (strcmp (type, "cgroup2") == 0 && h->v2_mount == NULL)
        h->v2_mount = strdup (mnt);
      else if (strcmp (type, "cgroup") == 0)
        for (int c = 0; c < BURROW_CG1_COUNT; c++)
          if (h->v1_mount[c] == NULL && in_list (opts, v1_names[c]))
            h->v1_mount[c] = strdup (mnt);
    }
  return 0;
}

void
burrow_cg_host_release (struct burrow_cg_host *h)
{
  free (h->v2_mount);
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    free (h->v1_mount[c]);
}

char *
burrow_cg_proc_path (pid_t pid, const char *controller)
{
  char p[64];
  if (pid > 0)
    snprintf (p, sizeof p, "/proc/%d/cgroup", pid);
  else
    snprintf (p, sizeof p, "/proc/self/cgroup");
  cleanup_file FILE *f = fopen (p, "re");
  if (f == NULL)
    return NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline (&line, &cap, f)) > 0)
    {
      if (line[len - 1] == '\n')
        line[len - 1] = '\0';
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      const char *ctrls = c1 + 1;
      bool match = controller ? in_list (ctrls, controller)
                              : (strncmp (line, "0:", 2) == 0 && *ctrls == '\0');
      if (match)
        return strdup (c2 + 1);
    }
  return NULL;
}

int
burrow_cg_write (const char *dir, const char *file, const char *value, struct burrow_error *err)
{
  cleanup_free char *p = NULL;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return burrow_fail (err, ENOMEM, "cgroup");
  cleanup_close int fd = open (p, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "open `%s`", p);
  if (write (fd, value, strlen (value)) < 0)
    return burrow_fail_errno (err, "write `%s` to `%s`", value, p);
  return 0;
}

int
burrow_cg_read (const char *dir, const char *file, char **out, struct burrow_error *err)
{
  cleanup_free char *p = NULL;
  size_t len;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return burrow_fail (err, ENOMEM, "cgroup");
  if (burrow_read_file (p, 1 << 20, out, &len, err) < 0)
    return -1;
  while (len > 0 && (*out)[len - 1] == '\n')
    (*out)[--len] = '\0';
  return 0;
}

bool
burrow_cg_has_word (const char *dir, const char *file, const char *name)
{
  struct burrow_error ignored;
  cleanup_free char *text = NULL;
  if (burrow_cg_read (dir, file, &text, &ignored) < 0)
    return false;
  size_t n = strlen (name);
  char *save = NULL;
  for (char *p = strtok_r (text, " \n", &save); p; p = strtok_r (NULL, " \n", &save))
    if (strlen (p) == n && strcmp (p, name) == 0)
      return true;
  return false;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Sub-cgroups first; a cgroup only goes once it has no processes. */
static int
rmdir_tree (const char *path, int depth)
{
  if (depth > 64)
    return -1;
  cleanup_dir DIR *d = opendir (path);
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cleanup_free char *sub = NULL;
      if (asprintf (&sub, "%s/%s", path, de->d_name) < 0 || rmdir_tree (sub, depth + 1) < 0)
        return -1;
    }
  return rmdir (path) == 0 || errno == ENOENT ? 0 : -1;
}

int
burrow_cg_rmdir_tree (const char *path, struct burrow_error *err)
{
  if (path == NULL)
    return 0;
  /* Killed processes leave the cgroup a moment after they are reaped. */
  for (int i = 0; i < 500; i++)
    {
      if (rmdir_tree (path, 0) == 0)
        return 0;
      if (errno != EBUSY)
        break;
      sleep_ms (10);
    }
  return burrow_fail_errno (err, "remove cgroup `%s`", path);
}

/* mkdir -p below the mount; *first_made is the highest directory this call made. */
int
burrow_cg_mkdir_p (const char *mount, const char *path, char **first_made, struct burrow_error *err)
{
  size_t mlen = strlen (mount);
  if (strlen (path) <= mlen + 1)
    return 0; /* the mount itself */
  cleanup_free char *dir = strdup (path);
  if (dir == NULL)
    return burrow_fail (err, ENOMEM, "cgroup");
  bool made = false;
  for (char *p = strchr (dir + mlen + 1, '/');; p = strchr (p + 1, '/'))
    {
      if (p)
        *p = '\0';
      if (mkdir (dir, 0755) == 0)
        {
          made = true;
          if (*first_made == NULL)
            *first_made = strdup (dir);
        }
      else if (errno != EEXIST)
        {
          int e = errno;
          if (e == EACCES || e == EPERM || e == EROFS)
            return burrow_fail_plain (err, e,
                                      "cannot create cgroup `%s`: %s (uid %d may only create "
                                      "cgroups in a subtree delegated to it)",
                                      dir, strerror (e), (int)geteuid ());
          return burrow_fail (err, e, "create cgroup `%s`", dir);
        }
      else
        made = false;
      if (p == NULL)
        break;
      *p = '/';
    }
  return made ? 1 : 0;
}

/* The directory whose cgroup.procs lists the container's processes. */
static const char *
procs_dir (const struct burrow_cgroup *cg)
{
  static const enum burrow_cgroup_v1 order[]
      = { BURROW_CG1_PIDS, BURROW_CG1_MEMORY, BURROW_CG1_FREEZER, BURROW_CG1_CPU };
  if (cg->path)
    return cg->path;
  for (size_t i = 0; i < sizeof order / sizeof *order; i++)
    if (cg->v1[order[i]])
      return cg->v1[order[i]];
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    if (cg->v1[c])
      return cg->v1[c];
  return NULL;
}

static int
collect_pids (const char *dir, int depth, pid_t **v, size_t *n, size_t *cap)
{
  if (depth > 64)
    return 0;
  cleanup_free char *p = NULL;
  if (asprintf (&p, "%s/cgroup.procs", dir) < 0)
    return -1;
  cleanup_file FILE *f = fopen (p, "re");
  if (f == NULL)
    return errno == ENOENT && depth > 0 ? 0 : -1;
  long pid;
  while (fscanf (f, "%ld", &pid) == 1)
    {
      if (*n == *cap)
        {
          size_t nc = *cap ? *cap * 2 : 64;
          pid_t *nv = realloc (*v, nc * sizeof *nv);
          if (nv == NULL)
            return -1;
          *v = nv;
          *cap = nc;
        }
      (*v)[(*n)++] = pid;
    }
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      cleanup_free char *sub = NULL;
      if (asprintf (&sub, "%s/%s", dir, de->d_name) < 0
          || collect_pids (sub, depth + 1, v, n, cap) < 0)
        return -1;
    }
  return 0;
}

int
burrow_cgroup_pids (const struct burrow_cgroup *cg, pid_t **out, size_t *n,
                    struct burrow_error *err)
{
  *out = NULL;
  *n = 0;
  const char *dir = procs_dir (cg);
  if (dir == NULL)
    return burrow_fail_plain (err, ENOENT, "the container has no cgroup");
  size_t cap = 0;
  if (collect_pids (dir, 0, out, n, &cap) < 0)
    {
      free (*out);
      *out = NULL;
      *n = 0;
      return burrow_fail_errno (err, "read the processes of cgroup `%s`", dir);
    }
  return 0;
}

int
burrow_cgroup_kill_all (const struct burrow_cgroup *cg, int sig, struct burrow_error *err)
{
  struct burrow_error ignored;
  if (sig == SIGKILL && cg->path && burrow_cg_write (cg->path, "cgroup.kill", "1", &ignored) == 0)
    return 0;
  pid_t *pids = NULL;
  size_t n = 0;
  if (burrow_cgroup_pids (cg, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      /* Through a pidfd: a pid that exits and is reused meanwhile is not signalled. */
      int fd = syscall (SYS_pidfd_open, pids[i], 0);
      if (fd >= 0)
        {
          syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0);
          close (fd);
        }
    }
  free (pids);
  return 0;
}

/* A sub-cgroup given on the command line stays inside the container's cgroup. */
static int
check_sub (const char *sub, struct burrow_error *err)
{
  if (sub == NULL)
    return 0;
  if (sub[0] == '/' || strcmp (sub, "..") == 0 || strncmp (sub, "../", 3) == 0
      || strstr (sub, "/../") || (strlen (sub) >= 3 && strcmp (sub + strlen (sub) - 3, "/..") == 0))
    return burrow_fail_plain (err, EINVAL,
                              "--cgroup `%s`: must be a path relative to the container's "
                              "cgroup, without `..`",
                              sub);
  return 0;
}

static int
join_dir (const char *dir, const char *sub, pid_t pid, struct burrow_error *err)
{
  cleanup_free char *p = NULL;
  char buf[32];
  if (asprintf (&p, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "") < 0)
    return burrow_fail (err, ENOMEM, "cgroup");
  struct stat st;
  if (sub && stat (p, &st) < 0)
    return burrow_fail_errno (err, "--cgroup `%s`: sub-cgroup `%s`", sub, p);
  snprintf (buf, sizeof buf, "%d", pid);
  return burrow_cg_write (p, "cgroup.procs", buf, err);
}

int
burrow_cgroup_join (const struct burrow_cgroup *cg, const char *sub, pid_t pid,
                    struct burrow_error *err)
{
  if (check_sub (sub, err) < 0)
    return -1;
  if (cg->manager == BURROW_CGROUP_DISABLED)
    return sub ? burrow_fail_plain (err, ENOENT, "--cgroup `%s`: the container has no cgroup", sub)
               : 0;
  if (cg->path && join_dir (cg->path, sub, pid, err) < 0)
    return -1;
  for (int c = 0; c < BURROW_CG1_COUNT; c++)
    if (cg->v1[c] && join_dir (cg->v1[c], sub, pid, err) < 0)
      return -1;
  return 0;
}
