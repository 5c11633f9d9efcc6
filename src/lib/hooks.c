/* hooks.c: the OCI hooks: the checks of config.json's `hooks`, and running one kind of
   them, each hook a child process fed the state JSON on stdin and watched through a
   pidfd, so a deadline needs no sleeping and no SIGCHLD handler. */
#include "config.h"
#include "hooks.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

/* What is kept of a hook's stderr, and how much of its last line goes into an error. */
#define TAIL_MAX 4096
#define LINE_MAX_SHOWN 400
/* After the hook exited, what its pipes still hold is read up to this much: a grandchild
   that keeps writing must not keep us here. */
#define DRAIN_MAX (256 * 1024)

static const char *const kind_names[BURROW_HOOK_KIND_COUNT] = {
  [BURROW_HOOK_PRESTART] = "prestart",
  [BURROW_HOOK_CREATE_RUNTIME] = "createRuntime",
  [BURROW_HOOK_CREATE_CONTAINER] = "createContainer",
  [BURROW_HOOK_START_CONTAINER] = "startContainer",
  [BURROW_HOOK_POSTSTART] = "poststart",
  [BURROW_HOOK_POSTSTOP] = "poststop",
};

const char *
burrow_hook_kind_name (enum burrow_hook_kind kind)
{
  if ((unsigned int)kind >= BURROW_HOOK_KIND_COUNT)
    return "unknown";
  return kind_names[kind];
}

/* One entry of hooks.<kind>[], pointing into the config's cJSON. */
struct hook
{
  const char *path;
  const cJSON *args; /* array of strings, or NULL */
  const cJSON *env;  /* array of strings, or NULL: the caller's environment */
  int timeout;       /* seconds; 0: none */
};

