/* rootfs_overlay.c: the overlay root asked for with run.burrow.rootfs.* annotations: its
   plan (parsed before the claim), its layer directories, the init's mount (kernel
   overlayfs, else a FUSE mount served by a helper the runtime starts in the container's
   user namespace), and its end at delete. See rootfs_overlay.h. */
#include "config.h"
#include "rootfs_overlay.h"

#include "cleanup.h"
#include "container.h"
#include "error.h"
#include "file_io.h"
#include "path_in_rootfs.h"
#include "sync_protocol.h"
#include "terminal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELPER_STOP_MS 3000
/* A helper that runs but never answers FUSE's INIT would keep create waiting forever. */
#define HELPER_SERVE_MS 20000

static const char *
annotation (const struct burrow_spec *spec, const char *key)
{
  for (size_t i = 0; i < spec->n_annotations; i++)
    if (strcmp (spec->annotations[i].key, key) == 0)
      return spec->annotations[i].value;
  return NULL;
}

static bool
executable (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

static char *
find_in_path (const char *name)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = strdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;
  for (char *dir = copy ? strtok_r (copy, ":", &save) : NULL; dir;
       dir = strtok_r (NULL, ":", &save))
    {
      char *p = NULL;
      if (asprintf (&p, "%s/%s", dir, name) < 0)
        return NULL;
      if (executable (p))
        return p;
      free (p);
    }
  return NULL;
}

/* BURROW_OVERLAY_HELPER, else burrow-overlay beside burrow's own executable, else in PATH,
   else fuse-overlayfs (same command line) in PATH. */
static char *
find_helper (void)
{
  const char *env = getenv ("BURROW_OVERLAY_HELPER");
  if (env && *env)
    return strdup (env);
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    {
      self[n] = '\0';
      char *slash = strrchr (self, '/');
      char *p = NULL;
      if (slash && asprintf (&p, "%.*s/burrow-overlay", (int)(slash - self), self) >= 0)
        {
          if (executable (p))
            return p;
          free (p);
        }
    }
  char *p = find_in_path ("burrow-overlay");
  return p ? p : find_in_path ("fuse-overlayfs");
}

/* Relative paths are relative to the bundle, like root.path. The helper gets these on
   its command line, where ',' and ':' separate options and layers. */
static int
layer_path (const struct burrow_spec *spec, const char *ann, const char *p, char **out,
            struct burrow_error *err)
{
  if (*p == '\0')
    return burrow_fail_plain (err, EINVAL, "annotation %s: an empty path", ann);
  if (strpbrk (p, ",:"))
    return burrow_fail_plain (err, EINVAL, "annotation %s: path `%s` contains ',' or ':'", ann, p);
  int r = p[0] == '/' ? asprintf (out, "%s", p) : asprintf (out, "%s/%s", spec->bundle, p);
  return r < 0 ? burrow_fail_errno (err, "annotation %s", ann) : 0;
}

static int
parse_lower (const struct burrow_spec *spec, struct burrow_overlay_plan *plan,
             struct burrow_error *err)
{
  const char *ann = annotation (spec, BURROW_OVERLAY_ANN_LOWER);
  cleanup_free char *copy = strdup (ann ? ann : spec->rootfs);
  if (copy == NULL)
    return burrow_fail_errno (err, "overlay");
  size_t n = 1;
  for (const char *c = copy; *c; c++)
    n += *c == ':';
  plan->lower = calloc (n + 1, sizeof *plan->lower);
  if (plan->lower == NULL)
    return burrow_fail_errno (err, "overlay");
  if (ann == NULL)
    {
      /* root.path itself: any character is fine, it is opened, not spelled out, for the
         kernel; the helper's command line is checked when it is built. */
      plan->lower[0] = steal_ptr (&copy);
      plan->n_lower = 1;
      return 0;
    }
  char *save = NULL;
  for (char *p = strtok_r (copy, ":", &save); p; p = strtok_r (NULL, ":", &save))
    {
      if (layer_path (spec, BURROW_OVERLAY_ANN_LOWER, p, &plan->lower[plan->n_lower], err) < 0)
        return -1;
      struct stat st;
      const char *abs = plan->lower[plan->n_lower++];
      if (stat (abs, &st) < 0)
        return burrow_fail_errno (err, "annotation %s: lower layer `%s`", BURROW_OVERLAY_ANN_LOWER,
                                  abs);
      if (!S_ISDIR (st.st_mode))
        return burrow_fail_plain (err, ENOTDIR,
                                  "annotation %s: lower layer `%s` is not a directory",
                                  BURROW_OVERLAY_ANN_LOWER, abs);
    }
  if (plan->n_lower == 0)
    return burrow_fail_plain (err, EINVAL, "annotation %s: no lower layer given",
                              BURROW_OVERLAY_ANN_LOWER);
  return 0;
}

