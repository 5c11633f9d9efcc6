/* container_exec.c: `exec`: a new process in a running container. The runtime forks a
   helper that joins the container's namespaces through the init's pidfd and clones the
   process with CLONE_PARENT (so `exec` can reap it); the process takes the same security
   path as the init (identity, capabilities, no_new_privs, fds) and execs. */
#include "config.h"
#include "container.h"

#include "capabilities.h"
#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "lsm.h"
#include "process_attrs.h"
#include "seccomp_filter.h"
#include "sync_protocol.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_FAILED 255

/* What the process to run is made of; owns what it points to. */
struct exec_plan
{
  struct burrow_spec *spec;  /* the container's config (the default process) */
  cJSON *process_json;       /* --process */
  struct burrow_process own; /* parsed from process_json */
  struct burrow_process *p;
};

static void
plan_release (struct exec_plan *x)
{
  if (x->process_json)
    burrow_process_release (&x->own);
  cJSON_Delete (x->process_json);
  burrow_spec_free (x->spec);
}

static int
strv_replace (char ***v, size_t *n, char *const *with, struct burrow_error *err)
{
  size_t m = 0;
  while (with[m])
    m++;
  char **nv = calloc (m + 1, sizeof *nv);
  if (nv == NULL)
    return burrow_fail_errno (err, "exec");
  for (size_t i = 0; i < m; i++)
    if ((nv[i] = strdup (with[i])) == NULL)
      return burrow_fail_errno (err, "exec");
  for (size_t i = 0; i < *n; i++)
    free ((*v)[i]);
  free (*v);
  *v = nv;
  *n = m;
  return 0;
}

/* --env KEY=VALUE replaces KEY's entry or adds one. */
static int
env_set (struct burrow_process *p, const char *kv, struct burrow_error *err)
{
  const char *eq = strchr (kv, '=');
  size_t klen = eq ? (size_t)(eq - kv) : strlen (kv);
  char *copy = strdup (kv);
  if (copy == NULL)
    return burrow_fail_errno (err, "exec --env");
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], kv, klen) == 0 && p->env[i][klen] == '=')
      {
        free (p->env[i]);
        p->env[i] = copy;
        return 0;
      }
  char **nv = realloc (p->env, (p->n_env + 2) * sizeof *nv);
  if (nv == NULL)
    {
      free (copy);
      return burrow_fail_errno (err, "exec --env");
    }
  p->env = nv;
  p->env[p->n_env++] = copy;
  p->env[p->n_env] = NULL;
  return 0;
}

static int
parse_id (const char *s, const char *what, uint32_t *out, struct burrow_error *err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (s, &end, 10);
  if (errno || end == s || *end || v > UINT32_MAX)
    return burrow_fail_plain (err, EINVAL, "%s: `%s` is not a numeric id", what, s);
  *out = v;
  return 0;
}

static int
apply_user (struct burrow_process *p, const struct burrow_exec_opts *o, struct burrow_error *err)
{
  if (o->user)
    {
      char buf[64];
      snprintf (buf, sizeof buf, "%s", o->user);
      char *colon = strchr (buf, ':');
      if (colon)
        *colon = '\0';
      if (parse_id (buf, "--user", &p->user.uid, err) < 0
          || (colon && parse_id (colon + 1, "--user", &p->user.gid, err) < 0))
        return -1;
    }
  if (o->additional_gids && o->additional_gids[0])
    {
      size_t n = 0;
      while (o->additional_gids[n])
        n++;
      uint32_t *g = calloc (n, sizeof *g);
      if (g == NULL)
        return burrow_fail_errno (err, "exec");
      for (size_t i = 0; i < n; i++)
        if (parse_id (o->additional_gids[i], "--additional-gids", &g[i], err) < 0)
          {
            free (g);
            return -1;
          }
      free (p->user.additional_gids);
      p->user.additional_gids = g;
      p->user.n_additional_gids = n;
    }
  return 0;
}