/* Bad input: EINVAL for callers, and no strerror text in the message. */
static int __attribute__ ((format (printf, 2, 3)))
invalid (struct burrow_error *err, const char *fmt, ...)
{
  char msg[BURROW_ERROR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return burrow_fail_plain (err, EINVAL, "%s", msg);
}

static bool
is_absent (const cJSON *node)
{
  return node == NULL || cJSON_IsNull (node);
}

static int
check_strings (const cJSON *a, const char *where, const char *field, struct burrow_error *err)
{
  if (is_absent (a))
    return 0;
  if (!cJSON_IsArray (a))
    return invalid (err, "%s.%s: must be an array of strings", where, field);
  size_t i = 0;
  const cJSON *item;
  cJSON_ArrayForEach (item, a)
  {
    if (!cJSON_IsString (item) || item->valuestring == NULL)
      return invalid (err, "%s.%s[%zu]: must be a string", where, field, i);
    i++;
  }
  return 0;
}

/* `where` is "hooks.<kind>[<index>]". */
static int
hook_parse (const cJSON *entry, const char *where, struct hook *h, struct burrow_error *err)
{
  memset (h, 0, sizeof *h);
  if (!cJSON_IsObject (entry))
    return invalid (err, "%s: must be an object with `path`", where);

  const cJSON *path = cJSON_GetObjectItemCaseSensitive (entry, "path");
  if (is_absent (path))
    return invalid (err, "%s.path: required", where);
  if (!cJSON_IsString (path) || path->valuestring == NULL)
    return invalid (err, "%s.path: must be a string", where);
  if (path->valuestring[0] != '/')
    return invalid (err, "%s.path: `%s` is not absolute", where, path->valuestring);
  h->path = path->valuestring;

  h->args = cJSON_GetObjectItemCaseSensitive (entry, "args");
  h->env = cJSON_GetObjectItemCaseSensitive (entry, "env");
  if (check_strings (h->args, where, "args", err) < 0
      || check_strings (h->env, where, "env", err) < 0)
    return -1;
  if (is_absent (h->args))
    h->args = NULL;
  if (is_absent (h->env))
    h->env = NULL;

  const cJSON *timeout = cJSON_GetObjectItemCaseSensitive (entry, "timeout");
  if (!is_absent (timeout))
    {
      if (!cJSON_IsNumber (timeout))
        return invalid (err, "%s.timeout: must be an integer number of seconds > 0", where);
      double v = timeout->valuedouble;
      if (!(v >= 1 && v <= INT_MAX) || v != (double)(int)v)
        return invalid (err, "%s.timeout: must be an integer number of seconds > 0, got %g", where,
                        v);
      h->timeout = (int)v;
    }
  return 0;
}

static int
kind_from_name (const char *name)
{
  for (int k = 0; k < BURROW_HOOK_KIND_COUNT; k++)
    if (strcmp (name, kind_names[k]) == 0)
      return k;
  return -1;
}

int
burrow_hooks_validate (const cJSON *hooks, struct burrow_error *err)
{
  if (is_absent (hooks))
    return 0;
  if (!cJSON_IsObject (hooks))
    return invalid (err, "hooks: must be an object");
  const cJSON *list;
  cJSON_ArrayForEach (list, hooks)
  {
    const char *name = list->string ? list->string : "";
    if (kind_from_name (name) < 0)
      return invalid (err,
                      "hooks.%s: unknown kind of hook (known: prestart, createRuntime, "
                      "createContainer, startContainer, poststart, poststop)",
                      name);
    if (is_absent (list))
      continue;
    if (!cJSON_IsArray (list))
      return invalid (err, "hooks.%s: must be an array", name);
    size_t i = 0;
    const cJSON *entry;
    cJSON_ArrayForEach (entry, list)
    {
      char where[64];
      struct hook h;
      snprintf (where, sizeof where, "hooks.%s[%zu]", name, i);
      if (hook_parse (entry, where, &h, err) < 0)
        return -1;
      i++;
    }
  }
  return 0;
}

static const cJSON *
kind_list (const cJSON *hooks, enum burrow_hook_kind kind)
{
  if ((unsigned int)kind >= BURROW_HOOK_KIND_COUNT || !cJSON_IsObject (hooks))
    return NULL;
  const cJSON *list = cJSON_GetObjectItemCaseSensitive (hooks, kind_names[kind]);
  return cJSON_IsArray (list) ? list : NULL;
}

bool
burrow_hooks_has (const cJSON *hooks, enum burrow_hook_kind kind)
{
  const cJSON *list = kind_list (hooks, kind);
  return list != NULL && list->child != NULL;
}

/* ------------------------------------------------------------------ running one hook */

/* The last TAIL_MAX bytes a hook wrote on stderr. */
struct tail
{
  char buf[TAIL_MAX];
  size_t len;
};

static void
tail_add (struct tail *t, const char *p, size_t n)
{
  if (n >= TAIL_MAX)
    {
      memcpy (t->buf, p + n - TAIL_MAX, TAIL_MAX);
      t->len = TAIL_MAX;
      return;
    }
  if (t->len + n > TAIL_MAX)
    {
      size_t drop = t->len + n - TAIL_MAX;
      memmove (t->buf, t->buf + drop, t->len - drop);
      t->len -= drop;
    }
  memcpy (t->buf + t->len, p, n);
  t->len += n;
}

/* The last non-empty line, made printable (errors are one line), cut to LINE_MAX_SHOWN. */
static void
tail_last_line (const struct tail *t, char *out, size_t size)
{
  size_t end = t->len;
  while (end > 0
         && (t->buf[end - 1] == '\n' || t->buf[end - 1] == '\r' || t->buf[end - 1] == ' '
             || t->buf[end - 1] == '\t'))
    end--;
  size_t start = end;
  while (start > 0 && t->buf[start - 1] != '\n')
    start--;
  size_t n = 0;
  for (size_t i = start; i < end && n + 1 < size && n < LINE_MAX_SHOWN; i++)
    {
      unsigned char c = (unsigned char)t->buf[i];
      out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
  out[n] = '\0';
}

/* SIGPIPE blocked while we write the hook's stdin (a hook may close it unread); SIGCHLD at
   its default while we wait, since with SIG_IGN the kernel would reap the hook for us and
   its exit status would be lost. */
struct signal_guard
{
  sigset_t old_mask;
  bool sigpipe_was_pending;
  bool chld_changed;
  struct sigaction old_chld;
};

static void
signal_guard_enter (struct signal_guard *g)
{
  sigset_t pipe_set, pending;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigprocmask (SIG_BLOCK, &pipe_set, &g->old_mask);
  sigpending (&pending);
  g->sigpipe_was_pending = sigismember (&pending, SIGPIPE) == 1;

  g->chld_changed = false;
  if (sigaction (SIGCHLD, NULL, &g->old_chld) == 0
      && (((g->old_chld.sa_flags & SA_SIGINFO) == 0 && g->old_chld.sa_handler == SIG_IGN)
          || (g->old_chld.sa_flags & SA_NOCLDWAIT) != 0))
    {
      struct sigaction dfl = { .sa_handler = SIG_DFL };
      sigemptyset (&dfl.sa_mask);
      g->chld_changed = sigaction (SIGCHLD, &dfl, NULL) == 0;
    }
}

static void
signal_guard_leave (struct signal_guard *g)
{
  int saved = errno;
  if (!g->sigpipe_was_pending)
    {
      /* A SIGPIPE our writes raised: consumed here, never delivered. */
      sigset_t pipe_set;
      sigemptyset (&pipe_set);
      sigaddset (&pipe_set, SIGPIPE);
      const struct timespec zero = { 0, 0 };
      while (sigtimedwait (&pipe_set, NULL, &zero) == SIGPIPE)
        ;
    }
  if (g->chld_changed)
    sigaction (SIGCHLD, &g->old_chld, NULL);
  sigprocmask (SIG_SETMASK, &g->old_mask, NULL);
  errno = saved;
}

/* Between fork and execve: async-signal-safe calls only. */
static void
mark_cloexec_from_3 (void)
{
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* Kernels before 5.11. */
  struct rlimit rl;
  unsigned long max = 65536;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    max = rl.rlim_cur < (1UL << 20) ? rl.rlim_cur : (1UL << 20);
  for (unsigned long fd = 3; fd < max; fd++)
    fcntl ((int)fd, F_SETFD, FD_CLOEXEC);
}

/* The hook's side of the fork. fds: stdin read end, stdout and stderr write ends, and
   the report pipe, where the errno of a failed execve goes (it closes at a good one). */
static void __attribute__ ((noreturn))
hook_child (pid_t parent, const char *path, char *const *argv, char *const *envp, int in_r,
            int out_w, int err_w, int report_w)
{
  int e;
  /* Its own process group, so a timeout kills what the hook started too; and it does not
     outlive the process waiting for it. */
  setpgid (0, 0);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 && getppid () != parent)
    _exit (127);
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigemptyset (&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction (s, &dfl, NULL); /* fails harmlessly for libc's reserved signals */
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  /* Moved above 2 first: when the runtime runs with 0-2 closed, a pipe may sit there. */
  int fds[4] = { in_r, out_w, err_w, report_w };
  for (int i = 0; i < 4; i++)
    if ((fds[i] = fcntl (fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
      goto fail;
  report_w = fds[3];
  for (int i = 0; i < 3; i++)
    if (dup2 (fds[i], i) < 0) /* the copy at 0-2 is not close-on-exec */
      goto fail;
  mark_cloexec_from_3 ();
  execve (path, argv, envp);
fail:
  e = errno;
  if (write (report_w, &e, sizeof e) < 0)
    e = 0;
  _exit (127);
}

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    {
      close (*fd);
      *fd = -1;
    }
}

/* Read what is there; false at EOF or error (the fd is then closed). The bytes go to t,
   or nowhere. *budget, when given, limits the total. */
static bool
read_some (int *fd, struct tail *t, size_t *budget)
{
  char buf[4096];
  for (;;)
    {
      if (budget && *budget == 0)
        return true;
      ssize_t n = read (*fd, buf, sizeof buf);
      if (n > 0)
        {
          if (t)
            tail_add (t, buf, (size_t)n);
          if (budget)
            *budget = (size_t)n >= *budget ? 0 : *budget - (size_t)n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return true;
      close_fd (fd);
      return false;
    }
}

/* Write the next part of stdin; at the end, or when the hook closed its end (EPIPE: its
   right, not an error), our end is closed. */
static void
write_some (int *fd, const char *data, size_t len, size_t *off)
{
  while (*off < len)
    {
      ssize_t w = write (*fd, data + *off, len - *off);
      if (w > 0)
        {
          *off += (size_t)w;
          continue;
        }
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        return;
      break;
    }
  close_fd (fd);
}

static void
set_nonblock (int fd)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    fcntl (fd, F_SETFL, fl | O_NONBLOCK);
}

/* What happened to the hook. */
struct hook_result
{
  int status;     /* waitpid status */
  int exec_errno; /* execve failed with this */
  bool timed_out;
  struct tail err_tail;
};

/* Feed stdin, read stdout/stderr, wait for the exit or the deadline. The hook is killed
   (with its group) at the deadline or when we cannot go on watching it. */
static void
watch_hook (pid_t pid, int pidfd, const struct hook *h, const char *state_json, int *in_w,
            int *out_r, int *err_r, struct hook_result *res)
{
  size_t len = state_json ? strlen (state_json) : 0, off = 0;
  int64_t deadline = h->timeout > 0 ? now_ms () + (int64_t)h->timeout * 1000 : 0;
  bool kill_it = false;

  if (len == 0)
    close_fd (in_w);
  for (;;)
    {
      struct pollfd p[4];
      int n = 0, i_in = -1, i_out = -1, i_err = -1;
      p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
      if (*in_w >= 0)
        {
          i_in = n;
          p[n++] = (struct pollfd){ .fd = *in_w, .events = POLLOUT };
        }
      if (*out_r >= 0)
        {
          i_out = n;
          p[n++] = (struct pollfd){ .fd = *out_r, .events = POLLIN };
        }
      if (*err_r >= 0)
        {
          i_err = n;
          p[n++] = (struct pollfd){ .fd = *err_r, .events = POLLIN };
        }
      int wait_ms = -1;
      if (deadline)
        {
          int64_t left = deadline - now_ms ();
          if (left <= 0)
            {
              res->timed_out = true;
              kill_it = true;
              break;
            }
          wait_ms = left > INT_MAX ? INT_MAX : (int)left;
        }
      int r = poll (p, (nfds_t)n, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          kill_it = true; /* cannot watch it: it does not run unwatched */
          break;
        }
      if (r == 0)
        continue; /* the deadline check above decides */
      if (i_in >= 0 && p[i_in].revents)
        write_some (in_w, state_json, len, &off);
      if (i_out >= 0 && p[i_out].revents)
        read_some (out_r, NULL, NULL);
      if (i_err >= 0 && p[i_err].revents)
        read_some (err_r, &res->err_tail, NULL);
      if (p[0].revents)
        break; /* exited (pidfds poll readable at exit) */
    }

  if (kill_it)
    {
      /* The group first (pgid == pid while the hook is unreaped, so no other process
         can own it), then the hook itself in case it had not reached setpgid. */
      kill (-pid, SIGKILL);
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    }
  while (waitpid (pid, &res->status, 0) < 0)
    if (errno != EINTR)
      {
        res->status = 0;
        break;
      }
  /* What it wrote just before exiting. */
  size_t budget = DRAIN_MAX;
  if (*err_r >= 0)
    read_some (err_r, &res->err_tail, &budget);
  budget = DRAIN_MAX;
  if (*out_r >= 0)
    read_some (out_r, NULL, &budget);
}

/* argv and envp for execve; the strings stay in the config's cJSON. */
static int
build_vectors (const struct hook *h, char ***argv_out, char ***envp_out, struct burrow_error *err)
{
  int n_args = h->args ? cJSON_GetArraySize (h->args) : 0;
  char **argv = calloc ((size_t)(n_args > 0 ? n_args : 1) + 1, sizeof *argv);
  if (argv == NULL)
    return burrow_fail (err, ENOMEM, "hook `%s`", h->path);
  if (n_args == 0)
    argv[0] = (char *)h->path; /* runc's behaviour without `args` */
  else
    {
      int i = 0;
      const cJSON *a;
      cJSON_ArrayForEach (a, h->args) argv[i++] = a->valuestring;
    }
  *argv_out = argv;

  if (h->env == NULL)
    {
      *envp_out = NULL; /* environ, read at fork time */
      return 0;
    }
  int n_env = cJSON_GetArraySize (h->env);
  char **envp = calloc ((size_t)n_env + 1, sizeof *envp);
  if (envp == NULL)
    {
      free (argv);
      return burrow_fail (err, ENOMEM, "hook `%s`", h->path);
    }
  int i = 0;
  const cJSON *e;
  cJSON_ArrayForEach (e, h->env) envp[i++] = e->valuestring;
  *envp_out = envp;
  return 0;
}

static int
make_pipe (int fds[2], struct burrow_error *err)
{
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return burrow_fail_errno (err, "create a pipe");
  return 0;
}

static int
report_result (const char *where, const struct hook *h, struct hook_result *res,
               struct burrow_error *err)
{
  char line[LINE_MAX_SHOWN + 8];
  tail_last_line (&res->err_tail, line, sizeof line);
  char detail[LINE_MAX_SHOWN + 16] = "";
  if (line[0])
    snprintf (detail, sizeof detail, ": %s", line);

  if (res->timed_out)
    return burrow_fail_plain (err, ETIMEDOUT,
                              "%s `%s`: still running after its timeout of %d s: killed%s", where,
                              h->path, h->timeout, detail);
  if (res->exec_errno)
    return burrow_fail (err, res->exec_errno, "%s `%s`: cannot execute", where, h->path);
  if (WIFSIGNALED (res->status))
    {
      int sig = WTERMSIG (res->status);
      const char *abbrev = sigabbrev_np (sig);
      return burrow_fail_plain (err, 0, "%s `%s`: killed by signal %d%s%s%s", where, h->path, sig,
                                abbrev ? " (SIG" : "", abbrev ? abbrev : "", abbrev ? ")" : "");
    }
  if (WIFEXITED (res->status) && WEXITSTATUS (res->status) != 0)
    return burrow_fail_plain (err, 0, "%s `%s`: exit status %d%s", where, h->path,
                              WEXITSTATUS (res->status), detail);
  return 0;
}

static int
hook_run_one (const struct hook *h, const char *where, const char *state_json,
              struct burrow_error *err)
{
  cleanup_free char **argv = NULL;
  cleanup_free char **envp = NULL;
  if (build_vectors (h, &argv, &envp, err) < 0)
    return -1;

  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 };
  int ret = -1;
  if (make_pipe (in, err) < 0 || make_pipe (out, err) < 0 || make_pipe (errp, err) < 0
      || make_pipe (rep, err) < 0)
    goto close_all;

  struct signal_guard guard;
  signal_guard_enter (&guard);
  char **env_now = envp ? envp : environ;
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid < 0)
    {
      burrow_fail_errno (err, "%s `%s`: fork", where, h->path);
      signal_guard_leave (&guard);
      goto close_all;
    }
  if (pid == 0)
    hook_child (parent, h->path, argv, env_now, in[0], out[1], errp[1], rep[1]);

  setpgid (pid, pid); /* also here, so the group exists whichever runs first */
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&errp[1]);
  close_fd (&rep[1]);

  struct hook_result res = { 0 };
  int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      burrow_fail_errno (err, "%s `%s`: pidfd_open", where, h->path);
      kill (-pid, SIGKILL);
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      signal_guard_leave (&guard);
      goto close_all;
    }
  set_nonblock (in[1]);
  set_nonblock (out[0]);
  set_nonblock (errp[0]);
  watch_hook (pid, pidfd, h, state_json, &in[1], &out[0], &errp[0], &res);
  close (pidfd);
  close_fd (&in[1]);
  signal_guard_leave (&guard);

  /* Reaped: every write end of the report pipe is gone, so this read cannot block. */
  int e = 0;
  ssize_t n;
  do
    n = read (rep[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)sizeof e && e != 0)
    res.exec_errno = e;

  ret = report_result (where, h, &res, err);

close_all:
  for (int i = 0; i < 2; i++)
    {
      close_fd (&in[i]);
      close_fd (&out[i]);
      close_fd (&errp[i]);
      close_fd (&rep[i]);
    }
  return ret;
}