static void
put_idmap (FILE *f, const char *key, const struct burrow_id_mapping *m, size_t n)
{
  fprintf (f, ",%s=", key);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s%u:%u:%u", i ? ":" : "", m[i].host_id, m[i].container_id, m[i].size);
}

/* Root keeps the helper in its own user namespace, where it can reach layers in root's
   0700 state directory; the helper then maps the container's ids itself. */
static char *
helper_idmap (const struct burrow_spec *spec)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  if (f == NULL)
    return NULL;
  const struct burrow_linux *l = &spec->linux_;
  put_idmap (f, "uidmapping", l->uid_mappings, l->n_uid_mappings);
  put_idmap (f, "gidmapping", l->gid_mappings, l->n_gid_mappings);
  if (fclose (f) != 0)
    {
      free (s);
      return NULL;
    }
  return s;
}

int
burrow_overlay_parse (const struct burrow_context *ctx, const struct burrow_spec *spec,
                      struct burrow_overlay_plan *plan, struct burrow_error *err)
{
  memset (plan, 0, sizeof *plan);
  plan->log_fd = plan->helper_pidfd = -1;
  const char *mode = annotation (spec, BURROW_OVERLAY_ANN_MODE);
  if (mode == NULL || strcmp (mode, "off") == 0)
    {
      if (annotation (spec, BURROW_OVERLAY_ANN_UPPER)
          || annotation (spec, BURROW_OVERLAY_ANN_LOWER))
        return burrow_fail_plain (
            err, EINVAL, "annotations %s and %s need %s set to auto, kernel or fuse",
            BURROW_OVERLAY_ANN_UPPER, BURROW_OVERLAY_ANN_LOWER, BURROW_OVERLAY_ANN_MODE);
      return 0;
    }
  if (strcmp (mode, "auto") == 0)
    plan->mode = BURROW_OVERLAY_AUTO;
  else if (strcmp (mode, "kernel") == 0)
    plan->mode = BURROW_OVERLAY_KERNEL;
  else if (strcmp (mode, "fuse") == 0)
    plan->mode = BURROW_OVERLAY_FUSE;
  else
    return burrow_fail_plain (err, EINVAL,
                              "annotation %s: `%s` is not one of auto, kernel, fuse, off",
                              BURROW_OVERLAY_ANN_MODE, mode);
  plan->userxattr = spec->linux_.namespaces[BURROW_NS_USER].present || ctx->in_userns;
  if (parse_lower (spec, plan, err) < 0)
    return -1;
  const char *upper = annotation (spec, BURROW_OVERLAY_ANN_UPPER);
  if (upper && layer_path (spec, BURROW_OVERLAY_ANN_UPPER, upper, &plan->layer_dir, err) < 0)
    return -1;
  plan->ephemeral = upper == NULL;
  if (plan->mode != BURROW_OVERLAY_KERNEL)
    plan->helper = find_helper ();
  if (ctx->euid == 0 && spec->linux_.namespaces[BURROW_NS_USER].present
      && (plan->helper_idmap = helper_idmap (spec)) == NULL)
    return burrow_fail_errno (err, "overlay");
  if (plan->mode == BURROW_OVERLAY_FUSE && plan->helper == NULL)
    return burrow_fail_plain (err, ENOENT,
                              "%s=fuse: no FUSE overlay helper found (burrow-overlay beside "
                              "burrow or in PATH, fuse-overlayfs in PATH, or "
                              "BURROW_OVERLAY_HELPER)",
                              BURROW_OVERLAY_ANN_MODE);
  return 0;
}

