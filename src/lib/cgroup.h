/* cgroup.h: one interface over the cgroup managers (systemd, cgroupfs v2, cgroupfs v1,
   disabled). The manager is chosen once, at create, and recorded in the container's state
   as the JSON object burrow_cgroup_to_json writes; every later command (update, pause,
   resume, events, kill --all, ps, exec, delete) reads it back with burrow_cgroup_from_json
   and works on the same cgroup, whatever the host or flags say by then.

   Files: cgroup.c (selection, state JSON, common file access), cgroup_fs2.c, cgroup_fs1.c,
   cgroup_systemd.c (sd-bus), cgroup_resources.c (linux.resources -> files/properties),
   cgroup_freeze.c (pause/resume), cgroup_stats.c (events --stats, OOM notices). */
#ifndef BURROW_CGROUP_H
#define BURROW_CGROUP_H

#include "burrow.h"
#include "spec.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>

enum burrow_cgroup_manager
{
  BURROW_CGROUP_DISABLED, /* no cgroup: the container runs, limits are warned about */
  BURROW_CGROUP_CGROUPFS, /* directories written by burrow itself */
  BURROW_CGROUP_SYSTEMD,  /* a transient scope of the system or the user's manager */
};

/* v1 controllers burrow knows, in the order of their names (burrow_cgroup_v1_name). */
enum burrow_cgroup_v1
{
  BURROW_CG1_BLKIO,
  BURROW_CG1_CPU,
  BURROW_CG1_CPUACCT,
  BURROW_CG1_CPUSET,
  BURROW_CG1_DEVICES,
  BURROW_CG1_FREEZER,
  BURROW_CG1_HUGETLB,
  BURROW_CG1_MEMORY,
  BURROW_CG1_NET_CLS,
  BURROW_CG1_NET_PRIO,
  BURROW_CG1_PERF_EVENT,
  BURROW_CG1_PIDS,
  BURROW_CG1_RDMA,
  BURROW_CG1_COUNT,
};

struct burrow_cgroup
{
  enum burrow_cgroup_manager manager;
  int version;                    /* 2 or 1; 0 when disabled */
  char *path;                     /* v2: absolute directory of the container's cgroup; v1 on a
                                     hybrid host: its directory in the `unified` hierarchy, or
                                     NULL */
  char *v1[BURROW_CG1_COUNT];     /* v1: absolute directory per controller, NULL when that
                                     controller is not mounted or not usable */
  char *unit;                     /* systemd: the scope's name; NULL otherwise */
  bool user_manager;              /* systemd: the user's manager rather than the system's */
  bool owned;                     /* burrow made it (and removes it at delete) */
  char *slice;                    /* systemd: the parent slice */
  char *id;                       /* the container's id (a fallback cgroupfs path ends in it) */
};

const char *burrow_cgroup_v1_name (enum burrow_cgroup_v1 c);
const char *burrow_cgroup_manager_name (enum burrow_cgroup_manager m);

/* create, before the init exists: choose the manager (ctx->systemd_cgroup, rootless or
   not, what the host has, linux.cgroupsPath) and make what can be made before there is a
   pid. *clone_into_fd >= 0 is an O_PATH|O_DIRECTORY fd of a v2 cgroup the init is born in
   (clone3 CLONE_INTO_CGROUP), -1 otherwise. A manager that cannot be used falls back with
   one warning naming the cause; an explicit request that cannot be met is an error. */
int burrow_cgroup_prepare (struct burrow_context *ctx, const char *id,
                           const struct burrow_spec *spec, struct burrow_cgroup *out,
                           int *clone_into_fd, struct burrow_error *err);
/* create, once the init exists: put it in the cgroup (v1 writes, systemd
   StartTransientUnit with its pid and waits for the job) and apply linux.resources. */
int burrow_cgroup_enter (struct burrow_cgroup *cg, pid_t pid, const struct burrow_spec *spec,
                         struct burrow_error *err);
/* Apply an OCI linux.resources object (create and update); NULL does nothing. */
int burrow_cgroup_apply (const struct burrow_cgroup *cg, const cJSON *resources,
                         struct burrow_error *err);
/* Freeze or thaw, returning once the kernel reports the new state (pause/resume). */
int burrow_cgroup_freeze (const struct burrow_cgroup *cg, bool frozen, struct burrow_error *err);
/* 1 frozen, 0 not, -1 error (no freezer: 0). */
int burrow_cgroup_is_frozen (const struct burrow_cgroup *cg);
/* Every pid in the cgroup (and its sub-cgroups), as the host sees them. */
int burrow_cgroup_pids (const struct burrow_cgroup *cg, pid_t **out, size_t *n,
                        struct burrow_error *err);
/* Signal every process in the cgroup (cgroup.kill for SIGKILL where present). */
int burrow_cgroup_kill_all (const struct burrow_cgroup *cg, int sig, struct burrow_error *err);
/* Move pid into the container's cgroup, or its sub-cgroup `sub` (exec --cgroup). */
int burrow_cgroup_join (const struct burrow_cgroup *cg, const char *sub, pid_t pid,
                        struct burrow_error *err);
/* Stop the unit / remove the directories, retrying while the cgroup drains. */
int burrow_cgroup_destroy (const struct burrow_cgroup *cg, struct burrow_error *err);
/* events --stats: runc's `stats` data object (cpu, memory, pids, blkio, hugetlb). */
int burrow_cgroup_stats (const struct burrow_cgroup *cg, cJSON **out, struct burrow_error *err);

/* features: linux.cgroup {v1, v2, systemd, systemdUser, rdma} for this host. */
cJSON *burrow_cgroup_features (void);

/* events (cgroup_oom.c): OOM-kill notices. fd becomes readable when the kernel may have
   OOM-killed in the cgroup (v2: inotify on memory.events; v1: an eventfd registered with
   memory.oom_control); fd is -1 when the cgroup has no memory controller. */
struct burrow_cgroup_oom
{
  int fd;
  int version;
  char *dir;                  /* v2: the directory holding memory.events */
  unsigned long long oom_kills; /* v2: memory.events oom_kill when last read */
};
int burrow_cgroup_oom_open (const struct burrow_cgroup *cg, struct burrow_cgroup_oom *out,
                            struct burrow_error *err);
/* After fd was readable: the number of new OOM kills (0: a change of something else). */
int burrow_cgroup_oom_read (struct burrow_cgroup_oom *w);
void burrow_cgroup_oom_close (struct burrow_cgroup_oom *w);

cJSON *burrow_cgroup_to_json (const struct burrow_cgroup *cg);
int burrow_cgroup_from_json (const cJSON *o, struct burrow_cgroup *out, struct burrow_error *err);
void burrow_cgroup_release (struct burrow_cgroup *cg);
/* The cgroup recorded in a state (struct burrow_state's cgroup_json text; NULL: none, the
   manager is then DISABLED). */
int burrow_cgroup_from_state (const char *cgroup_json, struct burrow_cgroup *out,
                              struct burrow_error *err);

#endif
