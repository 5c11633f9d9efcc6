/* init_sequence.c: the container's init, from clone to execve.
   Before SYNC_READY an error travels to `create` over the sync socket; after it, the init
   waits on the exec fifo, and an error travels to `start` through that fifo. */
#include "config.h"
#include "init_sequence.h"

#include "capabilities.h"
#include "cleanup.h"
#include "error.h"
#include "container.h"
#include "file_io.h"
#include "hooks.h"
#include "mounts.h"
#include "path_in_rootfs.h"
#include "process_attrs.h"
#include "rootfs_overlay.h"
#include "state_store.h"
#include "sync_protocol.h"
#include "sysctl.h"
#include "terminal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static bool
maps_root (const struct burrow_id_mapping *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].container_id == 0)
      return true;
  return false;
}

/* Become root of the new user namespace, so the set-up runs with its full capabilities. */
static int
become_ns_root (struct burrow_init_args *a, struct burrow_error *err)
{
  const struct burrow_linux *l = &a->spec->linux_;
  if (!a->new_userns)
    return 0;
  if (maps_root (l->gid_mappings, l->n_gid_mappings) && setresgid (0, 0, 0) < 0)
    return burrow_fail_errno (err, "setresgid 0 in the user namespace");
  if (maps_root (l->uid_mappings, l->n_uid_mappings) && setresuid (0, 0, 0) < 0)
    return burrow_fail_errno (err, "setresuid 0 in the user namespace");
  if (a->setgroups_allowed && setgroups (0, NULL) < 0)
    return burrow_fail_errno (err, "setgroups in the user namespace");
  return 0;
}

static int
join_namespaces (const struct burrow_spec *spec, struct burrow_error *err)
{
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    {
      const struct burrow_namespace *ns = &spec->linux_.namespaces[t];
      if (!ns->present || ns->path == NULL)
        continue;
      cleanup_close int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return burrow_fail_errno (err, "open %s namespace `%s`", burrow_ns_name (t), ns->path);
      if (setns (fd, burrow_ns_clone_flag (t)) < 0)
        return burrow_fail_errno (err, "join %s namespace `%s`", burrow_ns_name (t), ns->path);
    }
  return 0;
}

/* A hook's view of the container from inside: the pid is ours, as the container sees it. */
static int
run_hooks_here (const struct burrow_init_args *a, enum burrow_hook_kind kind, const char *status,
                struct burrow_error *err)
{
  if (!burrow_hooks_has (a->spec->hooks, kind))
    return 0;
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive (a->spec->json, "annotations");
  cleanup_free char *state
      = burrow_hook_state_json (a->opts->id, status, getpid (), a->spec->bundle, ann);
  return burrow_hooks_run (a->spec->hooks, kind, state, err);
}

/* Mounts done, before pivot_root: the runtime's prestart and createRuntime hooks (it runs
   them while we wait), then createContainer here, in the container's namespaces. */
static int
run_container_hooks (struct burrow_init_args *a, struct burrow_error *err)
{
  const cJSON *h = a->spec->hooks;
  if (burrow_hooks_has (h, BURROW_HOOK_PRESTART)
      || burrow_hooks_has (h, BURROW_HOOK_CREATE_RUNTIME))
    {
      if (burrow_sync_send (a->sync_fd, SYNC_HOOKS, 0, NULL) < 0)
        return burrow_fail_errno (err, "ask the runtime to run its hooks");
      struct burrow_sync_msg m;
      if (burrow_sync_recv (a->sync_fd, &m) < 0 || m.type != SYNC_HOOKS_DONE)
        return burrow_fail_plain (err, EPROTO, "the runtime's hooks did not complete");
    }
  return run_hooks_here (a, BURROW_HOOK_CREATE_CONTAINER, "creating", err);
}