/* The host ids of the container's root: what must own the work directory. */
static void
mapped_root (const struct burrow_spec *spec, uid_t *uid, gid_t *gid)
{
  const struct burrow_linux *l = &spec->linux_;
  for (size_t i = 0; i < l->n_uid_mappings; i++)
    if (l->uid_mappings[i].container_id == 0)
      *uid = l->uid_mappings[i].host_id;
  for (size_t i = 0; i < l->n_gid_mappings; i++)
    if (l->gid_mappings[i].container_id == 0)
      *gid = l->gid_mappings[i].host_id;
}

static int
make_dir (const char *path, mode_t mode, struct burrow_error *err)
{
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return burrow_fail_errno (err, "overlay: create `%s`", path);
  return 0;
}

/* upper/ carries the root directory's attributes (the merged root shows them): the top
   lower layer's mode, and its owner when we may give it. */
static int
make_layer_dirs (struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                 struct burrow_error *err)
{
  cleanup_free char *upper = NULL, *work = NULL;
  if (asprintf (&upper, "%s/upper", plan->layer_dir) < 0
      || asprintf (&work, "%s/work", plan->layer_dir) < 0)
    return burrow_fail_errno (err, "overlay");
  struct stat top;
  if (stat (plan->lower[0], &top) < 0)
    return burrow_fail_errno (err, "overlay: lower layer `%s`", plan->lower[0]);
  if (burrow_mkdir_p (plan->layer_dir, 0700, err) < 0)
    return burrow_error_prefix (err, "overlay: layer directory");
  bool fresh = access (upper, F_OK) < 0;
  if (make_dir (upper, top.st_mode & 07777, err) < 0 || make_dir (work, 0700, err) < 0)
    return -1;
  if (fresh && chmod (upper, top.st_mode & 07777) < 0)
    return burrow_fail_errno (err, "overlay: chmod `%s`", upper);
  if (geteuid () == 0)
    {
      uid_t ru = 0;
      gid_t rg = 0;
      mapped_root (spec, &ru, &rg);
      if ((fresh && chown (upper, top.st_uid, top.st_gid) < 0) || chown (work, ru, rg) < 0
          || ((ru || rg) && chown (plan->layer_dir, ru, rg) < 0))
        return burrow_fail_errno (err, "overlay: give the layer to the container's root");
    }
  return 0;
}

int
burrow_overlay_prepare (struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                        const struct burrow_state_dir *d, struct burrow_error *err)
{
  if (plan->mode == BURROW_OVERLAY_NONE)
    return 0;
  if (plan->ephemeral && asprintf (&plan->layer_dir, "%s/%s", d->path, BURROW_OVERLAY_DIR) < 0)
    return burrow_fail_errno (err, "overlay");
  if (make_layer_dirs (plan, spec, err) < 0)
    return -1;
  if (plan->mode != BURROW_OVERLAY_KERNEL)
    {
      plan->log_fd
          = openat (d->fd, BURROW_OVERLAY_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (plan->log_fd < 0)
        return burrow_fail_errno (err, "overlay: create the helper's log");
    }
  return 0;
}

/* ---------------------------------------------------------------- the init's side */

/* overlayfs's own option syntax: ',' ':' and '\\' escaped with a backslash. */
static void
put_escaped (FILE *f, const char *p)
{
  for (; *p; p++)
    {
      if (*p == ',' || *p == ':' || *p == '\\')
        fputc ('\\', f);
      fputc (*p, f);
    }
}

/* Layers are looked up by path here, in the container's mount namespace: overlayfs clones
   their mounts, and refuses mounts of another namespace (an fd opened by the runtime). */
static int
mount_kernel (const struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
              struct burrow_error *err)
{
  cleanup_free char *opts = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&opts, &len);
  if (f == NULL)
    return burrow_fail_errno (err, "overlay");
  fputs ("lowerdir=", f);
  for (size_t i = 0; i < plan->n_lower; i++)
    {
      if (i)
        fputc (':', f);
      put_escaped (f, plan->lower[i]);
    }
  fputs (",upperdir=", f);
  put_escaped (f, plan->layer_dir);
  fputs ("/upper,workdir=", f);
  put_escaped (f, plan->layer_dir);
  fprintf (f, "/work%s", plan->userxattr ? ",userxattr" : "");
  if (fclose (f) != 0)
    return burrow_fail_errno (err, "overlay");
  if (mount ("overlay", spec->rootfs, "overlay", 0, opts) < 0)
    return burrow_fail_errno (err, "overlay: mount kernel overlayfs on `%s`", spec->rootfs);
  return 0;
}

