/* init_spawn.h: creating the container's init with one clone3 and walking it, through the
   sync protocol, to the point where it waits on the exec fifo. */
#ifndef BURROW_SPAWN_H
#define BURROW_SPAWN_H

#include "burrow.h"
#include "cgroup.h"
#include "lsm.h"
#include "rootfs_overlay.h"
#include "scheduling.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "timens.h"

struct burrow_network;

/* Everything the init needs; the child is a copy of the runtime, so this is shared by
   memory, not serialised. */
struct burrow_init_args
{
  struct burrow_context *ctx;
  const struct burrow_spec *spec;
  const struct burrow_create_opts *opts;
  int state_dirfd; /* the container's state directory (exec fifo lives there) */
  int fifo_fd;     /* O_PATH fd of the exec fifo, reopened by the init */
  int console_fd;  /* where the pty master goes; -1 without a terminal */
  int clone_flags; /* CLONE_NEW* of the namespaces to create */
  bool new_userns;
  bool setgroups_allowed;
  bool rootless_mounts;      /* bind devices, sysfs/cgroup fallbacks */
  int sync_fd;               /* the init's end of the socketpair (set by spawn) */
  struct burrow_sched sched; /* parsed by create */
  struct burrow_time_offsets time_offsets;
  const int *idmap_fds; /* per mounts[i]: prepared idmapped tree or -1; NULL: none */
  struct burrow_lsm lsm;
  long personality;                     /* -1: leave it */
  const struct burrow_seccomp *seccomp; /* compiled by create; NULL: none */
  int seccomp_listener_fd;              /* connected to listenerPath, or -1 */
  pid_t host_pid;  /* the init's pid as the host sees it (from SYNC_MAPS_DONE) */
  /* cgroups: the init is born in cgroup_fd (CLONE_INTO_CGROUP) when >= 0, and put in
     *cgroup before SYNC_MAPS_DONE; it makes its cgroup namespace only then, so the
     namespace's root is its own cgroup. */
  struct burrow_cgroup *cgroup;
  int cgroup_fd;
  bool unshare_cgroupns;
  int self_exe_fd; /* set by the init: its own /proc/self/exe */
  struct burrow_network *network; /* network.h: the helper to start, or NULL */
  struct burrow_overlay_plan *overlay; /* rootfs_overlay.h; NULL or mode NONE: none */
};

struct burrow_spawned
{
  pid_t pid;
  int pidfd;
};

/* Clone the init, write its id maps, and wait until it reports ready (or an error, which
   becomes *err; the init is then reaped). */
int burrow_spawn_init (struct burrow_init_args *a, struct burrow_spawned *out,
                       struct burrow_error *err);

/* init_sequence.c: the init's side; never returns. */
__attribute__ ((noreturn)) void burrow_init_main (struct burrow_init_args *a);

#endif
