/* container_create.c: `create`: validate everything, claim the id, spawn the init, record
   it. Any failure after the claim removes what was made: the init, the state directory. */
#include "config.h"
#include "container.h"

#include "capabilities.h"
#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "hooks.h"
#include "seccomp_filter.h"
#include "idmapped_mounts.h"
#include "init_spawn.h"
#include "network.h"
#include "sysctl.h"
#include "process_attrs.h"
#include "rootfs_overlay.h"
#include "terminal.h"
#include "userns.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int
check_supported (const struct burrow_spec *spec, struct burrow_error *err)
{
  const struct burrow_namespace *ns = spec->linux_.namespaces;
  if (!ns[BURROW_NS_MOUNT].present)
    return burrow_fail_plain (err, EINVAL,
                              "linux.namespaces: a mount namespace is required "
                              "(add {\"type\": \"mount\"})");
  if (ns[BURROW_NS_MOUNT].path)
    return burrow_fail_plain (err, ENOTSUP,
                              "linux.namespaces: joining an existing mount namespace "
                              "is not supported: the rootfs must be set up in a new one");
  if ((ns[BURROW_NS_USER].present && ns[BURROW_NS_USER].path)
      || (ns[BURROW_NS_PID].present && ns[BURROW_NS_PID].path))
    return burrow_fail_plain (err, ENOTSUP,
                              "linux.namespaces: joining an existing user or pid "
                              "namespace by path is not supported yet");
  return 0;
}

/* The parts parsed by their own files, checked once here so a bad value is an error
   before the state directory exists. */
static int
check_parsed_parts (const struct burrow_spec *spec, struct burrow_error *err)
{
  struct burrow_sched sched;
  struct burrow_time_offsets t;
  long persona;
  if (burrow_sched_parse (&spec->process, &sched, err) < 0
      || burrow_time_offsets_parse (spec, &t, err) < 0
      || burrow_personality_parse (spec, &persona, err) < 0)
    return -1;
  return 0;
}

static int
clone_flags_of (const struct burrow_spec *spec)
{
  int flags = 0;
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    if (spec->linux_.namespaces[t].present && spec->linux_.namespaces[t].path == NULL)
      flags |= burrow_ns_clone_flag (t);
  return flags;
}

/* *fd is -1 when the container has no terminal. */
static int
open_console (const struct burrow_spec *spec, const struct burrow_create_opts *opts,
              int run_console_fd, int *fd, struct burrow_error *err)
{
  *fd = -1;
  if (!spec->process.terminal)
    {
      if (opts->console_socket)
        return burrow_fail_plain (err, EINVAL,
                                  "--console-socket given but process.terminal is "
                                  "false: there is no terminal to send");
      return 0;
    }
  if (opts->console_socket)
    *fd = burrow_console_connect (opts->console_socket, err);
  else if (run_console_fd >= 0 && (*fd = fcntl (run_console_fd, F_DUPFD_CLOEXEC, 3)) < 0)
    burrow_fail_errno (err, "terminal");
  if (opts->console_socket || run_console_fd >= 0)
    return *fd < 0 ? -1 : 0;
  return burrow_fail_plain (err, EINVAL,
                            "process.terminal is true but no --console-socket was "
                            "given: the container's terminal would have nowhere to go");
}

static int
record (struct burrow_context *ctx, const struct burrow_state_dir *d,
        const struct burrow_spec *spec, const struct burrow_spawned *sp,
        const struct burrow_cgroup *cg, const struct burrow_network *net, struct burrow_error *err)
{
  struct burrow_state st = {
    .oci_version = spec->oci_version,
    .id = d->id,
    .pid = sp->pid,
    .bundle = spec->bundle,
    .rootfs = spec->rootfs,
    .rootless = ctx->rootless,
    .pid_ns = spec->linux_.namespaces[BURROW_NS_PID].present,
  };
  if (burrow_pid_start_time (sp->pid, &st.pid_start) < 0)
    return burrow_fail_plain (err, ESRCH, "the container's init exited during create");
  cleanup_free char *created = burrow_now_rfc3339 ();
  cleanup_free char *ann = NULL;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive (spec->json, "annotations");
  if (cJSON_IsObject (a))
    ann = cJSON_PrintUnformatted (a);
  st.created = created;
  st.annotations_json = ann;
  cJSON *cgj = burrow_cgroup_to_json (cg);
  cleanup_free char *cg_text = cgj ? cJSON_PrintUnformatted (cgj) : NULL;
  cJSON_Delete (cgj);
  st.cgroup_json = cg_text;
  cleanup_free char *network = burrow_network_state_json (net);
  st.network_json = network;
  return burrow_state_write (d, &st, err);
}

