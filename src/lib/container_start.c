/* container_start.c: `start`: open the exec fifo for reading, which releases the init;
   the init writes nothing and execs (the fifo closes: success) or writes why it failed. */
#include "config.h"
#include "container.h"

#include "cleanup.h"
#include "error.h"
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

/* Read the init's verdict: EOF with no bytes means execve succeeded. */
static int
await_exec (int fifo, int pidfd, const char *id, struct burrow_error *err)
{
  char msg[BURROW_ERROR_MSG_MAX];
  size_t len = 0;
  for (;;)
    {
      struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return burrow_fail_errno (err, "start `%s`: wait for the init", id);
        }
      if (p[0].revents & (POLLIN | POLLHUP))
        {
          ssize_t r = read (fifo, msg + len, sizeof msg - 1 - len);
          if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (r > 0 && len + r < sizeof msg - 1)
            {
              len += r;
              continue;
            }
          break;
        }
      if (p[1].revents & POLLIN)
        {
          /* The init died before opening its end, or right after writing an error. */
          ssize_t r = read (fifo, msg, sizeof msg - 1);
          len = r > 0 ? (size_t)r : 0;
          if (len == 0)
            return burrow_fail_plain (err, ESRCH, "start `%s`: the container's init exited", id);
          break;
        }
    }
  if (len == 0)
    return 0;
  msg[len] = '\0';
  err->errnum = EINVAL;
  snprintf (err->msg, sizeof err->msg, "start `%.256s`: %.1700s", id, msg);
  return -1;
}

/* The locked directory, the recorded state and a checked pidfd in hand: release the init
   and wait for its verdict, then the poststart hooks. */
static int
start_known (struct burrow_state_dir *d, const struct burrow_state *st, int pidfd,
             struct burrow_error *err)
{
  cleanup_close int fifo = openat (d->fd, BURROW_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return burrow_fail_errno (err, "start `%s`: open exec fifo", st->id);
  int ret = await_exec (fifo, pidfd, st->id, err);
  unlinkat (d->fd, BURROW_EXEC_FIFO, 0);
  /* A failing poststart hook fails start, and the container is stopped (runtime-spec). */
  if (ret == 0
      && burrow_saved_hooks_run (d, st, BURROW_HOOK_POSTSTART, "running", st->pid, false, err) < 0)
    {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      burrow_pidfd_wait_exit (pidfd, 10000);
      burrow_error_prefix (err, "start `%s`", st->id);
      ret = -1;
    }
  return ret;
}

int
burrow_container_start (struct burrow_context *ctx, const char *id, struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  cleanup_close int pidfd = -1;
  int ret = -1;
  if (burrow_state_open (ctx, id, true, &d, err) < 0 || burrow_state_read (&d, &st, err) < 0)
    goto out;
  enum burrow_status s = burrow_container_status (&d, &st);
  if (s != BURROW_STATUS_CREATED)
    {
      burrow_fail_plain (err, EINVAL, "cannot start container `%s`: it is %s, not created", id,
                         burrow_status_name (s));
      goto out;
    }
  pidfd = burrow_state_pidfd (&st);
  if (pidfd < 0)
    {
      burrow_fail_plain (err, ESRCH, "cannot start container `%s`: its init has exited", id);
      goto out;
    }
  ret = start_known (&d, &st, pidfd, err);
out:
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}

int
burrow_start_created (struct burrow_context *ctx, const char *id, const struct burrow_created *c,
                      struct burrow_error *err)
{
  /* run made this container a moment ago and holds its pidfd (its own child): what start
     would read back from disk and /proc is already here. The lock still keeps a racing
     delete out. */
  struct burrow_state_dir d;
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive (c->spec->json, "annotations");
  cleanup_free char *ann_json = cJSON_IsObject (ann) ? cJSON_PrintUnformatted (ann) : NULL;
  struct burrow_state st = {
    .id = (char *)id, .pid = c->pid, .bundle = c->spec->bundle, .annotations_json = ann_json
  };
  int ret = -1;
  if (burrow_state_open (ctx, id, true, &d, err) == 0)
    ret = start_known (&d, &st, c->pidfd, err);
  burrow_state_dir_close (&d);
  return ret;
}
