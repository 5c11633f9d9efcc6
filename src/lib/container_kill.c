/* container_kill.c: `kill`: signals go through a pidfd checked against the recorded
   start time, so a pid the kernel has reused is never signalled. */
#include "config.h"
#include "container.h"

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

/* --all: every process in the init's pid namespace (the init itself last). */
static int
kill_all_in_pidns (pid_t init, int signo)
{
  char path[64];
  struct stat ns;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", init);
  if (stat (path, &ns) < 0)
    return -1;
  cleanup_dir DIR *proc = opendir ("/proc");
  if (proc == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir (proc)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || pid <= 0 || pid == init)
        continue;
      struct stat other;
      snprintf (path, sizeof path, "/proc/%ld/ns/pid", pid);
      if (stat (path, &other) < 0 || other.st_ino != ns.st_ino || other.st_dev != ns.st_dev)
        continue;
      int fd = syscall (SYS_pidfd_open, (pid_t)pid, 0);
      if (fd >= 0)
        {
          send_signal (fd, signo);
          close (fd);
        }
    }
  return 0;
}

int
burrow_container_kill (struct burrow_context *ctx, const char *id, int signo, bool all,
                       struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  cleanup_close int pidfd = -1;
  int ret = -1;
  if (burrow_state_open (ctx, id, false, &d, err) < 0 || burrow_state_read (&d, &st, err) < 0)
    goto out;
  pidfd = burrow_state_pidfd (&st);
  if (pidfd < 0)
    {
      burrow_fail_plain (err, ESRCH, "container `%s` is not running", id);
      goto out;
    }
  if (all && st.pid_ns)
    kill_all_in_pidns (st.pid, signo);
  if (send_signal (pidfd, signo) < 0)
    {
      burrow_fail_errno (err, "kill container `%s` with signal %d", id, signo);
      goto out;
    }
  ret = 0;
out:
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}