/* Mount a FUSE filesystem on root.path on a /dev/fuse the runtime opened for us (from
   outside the container's device cgroup, in our user namespace: FUSE requires the
   device's opener to be in the mounting namespace), give the device back, and wait until
   the helper the runtime starts on it answers. */
static int
mount_fuse (const struct burrow_spec *spec, int sync_fd, const char *why_not_kernel,
            struct burrow_error *err)
{
  if (burrow_sync_send (sync_fd, SYNC_OVERLAY_FUSE, 0, why_not_kernel) < 0)
    return burrow_fail_errno (err, "overlay: ask the runtime for /dev/fuse");
  if (burrow_sync_expect (sync_fd, SYNC_OVERLAY_FUSE_DEV, "the runtime", err) < 0)
    return -1;
  cleanup_close int fd = burrow_fd_recv (sync_fd, err);
  if (fd < 0)
    return burrow_error_prefix (err, "overlay: /dev/fuse from the runtime");
  char opts[160];
  snprintf (opts, sizeof opts,
            "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fd);
  if (mount ("burrow-overlay", spec->rootfs, "fuse.burrow-overlay", MS_NOSUID | MS_NODEV, opts) < 0)
    return burrow_fail_errno (err, "overlay: mount FUSE on `%s`", spec->rootfs);
  /* Only the helper may hold the device now: when it dies the connection aborts and the
     open below fails with ENOTCONN instead of hanging. */
  close (steal_fd (&fd));
  if (burrow_sync_send (sync_fd, SYNC_OVERLAY_FUSE_MOUNTED, 0, NULL) < 0)
    return burrow_fail_errno (err, "overlay: tell the runtime");
  if (burrow_sync_expect (sync_fd, SYNC_OVERLAY_FUSE_DONE, "the runtime", err) < 0)
    return -1;
  cleanup_close int root = open (spec->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return burrow_fail_errno (err, "overlay: the FUSE helper did not serve `%s`", spec->rootfs);
  if (burrow_sync_send (sync_fd, SYNC_OVERLAY_SERVING, 0, NULL) < 0)
    return burrow_fail_errno (err, "overlay: tell the runtime");
  return 0;
}

int
burrow_overlay_mount_init (struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                           int sync_fd, struct burrow_error *err)
{
  if (plan == NULL || plan->mode == BURROW_OVERLAY_NONE)
    return 0;
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return burrow_fail_errno (err, "mount `/ (make private)`");
  if (plan->mode == BURROW_OVERLAY_FUSE)
    return mount_fuse (spec, sync_fd, "", err);
  int r = mount_kernel (plan, spec, err);
  if (r == 0 || plan->mode == BURROW_OVERLAY_KERNEL)
    return r;
  if (plan->helper == NULL)
    return burrow_error_prefix (err, "no FUSE helper to fall back to either (burrow-overlay, "
                                     "fuse-overlayfs)");
  char why[BURROW_ERROR_MSG_MAX];
  memcpy (why, err->msg, sizeof why);
  burrow_error_clear (err);
  return mount_fuse (spec, sync_fd, why, err);
}

/* ---------------------------------------------------------------- the runtime's side */

static char *
helper_options (const struct burrow_overlay_plan *plan, struct burrow_error *err)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  if (f == NULL)
    {
      burrow_fail_errno (err, "overlay");
      return NULL;
    }
  fputs ("lowerdir=", f);
  for (size_t i = 0; i < plan->n_lower; i++)
    fprintf (f, "%s%s", i ? ":" : "", plan->lower[i]);
  fprintf (f, ",upperdir=%s/upper,workdir=%s/work%s", plan->layer_dir, plan->layer_dir,
           plan->helper_idmap ? plan->helper_idmap : "");
  if (fclose (f) != 0)
    {
      free (s);
      burrow_fail_errno (err, "overlay");
      return NULL;
    }
  if (strpbrk (plan->lower[0], ",:") || strpbrk (plan->layer_dir, ",:"))
    {
      burrow_fail_plain (err, EINVAL,
                         "overlay: the FUSE helper cannot take a path with ',' or ':' (`%s`)", s);
      free (s);
      return NULL;
    }
  return s;
}

static __attribute__ ((noreturn)) void
exec_helper (const struct burrow_overlay_plan *plan, int fuse_fd, int userns_fd,
             bool setgroups_allowed, const char *opts)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  setsid ();
  int null = open ("/dev/null", O_RDONLY);
  if (null >= 0)
    dup2 (null, 0);
  dup2 (plan->log_fd, 1);
  dup2 (plan->log_fd, 2);
  fcntl (fuse_fd, F_SETFD, 0);
  if (userns_fd >= 0)
    {
      if (setns (userns_fd, CLONE_NEWUSER) < 0)
        {
          dprintf (2, "burrow: join the container's user namespace: %m\n");
          _exit (126);
        }
      /* Become its root, as the container's files see it; setgroups only where allowed. */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        {
          dprintf (2, "burrow: become root of the container's user namespace: %m\n");
          _exit (126);
        }
      if (setgroups_allowed)
        setgroups (0, NULL);
    }
  char mountpoint[32];
  snprintf (mountpoint, sizeof mountpoint, "/dev/fd/%d", fuse_fd);
  char *argv[] = { plan->helper, "-f", "-o", (char *)opts, mountpoint, NULL };
  execv (plan->helper, argv);
  dprintf (2, "burrow: exec `%s`: %m\n", plan->helper);
  _exit (127);
}

