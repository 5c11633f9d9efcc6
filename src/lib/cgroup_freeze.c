/* cgroup_freeze.c: pause and resume through the freezer: cgroup.freeze on v2 (done once
   cgroup.events says `frozen 1`), freezer.state on v1 (retried while it reads FREEZING).
   The systemd manager's scope is frozen through the same files, inside the scope. */
#include "config.h"
#include "cgroup.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 10000

enum freezer_kind
{
  FREEZER_NONE,
  FREEZER_V1,
  FREEZER_V2,
};

/* Which freezer the cgroup has, and the directory holding it. A v1 freezer wins on a
   hybrid host; the v2 one (cgroup.freeze, kernel 5.2+) is used where v1 has none. */
static enum freezer_kind
freezer_of (const struct burrow_cgroup *cg, const char **dir)
{
  char path[4096];
  if (cg == NULL || cg->manager == BURROW_CGROUP_DISABLED)
    return FREEZER_NONE;
  if (cg->version == 1 && cg->v1[BURROW_CG1_FREEZER] != NULL)
    {
      *dir = cg->v1[BURROW_CG1_FREEZER];
      return FREEZER_V1;
    }
  if (cg->path == NULL)
    return FREEZER_NONE;
  snprintf (path, sizeof path, "%s/cgroup.freeze", cg->path);
  if (access (path, F_OK) < 0)
    return FREEZER_NONE;
  *dir = cg->path;
  return FREEZER_V2;
}

/* The first line of DIR/NAME without its newline, in buf; -1 with errno on failure. */
static int
read_line (const char *dir, const char *name, char *buf, size_t size)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n;
  do
    n = read (fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return 0;
}

/* `frozen` in cgroup.events: 1 or 0, -1 when it cannot be read. */
static int
v2_events_frozen (const char *dir)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/cgroup.events", dir);
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  char key[64];
  unsigned long long v;
  while (fscanf (f, "%63s %llu", key, &v) == 2)
    if (strcmp (key, "frozen") == 0)
      return v != 0;
  return -1;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Write cgroup.freeze, then wait for cgroup.events to agree: the kernel freezes tasks
   asynchronously and says so by modifying cgroup.events (an inotify IN_MODIFY). */
static int
v2_freeze (const char *dir, bool frozen, struct burrow_error *err)
{
  char path[4096];
  cleanup_close int ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  snprintf (path, sizeof path, "%s/cgroup.events", dir);
  /* Watch before writing, so a change in between is not missed. */
  if (ino >= 0 && inotify_add_watch (ino, path, IN_MODIFY) < 0)
    {
      close (ino);
      ino = -1;
    }
  snprintf (path, sizeof path, "%s/cgroup.freeze", dir);
  if (burrow_write_string (path, frozen ? "1" : "0", err) < 0)
    return -1;
  long long deadline = now_ms () + FREEZE_TIMEOUT_MS;
  for (;;)
    {
      int state = v2_events_frozen (dir);
      if (state < 0)
        return burrow_fail_errno (err, "read `%s/cgroup.events`", dir);
      if (state == frozen)
        return 0;
      long long left = deadline - now_ms ();
      if (left <= 0)
        break;
      /* Without inotify (fd limit), poll the file every 10 ms. */
      struct pollfd p = { .fd = ino, .events = POLLIN };
      int r = poll (&p, ino >= 0 ? 1 : 0, ino >= 0 ? (int)left : 10);
      if (r < 0 && errno != EINTR)
        return burrow_fail_errno (err, "wait for `%s/cgroup.events`", dir);
      char drain[4096];
      while (ino >= 0 && read (ino, drain, sizeof drain) > 0)
        ;
    }
  struct burrow_error ignored;
  if (frozen)
    burrow_write_string (path, "0", &ignored);
  return burrow_fail_plain (err, ETIMEDOUT,
                            "cgroup `%s` did not report `frozen %d` in cgroup.events within %d s",
                            dir, frozen, FREEZE_TIMEOUT_MS / 1000);
}

static void
sleep_us (long us)
{
  struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* v1: FREEZING means some task has not stopped yet (busy in the kernel, forking, or not
   scheduled yet on a loaded machine); as runc does, write FROZEN again, now and then
   thawing for a moment so a forking task can finish, until freezer.state reads FROZEN.
   The budget is time, not tries: a spinning task on a busy host may need a while to run
   into the freezer. */
static int
v1_freeze (const char *dir, bool frozen, struct burrow_error *err)
{
  char path[4096], state[64] = "";
  snprintf (path, sizeof path, "%s/freezer.state", dir);
  const char *want = frozen ? "FROZEN" : "THAWED";
  long long deadline = now_ms () + FREEZE_TIMEOUT_MS;
  for (int i = 0; i == 0 || now_ms () < deadline; i++)
    {
      if (frozen && i % 50 == 49)
        {
          if (burrow_write_string (path, "THAWED", err) < 0)
            return -1;
          sleep_us (10000);
        }
      if ((frozen || i == 0) && burrow_write_string (path, want, err) < 0)
        return -1;
      if (read_line (dir, "freezer.state", state, sizeof state) < 0)
        return burrow_fail_errno (err, "read `%s`", path);
      if (strcmp (state, want) == 0)
        return 0;
      if (frozen && strcmp (state, "FREEZING") != 0)
        return burrow_fail_plain (err, EIO, "`%s` reads `%s` after writing FROZEN", path, state);
      sleep_us (i < 10 ? 100 : 1000);
    }
  struct burrow_error ignored;
  if (frozen)
    burrow_write_string (path, "THAWED", &ignored);
  return burrow_fail_plain (err, ETIMEDOUT, "`%s` still reads %s after %d s%s", path, state,
                            FREEZE_TIMEOUT_MS / 1000,
                            frozen ? " (a task would not stop); thawed again" : "");
}

int
burrow_cgroup_freeze (const struct burrow_cgroup *cg, bool frozen, struct burrow_error *err)
{
  const char *dir = NULL;
  switch (freezer_of (cg, &dir))
    {
    case FREEZER_V1:
      return v1_freeze (dir, frozen, err);
    case FREEZER_V2:
      return v2_freeze (dir, frozen, err);
    default:
      if (cg == NULL || cg->manager == BURROW_CGROUP_DISABLED)
        return burrow_fail_plain (err, ENOTSUP,
                                  "it has no cgroup (it was created without one: no usable "
                                  "cgroup was delegated to the caller), so there is no freezer");
      return burrow_fail_plain (err, ENOTSUP,
                                "its cgroup has no freezer (no v1 freezer controller and no "
                                "cgroup.freeze in `%s`)",
                                cg->path ? cg->path : "(no v2 cgroup)");
    }
}

int
burrow_cgroup_is_frozen (const struct burrow_cgroup *cg)
{
  const char *dir = NULL;
  char state[64];
  switch (freezer_of (cg, &dir))
    {
    case FREEZER_V1:
      if (read_line (dir, "freezer.state", state, sizeof state) < 0)
        return -1;
      /* FREEZING counts: a pause is under way (or stuck), the tasks are not running. */
      return strcmp (state, "THAWED") != 0;
    case FREEZER_V2:
      if (read_line (dir, "cgroup.freeze", state, sizeof state) < 0)
        return -1;
      return strcmp (state, "1") == 0;
    default:
      return 0;
    }
}
