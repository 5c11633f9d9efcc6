/* test_cgroup_oom.c: the v2 OOM notice logic on a sample memory.events (a regular file
   also reports IN_MODIFY): only a rise of oom_kill counts, other changes do not; no
   memory controller means no notices (fd -1), not an error. */
#include "config.h"
#include "cgroup.h"

#include "tap.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/burrow-test-cgoom.XXXXXX";

static void
events (const char *text)
{
  char path[256];
  snprintf (path, sizeof path, "%s/memory.events", dir);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    exit (1);
  fputs (text, f);
  fclose (f);
}

static bool
readable (int fd)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  return poll (&p, 1, 1000) == 1;
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    return 1;
  struct burrow_cgroup cg = { .manager = BURROW_CGROUP_CGROUPFS, .version = 2, .path = dir };
  struct burrow_cgroup_oom w;
  struct burrow_error err = { 0 };

  ok (burrow_cgroup_oom_open (&cg, &w, &err) == 0 && w.fd == -1,
      "no memory.events: no notices, no error");
  burrow_cgroup_oom_close (&w);

  events ("low 0\nhigh 0\nmax 0\noom 0\noom_kill 2\n");
  ok (burrow_cgroup_oom_open (&cg, &w, &err) == 0 && w.fd >= 0, "watching memory.events");
  events ("low 0\nhigh 0\nmax 5\noom 0\noom_kill 2\n");
  ok (readable (w.fd) && burrow_cgroup_oom_read (&w) == 0,
      "a change of another counter is no OOM (kills before the watch are not counted)");
  events ("low 0\nhigh 0\nmax 6\noom 1\noom_kill 3\n");
  ok (readable (w.fd) && burrow_cgroup_oom_read (&w) == 1, "oom_kill 2 -> 3: one OOM");
  events ("low 0\nhigh 0\nmax 9\noom 3\noom_kill 5\n");
  ok (readable (w.fd) && burrow_cgroup_oom_read (&w) == 2, "oom_kill 3 -> 5: two OOMs");
  burrow_cgroup_oom_close (&w);
  ok (w.fd == -1, "closed");

  cg.manager = BURROW_CGROUP_DISABLED;
  ok (burrow_cgroup_oom_open (&cg, &w, &err) == 0 && w.fd == -1, "no cgroup: no notices");

  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    printf ("# could not remove %s\n", dir);
  return tap_done ();
}