static const char fuse_open_hint[]
    = "overlay: open /dev/fuse (the FUSE overlay needs the fuse module and a /dev/fuse the "
      "caller may open, mode 0666)";

/* /dev/fuse opened in the init's user namespace (a forked child joins it, so the runtime
   keeps its own), or here when the container has none. */
static int
open_fuse_device (pid_t init_pid, bool new_userns, struct burrow_error *err)
{
  if (!new_userns)
    {
      int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
      return fd < 0 ? burrow_fail_errno (err, "%s", fuse_open_hint) : fd;
    }
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/ns/user", init_pid);
  cleanup_close int userns = open (p, O_RDONLY | O_CLOEXEC);
  if (userns < 0)
    return burrow_fail_errno (err, "overlay: open the container's user namespace");
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
    return burrow_fail_errno (err, "overlay: socketpair");
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      if (setns (userns, CLONE_NEWUSER) < 0)
        _exit (100 + 1);
      int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
      if (fd < 0)
        _exit (errno > 0 && errno < 100 ? errno : EIO);
      _exit (burrow_fd_send (sv[1], fd, "fuse") < 0 ? 100 + 2 : 0);
    }
  int fork_errno = errno;
  close (sv[1]);
  cleanup_close int rd = sv[0];
  if (pid < 0)
    return burrow_fail (err, fork_errno, "overlay: fork to open /dev/fuse");
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  int code = WIFEXITED (status) ? WEXITSTATUS (status) : 100;
  if (code == 101)
    return burrow_fail_plain (err, EPERM,
                              "overlay: join the container's user namespace to open "
                              "/dev/fuse");
  if (code != 0 && code < 100)
    return burrow_fail (err, code, "%s", fuse_open_hint);
  if (code != 0)
    return burrow_fail_plain (err, EIO,
                              "overlay: open /dev/fuse in the container's user "
                              "namespace: the child failed (%d)",
                              code);
  return burrow_fd_recv (rd, err);
}

