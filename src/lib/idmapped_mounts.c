/* idmapped_mounts.c: idmapped bind mounts. Setting MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN
   over the source filesystem's user namespace (the host's, for a host filesystem), so the
   runtime does it before clone, on a detached clone of the source; the init attaches it. */
#include "config.h"
#include "idmapped_mounts.h"

#include "cleanup.h"
#include "error.h"
#include "mount_options.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct idmap_request
{
  const struct burrow_id_mapping *uid;
  size_t n_uid;
  const struct burrow_id_mapping *gid;
  size_t n_gid;
  bool recursive_clone; /* rbind: the source's submounts come along */
  bool recursive_idmap; /* ridmap: and they are idmapped too */
};

/* One user namespace per distinct mapping: the usual case, `idmap` on several mounts with
   the container's own mapping, costs one short-lived child. */
struct userns_cache
{
  const struct idmap_request *req;
  int fd;
};

static bool
is_idmap_option (const char *o)
{
  return strcmp (o, "idmap") == 0 || strcmp (o, "ridmap") == 0;
}

static bool
mount_asks (const struct burrow_mount *m)
{
  if (m->n_uid_mappings || m->n_gid_mappings)
    return true;
  for (size_t i = 0; i < m->n_options; i++)
    if (is_idmap_option (m->options[i]))
      return true;
  return false;
}

static bool
same_mappings (const struct burrow_id_mapping *a, size_t na, const struct burrow_id_mapping *b,
               size_t nb)
{
  return na == nb && (na == 0 || memcmp (a, b, na * sizeof *a) == 0);
}

/* The plan for mounts[i], checked before anything is made. */
static int
plan_one (const struct burrow_spec *spec, const struct burrow_mount *m, struct idmap_request *req,
          struct burrow_error *err)
{
  struct burrow_mount_opts o;
  bool is_bind = m->type && strcmp (m->type, "bind") == 0;
  if (burrow_mount_opts_parse (m->options, m->n_options, is_bind, m->destination, &o, err) < 0)
    return -1;
  bool bind = o.bind || is_bind;
  req->recursive_clone = (o.flags & MS_REC) || o.ridmap;
  req->recursive_idmap = o.ridmap;
  burrow_mount_opts_release (&o);
  if (!bind)
    return burrow_fail_plain (err, EINVAL,
                              "idmapped mounts are supported for bind mounts only "
                              "(add `bind` or `rbind` to the options)");
  if (m->source == NULL)
    return burrow_fail_plain (err, EINVAL, "bind mount `%s` has no source", m->destination);
  if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
    return burrow_fail_plain (err, EINVAL, "%s given without %s: an idmapped mount needs both",
                              m->n_uid_mappings ? "uidMappings" : "gidMappings",
                              m->n_uid_mappings ? "gidMappings" : "uidMappings");
  if (m->n_uid_mappings)
    {
      req->uid = m->uid_mappings;
      req->n_uid = m->n_uid_mappings;
      req->gid = m->gid_mappings;
      req->n_gid = m->n_gid_mappings;
      return 0;
    }
  const struct burrow_linux *l = &spec->linux_;
  if (!l->namespaces[BURROW_NS_USER].present || l->n_uid_mappings == 0 || l->n_gid_mappings == 0)
    return burrow_fail_plain (err, EINVAL,
                              "`idmap` without uidMappings/gidMappings uses the container's "
                              "linux.uidMappings/gidMappings, but the container has no user "
                              "namespace with mappings");
  req->uid = l->uid_mappings;
  req->n_uid = l->n_uid_mappings;
  req->gid = l->gid_mappings;
  req->n_gid = l->n_gid_mappings;
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct burrow_id_mapping *m, size_t n,
           struct burrow_error *err)
{
  cleanup_free char *text = malloc (n * 36 + 1);
  if (text == NULL)
    return burrow_fail_errno (err, "%s", file);
  size_t len = 0;
  text[0] = '\0';
  for (size_t i = 0; i < n; i++)
    len += snprintf (text + len, n * 36 + 1 - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                     m[i].size);
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, text, len) != (ssize_t)len)
    return burrow_fail_errno (err, "write %s `%.*s` of the mount's user namespace", file,
                              (int)strcspn (text, "\n"), text);
  return 0;
}

