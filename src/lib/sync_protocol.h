/* sync_protocol.h: the typed messages the runtime and the container's init exchange over
   a SOCK_SEQPACKET socketpair during create.

   | step | direction      | message          | meaning                                        |
   |------|----------------|------------------|------------------------------------------------|
   | 1    | runtime → init | SYNC_MAPS_DONE   | maps written (or no user ns); errnum: host pid  |
   | 1a   | init → runtime | SYNC_OVERLAY_FUSE | (FUSE overlay root) give me a /dev/fuse    |
   | 1b   | runtime → init | SYNC_OVERLAY_FUSE_DEV | the device, opened in the init's user ns; fd
   follows | | 1c   | init → runtime | SYNC_OVERLAY_FUSE_MOUNTED | FUSE mounted on root.path; init
   closed the fd | | 1d   | runtime → init | SYNC_OVERLAY_FUSE_DONE | helper started on it; init
   waits for it   | | 1e   | init → runtime | SYNC_OVERLAY_SERVING | the helper answered; the
   runtime gives up after 20 s | | 2    | init → runtime | SYNC_HOOKS       | (hooks) mounts done,
   before pivot_root         | | 2'   | runtime → init | SYNC_HOOKS_DONE  | prestart and
   createRuntime hooks succeeded     | | 3    | init → runtime | SYNC_READY       | root set up;
   init now waits on the exec fifo   | | any  | init → runtime | SYNC_ERROR       | {errno,
   message}; the init exits after it       |

   After SYNC_READY the socket is closed: `start` talks to the init through the exec fifo
   (it opens it for reading; the init writes nothing and execs, or writes an error). */
#ifndef BURROW_SYNC_PROTOCOL_H
#define BURROW_SYNC_PROTOCOL_H

#include "burrow.h"

#include <stdint.h>

enum burrow_sync_type
{
  SYNC_MAPS_DONE = 1,
  SYNC_READY,
  SYNC_ERROR,
  SYNC_PID,        /* exec: the host pid of the joined process, in errnum */
  SYNC_HOOKS,      /* init: mounts done; runtime: run prestart and createRuntime hooks */
  SYNC_HOOKS_DONE, /* runtime: they succeeded; init: go on to pivot_root */
  /* overlay root (rootfs_overlay.c): the init needs a /dev/fuse; msg: why kernel overlayfs
     was not used. The runtime opens it outside the container's cgroup (device rules). */
  SYNC_OVERLAY_FUSE,
  SYNC_OVERLAY_FUSE_DEV,     /* runtime: the next message carries the fd (SCM_RIGHTS) */
  SYNC_OVERLAY_FUSE_MOUNTED, /* init: mounted on root.path, its copy closed */
  SYNC_OVERLAY_FUSE_DONE,    /* runtime: the helper runs on that fd; init: wait for it */
  SYNC_OVERLAY_SERVING,      /* init: the helper answered (the runtime waits a bounded time) */
};

struct burrow_sync_msg
{
  uint32_t type;
  int32_t errnum;
  char msg[BURROW_ERROR_MSG_MAX];
};

/* Send a message; msg may be NULL. Returns 0 or -1 with errno. */
int burrow_sync_send (int fd, enum burrow_sync_type type, int errnum, const char *msg);
/* Send an error as SYNC_ERROR. */
int burrow_sync_send_error (int fd, const struct burrow_error *e);
/* Receive the next message. 0 on success, -1 with errno; EOF (peer gone) is ECONNRESET. */
int burrow_sync_recv (int fd, struct burrow_sync_msg *out);
/* Receive and require `want`; a SYNC_ERROR becomes *err, EOF says the peer died. */
int burrow_sync_expect (int fd, enum burrow_sync_type want, const char *peer,
                        struct burrow_error *err);

#endif