static int
start_helper (struct burrow_overlay_plan *plan, int fuse, pid_t init_pid, bool new_userns,
              bool setgroups_allowed, struct burrow_error *err)
{
  plan->used_fuse = true;
  if (plan->helper == NULL)
    return burrow_fail_plain (err, ENOENT, "overlay: no FUSE helper found");
  cleanup_free char *opts = helper_options (plan, err);
  if (opts == NULL)
    return -1;
  cleanup_close int userns = -1;
  if (new_userns && plan->helper_idmap == NULL)
    {
      char p[64];
      snprintf (p, sizeof p, "/proc/%d/ns/user", init_pid);
      if ((userns = open (p, O_RDONLY | O_CLOEXEC)) < 0)
        return burrow_fail_errno (err, "overlay: open the container's user namespace");
    }
  pid_t pid = fork ();
  if (pid < 0)
    return burrow_fail_errno (err, "overlay: fork the FUSE helper");
  if (pid == 0)
    exec_helper (plan, fuse, userns, setgroups_allowed, opts);
  plan->helper_pid = pid;
  plan->helper_pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (plan->helper_pidfd < 0)
    return burrow_fail_errno (err, "overlay: pidfd of the FUSE helper");
  return 0;
}

static int
await_serving (const struct burrow_overlay_plan *plan, int sync_fd, struct burrow_error *err)
{
  struct pollfd p = { .fd = sync_fd, .events = POLLIN };
  int r;
  do
    r = poll (&p, 1, HELPER_SERVE_MS);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return burrow_fail_plain (err, ETIMEDOUT,
                              "overlay: the FUSE helper `%s` did not serve the root within %d s",
                              plan->helper, HELPER_SERVE_MS / 1000);
  return burrow_sync_expect (sync_fd, SYNC_OVERLAY_SERVING, "the container's init", err);
}

int
burrow_overlay_serve_fuse (struct burrow_overlay_plan *plan, int sync_fd, pid_t init_pid,
                           bool new_userns, bool setgroups_allowed, struct burrow_error *err)
{
  cleanup_close int fuse = open_fuse_device (init_pid, new_userns, err);
  if (fuse < 0)
    return -1;
  if (burrow_sync_send (sync_fd, SYNC_OVERLAY_FUSE_DEV, 0, NULL) < 0
      || burrow_fd_send (sync_fd, fuse, "fuse") < 0)
    return burrow_fail_errno (err, "overlay: hand /dev/fuse to the container's init");
  if (burrow_sync_expect (sync_fd, SYNC_OVERLAY_FUSE_MOUNTED, "the container's init", err) < 0
      || start_helper (plan, fuse, init_pid, new_userns, setgroups_allowed, err) < 0)
    return -1;
  /* Only the helper may hold the device now (see mount_fuse). */
  close (steal_fd (&fuse));
  if (burrow_sync_send (sync_fd, SYNC_OVERLAY_FUSE_DONE, 0, NULL) < 0)
    return burrow_fail_errno (err, "overlay: tell the container's init");
  return await_serving (plan, sync_fd, err);
}

static void
stop_process (pid_t pid, int pidfd)
{
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0
      && burrow_pidfd_wait_exit (pidfd, HELPER_STOP_MS) < 0)
    {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      burrow_pidfd_wait_exit (pidfd, HELPER_STOP_MS);
    }
  /* Our child when this process also created the container (run): reap it. */
  waitpid (pid, NULL, WNOHANG);
}