/* A user namespace carrying req's mapping: a child is cloned into it only so that its maps
   can be written and /proc/PID/ns/user opened; it waits on a pipe and is reaped here (and
   exits on its own if the runtime dies first: the pipe's end closes). */
static int
userns_open (const struct idmap_request *req, struct burrow_error *err)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return burrow_fail_errno (err, "create the mount's user namespace: pipe");
  pid_t pid = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    {
      burrow_fail_errno (err, "create the mount's user namespace: clone");
      close (pipefd[0]);
      close (pipefd[1]);
      return -1;
    }
  if (pid == 0)
    {
      char c;
      close (pipefd[1]);
      while (read (pipefd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (pipefd[0]);

  int fd = -1;
  if (write_map (pid, "uid_map", req->uid, req->n_uid, err) == 0
      && write_map (pid, "gid_map", req->gid, req->n_gid, err) == 0)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        burrow_fail_errno (err, "open the mount's user namespace `%s`", path);
    }
  close (pipefd[1]);
  kill (pid, SIGKILL);
  int saved = errno;
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  errno = saved;
  return fd;
}

static int
userns_get (struct userns_cache *cache, size_t *n_cache, const struct idmap_request *req,
            struct burrow_error *err)
{
  for (size_t i = 0; i < *n_cache; i++)
    if (same_mappings (cache[i].req->uid, cache[i].req->n_uid, req->uid, req->n_uid)
        && same_mappings (cache[i].req->gid, cache[i].req->n_gid, req->gid, req->n_gid))
      return cache[i].fd;
  int fd = userns_open (req, err);
  if (fd < 0)
    return -1;
  cache[*n_cache].req = req;
  cache[(*n_cache)++].fd = fd;
  return fd;
}

/* The type of the filesystem `path` is on, as /proc/self/mountinfo names it ("ext4"); a
   hexadecimal magic number when it cannot be found there. */
static void
fs_type_name (const char *path, int fd, char *buf, size_t size)
{
  struct statfs sf;
  snprintf (buf, size, "%s", "unknown");
  if (fstatfs (fd, &sf) == 0)
    snprintf (buf, size, "0x%lx", (unsigned long)sf.f_type);
  struct statx stx;
  if (statx (AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
    return;
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (f && getline (&line, &cap, f) > 0)
    {
      char *end;
      unsigned long long id = strtoull (line, &end, 10);
      char *sep = strstr (line, " - ");
      if (end == line || id != stx.stx_mnt_id || sep == NULL)
        continue;
      sep += 3;
      snprintf (buf, size, "%.*s", (int)strcspn (sep, " \n"), sep);
      return;
    }
}

static int
setattr_failed (const char *source, int tree, struct burrow_error *err)
{
  int saved = errno;
  char fs[64];
  fs_type_name (source, tree, fs, sizeof fs);
  if (saved == EINVAL)
    return burrow_fail_plain (err, EINVAL, "filesystem %s does not support idmapped mounts", fs);
  if (saved == EPERM)
    return burrow_fail_plain (err, EPERM,
                              "idmapped mounts need CAP_SYS_ADMIN over the source filesystem "
                              "(%s of `%s`), and a source that is not idmapped already",
                              fs, source);
  if (saved == ENOSYS)
    return burrow_fail_plain (err, ENOSYS, "idmapped mounts need Linux 5.12 or later");
  return burrow_fail (err, saved, "make `%s` an idmapped mount", source);
}

static int
prepare_one (const struct burrow_spec *spec, const struct idmap_request *req,
             const struct burrow_mount *m, int userns, struct burrow_error *err)
{
  cleanup_free char *rel = NULL;
  const char *source = m->source;
  if (source[0] != '/')
    {
      if (asprintf (&rel, "%s/%s", spec->bundle, source) < 0)
        return burrow_fail_errno (err, "source `%s`", source);
      source = rel;
    }
  unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
  if (req->recursive_clone)
    flags |= AT_RECURSIVE;
  cleanup_close int tree = syscall (SYS_open_tree, AT_FDCWD, source, flags);
  if (tree < 0 && errno == ENOSYS)
    return burrow_fail_plain (err, ENOSYS, "idmapped mounts need Linux 5.12 or later");
  if (tree < 0)
    return burrow_fail_errno (err, "clone the source `%s`", source);
  /* A clone of a shared mount is its peer: make the tree private, so that nothing mounted
     under it in the container reaches the host, and nothing from the host comes in. */
  struct mount_attr priv = { .propagation = MS_PRIVATE };
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &priv, sizeof priv) < 0)
    return setattr_failed (source, tree, err);
  struct mount_attr idmap = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
  unsigned int at = AT_EMPTY_PATH | (req->recursive_idmap ? AT_RECURSIVE : 0);
  if (syscall (SYS_mount_setattr, tree, "", at, &idmap, sizeof idmap) < 0)
    return setattr_failed (source, tree, err);
  return steal_fd (&tree);
}

static int
prepare_all (const struct burrow_spec *spec, bool privileged, int *fds, struct idmap_request *reqs,
             struct userns_cache *cache, size_t *n_cache, struct burrow_error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct burrow_mount *m = &spec->mounts[i];
      if (!mount_asks (m))
        continue;
      int r = plan_one (spec, m, &reqs[i], err);
      if (r == 0 && !privileged)
        r = burrow_fail_plain (err, EPERM,
                               "idmapped mounts need CAP_SYS_ADMIN over the source filesystem; "
                               "a rootless caller cannot idmap a host filesystem");
      int userns = r < 0 ? -1 : userns_get (cache, n_cache, &reqs[i], err);
      if (userns >= 0)
        fds[i] = prepare_one (spec, &reqs[i], m, userns, err);
      if (r < 0 || userns < 0 || fds[i] < 0)
        return burrow_error_prefix (err, "mounts[%zu] (%s)", i, m->destination);
    }
  return 0;
}

