/* burrow.h: the public interface of libburrow, the runtime behind the burrow CLI.
   Every call returns 0 (or a non-negative value) on success and a negative number on
   failure, with *err filled; the library never prints and never exits. */
#ifndef BURROW_H
#define BURROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BURROW_ERROR_MSG_MAX 2048

/* An error travelling up: the errno that caused it (0 when none) and a message that
   gains context on the way up ("create `x`: mount `/proc`: Permission denied"). */
struct burrow_error
{
  int errnum;
  char msg[BURROW_ERROR_MSG_MAX];
};

enum burrow_rootless
{
  BURROW_ROOTLESS_AUTO = 0,
  BURROW_ROOTLESS_TRUE,
  BURROW_ROOTLESS_FALSE,
};

/* What the global flags say, plus host facts probed once, lazily. */
struct burrow_context
{
  char *state_root; /* --root, or the default for this user */
  enum burrow_rootless rootless_flag;
  bool systemd_cgroup; /* --systemd-cgroup */
  bool debug;          /* --debug */

  /* probed: see context.c */
  bool probed;
  bool rootless;  /* not real root of the initial user namespace */
  bool in_userns; /* the caller itself runs in a non-initial user namespace */
  uid_t euid;
  gid_t egid;
};

struct burrow_create_opts
{
  const char *id;
  const char *bundle; /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  bool no_pivot;
  bool no_new_keyring;
  unsigned int preserve_fds;
  /* run only */
  bool detach;
  bool keep;
};

struct burrow_spec_opts
{
  bool rootless;
  uid_t uid; /* the ids mapped to root by a rootless spec */
  gid_t gid;
  bool terminal;
  /* network (--network slirp): annotations run.burrow.network* */
  bool network_slirp;
  bool allow_host_loopback;
  char *const *publish; /* NULL-terminated, or NULL */
  const char *overlay;       /* run.burrow.rootfs.overlay (auto, kernel, fuse), or NULL */
  const char *overlay_upper; /* run.burrow.rootfs.upper, or NULL: ephemeral */
};

/* One container as `list` and `state` show it (the OCI state plus runc's extras). */
struct burrow_container_info
{
  char *id;
  pid_t pid;    /* 0 when stopped */
  char *status; /* creating, created, running, paused, stopped */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339, UTC, nanoseconds */
  char *owner;
  char *annotations_json; /* a JSON object, or NULL */
};

/* context.c */
int burrow_context_init (struct burrow_context *ctx, const char *state_root,
                         enum burrow_rootless rootless, struct burrow_error *err);
void burrow_context_release (struct burrow_context *ctx);

/* lifecycle */
int burrow_container_create (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                             struct burrow_error *err);
int burrow_container_start (struct burrow_context *ctx, const char *id, struct burrow_error *err);
/* create + start, then (unless opts->detach) wait and delete. *exit_status is the
   container's exit status, 128+N when killed by signal N. */
int burrow_container_run (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                          int *exit_status, struct burrow_error *err);
int burrow_container_kill (struct burrow_context *ctx, const char *id, int signo, bool all,
                           struct burrow_error *err);
int burrow_container_delete (struct burrow_context *ctx, const char *id, bool force,
                             struct burrow_error *err);

/* exec: a new process in a running container. The process is the container's
   process{} from its bundle (or process_file) with the overrides below. *exit_status is
   the process's status (128+N for signal N), or 255 with *err filled when the exec itself
   failed (runc's convention). */
struct burrow_exec_opts
{
  const char *id;
  const char *process_file; /* --process: a JSON process object, replaces the config's */
  char *const *args;        /* command line (NULL-terminated), or NULL */
  char *const *env;         /* --env KEY=VALUE, NULL-terminated, or NULL */
  const char *cwd;
  const char *user; /* "uid[:gid]" */
  char *const *additional_gids;
  char *const *caps; /* --cap CAP_X, added to bounding/effective/permitted */
  const char *apparmor;
  const char *process_label;
  const char *console_socket;
  const char *pid_file;
  const char *cgroup; /* --cgroup: a sub-cgroup of the container's to run in, or NULL */
  bool tty;
  bool detach;
  bool no_new_privs;
  bool ignore_paused;
  unsigned int preserve_fds;
};
int burrow_container_exec (struct burrow_context *ctx, const struct burrow_exec_opts *opts,
                           int *exit_status, struct burrow_error *err);

