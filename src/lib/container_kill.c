/* container_kill.c: `kill`: signals go through a pidfd checked against the recorded
   start time, so a pid the kernel has reused is never signalled. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
send_signal (int pidfd, int signo)
{
  return syscall (SYS_pidfd_send_signal, pidfd, signo, NULL, 0);
}

/* --all: every process of the container but the init, which the caller signals last. */
static void
kill_all_others (const struct burrow_state *st, int signo)
{
  pid_t *pids = NULL;
  size_t n = 0;
  if (burrow_state_pids (st, &pids, &n) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      if (pids[i] == st->pid)
        continue;
      int fd = syscall (SYS_pidfd_open, pids[i], 0);
      if (fd >= 0)
        {
          send_signal (fd, signo);
          close (fd);
        }
    }
  free (pids);
}

int
burrow_container_kill (struct burrow_context *ctx, const char *id, int signo, bool all,
                       struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  cleanup_close int pidfd = -1;
  int ret = -1;
  pidfd = burrow_open_live (ctx, id, &d, &st, err);
  if (pidfd < 0)
    goto out;
  struct burrow_cgroup cg = { 0 };
  if (all && burrow_cgroup_from_state (st.cgroup_json, &cg, err) < 0)
    goto out;
  /* --all with a cgroup: everything in it at once (cgroup.kill for SIGKILL), the init
     included; a process that forked away from the init is still found. */
  if (all && cg.manager != BURROW_CGROUP_DISABLED)
    {
      ret = burrow_cgroup_kill_all (&cg, signo, err);
      burrow_cgroup_release (&cg);
      goto out;
    }
  if (all)
    kill_all_others (&st, signo);
  if (send_signal (pidfd, signo) < 0)
    {
      burrow_fail_errno (err, "kill container `%s` with signal %d", id, signo);
      goto out;
    }
  ret = 0;
out:
  /* As runc: a paused container that gets SIGKILL is thawed, or (v1 freezer) it would
     not die until someone resumed it. */
  if (ret == 0 && signo == SIGKILL)
    burrow_state_thaw (&st);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}
