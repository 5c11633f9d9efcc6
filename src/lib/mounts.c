/* mounts.c: mounts[] of the config, the pivot into the rootfs, and the paths masked or
   made read-only after it. */
#include "config.h"
#include "mounts.h"

#include "cleanup.h"
#include "error.h"
#include "idmapped_mounts.h"
#include "mount_options.h"
#include "path_in_rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int
burrow_mount (const char *source, const char *target, const char *type, unsigned long flags,
              const char *data, const char *what, struct burrow_error *err)
{
  if (mount (source, target, type, flags, data) < 0)
    return burrow_fail_errno (err, "mount `%s`%s%s", what, type ? " of type " : "",
                              type ? type : "");
  return 0;
}

static unsigned long
locked_flags (const char *target)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs (target, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_NOSUID)
    f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME)
    f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    f |= MS_RELATIME;
  if (sv.f_flag & ST_RDONLY)
    f |= MS_RDONLY;
  return f;
}

int
burrow_remount_bind (const char *target, unsigned long flags, const char *what,
                     struct burrow_error *err)
{
  unsigned long f = MS_REMOUNT | MS_BIND | flags | (locked_flags (target) & ~MS_RDONLY);
  return burrow_mount (NULL, target, NULL, f, NULL, what, err);
}

int
burrow_rootfs_prepare (const struct burrow_spec *spec, struct burrow_error *err)
{
  if (burrow_mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, "/ (make private)", err) < 0)
    return -1;
  if (burrow_mount (spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL, spec->rootfs, err)
      < 0)
    return -1;
  int fd = open (spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "open rootfs `%s`", spec->rootfs);
  return fd;
}

static bool
source_is_dir (const char *source)
{
  struct stat st;
  return stat (source, &st) == 0 && S_ISDIR (st.st_mode);
}

static int
set_recursive_attrs (int fd, const struct burrow_mount_opts *o, const char *what,
                     struct burrow_error *err)
{
  if (o->attr_set == 0 && o->attr_clr == 0)
    return 0;
  struct mount_attr attr = { .attr_set = o->attr_set, .attr_clr = o->attr_clr };
  if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return burrow_fail_errno (err, "set recursive attributes on `%s`", what);
  return 0;
}

/* After mounting on a target, resolve it again: the old fd still points below the new
   mount, and remounts and attributes must reach the new one. */
static int
mount_finish (const struct burrow_mount_env *env, const struct burrow_mount *m,
              const struct burrow_mount_opts *o, bool bind, struct burrow_error *err)
{
  const unsigned long remount_mask = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
                                     | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
  if (!(bind && (o->flags & remount_mask)) && o->propagation == 0 && o->attr_set == 0
      && o->attr_clr == 0)
    return 0;
  cleanup_close int fd = burrow_open_in_root (env->rootfd, m->destination, 0, err);
  if (fd < 0)
    return -1;
  char p[32];
  burrow_fd_path (fd, p);
  if (bind && (o->flags & remount_mask)
      && burrow_remount_bind (p, o->flags & remount_mask, m->destination, err) < 0)
    return -1;
  /* A bind remount changes only the top mount: `rbind,ro` must not leave the submounts
     (host cgroups under /sys, say) writable. */
  if (bind && (o->flags & MS_REC) && (o->flags & MS_RDONLY))
    {
      struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
      if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro) < 0
          && errno != ENOSYS)
        return burrow_fail_errno (err, "make `%s` read-only recursively", m->destination);
    }
  if (o->propagation && burrow_mount (NULL, p, NULL, o->propagation, NULL, m->destination, err) < 0)
    return -1;
  return set_recursive_attrs (fd, o, m->destination, err);
}

static int
mount_bind (const struct burrow_mount_env *env, const struct burrow_mount *m, const char *source,
            const struct burrow_mount_opts *o, int idmapped_tree, struct burrow_error *err)
{
  cleanup_close int target
      = burrow_mkpath_in_root (env->rootfd, m->destination, !source_is_dir (source), err);
  if (target < 0)
    return -1;
  char p[32];
  burrow_fd_path (target, p);
  unsigned long rec = (o->flags & MS_REC) ? MS_REC : 0;
  if (idmapped_tree >= 0)
    {
      if (burrow_idmapped_attach (idmapped_tree, target, m->destination, err) < 0)
        return -1;
    }
  else if (burrow_mount (source, p, NULL, MS_BIND | rec, NULL, m->destination, err) < 0)
    return -1;
  return mount_finish (env, m, o, true, err);
}

/* The rootless fallbacks: what the kernel refuses to mount in a user namespace becomes a
   read-only recursive bind of the host's own copy. */