/* Each hook of kind in order; stop_at_failure false: log failures and go on. Returns -1
   (stopping) or the number of failures. */
static int
run_list (const cJSON *hooks, enum burrow_hook_kind kind, const char *state_json,
          bool stop_at_failure, struct burrow_error *err)
{
  if (is_absent (hooks))
    return 0;
  if (!cJSON_IsObject (hooks))
    return invalid (err, "hooks: must be an object");
  if ((unsigned int)kind >= BURROW_HOOK_KIND_COUNT)
    return burrow_fail_plain (err, EINVAL, "hooks: unknown kind %d", (int)kind);
  const char *name = kind_names[kind];
  const cJSON *list = cJSON_GetObjectItemCaseSensitive (hooks, name);
  if (is_absent (list))
    return 0;
  if (!cJSON_IsArray (list))
    return invalid (err, "hooks.%s: must be an array", name);

  int failures = 0;
  size_t i = 0;
  const cJSON *entry;
  cJSON_ArrayForEach (entry, list)
  {
    char where[64];
    struct hook h;
    struct burrow_error one;
    snprintf (where, sizeof where, "hooks.%s[%zu]", name, i++);
    burrow_log (BURROW_LOG_DEBUG, "running %s", where);
    if (hook_parse (entry, where, &h, &one) == 0 && hook_run_one (&h, where, state_json, &one) == 0)
      continue;
    if (stop_at_failure)
      {
        *err = one;
        return -1;
      }
    burrow_log (BURROW_LOG_WARNING, "%s", one.msg);
    failures++;
  }
  return failures;
}

int
burrow_hooks_run (const cJSON *hooks, enum burrow_hook_kind kind, const char *state_json,
                  struct burrow_error *err)
{
  return run_list (hooks, kind, state_json, true, err) < 0 ? -1 : 0;
}

int
burrow_hooks_run_warn (const cJSON *hooks, enum burrow_hook_kind kind, const char *state_json)
{
  struct burrow_error err;
  burrow_error_clear (&err);
  int n = run_list (hooks, kind, state_json, false, &err);
  if (n < 0)
    {
      burrow_log (BURROW_LOG_WARNING, "%s", err.msg);
      return 1;
    }
  return n;
}