int
burrow_idmapped_prepare (const struct burrow_spec *spec, bool privileged, int **fds_out,
                         struct burrow_error *err)
{
  *fds_out = NULL;
  size_t i = 0;
  while (i < spec->n_mounts && !mount_asks (&spec->mounts[i]))
    i++;
  if (i == spec->n_mounts)
    return 0;

  int *fds = malloc (spec->n_mounts * sizeof *fds);
  cleanup_free struct idmap_request *reqs = calloc (spec->n_mounts, sizeof *reqs);
  cleanup_free struct userns_cache *cache = calloc (spec->n_mounts, sizeof *cache);
  if (fds == NULL || reqs == NULL || cache == NULL)
    {
      free (fds);
      return burrow_fail_errno (err, "idmapped mounts");
    }
  for (i = 0; i < spec->n_mounts; i++)
    fds[i] = -1;
  size_t n_cache = 0;
  int r = prepare_all (spec, privileged, fds, reqs, cache, &n_cache, err);
  /* The mounts hold their user namespaces: the fds are no longer needed. */
  for (i = 0; i < n_cache; i++)
    close (cache[i].fd);
  if (r < 0)
    {
      burrow_idmapped_close (fds, spec->n_mounts);
      return -1;
    }
  *fds_out = fds;
  return 0;
}

int
burrow_idmapped_attach (int tree_fd, int target_fd, const char *destination,
                        struct burrow_error *err)
{
  if (syscall (SYS_move_mount, tree_fd, "", target_fd, "",
               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
      < 0)
    return burrow_fail_errno (err, "attach the idmapped mount at `%s`", destination);
  return 0;
}

void
burrow_idmapped_close (int *fds, size_t n)
{
  if (fds == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (fds);
}