static int
mount_fallback_bind (const struct burrow_mount_env *env, const struct burrow_mount *m,
                     const char *host_path, struct burrow_error *err)
{
  burrow_log (BURROW_LOG_DEBUG,
              "mount `%s`: %s not mountable here, binding the host's %s read-only", m->destination,
              m->type, host_path);
  struct burrow_mount_opts o
      = { .flags = MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC };
  return mount_bind (env, m, host_path, &o, -1, err);
}

static bool
host_is_cgroup2 (void)
{
  struct statfs sf;
  return statfs ("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static bool
id_mapped (const struct burrow_id_mapping *m, size_t n, unsigned long id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      return true;
  return false;
}

/* `gid=5` on devpts (the default config's) names a group a rootless user namespace does
   not map, and the kernel refuses the mount: drop such uid=/gid= options instead. */
static void
drop_unmapped_id_options (const struct burrow_spec *spec, const char *dest, char *data)
{
  const struct burrow_linux *l = &spec->linux_;
  if (data == NULL || !l->namespaces[BURROW_NS_USER].present)
    return;
  char *out = data;
  char *save = NULL;
  for (char *opt = strtok_r (data, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
    {
      bool is_uid = strncmp (opt, "uid=", 4) == 0, is_gid = strncmp (opt, "gid=", 4) == 0;
      if (is_uid || is_gid)
        {
          unsigned long id = strtoul (opt + 4, NULL, 10);
          if (!(is_uid ? id_mapped (l->uid_mappings, l->n_uid_mappings, id)
                       : id_mapped (l->gid_mappings, l->n_gid_mappings, id)))
            {
              burrow_log (BURROW_LOG_DEBUG,
                          "mount `%s`: dropping `%s`: not mapped in the "
                          "user namespace",
                          dest, opt);
              continue;
            }
        }
      size_t len = strlen (opt);
      if (out != data)
        *out++ = ',';
      memmove (out, opt, len);
      out += len;
    }
  *out = '\0';
}

static int
mount_fs (const struct burrow_mount_env *env, const struct burrow_mount *m,
          struct burrow_mount_opts *o, struct burrow_error *err)
{
  const char *type = m->type;
  bool cgroup = strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0;
  if (cgroup && !host_is_cgroup2 ())
    return mount_fallback_bind (env, m, "/sys/fs/cgroup", err);
  if (cgroup)
    type = "cgroup2";

  cleanup_close int target = burrow_mkpath_in_root (env->rootfd, m->destination, false, err);
  if (target < 0)
    return -1;
  char p[32];
  burrow_fd_path (target, p);
  unsigned long flags = o->flags & ~(MS_BIND | MS_REC);
  const char *source = m->source ? m->source : type;
  drop_unmapped_id_options (env->spec, m->destination, o->data);
  if (mount (source, p, type, flags, o->data && *o->data ? o->data : NULL) < 0)
    {
      if (errno == EPERM && strcmp (type, "sysfs") == 0)
        return mount_fallback_bind (env, m, "/sys", err);
      if (errno == EPERM && cgroup)
        return mount_fallback_bind (env, m, "/sys/fs/cgroup", err);
      return burrow_fail_errno (err, "mount `%s` of type %s", m->destination, type);
    }
  return mount_finish (env, m, o, false, err);
}

static int
mount_one (const struct burrow_mount_env *env, size_t i, struct burrow_error *err)
{
  const struct burrow_mount *m = &env->spec->mounts[i];
  int idmapped_tree = env->idmap_fds ? env->idmap_fds[i] : -1;
  struct burrow_mount_opts o;
  bool is_bind = m->type && strcmp (m->type, "bind") == 0;
  if (burrow_mount_opts_parse (m->options, m->n_options, is_bind, m->destination, &o, err) < 0)
    return -1;
  int r;
  if (o.bind || is_bind)
    {
      cleanup_free char *source = NULL;
      if (m->source == NULL)
        r = burrow_fail_plain (err, EINVAL, "bind mount `%s` has no source", m->destination);
      else if (m->source[0] != '/' && asprintf (&source, "%s/%s", env->spec->bundle, m->source) < 0)
        r = burrow_fail_errno (err, "mount `%s`", m->destination);
      else
        r = mount_bind (env, m, source ? source : m->source, &o, idmapped_tree, err);
    }
  else if (m->type == NULL)
    r = burrow_fail_plain (err, EINVAL, "mount `%s` has no type and is not a bind mount",
                           m->destination);
  else
    r = mount_fs (env, m, &o, err);
  burrow_mount_opts_release (&o);
  return r;
}

int
burrow_mounts_apply (const struct burrow_mount_env *env, struct burrow_error *err)
{
  for (size_t i = 0; i < env->spec->n_mounts; i++)
    if (mount_one (env, i, err) < 0)
      return burrow_error_prefix (err, "mounts[%zu]", i);
  return 0;
}

int
burrow_rootfs_pivot (const struct burrow_spec *spec, bool no_pivot, struct burrow_error *err)
{
  if (no_pivot)
    {
      if (chdir (spec->rootfs) < 0)
        return burrow_fail_errno (err, "chdir to rootfs `%s`", spec->rootfs);
      if (burrow_mount (spec->rootfs, "/", NULL, MS_MOVE, NULL, "rootfs (move)", err) < 0)
        return -1;
      if (chroot (".") < 0)
        return burrow_fail_errno (err, "chroot to rootfs `%s`", spec->rootfs);
      return chdir ("/") < 0 ? burrow_fail_errno (err, "chdir /") : 0;
    }

  cleanup_close int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  cleanup_close int newroot = open (spec->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0)
    return burrow_fail_errno (err, "open rootfs `%s`", spec->rootfs);
  if (fchdir (newroot) < 0)
    return burrow_fail_errno (err, "chdir to rootfs `%s`", spec->rootfs);
  /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it then
     leaves only the new root, with no directory needed inside the image. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return burrow_fail_errno (err, "pivot_root into `%s`", spec->rootfs);
  if (fchdir (oldroot) < 0)
    return burrow_fail_errno (err, "chdir to old root");
  if (burrow_mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL, "old root (make slave)", err) < 0)
    return -1;
  if (umount2 (".", MNT_DETACH) < 0)
    return burrow_fail_errno (err, "detach old root");
  return chdir ("/") < 0 ? burrow_fail_errno (err, "chdir /") : 0;
}

static unsigned long
propagation_flags (const char *p)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } table[] = {
    { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
    { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (p, table[i].name) == 0)
      return table[i].flags;
  return 0;
}

/* After pivot_root, what mount(2) is given for a path opened as fd: /proc/self/fd/N (that
   very inode) when the container has a /proc, else the path itself, which can no longer
   lead outside the container's root. */
static const char *
mount_target (int fd, const char *path, char buf[static 32])
{
  if (access ("/proc/self/fd", F_OK) < 0)
    return path;
  burrow_fd_path (fd, buf);
  return buf;
}

/* A masked path is hidden by /dev/null (files) or an empty read-only tmpfs (dirs). The
   /dev/null used must be the real device, not something the image put there. */
static int
mask_path (const char *path, struct burrow_error *err)
{
  cleanup_close int fd = open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : burrow_fail_errno (err, "masked path `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return burrow_fail_errno (err, "masked path `%s`", path);
  if (S_ISLNK (st.st_mode))
    return 0;
  char buf[32];
  const char *p = mount_target (fd, path, buf);
  if (S_ISDIR (st.st_mode))
    return burrow_mount ("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "size=0,mode=0555", path, err);

  cleanup_close int null = open ("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat ns;
  if (null < 0 || fstat (null, &ns) < 0)
    return burrow_fail_errno (err, "mask `%s`: open /dev/null", path);
  if (!S_ISCHR (ns.st_mode) || major (ns.st_rdev) != 1 || minor (ns.st_rdev) != 3)
    return burrow_fail_plain (err, EPERM, "mask `%s`: /dev/null is not the null device", path);
  char nbuf[32];
  return burrow_mount (mount_target (null, "/dev/null", nbuf), p, NULL, MS_BIND, NULL, path, err);
}

static int
readonly_path (const char *path, struct burrow_error *err)
{
  cleanup_close int fd = open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : burrow_fail_errno (err, "read-only path `%s`", path);
  char buf[32];
  const char *p = mount_target (fd, path, buf);
  if (burrow_mount (p, p, NULL, MS_BIND | MS_REC, NULL, path, err) < 0)
    return -1;
  cleanup_close int top = open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (top < 0)
    return burrow_fail_errno (err, "read-only path `%s`", path);
  return burrow_remount_bind (mount_target (top, path, buf), MS_RDONLY, path, err);
}

int
burrow_rootfs_finish (const struct burrow_spec *spec, struct burrow_error *err)
{
  const struct burrow_linux *l = &spec->linux_;
  if (l->rootfs_propagation)
    {
      unsigned long f = propagation_flags (l->rootfs_propagation);
      if (f && burrow_mount (NULL, "/", NULL, f, NULL, "/ (rootfsPropagation)", err) < 0)
        return -1;
    }
  for (size_t i = 0; i < l->n_masked_paths; i++)
    if (mask_path (l->masked_paths[i], err) < 0)
      return -1;
  for (size_t i = 0; i < l->n_readonly_paths; i++)
    if (readonly_path (l->readonly_paths[i], err) < 0)
      return -1;
  if (spec->root_readonly && burrow_remount_bind ("/", MS_RDONLY, "/ (root.readonly)", err) < 0)
    return -1;
  return 0;
}