static int
apply_overrides (struct burrow_process *p, const struct burrow_exec_opts *o,
                 struct burrow_error *err)
{
  if (o->args && o->args[0] && strv_replace (&p->args, &p->n_args, o->args, err) < 0)
    return -1;
  for (size_t i = 0; o->env && o->env[i]; i++)
    if (env_set (p, o->env[i], err) < 0)
      return -1;
  if (o->cwd)
    {
      free (p->cwd);
      p->cwd = strdup (o->cwd);
    }
  if (apply_user (p, o, err) < 0)
    return -1;
  for (size_t i = 0; o->caps && o->caps[i]; i++)
    {
      int c = burrow_cap_from_name (o->caps[i]);
      if (c < 0)
        return burrow_fail_plain (err, EINVAL, "--cap: unknown capability `%s`", o->caps[i]);
      uint64_t bit = 1ULL << c;
      p->caps.bounding |= bit;
      p->caps.effective |= bit;
      p->caps.permitted |= bit;
    }
  p->no_new_privileges |= o->no_new_privs;
  p->terminal |= o->tty;
  if (o->apparmor)
    p->apparmor_profile = strdup (o->apparmor);
  if (o->process_label)
    p->selinux_label = strdup (o->process_label);
  if (p->n_args == 0)
    return burrow_fail_plain (err, EINVAL, "exec: no command given (args are empty)");
  if (p->cwd == NULL)
    p->cwd = strdup ("/");
  if (p->cwd == NULL || p->cwd[0] != '/')
    return burrow_fail_plain (err, EINVAL, "exec: cwd `%s` is not absolute", p->cwd);
  return 0;
}

static int
make_plan (const struct burrow_state *st, const struct burrow_exec_opts *o, struct exec_plan *x,
           struct burrow_error *err)
{
  memset (x, 0, sizeof *x);
  if (burrow_spec_load (st->bundle, &x->spec, err) < 0)
    return burrow_error_prefix (err, "exec: the container's config");
  if (o->process_file)
    {
      cleanup_free char *text = NULL;
      if (burrow_read_file (o->process_file, 1 << 20, &text, NULL, err) < 0)
        return burrow_error_prefix (err, "--process");
      x->process_json = cJSON_Parse (text);
      if (x->process_json == NULL)
        return burrow_fail_plain (err, EINVAL, "--process `%s` is not valid JSON", o->process_file);
      if (burrow_process_parse (x->process_json, &x->own, err) < 0)
        return burrow_error_prefix (err, "--process `%s`", o->process_file);
      x->p = &x->own;
    }
  else
    x->p = &x->spec->process;
  return apply_overrides (x->p, o, err);
}

/* The namespaces of the init that differ from ours: those the process joins. */
static int
namespaces_to_join (pid_t pid)
{
  static const struct
  {
    const char *name;
    int flag;
  } ns[] = {
    { "user", CLONE_NEWUSER },     { "mnt", CLONE_NEWNS },
    { "pid", CLONE_NEWPID },       { "ipc", CLONE_NEWIPC },
    { "uts", CLONE_NEWUTS },       { "net", CLONE_NEWNET },
    { "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 /* CLONE_NEWTIME */ },
  };
  int flags = 0;
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      char theirs[64], ours[64];
      struct stat a, b;
      snprintf (theirs, sizeof theirs, "/proc/%d/ns/%s", pid, ns[i].name);
      snprintf (ours, sizeof ours, "/proc/self/ns/%s", ns[i].name);
      if (stat (theirs, &a) == 0 && stat (ours, &b) == 0 && a.st_ino != b.st_ino)
        flags |= ns[i].flag;
    }
  return flags;
}

static bool
setgroups_allowed (pid_t pid)
{
  char path[64], buf[8] = { 0 };
  snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  return fd < 0 || read (fd, buf, sizeof buf - 1) <= 0 || strncmp (buf, "deny", 4) != 0;
}

struct exec_child
{
  const struct burrow_process *p;
  const struct burrow_exec_opts *o;
  struct burrow_lsm lsm;
  const struct burrow_seccomp *seccomp;
  int listener_fd;
  int pidfd;
  int ns_flags;
  bool setgroups_allowed;
  int sync_fd;
  int console_fd;
  const struct burrow_cgroup *cgroup; /* the container's, joined before its namespaces */
};

