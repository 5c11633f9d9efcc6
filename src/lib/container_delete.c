/* container_delete.c: `delete`: a stopped or created container goes; a running one only
   with --force, killed and waited for first. Afterwards nothing of it is left. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "hooks.h"
#include "network.h"
#include "rootfs_overlay.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KILL_WAIT_MS 10000

static int
kill_and_wait (const struct burrow_state *st, const char *id, struct burrow_error *err)
{
  cleanup_close int pidfd = burrow_state_pidfd (st);
  if (pidfd < 0)
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return burrow_fail_errno (err, "delete `%s`: kill its init", id);
  burrow_state_thaw (st); /* pause: a frozen init would never see the SIGKILL */
  if (burrow_pidfd_wait_exit (pidfd, KILL_WAIT_MS) < 0)
    return burrow_fail_plain (err, ETIMEDOUT, "delete `%s`: its init did not exit after SIGKILL",
                              id);
  return 0;
}

/* Whatever is still in the cgroup is killed, then the cgroup (or unit) goes. A failure
   keeps the state, so a second delete can retry. */
static int
remove_cgroup (const struct burrow_state *st, const char *id, struct burrow_error *err)
{
  struct burrow_cgroup cg;
  int r = burrow_cgroup_from_state (st->cgroup_json, &cg, err);
  if (r == 0)
    r = burrow_cgroup_destroy (&cg, err);
  burrow_cgroup_release (&cg);
  return r < 0 ? burrow_error_prefix (err, "delete `%s`", id) : 0;
}

int
burrow_container_delete (struct burrow_context *ctx, const char *id, bool force,
                         struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  int ret = -1;
  if (burrow_state_open (ctx, id, true, &d, err) < 0)
    {
      /* runc: deleting what is not there is fine when forced. */
      if (force && err->errnum == ENOENT)
        ret = 0;
      goto out;
    }
  if (burrow_state_read (&d, &st, err) < 0)
    {
      /* We hold the lock, so no create is running: a directory without state is what a
         create that died half-way left. */
      if (err->errnum != ENOENT)
        goto out;
      ret = burrow_state_dir_remove (&d, err);
      goto out;
    }
  enum burrow_status s = burrow_container_status (&d, &st);
  bool paused = s != BURROW_STATUS_STOPPED && burrow_state_paused (&st);
  if ((s == BURROW_STATUS_RUNNING || paused) && !force)
    {
      burrow_fail_plain (err, EBUSY,
                         "cannot delete container `%s` that is not stopped: it is "
                         "%s (stop it first, or use --force)",
                         id, paused ? "paused" : "running");
      goto out;
    }
  if (s != BURROW_STATUS_STOPPED && kill_and_wait (&st, id, err) < 0)
    goto out;
  if (remove_cgroup (&st, id, err) < 0)
    goto out;
  burrow_network_stop_recorded (st.network_json);
  burrow_saved_hooks_run (&d, &st, BURROW_HOOK_POSTSTOP, "stopped", 0, true, err);
  if (burrow_overlay_teardown (ctx, &d, err) < 0 || burrow_state_dir_remove (&d, err) < 0)
    {
      burrow_error_prefix (err, "delete `%s`", id);
      goto out;
    }
  ret = 0;
out:
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}