static int
setup_root (struct burrow_init_args *a, struct burrow_error *err)
{
  const struct burrow_spec *spec = a->spec;
  /* Before every other mount: they all go onto the overlay. */
  if (burrow_overlay_mount_init (a->overlay, spec, a->sync_fd, err) < 0)
    return -1;
  cleanup_close int rootfd = burrow_rootfs_prepare (spec, err);
  if (rootfd < 0)
    return -1;
  struct burrow_mount_env env = {
    .spec = spec, .rootfd = rootfd, .rootless = a->rootless_mounts, .idmap_fds = a->idmap_fds
  };
  if (burrow_mounts_apply (&env, err) < 0 || burrow_devices_setup (&env, err) < 0)
    return -1;
  if (run_container_hooks (a, err) < 0 || burrow_rootfs_pivot (spec, a->opts->no_pivot, err) < 0)
    return -1;
  if (a->console_fd >= 0 && burrow_terminal_setup (a->console_fd, &spec->process, err) < 0)
    return -1;
  /* Before rootfs_finish: /proc/sys is among the default read-only paths. */
  if (burrow_sysctl_apply (spec, err) < 0)
    return -1;
  return burrow_rootfs_finish (spec, err);
}

/* Everything up to SYNC_READY. Returns the program's path. */
static int
prepare (struct burrow_init_args *a, char **exe, struct burrow_error *err)
{
  const struct burrow_spec *spec = a->spec;
  struct burrow_sync_msg m;
  if (burrow_sync_recv (a->sync_fd, &m) < 0 || m.type != SYNC_MAPS_DONE)
    return burrow_fail_plain (err, EPROTO, "the runtime went away during set-up");
  a->host_pid = m.errnum;
  if (become_ns_root (a, err) < 0 || join_namespaces (spec, err) < 0)
    return -1;
  if (a->unshare_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    return burrow_fail_errno (err, "create the cgroup namespace");
  if (burrow_set_rlimits (&spec->process, err) < 0
      || burrow_sched_apply_initial (&a->sched, err) < 0
      || burrow_time_offsets_apply (&a->time_offsets, err) < 0)
    return -1;
  if (!a->opts->no_new_keyring)
    {
      /* A fresh session keyring, so the container cannot see the caller's keys. The
         call fails harmlessly where keyrings are not namespaced for us. */
      syscall (SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, a->opts->id);
    }
  if (setup_root (a, err) < 0)
    return -1;
  if (burrow_set_hostname (spec, err) < 0)
    return -1;
  if (burrow_chdir_in_root (spec->process.cwd, err) < 0)
    return -1;
  if (burrow_find_executable (&spec->process, exe, err) < 0
      || burrow_check_not_self (*exe, a->self_exe_fd, err) < 0)
    return -1;
  return burrow_set_process_misc (&spec->process, err);
}

/* Open the exec fifo for writing: through /proc/self/fd (needs only the fifo's own
   permission), else through the state directory when the container has no /proc.
   With O_NONBLOCK this is the probe run before ready: ENXIO (no reader yet) means the
   blocking open after ready will work. */
static int
open_exec_fifo (int fifo_fd, int dirfd, int flags)
{
  char p[32];
  burrow_fd_path (fifo_fd, p);
  int fd = open (p, O_WRONLY | O_CLOEXEC | flags);
  if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR))
    return fd;
  return openat (dirfd, BURROW_EXEC_FIFO, O_WRONLY | O_CLOEXEC | flags);
}

static int
check_exec_fifo (int fifo_fd, int dirfd, struct burrow_error *err)
{
  int fd = open_exec_fifo (fifo_fd, dirfd, O_NONBLOCK);
  if (fd >= 0)
    close (fd);
  else if (errno != ENXIO)
    return burrow_fail_errno (err, "the container's root cannot open the exec fifo");
  return 0;
}

/* What a seccomp agent receives with the listener: runc's ContainerProcessState. */
static char *
agent_payload (const struct burrow_init_args *a)
{
  if (a->seccomp_listener_fd < 0)
    return NULL;
  cJSON *st = cJSON_CreateObject ();
  cJSON_AddStringToObject (st, "ociVersion", "1.2.0");
  cJSON_AddStringToObject (st, "id", a->opts->id);
  cJSON_AddStringToObject (st, "status", "created");
  cJSON_AddNumberToObject (st, "pid", a->host_pid);
  cJSON_AddStringToObject (st, "bundle", a->spec->bundle);
  char *state = cJSON_PrintUnformatted (st);
  cJSON_Delete (st);
  char *payload = NULL;
  struct burrow_error ignored;
  burrow_seccomp_process_state_json (a->host_pid, burrow_seccomp_listener_metadata (a->seccomp),
                                     state, &payload, &ignored);
  free (state);
  return payload;
}

