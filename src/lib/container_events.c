/* container_events.c: `events`: runc's event stream for a live container: a stats event
   every interval and an oom event for every OOM kill the kernel reports, until the
   container's init exits; or, with --stats, one stats event. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* {"type":TYPE,"id":ID[,"data":DATA]} as runc's JSON encoder writes it (data is taken). */
static int
emit_event (const char *type, const char *id, cJSON *data, burrow_event_fn emit, void *ud,
            struct burrow_error *err)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "type", type);
  cJSON_AddStringToObject (o, "id", id);
  if (data)
    cJSON_AddItemToObject (o, "data", data);
  cleanup_free char *text = cJSON_PrintUnformatted (o);
  cJSON_Delete (o);
  if (text == NULL)
    return burrow_fail (err, ENOMEM, "events of `%s`", id);
  if (emit (text, ud) < 0)
    return burrow_fail_errno (err, "events of `%s`: write", id);
  return 0;
}

static int
emit_stats (const struct burrow_cgroup *cg, const char *id, burrow_event_fn emit, void *ud,
            struct burrow_error *err)
{
  cJSON *data = NULL;
  if (burrow_cgroup_stats (cg, &data, err) < 0)
    return burrow_error_prefix (err, "events of `%s`", id);
  return emit_event ("stats", id, data, emit, ud, err);
}

static int
arm_timer (long long interval_ms, struct burrow_error *err)
{
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (fd < 0)
    return burrow_fail_errno (err, "events: timerfd");
  struct itimerspec it = {
    .it_interval = { .tv_sec = interval_ms / 1000, .tv_nsec = (interval_ms % 1000) * 1000000 },
  };
  it.it_value = it.it_interval;
  if (timerfd_settime (fd, 0, &it, NULL) < 0)
    {
      close (fd);
      return burrow_fail_errno (err, "events: timerfd");
    }
  return fd;
}

/* The stream: stats on every tick, oom events as the kernel reports them; ends when the
   init exits (runc ends when its OOM channel closes with the cgroup). */
static int
stream (const struct burrow_cgroup *cg, const char *id, int pidfd, long long interval_ms,
        burrow_event_fn emit, void *ud, struct burrow_error *err)
{
  struct burrow_cgroup_oom oom;
  if (burrow_cgroup_oom_open (cg, &oom, err) < 0)
    return burrow_error_prefix (err, "events of `%s`", id);
  cleanup_close int timer = arm_timer (interval_ms, err);
  int ret = -1;
  if (timer < 0)
    goto out;
  for (;;)
    {
      struct pollfd p[3] = {
        { .fd = pidfd, .events = POLLIN },
        { .fd = timer, .events = POLLIN },
        { .fd = oom.fd, .events = POLLIN },
      };
      if (poll (p, oom.fd >= 0 ? 3 : 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          burrow_fail_errno (err, "events of `%s`: poll", id);
          goto out;
        }
      /* An OOM kill that ended the container is reported before the end. */
      if (p[2].revents & POLLIN)
        for (int n = burrow_cgroup_oom_read (&oom); n > 0; n--)
          if (emit_event ("oom", id, NULL, emit, ud, err) < 0)
            goto out;
      if (p[0].revents)
        break;
      if (p[1].revents & POLLIN)
        {
          uint64_t ticks;
          if (read (timer, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
            {
              burrow_fail_errno (err, "events: timerfd");
              goto out;
            }
          struct burrow_error serr = { 0 };
          /* As runc: a failed read of the stats is logged and the stream goes on (the
             cgroup may be going away with the container). */
          if (emit_stats (cg, id, emit, ud, &serr) < 0)
            {
              if (serr.errnum == EPIPE)
                {
                  *err = serr;
                  goto out;
                }
              burrow_log (BURROW_LOG_ERROR, "%s", serr.msg);
            }
        }
    }
  ret = 0;
out:
  burrow_cgroup_oom_close (&oom);
  return ret;
}

int
burrow_container_events (struct burrow_context *ctx, const char *id, bool stats_only,
                         long long interval_ms, burrow_event_fn emit, void *data,
                         struct burrow_error *err)
{
  struct burrow_state_dir d = { .fd = -1 };
  struct burrow_state st = { 0 };
  struct burrow_cgroup cg;
  int ret = -1;
  if (interval_ms <= 0)
    return burrow_fail_plain (err, EINVAL, "events: the interval must be greater than 0");
  cleanup_close int pidfd
      = burrow_open_live_cgroup (ctx, id, "show the events of", &d, &st, &cg, err);
  /* The directory is not held while streaming: delete must not wait for us. */
  burrow_state_dir_close (&d);
  if (pidfd < 0)
    goto out;
  if (stats_only)
    ret = emit_stats (&cg, id, emit, data, err);
  else
    ret = stream (&cg, id, pidfd, interval_ms, emit, data, err);
out:
  burrow_cgroup_release (&cg);
  burrow_state_release (&st);
  return ret;
}
