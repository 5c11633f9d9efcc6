/* state_store.h: <root>/<id>/ on disk: claimed with mkdir, locked with flock, state.json
   written to a temp file and renamed, the exec fifo beside it. */
#ifndef BURROW_STATE_STORE_H
#define BURROW_STATE_STORE_H

#include "burrow.h"

#include <stdbool.h>
#include <sys/types.h>

#define BURROW_STATE_FILE "state.json"
#define BURROW_EXEC_FIFO "exec.fifo"

/* What burrow records of one container. */
struct burrow_state
{
  char *oci_version;
  char *id;
  pid_t pid;
  unsigned long long pid_start; /* /proc/PID/stat starttime: tells a reused pid apart */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 UTC with nanoseconds */
  char *owner;
  char *annotations_json; /* JSON object text, or NULL */
  bool rootless;
  bool pid_ns; /* the init is pid 1 of a new pid namespace */
  char *cgroup_json; /* the cgroup chosen at create (cgroup.h: burrow_cgroup_to_json), JSON
                        object text, or NULL: none (states written before cgroups existed) */
  char *network_json; /* the network helper (network.c: burrow_network_state_json), JSON
                         object text, or NULL: none */
};

/* An open, locked container directory. */
struct burrow_state_dir
{
  int fd; /* O_DIRECTORY, flock'ed */
  char *path;
  char *id;
};

/* Create <root>/<id> (and root itself, 0700) and lock it; an existing id is an error
   ("container `x` already exists"). */
int burrow_state_claim (struct burrow_context *ctx, const char *id, struct burrow_state_dir *out,
                        struct burrow_error *err);
/* Open an existing container directory and take its lock (exclusive for writers).
   An unknown id: "container `x` does not exist". */
int burrow_state_open (struct burrow_context *ctx, const char *id, bool lock,
                       struct burrow_state_dir *out, struct burrow_error *err);
void burrow_state_dir_close (struct burrow_state_dir *d);
/* Remove the directory and everything in it, then close it. */
int burrow_state_dir_remove (struct burrow_state_dir *d, struct burrow_error *err);

int burrow_state_write (const struct burrow_state_dir *d, const struct burrow_state *st,
                        struct burrow_error *err);
int burrow_state_read (const struct burrow_state_dir *d, struct burrow_state *out,
                       struct burrow_error *err);
/* Parse state.json text (exposed for the unit tests). */
int burrow_state_parse (const char *text, struct burrow_state *out, struct burrow_error *err);
char *burrow_state_serialize (const struct burrow_state *st);
void burrow_state_release (struct burrow_state *st);

/* The current time as RFC 3339 with nanoseconds, UTC (malloc'd). */
char *burrow_now_rfc3339 (void);

#endif