/* state: *json_out is the OCI state JSON as runc prints it (caller frees). */
int burrow_container_state_json (struct burrow_context *ctx, const char *id, char **json_out,
                                 struct burrow_error *err);
/* list: an array of infos sorted by id (free with burrow_container_info_list_free). */
int burrow_container_list (struct burrow_context *ctx, struct burrow_container_info **out,
                           size_t *n_out, struct burrow_error *err);
void burrow_container_info_list_free (struct burrow_container_info *list, size_t n);
/* runc's `list --format json` array (caller frees). */
int burrow_container_list_json (const struct burrow_container_info *list, size_t n, char **json_out,
                                struct burrow_error *err);

/* ps: the host pids of the container's processes, ascending (caller frees *out). A
   stopped container is an error. */
int burrow_container_pids (struct burrow_context *ctx, const char *id, pid_t **out, size_t *n,
                           struct burrow_error *err);

/* pause/resume (container_pause.c): freeze or thaw every process of the container
   through its cgroup's freezer. */
int burrow_container_pause (struct burrow_context *ctx, const char *id, struct burrow_error *err);
int burrow_container_resume (struct burrow_context *ctx, const char *id, struct burrow_error *err);

/* update (container_update.c): new linux.resources for a live container, from an OCI
   resources JSON file (`-`: stdin) or runc's update flags (as typed; NULL: not given). */
struct burrow_update_opts
{
  const char *resources;
  const char *blkio_weight;
  const char *cpu_period;
  const char *cpu_quota;
  const char *cpu_burst;
  const char *cpu_rt_period;
  const char *cpu_rt_runtime;
  const char *cpu_shares;
  const char *cpu_idle;
  const char *cpuset_cpus;
  const char *cpuset_mems;
  const char *memory;
  const char *memory_reservation;
  const char *memory_swap;
  const char *kernel_memory;
  const char *kernel_memory_tcp;
  const char *pids_limit;
  const char *l3_cache_schema;
  const char *mem_bw_schema;
};
int burrow_container_update (struct burrow_context *ctx, const char *id,
                             const struct burrow_update_opts *opts, struct burrow_error *err);
/* The OCI linux.resources object the flags of opts make (caller frees). */
int burrow_update_resources_json (const struct burrow_update_opts *opts, char **json_out,
                                  struct burrow_error *err);

/* events (container_events.c): runc's event objects, one JSON text per call of emit
   ({"type":"stats",...} every interval_ms, {"type":"oom",...} as they happen) until the
   container stops; with stats_only, one stats event and return. emit returning < 0 stops. */
typedef int (*burrow_event_fn) (const char *json, void *data);
int burrow_container_events (struct burrow_context *ctx, const char *id, bool stats_only,
                             long long interval_ms, burrow_event_fn emit, void *data,
                             struct burrow_error *err);

/* network_api.c: `burrow port`: the ports a container's network helper forwards.
   ADD: arg is [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp], *out its id; LIST: *out one
   line per forward ("ID SPEC"); REMOVE: arg is an id or a spec. Caller frees *out. */
enum burrow_port_op
{
  BURROW_PORT_ADD,
  BURROW_PORT_LIST,
  BURROW_PORT_REMOVE,
};
int burrow_container_port (struct burrow_context *ctx, const char *id, enum burrow_port_op op,
                           const char *arg, char **out, struct burrow_error *err);

/* features.c: the runtime-spec Features JSON of this build (caller frees). */
int burrow_features_json (char **out, struct burrow_error *err);

/* spec_default.c: a default config.json, pretty-printed (caller frees). */
int burrow_spec_generate (const struct burrow_spec_opts *opts, char **json_out,
                          struct burrow_error *err);

/* signals.c: "KILL", "SIGKILL", "kill", "9" -> 9. */
int burrow_signal_parse (const char *name, int *signo, struct burrow_error *err);

/* log.c: where log lines go. path NULL: stderr. */
enum burrow_log_level
{
  BURROW_LOG_ERROR = 0,
  BURROW_LOG_WARNING,
  BURROW_LOG_INFO,
  BURROW_LOG_DEBUG,
};
int burrow_log_open (const char *path, bool json, bool debug, struct burrow_error *err);
void burrow_log (enum burrow_log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

const char *burrow_version (void);

#endif
