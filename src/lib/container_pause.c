/* container_pause.c: `pause` and `resume`: the freezer of the cgroup recorded at create
   stops and restarts every process of the container; and the step pause, resume, update
   and events share: a live container together with its cgroup. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int
burrow_open_live_cgroup (struct burrow_context *ctx, const char *id, const char *verb,
                         struct burrow_state_dir *d, struct burrow_state *st,
                         struct burrow_cgroup *cg, struct burrow_error *err)
{
  memset (cg, 0, sizeof *cg);
  cg->manager = BURROW_CGROUP_DISABLED;
  int pidfd = burrow_open_live (ctx, id, d, st, err);
  if (pidfd < 0)
    {
      if (err->errnum == ESRCH)
        burrow_fail_plain (err, ESRCH, "cannot %s container `%s`: it is not running", verb, id);
      return -1;
    }
  if (burrow_cgroup_from_state (st->cgroup_json, cg, err) < 0)
    {
      close (pidfd);
      return burrow_error_prefix (err, "container `%s`: state.json", id);
    }
  if (cg->manager == BURROW_CGROUP_DISABLED)
    {
      close (pidfd);
      return burrow_fail_plain (err, ENOTSUP,
                                "cannot %s container `%s`: it has no cgroup (it was created "
                                "without one: no usable cgroup was delegated to the caller)",
                                verb, id);
    }
  return pidfd;
}

static int
pause_or_resume (struct burrow_context *ctx, const char *id, bool pause, struct burrow_error *err)
{
  const char *verb = pause ? "pause" : "resume";
  struct burrow_state_dir d = { .fd = -1 };
  struct burrow_state st = { 0 };
  struct burrow_cgroup cg;
  int ret = -1;
  cleanup_close int pidfd = burrow_open_live_cgroup (ctx, id, verb, &d, &st, &cg, err);
  if (pidfd < 0)
    goto out;
  int frozen = burrow_cgroup_is_frozen (&cg);
  if (frozen < 0)
    {
      burrow_fail_errno (err, "%s container `%s`: read its freezer state", verb, id);
      goto out;
    }
  if (pause && frozen)
    {
      burrow_fail_plain (err, EINVAL, "cannot pause container `%s`: it is already paused", id);
      goto out;
    }
  if (!pause && !frozen)
    {
      burrow_fail_plain (err, EINVAL, "cannot resume container `%s`: it is not paused", id);
      goto out;
    }
  if (burrow_cgroup_freeze (&cg, pause, err) < 0)
    {
      burrow_error_prefix (err, "cannot %s container `%s`", verb, id);
      goto out;
    }
  ret = 0;
out:
  burrow_cgroup_release (&cg);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return ret;
}

int
burrow_container_pause (struct burrow_context *ctx, const char *id, struct burrow_error *err)
{
  return pause_or_resume (ctx, id, true, err);
}

int
burrow_container_resume (struct burrow_context *ctx, const char *id, struct burrow_error *err)
{
  return pause_or_resume (ctx, id, false, err);
}

void
burrow_state_thaw (const struct burrow_state *st)
{
  struct burrow_cgroup cg;
  struct burrow_error ignored;
  if (st->cgroup_json == NULL || burrow_cgroup_from_state (st->cgroup_json, &cg, &ignored) < 0)
    return;
  if (burrow_cgroup_is_frozen (&cg) == 1)
    burrow_cgroup_freeze (&cg, false, &ignored);
  burrow_cgroup_release (&cg);
}
