/* container.h: what the lifecycle files share: status of a recorded container, its init
   process identified by pid and start time, and create/start as run uses them. */
#ifndef BURROW_CONTAINER_H
#define BURROW_CONTAINER_H

#include "burrow.h"
#include "spec.h"
#include "state_store.h"

#include <signal.h>

enum burrow_status
{
  BURROW_STATUS_CREATED,
  BURROW_STATUS_RUNNING,
  BURROW_STATUS_STOPPED,
};

const char *burrow_status_name (enum burrow_status s);

/* Start time (clock ticks since boot, /proc/PID/stat field 22) of a live process; -1 when
   it does not exist or is a zombie. */
int burrow_pid_start_time (pid_t pid, unsigned long long *start);
/* Read /proc/PID/stat into buf; returns where field 3 (the state) starts, past the
   command name, or NULL when the process is gone. */
const char *burrow_proc_stat_fields (pid_t pid, char *buf, size_t size);
/* Open and read a recorded container and return a checked pidfd of its live init;
   "container `x` is not running" (ESRCH) otherwise. The caller closes d and releases st
   either way. */
int burrow_open_live (struct burrow_context *ctx, const char *id, struct burrow_state_dir *d,
                      struct burrow_state *st, struct burrow_error *err);
/* A pidfd for the recorded init, or -1 (errno ESRCH) when it is gone or the pid now
   belongs to another process. */
int burrow_state_pidfd (const struct burrow_state *st);
enum burrow_status burrow_container_status (const struct burrow_state_dir *d,
                                            const struct burrow_state *st);

/* container_ps.c: the host pids of a recorded container's processes (the init first):
   everything in its pid namespace, or the init and its descendants without one. */
int burrow_state_pids (const struct burrow_state *st, pid_t **out, size_t *n);

/* Wait (up to timeout_ms) until the process behind pidfd has exited. */
int burrow_pidfd_wait_exit (int pidfd, int timeout_ms);

struct burrow_created
{
  pid_t pid;
  int pidfd;
  struct burrow_spec *spec;
};

/* create, with `console_fd` >= 0 to receive the pty master there (run in the
   foreground); the caller owns out->pidfd and out->spec. */
/* container_start.c: start what burrow_create_internal just made (run). */
int burrow_start_created (struct burrow_context *ctx, const char *id,
                          const struct burrow_created *c, struct burrow_error *err);

int burrow_create_internal (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                            int console_fd, struct burrow_created *out, struct burrow_error *err);

/* container_run.c: the foreground loop shared by run and exec: forward signals to the
   process behind pidfd, proxy its pty, and return its exit code (128+N for signal N) once
   it has exited and been reaped (it must be our child). */
struct burrow_run_loop
{
  int pidfd;
  int sigfd;
  int master; /* pty master, -1 without a terminal */
  bool stdin_open;
};
int burrow_run_loop (struct burrow_run_loop *l, pid_t pid);
/* The signals run and exec forward (blocked before the child exists). */
void burrow_forwarded_signals (sigset_t *mask);

/* The OCI state a hook reads on stdin (caller frees). pid 0 is left out. */
char *burrow_hook_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                              const cJSON *annotations);
/* A JSON file of the state directory (hooks.json, overlay.json), or NULL when missing or
   unreadable. Caller frees with cJSON_Delete. */
cJSON *burrow_state_json_file (const struct burrow_state_dir *d, const char *name);
/* The hooks saved at create (later edits of config.json must not change them), or NULL.
   Caller frees with cJSON_Delete. */
cJSON *burrow_saved_hooks (const struct burrow_state_dir *d);
/* Run the saved hooks of one kind for a recorded container. */
int burrow_saved_hooks_run (const struct burrow_state_dir *d, const struct burrow_state *st,
                            int kind, const char *status, pid_t pid, bool warn_only,
                            struct burrow_error *err);
#define BURROW_HOOKS_FILE "hooks.json"

/* container_pause.c */
struct burrow_cgroup;
/* Thaw a paused container's cgroup, errors ignored: a SIGKILL sent to a task frozen by
   the v1 freezer only takes effect once it is thawed (delete --force). */
void burrow_state_thaw (const struct burrow_state *st);
/* container_state.c: the container's cgroup is frozen (`pause`). */
bool burrow_state_paused (const struct burrow_state *st);
/* A live container and its cgroup, for `cannot VERB container `x`: ...` messages: the
   container must be running (or created) and have a cgroup. Returns its pidfd. */
int burrow_open_live_cgroup (struct burrow_context *ctx, const char *id, const char *verb,
                             struct burrow_state_dir *d, struct burrow_state *st,
                             struct burrow_cgroup *cg, struct burrow_error *err);

#endif