/* From the opened fifo on: identity, capabilities, fds, exec. */
static int
finish_and_exec (struct burrow_init_args *a, const char *exe, struct burrow_error *err)
{
  const struct burrow_process *p = &a->spec->process;
  /* The exec label is set while we still have every capability of the namespace. */
  cleanup_free char *payload = agent_payload (a);
  if (burrow_lsm_apply (&a->lsm, err) < 0 || burrow_caps_prepare (&p->caps, err) < 0)
    return -1;
  /* Without no_new_privs the filter needs CAP_SYS_ADMIN: load it while we have it (the
     profile must then allow the few calls left: setresuid, capset, prctl, execve). */
  if (!p->no_new_privileges
      && burrow_seccomp_apply (a->seccomp, a->seccomp_listener_fd, payload, err) < 0)
    return -1;
  if (burrow_set_identity (p, a->setgroups_allowed || !a->new_userns, err) < 0)
    return -1;
  if (burrow_caps_apply (&p->caps, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return burrow_fail_errno (err, "set no_new_privs");
  if (burrow_personality_apply (a->personality, err) < 0
      || burrow_sched_apply_final (&a->sched, err) < 0)
    return -1;

  if (burrow_prepare_exec_fds (a->opts->preserve_fds, err) < 0)
    return -1;
  /* With no_new_privs, as late as it can be: only sigprocmask and execve follow. */
  if (p->no_new_privileges
      && burrow_seccomp_apply (a->seccomp, a->seccomp_listener_fd, payload, err) < 0)
    return -1;

  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  execve (exe, p->args, p->env);
  return burrow_fail_errno (err, "exec `%s`", p->args[0]);
}

void
burrow_init_main (struct burrow_init_args *a)
{
  struct burrow_error err = { 0 };
  int min = 3 + (int)a->opts->preserve_fds;
  cleanup_free char *exe = NULL;

  /* Until ready, the init must not outlive the runtime that is setting it up. */
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  a->self_exe_fd = burrow_move_fd_above (open ("/proc/self/exe", O_PATH | O_CLOEXEC), min);
  a->sync_fd = burrow_move_fd_above (a->sync_fd, min);
  a->console_fd = burrow_move_fd_above (a->console_fd, min);
  a->seccomp_listener_fd = burrow_move_fd_above (a->seccomp_listener_fd, min);
  /* A new open file description: the runtime's one carries its flock. */
  int dirfd = openat (a->state_dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  close (a->state_dirfd);
  dirfd = burrow_move_fd_above (dirfd, min);

  a->fifo_fd = burrow_move_fd_above (a->fifo_fd, min);

  if (dirfd < 0)
    burrow_fail_errno (&err, "open state directory");
  if (dirfd < 0 || prepare (a, &exe, &err) < 0 || check_exec_fifo (a->fifo_fd, dirfd, &err) < 0)
    {
      burrow_sync_send_error (a->sync_fd, &err);
      _exit (1);
    }
  if (a->console_fd >= 0)
    close (a->console_fd);
  prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
  /* Until execve replaces it, this process's exe is the host's burrow binary: while it
     waits for start, keep its /proc/PID files (exe among them) closed to others. Not
     earlier: the runtime writes our uid_map, and we write /proc/self files. execve
     resets it. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (burrow_sync_send (a->sync_fd, SYNC_READY, 0, NULL) < 0)
    _exit (1);
  close (a->sync_fd);

  int fifo;
  do
    fifo = open_exec_fifo (a->fifo_fd, dirfd, 0);
  while (fifo < 0 && errno == EINTR);
  if (fifo < 0)
    _exit (1);
  close (dirfd);
  close (a->fifo_fd);
  fifo = burrow_move_fd_above (fifo, min);

  if (run_hooks_here (a, BURROW_HOOK_START_CONTAINER, "created", &err) == 0)
    finish_and_exec (a, exe, &err);
  burrow_write_all (fifo, err.msg, strlen (err.msg));
  _exit (127);
}