/* The last line the helper printed, for the error of a create it made fail. */
static void
append_helper_words (const struct burrow_state_dir *d, struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  struct burrow_error ignored;
  if (burrow_read_file_at (d->fd, BURROW_OVERLAY_LOG, 1 << 16, &text, &len, &ignored) < 0)
    return;
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
    text[--len] = '\0';
  if (len == 0)
    return;
  char *last = strrchr (text, '\n');
  last = last ? last + 1 : text;
  size_t used = strlen (err->msg);
  snprintf (err->msg + used, sizeof err->msg - used, " (the overlay helper said: %s)", last);
}

void
burrow_overlay_abort (struct burrow_overlay_plan *plan, const struct burrow_state_dir *d,
                      struct burrow_error *err)
{
  if (plan->helper_pidfd >= 0)
    {
      /* Let it finish what it prints before it goes. */
      burrow_pidfd_wait_exit (plan->helper_pidfd, 200);
      stop_process (plan->helper_pid, plan->helper_pidfd);
      close (plan->helper_pidfd);
      plan->helper_pidfd = -1;
    }
  if (plan->used_fuse && err)
    append_helper_words (d, err);
}

static cJSON *
maps_to_json (const struct burrow_id_mapping *m, size_t n)
{
  cJSON *a = cJSON_CreateArray ();
  for (size_t i = 0; i < n; i++)
    {
      cJSON *e = cJSON_CreateArray ();
      cJSON_AddItemToArray (e, cJSON_CreateNumber (m[i].container_id));
      cJSON_AddItemToArray (e, cJSON_CreateNumber (m[i].host_id));
      cJSON_AddItemToArray (e, cJSON_CreateNumber (m[i].size));
      cJSON_AddItemToArray (a, e);
    }
  return a;
}

static size_t
maps_from_json (const cJSON *a, struct burrow_id_mapping **out)
{
  size_t n = 0;
  *out = calloc ((size_t)cJSON_GetArraySize (a) + 1, sizeof **out);
  for (const cJSON *e = cJSON_IsArray (a) ? a->child : NULL; e && *out; e = e->next)
    if (cJSON_GetArraySize (e) == 3)
      {
        (*out)[n].container_id = (uint32_t)cJSON_GetArrayItem (e, 0)->valuedouble;
        (*out)[n].host_id = (uint32_t)cJSON_GetArrayItem (e, 1)->valuedouble;
        (*out)[n++].size = (uint32_t)cJSON_GetArrayItem (e, 2)->valuedouble;
      }
  return n;
}

int
burrow_overlay_record (const struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                       const struct burrow_state_dir *d, struct burrow_error *err)
{
  if (plan->mode == BURROW_OVERLAY_NONE)
    return 0;
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "mode", plan->used_fuse ? "fuse" : "kernel");
  cJSON_AddStringToObject (o, "layer", plan->layer_dir);
  cJSON_AddBoolToObject (o, "ephemeral", plan->ephemeral);
  /* For delete: what the container's other users write belongs to these ids. */
  const struct burrow_linux *l = &spec->linux_;
  if (plan->ephemeral && l->n_uid_mappings + l->n_gid_mappings > 2)
    {
      cJSON_AddItemToObject (o, "uidMappings", maps_to_json (l->uid_mappings, l->n_uid_mappings));
      cJSON_AddItemToObject (o, "gidMappings", maps_to_json (l->gid_mappings, l->n_gid_mappings));
    }
  if (plan->used_fuse)
    {
      unsigned long long start = 0;
      burrow_pid_start_time (plan->helper_pid, &start);
      cJSON_AddStringToObject (o, "helper", plan->helper);
      cJSON_AddNumberToObject (o, "helperPid", plan->helper_pid);
      cJSON_AddNumberToObject (o, "helperStartTime", (double)start);
    }
  cleanup_free char *text = cJSON_PrintUnformatted (o);
  cJSON_Delete (o);
  cleanup_free char *path = NULL;
  if (text == NULL || asprintf (&path, "%s/%s", d->path, BURROW_OVERLAY_FILE) < 0)
    return burrow_fail (err, ENOMEM, "overlay: record");
  return burrow_write_file_atomic (path, text, strlen (text), 0600, err);
}

