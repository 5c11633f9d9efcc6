/* cgroup_internal.h: what the cgroup manager files share: the host's cgroup layout, file
   access inside a cgroup, the resource translation and each manager's entry points. */
#ifndef BURROW_CGROUP_INTERNAL_H
#define BURROW_CGROUP_INTERNAL_H

#include "cgroup.h"

#include <stdbool.h>
#include <stddef.h>

/* Where the hierarchies are mounted. */
struct burrow_cg_host
{
  char *v2_mount;                   /* the cgroup2 mount (unified or hybrid), or NULL */
  bool unified;                     /* /sys/fs/cgroup itself is cgroup2 */
  char *v1_mount[BURROW_CG1_COUNT]; /* per v1 controller, or NULL */
};

int burrow_cg_host_probe (struct burrow_cg_host *h);
void burrow_cg_host_release (struct burrow_cg_host *h);

/* The caller's (or pid's, when pid > 0) cgroup in one hierarchy, as /proc/PID/cgroup
   shows it ("/user.slice/..."): controller NULL for the v2 line. */
char *burrow_cg_proc_path (pid_t pid, const char *controller);

/* dir/file <- value, and the reverse (trailing newline dropped). */
int burrow_cg_write (const char *dir, const char *file, const char *value,
                     struct burrow_error *err);
int burrow_cg_read (const char *dir, const char *file, char **out, struct burrow_error *err);
/* The word `name` is in the space-separated list in dir/file (cgroup.controllers). */
bool burrow_cg_has_word (const char *dir, const char *file, const char *name);
/* mkdir -p of path below mount; *first_made (malloc'd) is the highest directory this
   call made. Returns 1 when path itself was made, 0 when it existed. */
int burrow_cg_mkdir_p (const char *mount, const char *path, char **first_made,
                       struct burrow_error *err);
/* rmdir a cgroup and its sub-cgroups, deepest first, retrying while processes drain. */
int burrow_cg_rmdir_tree (const char *path, struct burrow_error *err);

/* One file write that a piece of linux.resources turns into. */
struct burrow_cg_write
{
  const char *key;  /* the OCI field, for messages ("memory.limit") */
  const char *ctrl; /* the controller the file belongs to; NULL for cgroup.* files */
  char *file;
  char *value;
};

struct burrow_cg_writes
{
  struct burrow_cg_write *v;
  size_t n, cap;
};

/* linux.resources -> the writes for a cgroup of `version` (1 or 2), in the order they
   must happen. `devices` is left out on v2 (no files there). */
int burrow_cg_translate (const cJSON *res, int version, struct burrow_cg_writes *out,
                         struct burrow_error *err);
void burrow_cg_writes_release (struct burrow_cg_writes *w);
/* runc's conversions. */
uint64_t burrow_cg_shares_to_weight (uint64_t shares);
uint64_t burrow_cg_blkio_to_io_weight (uint64_t weight);
int burrow_cg_swap_v2 (int64_t swap, int64_t limit, int64_t *out, struct burrow_error *err);
/* The controllers (v2 names, space-separated) the writes need. */
void burrow_cg_writes_controllers (const struct burrow_cg_writes *w, char *buf, size_t size);
/* The keys of linux.resources a limit is set for (devices left out), for warnings. */
void burrow_cg_resource_keys (const cJSON *res, char *buf, size_t size);

/* cgroup_devices.c: the v2 device program from linux.resources.devices (plus runc's
   default devices and linux.devices when spec is given), attached to the cgroup dir. */
int burrow_cg_devices_attach (const char *dir, const cJSON *devices, const struct burrow_spec *spec,
                              struct burrow_error *err);

/* cgroup_fs2.c */
int burrow_cg_fs2_make (const struct burrow_cg_host *h, const char *path, bool explicit_path,
                        const cJSON *res, struct burrow_error *err);
int burrow_cg_fs2_apply (const char *path, const struct burrow_cg_writes *w, bool warn_missing,
                         struct burrow_error *err);
void burrow_cg_fs2_enable (const char *path, const struct burrow_cg_writes *w);
/* One warning naming the limits whose controllers path does not have, and how to
   delegate them. */
void burrow_cg_fs2_warn_missing (const char *path, const struct burrow_cg_writes *w);
int burrow_cg_fs2_base (const struct burrow_cg_host *h, bool rootless, char **out);

/* cgroup_fs1.c */
int burrow_cg_fs1_make (const struct burrow_cg_host *h, struct burrow_cgroup *cg,
                        const char *cgroups_path, const char *id, struct burrow_error *err);
int burrow_cg_fs1_enter (const struct burrow_cgroup *cg, pid_t pid, struct burrow_error *err);
int burrow_cg_fs1_apply (const struct burrow_cgroup *cg, const cJSON *res, bool skip_missing,
                         struct burrow_error *err);
/* linux.devices: the devices cgroup allows each (create). */
int burrow_cg_fs1_allow_devices (const struct burrow_cgroup *cg, const struct burrow_spec *spec,
                                 struct burrow_error *err);
int burrow_cg_fs1_destroy (const struct burrow_cgroup *cg, struct burrow_error *err);

/* cgroup_systemd.c */
/* Parse runc's `slice:prefix:name`; *unit is "prefix-name.scope" and *slice the parent
   (default_slice when empty). */
int burrow_cg_systemd_parse_path (const char *path, const char *default_slice, char **slice,
                                  char **unit, struct burrow_error *err);
/* The bus burrow would talk to is there (socket present): the user's for rootless. */
bool burrow_cg_systemd_reachable (bool user_manager, char *why, size_t why_size);
/* StartTransientUnit of cg->unit with pid, wait for the job, then fill cg's paths from
   the pid's cgroup. */
int burrow_cg_systemd_start (struct burrow_cgroup *cg, const char *slice, pid_t pid,
                             const cJSON *res, struct burrow_error *err);
/* The properties systemd knows, set on the unit (update); the rest are files. */
int burrow_cg_systemd_set (const struct burrow_cgroup *cg, const cJSON *res,
                           struct burrow_error *err);
int burrow_cg_systemd_stop (const struct burrow_cgroup *cg, struct burrow_error *err);
/* The unit property a resource write becomes, or NULL when it stays a file write. */
bool burrow_cg_systemd_handles (const char *file);

#endif
