/* spawn.c: the runtime's half of create: one clone3 into all new namespaces at once (so
   they are owned by the new user namespace), then the id maps, then the wait for ready. */
#include "config.h"
#include "init_spawn.h"

#include "cleanup.h"
#include "container.h"
#include "error.h"
#include "hooks.h"
#include "network.h"
#include "sync_protocol.h"
#include "userns.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static pid_t
clone_init (int flags, int cgroup_fd, int *pidfd)
{
  struct clone_args args = {
    .flags = (uint64_t)flags | CLONE_PIDFD,
    .pidfd = (uint64_t)(uintptr_t)pidfd,
    .exit_signal = SIGCHLD,
  };
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = cgroup_fd;
    }
  pid_t pid = syscall (SYS_clone3, &args, sizeof args);
  /* Not born in the cgroup (older kernel, a cgroup clone3 refuses): the runtime moves
     the init there before it goes on. */
  if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS)
    {
      args.flags &= ~CLONE_INTO_CGROUP;
      args.cgroup = 0;
      pid = syscall (SYS_clone3, &args, sizeof args);
    }
  if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
    return pid;
  /* Kernels before 5.3: clone(2) like fork, then a pidfd of our own. */
  pid = syscall (SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
  if (pid > 0)
    *pidfd = syscall (SYS_pidfd_open, pid, 0);
  return pid;
}

static void
reap (pid_t pid, int pidfd)
{
  syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* prestart and createRuntime: in the runtime's namespaces, once the init has made its
   mounts and before it pivots (it waits for SYNC_HOOKS_DONE). */
static int
run_runtime_hooks (struct burrow_init_args *a, pid_t pid, struct burrow_error *err)
{
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive (a->spec->json, "annotations");
  cleanup_free char *state
      = burrow_hook_state_json (a->opts->id, "creating", pid, a->spec->bundle, ann);
  if (burrow_hooks_run (a->spec->hooks, BURROW_HOOK_PRESTART, state, err) < 0
      || burrow_hooks_run (a->spec->hooks, BURROW_HOOK_CREATE_RUNTIME, state, err) < 0)
    return -1;
  return 0;
}

static int
await_ready (struct burrow_init_args *a, int fd, pid_t pid, struct burrow_error *err)
{
  for (;;)
    {
      struct burrow_sync_msg m;
      if (burrow_sync_recv (fd, &m) < 0)
        {
          if (errno == ECONNRESET)
            return burrow_fail_plain (err, ECONNRESET,
                                      "the container's init exited before it was ready");
          return burrow_fail_errno (err, "read from the container's init");
        }
      /* The network helper was started with the id maps; it must be up before any
         runtime hook and before create returns. */
      if ((m.type == SYNC_READY || m.type == SYNC_HOOKS) && a->network
          && burrow_network_wait_ready (a->network, err) < 0)
        return -1;
      if (m.type == SYNC_READY)
        return 0;
      if (m.type == SYNC_ERROR)
        return burrow_fail_plain (err, m.errnum, "%s", m.msg);
      if (m.type == SYNC_OVERLAY_FUSE && a->overlay)
        {
          if (m.msg[0])
            burrow_log (BURROW_LOG_DEBUG, "overlay: using FUSE: %s", m.msg);
          if (burrow_overlay_serve_fuse (a->overlay, fd, pid, a->new_userns, a->setgroups_allowed,
                                         err)
              < 0)
            return -1;
          continue;
        }
      if (m.type != SYNC_HOOKS)
        return burrow_fail_plain (err, EPROTO, "the init sent message %u", m.type);
      if (run_runtime_hooks (a, pid, err) < 0
          || burrow_sync_send (fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
        return -1;
    }
}

int
burrow_spawn_init (struct burrow_init_args *a, struct burrow_spawned *out, struct burrow_error *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return burrow_fail_errno (err, "create sync socket");
  cleanup_close int parent_end = sv[0];
  a->sync_fd = sv[1];

  int pidfd = -1;
  pid_t pid = clone_init (a->clone_flags, a->cgroup_fd, &pidfd);
  if (pid < 0)
    {
      int e = errno;
      close (sv[1]);
      if (e == EPERM || e == ENOSPC || e == EUSERS)
        return burrow_fail (err, e,
                            "create the container's namespaces (unprivileged user "
                            "namespaces disabled? see /proc/sys/user/max_user_namespaces)");
      return burrow_fail (err, e, "clone the container's init");
    }
  if (pid == 0)
    {
      close (parent_end);
      burrow_init_main (a);
    }
  close (sv[1]);
  a->sync_fd = -1;

  if (a->new_userns && burrow_userns_write_maps (a->ctx, pid, a->spec, err) < 0)
    {
      reap (pid, pidfd);
      close (pidfd);
      return burrow_error_prefix (err, "user namespace");
    }
  if (a->cgroup && burrow_cgroup_enter (a->cgroup, pid, a->spec, err) < 0)
    {
      reap (pid, pidfd);
      close (pidfd);
      return burrow_error_prefix (err, "cgroup");
    }
  if ((a->network && burrow_network_start (a->network, pid, err) < 0)
      || burrow_sync_send (parent_end, SYNC_MAPS_DONE, pid, NULL) < 0
      || await_ready (a, parent_end, pid, err) < 0)
    {
      if (err->msg[0] == '\0')
        burrow_fail_errno (err, "talk to the container's init");
      reap (pid, pidfd);
      close (pidfd);
      return -1;
    }
  out->pid = pid;
  out->pidfd = pidfd;
  return 0;
}