/* The process, inside the container's namespaces. */
static int
process_setup (struct exec_child *c, struct burrow_error *err)
{
  const struct burrow_process *p = c->p;
  cleanup_free char *exe = NULL;
  cleanup_close int self = open ("/proc/self/exe", O_PATH | O_CLOEXEC);
  if (c->console_fd >= 0 && burrow_terminal_setup (c->console_fd, p, err) < 0)
    return -1;
  if (burrow_set_rlimits (p, err) < 0 || burrow_chdir_in_root (p->cwd, err) < 0
      || burrow_find_executable (p, &exe, err) < 0 || burrow_check_not_self (exe, self, err) < 0)
    return -1;
  if (p->user.has_umask)
    umask (p->user.umask);
  if (burrow_lsm_apply (&c->lsm, err) < 0 || burrow_caps_prepare (&p->caps, err) < 0)
    return -1;
  /* The container's filter, at the same points as for its init. */
  if (!p->no_new_privileges && burrow_seccomp_apply (c->seccomp, c->listener_fd, "{}", err) < 0)
    return -1;
  if (burrow_set_identity (p, c->setgroups_allowed, err) < 0
      || burrow_caps_apply (&p->caps, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return burrow_fail_errno (err, "set no_new_privs");
  if (burrow_prepare_exec_fds (c->o->preserve_fds, err) < 0)
    return -1;
  if (p->no_new_privileges && burrow_seccomp_apply (c->seccomp, c->listener_fd, "{}", err) < 0)
    return -1;
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  execve (exe, p->args, p->env);
  return burrow_fail_errno (err, "exec `%s`", p->args[0]);
}

/* The helper: join, clone the process as a sibling, report its pid, leave. */
__attribute__ ((noreturn)) static void
join_and_clone (struct exec_child *c)
{
  struct burrow_error err = { 0 };
  int min = 3 + (int)c->o->preserve_fds;
  /* This process and the one it clones run the host's burrow binary inside the
     container until execve: keep their /proc/PID/exe closed to the container. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  c->sync_fd = burrow_move_fd_above (c->sync_fd, min);
  c->console_fd = burrow_move_fd_above (c->console_fd, min);
  c->listener_fd = burrow_move_fd_above (c->listener_fd, min);
  /* With the caller's own credentials, before the container's user namespace: the
     process cloned below inherits the cgroup. */
  if (burrow_cgroup_join (c->cgroup, c->o->cgroup, getpid (), &err) < 0)
    {
      burrow_error_prefix (&err, "join the container's cgroup");
      burrow_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  if (setns (c->pidfd, c->ns_flags) < 0)
    {
      burrow_fail_errno (&err, "join the container's namespaces");
      burrow_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  /* With CLONE_PARENT the child takes our exit signal (SIGCHLD): clone3 wants 0 here. */
  struct clone_args args = { .flags = CLONE_PARENT };
  pid_t pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    {
      close (c->pidfd);
      process_setup (c, &err);
      burrow_sync_send_error (c->sync_fd, &err);
      _exit (EXEC_FAILED);
    }
  if (pid < 0)
    {
      burrow_fail_errno (&err, "create the process in the container");
      burrow_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  burrow_sync_send (c->sync_fd, SYNC_PID, pid, NULL);
  _exit (0);
}

/* Start the helper and learn the process's pid; then wait for the process's verdict: its
   end of the sync socket closes at execve (success) or carries an error. */
static int
spawn_process (struct exec_child *c, pid_t *pid_out, struct burrow_error *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return burrow_fail_errno (err, "exec: sync socket");
  cleanup_close int ours = sv[0];
  c->sync_fd = sv[1];
  pid_t helper = fork ();
  if (helper < 0)
    {
      close (sv[1]);
      return burrow_fail_errno (err, "exec: fork");
    }
  if (helper == 0)
    {
      close (ours);
      join_and_clone (c);
    }
  close (sv[1]);
  while (waitpid (helper, NULL, 0) < 0 && errno == EINTR)
    ;
  struct burrow_sync_msg m;
  if (burrow_sync_recv (ours, &m) < 0)
    return burrow_fail_errno (err, "exec: the helper that joins the container");
  if (m.type == SYNC_ERROR)
    return burrow_fail_plain (err, m.errnum, "%s", m.msg);
  *pid_out = m.errnum;
  if (burrow_sync_recv (ours, &m) == 0 && m.type == SYNC_ERROR)
    {
      while (waitpid (*pid_out, NULL, 0) < 0 && errno == EINTR)
        ;
      return burrow_fail_plain (err, m.errnum, "%s", m.msg);
    }
  return 0;
}

static int
check_container (struct burrow_context *ctx, const char *id, bool ignore_paused,
                 struct burrow_state *st, int *pidfd, struct burrow_error *err)
{
  struct burrow_state_dir d;
  int r = -1;
  if (burrow_state_open (ctx, id, false, &d, err) < 0 || burrow_state_read (&d, st, err) < 0)
    goto out;
  if (burrow_container_status (&d, st) == BURROW_STATUS_STOPPED
      || (*pidfd = burrow_state_pidfd (st)) < 0)
    {
      burrow_fail_plain (err, EINVAL, "cannot exec in container `%s`: it is stopped", id);
      goto out;
    }
  if (!ignore_paused && burrow_state_paused (st))
    {
      burrow_fail_plain (err, EINVAL,
                         "cannot exec in container `%s`: it is paused (resume it, or use "
                         "--ignore-paused)",
                         id);
      goto out;
    }
  r = 0;
out:
  burrow_state_dir_close (&d);
  return r;
}

static int
write_pid_file (const char *path, pid_t pid, struct burrow_error *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  if (burrow_write_file_atomic (path, buf, n, 0644, err) < 0)
    return burrow_error_prefix (err, "pid file");
  return 0;
}

static int
exec_with (struct burrow_context *ctx, const struct burrow_exec_opts *o, struct exec_child *c,
           int *exit_status, struct burrow_error *err)
{
  const struct burrow_process *p = c->p;
  int sv[2] = { -1, -1 };
  if (p->terminal && o->console_socket)
    c->console_fd = burrow_console_connect (o->console_socket, err);
  else if (p->terminal && o->detach)
    return burrow_fail_plain (err, EINVAL,
                              "exec: a terminal (-t) with --detach needs "
                              "--console-socket: it would have nowhere to go");
  else if (p->terminal && socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
    c->console_fd = sv[1];
  if (p->terminal && c->console_fd < 0)
    return err->msg[0] ? -1 : burrow_fail_errno (err, "exec: terminal");
  cleanup_close int console_r = sv[0];

  sigset_t mask, old;
  burrow_forwarded_signals (&mask);
  sigprocmask (SIG_BLOCK, &mask, &old);
  cleanup_close int sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  pid_t pid = -1;
  int r = spawn_process (c, &pid, err);
  if (c->console_fd >= 0)
    close (c->console_fd);
  struct burrow_run_loop l = { .sigfd = sigfd, .master = -1, .stdin_open = true };
  if (r == 0 && console_r >= 0 && (l.master = burrow_fd_recv (console_r, err)) < 0)
    r = -1;
  if (r == 0 && o->pid_file)
    r = write_pid_file (o->pid_file, pid, err);
  if (r == 0 && !o->detach)
    {
      l.pidfd = syscall (SYS_pidfd_open, pid, 0);
      struct termios saved;
      bool raw
          = l.master >= 0 && isatty (STDIN_FILENO) && burrow_tty_raw (STDIN_FILENO, &saved) == 0;
      if (l.master >= 0 && isatty (STDIN_FILENO))
        burrow_tty_copy_size (STDIN_FILENO, l.master);
      *exit_status = burrow_run_loop (&l, pid);
      if (raw)
        tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      close (l.pidfd);
    }
  else if (r < 0 && pid > 0)
    kill (pid, SIGKILL);
  if (l.master >= 0)
    close (l.master);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return r;
}

int
burrow_container_exec (struct burrow_context *ctx, const struct burrow_exec_opts *o,
                       int *exit_status, struct burrow_error *err)
{
  struct burrow_state st = { 0 };
  struct burrow_cgroup cg = { 0 };
  struct exec_plan x = { 0 };
  struct burrow_seccomp *sc = NULL;
  cleanup_close int pidfd = -1;
  cleanup_close int listener_fd = -1;
  int r = -1;
  *exit_status = EXEC_FAILED;
  if (check_container (ctx, o->id, o->ignore_paused, &st, &pidfd, err) < 0
      || make_plan (&st, o, &x, err) < 0 || burrow_cgroup_from_state (st.cgroup_json, &cg, err) < 0)
    goto out;
  struct exec_child c = {
    .p = x.p,
    .o = o,
    .pidfd = pidfd,
    .ns_flags = namespaces_to_join (st.pid),
    .setgroups_allowed = setgroups_allowed (st.pid),
    .sync_fd = -1,
    .console_fd = -1,
    .listener_fd = -1,
    .cgroup = &cg,
  };
  burrow_lsm_plan (x.p, &c.lsm);
  if (burrow_seccomp_compile (x.spec->linux_.seccomp, &sc, err) < 0
      || (burrow_seccomp_has_notify (sc)
          && (listener_fd = burrow_seccomp_listener_connect (sc, err)) < 0))
    {
      burrow_seccomp_free (sc);
      goto out;
    }
  c.seccomp = sc;
  c.listener_fd = listener_fd;
  r = exec_with (ctx, o, &c, exit_status, err);
  burrow_seccomp_free (sc);
  if (r == 0 && o->detach)
    *exit_status = 0;
out:
  plan_release (&x);
  burrow_cgroup_release (&cg);
  burrow_state_release (&st);
  return r;
}