static int
write_pid_file (const char *path, pid_t pid, struct burrow_error *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  cleanup_free char *abs = NULL;
  if (path[0] != '/')
    {
      cleanup_free char *cwd = getcwd (NULL, 0);
      if (cwd == NULL || asprintf (&abs, "%s/%s", cwd, path) < 0)
        return burrow_fail_errno (err, "pid file `%s`", path);
    }
  if (burrow_write_file_atomic (abs ? abs : path, buf, n, 0644, err) < 0)
    return burrow_error_prefix (err, "pid file");
  return 0;
}

/* poststart and poststop run from later commands; config.json may have changed by then,
   so they come from this copy. */
static int
save_hooks (const struct burrow_state_dir *d, const struct burrow_spec *spec,
            struct burrow_error *err)
{
  if (spec->hooks == NULL)
    return 0;
  cleanup_free char *text = cJSON_PrintUnformatted (spec->hooks);
  cleanup_free char *path = NULL;
  if (text == NULL || asprintf (&path, "%s/%s", d->path, BURROW_HOOKS_FILE) < 0)
    return burrow_fail (err, ENOMEM, "save hooks");
  return burrow_write_file_atomic (path, text, strlen (text), 0600, err);
}

/* A create that failed after the claim is torn down like a delete: poststop hooks run
   (failures only warned about), as the runtime-spec's lifecycle says. */
static void
run_poststop_after_failure (const struct burrow_create_opts *opts, const struct burrow_spec *spec)
{
  if (!burrow_hooks_has (spec->hooks, BURROW_HOOK_POSTSTOP))
    return;
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive (spec->json, "annotations");
  cleanup_free char *state = burrow_hook_state_json (opts->id, "stopped", 0, spec->bundle, ann);
  burrow_hooks_run_warn (spec->hooks, BURROW_HOOK_POSTSTOP, state);
}