void
burrow_overlay_plan_release (struct burrow_overlay_plan *plan)
{
  for (size_t i = 0; plan->lower && plan->lower[i]; i++)
    free (plan->lower[i]);
  free (plan->lower);
  free (plan->layer_dir);
  free (plan->helper);
  free (plan->helper_idmap);
  if (plan->log_fd >= 0)
    close (plan->log_fd);
  if (plan->helper_pidfd >= 0)
    close (plan->helper_pidfd);
  memset (plan, 0, sizeof *plan);
  plan->log_fd = plan->helper_pidfd = -1;
}

/* ---------------------------------------------------------------- after create */

char *
burrow_overlay_recorded_mode (const struct burrow_state_dir *d)
{
  cJSON *o = burrow_state_json_file (d, BURROW_OVERLAY_FILE);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive (o, "mode");
  char *s = cJSON_IsString (m) ? strdup (m->valuestring) : NULL;
  cJSON_Delete (o);
  return s;
}

/* The upper layer of a container whose other users wrote into it: their files belong to
   subordinate ids, removable only inside a user namespace with the same mappings. */
static int
remove_layer (struct burrow_context *ctx, const char *layer, const cJSON *rec,
              struct burrow_error *err)
{
  if (burrow_remove_tree (layer, err) == 0)
    return 0;
  const cJSON *um = cJSON_GetObjectItemCaseSensitive (rec, "uidMappings");
  const cJSON *gm = cJSON_GetObjectItemCaseSensitive (rec, "gidMappings");
  if ((err->errnum != EACCES && err->errnum != EPERM) || ctx->euid == 0 || !cJSON_IsArray (um))
    return -1;
  struct burrow_spec maps = { 0 };
  maps.linux_.n_uid_mappings = maps_from_json (um, &maps.linux_.uid_mappings);
  maps.linux_.n_gid_mappings = maps_from_json (gm, &maps.linux_.gid_mappings);
  burrow_error_clear (err);
  int r = burrow_remove_tree_in_userns (ctx, layer, &maps, err);
  free (maps.linux_.uid_mappings);
  free (maps.linux_.gid_mappings);
  return r;
}

int
burrow_overlay_teardown (struct burrow_context *ctx, const struct burrow_state_dir *d,
                         struct burrow_error *err)
{
  cJSON *o = burrow_state_json_file (d, BURROW_OVERLAY_FILE);
  if (o == NULL)
    return 0;
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive (o, "helperPid");
  const cJSON *start = cJSON_GetObjectItemCaseSensitive (o, "helperStartTime");
  if (cJSON_IsNumber (pid) && cJSON_IsNumber (start))
    {
      unsigned long long now;
      pid_t p = (pid_t)pid->valuedouble;
      int pidfd = syscall (SYS_pidfd_open, p, 0);
      /* Checked after pidfd_open, which pins the process: a reused pid is left alone. */
      if (pidfd >= 0 && burrow_pid_start_time (p, &now) == 0
          && now == (unsigned long long)start->valuedouble)
        stop_process (p, pidfd);
      if (pidfd >= 0)
        close (pidfd);
    }
  int r = 0;
  cleanup_free char *layer = NULL;
  if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "ephemeral")))
    {
      if (asprintf (&layer, "%s/%s", d->path, BURROW_OVERLAY_DIR) < 0)
        r = burrow_fail_errno (err, "overlay");
      else if (remove_layer (ctx, layer, o, err) < 0)
        r = burrow_error_prefix (err, "overlay: remove the container's upper layer");
    }
  cJSON_Delete (o);
  return r;
}