static int
create_in_dir (struct burrow_context *ctx, const struct burrow_create_opts *opts,
               struct burrow_spec *spec, struct burrow_state_dir *d, int console_fd,
               const int *idmap_fds, const struct burrow_seccomp *seccomp, int listener_fd,
               struct burrow_overlay_plan *overlay, struct burrow_spawned *sp,
               struct burrow_error *err)
{
  /* 0622: the container's root may map to a host uid that cannot search the 0700 state
     directory; it reopens the fifo through an fd instead, and nobody else can reach it. */
  if (mkfifoat (d->fd, BURROW_EXEC_FIFO, 0622) < 0
      || fchmodat (d->fd, BURROW_EXEC_FIFO, 0622, 0) < 0)
    return burrow_fail_errno (err, "create exec fifo");
  cleanup_close int fifo_fd = openat (d->fd, BURROW_EXEC_FIFO, O_PATH | O_CLOEXEC);
  if (fifo_fd < 0)
    return burrow_fail_errno (err, "open exec fifo");
  if (save_hooks (d, spec, err) < 0 || burrow_overlay_prepare (overlay, spec, d, err) < 0)
    return -1;
  bool new_userns = spec->linux_.namespaces[BURROW_NS_USER].present;
  if (!new_userns)
    burrow_caps_limit_to_own_bounding (&spec->process.caps);
  struct burrow_init_args a = {
    .ctx = ctx,
    .spec = spec,
    .opts = opts,
    .state_dirfd = d->fd,
    .fifo_fd = fifo_fd,
    .idmap_fds = idmap_fds,
    .seccomp = seccomp,
    .seccomp_listener_fd = listener_fd,
    .console_fd = console_fd,
    .clone_flags = clone_flags_of (spec),
    .new_userns = new_userns,
    .setgroups_allowed = !new_userns || !burrow_userns_setgroups_denied (ctx, spec),
    .rootless_mounts = ctx->rootless || new_userns,
    .overlay = overlay,
  };
  if (burrow_sched_parse (&spec->process, &a.sched, err) < 0
      || burrow_time_offsets_parse (spec, &a.time_offsets, err) < 0
      || burrow_personality_parse (spec, &a.personality, err) < 0)
    return -1;
  burrow_lsm_plan (&spec->process, &a.lsm);
  /* Offsets must be written before anyone enters the time namespace: the init makes it. */
  if (a.time_offsets.present)
    a.clone_flags &= ~CLONE_NEWTIME;
  /* Checked before the claim (burrow_network_plan in create): cannot fail here. */
  struct burrow_network net;
  if (burrow_network_plan (spec, &net, err) < 0)
    {
      burrow_network_release (&net);
      return -1;
    }
  net.state_path = d->path;
  a.network = net.enabled ? &net : NULL;
  /* The cgroup is made before the init exists, so the init can be born in it; a failed
     create removes it again. */
  struct burrow_cgroup cg;
  cleanup_close int cg_fd = -1;
  if (burrow_cgroup_prepare (ctx, opts->id, spec, &cg, &cg_fd, err) < 0)
    {
      burrow_network_release (&net);
      return -1;
    }
  a.cgroup = &cg;
  a.cgroup_fd = cg_fd;
  if (cg.manager != BURROW_CGROUP_DISABLED && (a.clone_flags & CLONE_NEWCGROUP))
    {
      a.clone_flags &= ~CLONE_NEWCGROUP;
      a.unshare_cgroupns = true;
    }
  int r = burrow_spawn_init (&a, sp, err);
  if (r < 0)
    burrow_overlay_abort (overlay, d, err);
  if (r == 0
      && (record (ctx, d, spec, sp, &cg, &net, err) < 0
          || burrow_overlay_record (overlay, spec, d, err) < 0
          || (opts->pid_file && write_pid_file (opts->pid_file, sp->pid, err) < 0)))
    {
      r = -1;
      burrow_overlay_abort (overlay, d, NULL);
      syscall (SYS_pidfd_send_signal, sp->pidfd, SIGKILL, NULL, 0);
      while (waitpid (sp->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      close (sp->pidfd);
    }
  if (r < 0)
    {
      struct burrow_error ignored;
      burrow_network_abort (&net);
      burrow_cgroup_destroy (&cg, &ignored);
    }
  burrow_cgroup_release (&cg);
  burrow_network_release (&net);
  return r;
}

int
burrow_create_internal (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                        int run_console_fd, struct burrow_created *out, struct burrow_error *err)
{
  struct burrow_spec *spec = NULL;
  memset (out, 0, sizeof *out);
  out->pidfd = -1;
  if (burrow_id_validate (opts->id, err) < 0)
    return -1;
  if (burrow_spec_load (opts->bundle, &spec, err) < 0)
    return -1;
  if (burrow_spec_validate (ctx, spec, err) < 0 || check_supported (spec, err) < 0
      || burrow_sysctl_validate (spec, err) < 0 || check_parsed_parts (spec, err) < 0
      || burrow_hooks_validate (spec->hooks, err) < 0 || burrow_network_check (spec, err) < 0)
    {
      burrow_spec_free (spec);
      return -1;
    }
  cleanup_close int console_fd = -1;
  if (open_console (spec, opts, run_console_fd, &console_fd, err) < 0)
    {
      burrow_spec_free (spec);
      return -1;
    }

  /* Idmapped trees are made here, with the caller's own privileges, before anything is
     claimed: a refusal leaves nothing behind. */
  struct burrow_seccomp *seccomp = NULL;
  cleanup_close int listener_fd = -1;
  if (burrow_seccomp_compile (spec->linux_.seccomp, &seccomp, err) < 0
      || (burrow_seccomp_has_notify (seccomp)
          && (listener_fd = burrow_seccomp_listener_connect (seccomp, err)) < 0))
    {
      burrow_seccomp_free (seccomp);
      burrow_spec_free (spec);
      return -1;
    }
  int *idmap_fds = NULL;
  if (burrow_idmapped_prepare (spec, ctx->euid == 0, &idmap_fds, err) < 0)
    {
      burrow_seccomp_free (seccomp);
      burrow_spec_free (spec);
      return -1;
    }
  struct burrow_overlay_plan overlay;
  if (burrow_overlay_parse (ctx, spec, &overlay, err) < 0)
    {
      burrow_overlay_plan_release (&overlay);
      burrow_idmapped_close (idmap_fds, spec->n_mounts);
      burrow_seccomp_free (seccomp);
      burrow_spec_free (spec);
      return -1;
    }
  struct burrow_state_dir d;
  struct burrow_spawned sp = { .pidfd = -1 };
  if (burrow_state_claim (ctx, opts->id, &d, err) < 0)
    {
      /* Only remove what this call made: an existing id belongs to someone else. */
      if (err->errnum != EEXIST && d.path)
        rmdir (d.path);
      burrow_state_dir_close (&d);
      burrow_overlay_plan_release (&overlay);
      burrow_idmapped_close (idmap_fds, spec->n_mounts);
      burrow_seccomp_free (seccomp);
      burrow_spec_free (spec);
      return -1;
    }
  int r = create_in_dir (ctx, opts, spec, &d, console_fd, idmap_fds, seccomp, listener_fd, &overlay,
                         &sp, err);
  burrow_overlay_plan_release (&overlay);
  burrow_idmapped_close (idmap_fds, spec->n_mounts);
  burrow_seccomp_free (seccomp);
  if (r < 0)
    {
      struct burrow_error ignored;
      run_poststop_after_failure (opts, spec);
      burrow_state_dir_remove (&d, &ignored);
      burrow_spec_free (spec);
      return burrow_error_prefix (err, "create `%s`", opts->id);
    }
  burrow_state_dir_close (&d);
  out->pid = sp.pid;
  out->pidfd = sp.pidfd;
  out->spec = spec;
  return 0;
}

int
burrow_container_create (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                         struct burrow_error *err)
{
  struct burrow_created c;
  if (burrow_create_internal (ctx, opts, -1, &c, err) < 0)
    return -1;
  close (c.pidfd);
  burrow_spec_free (c.spec);
  return 0;
}
