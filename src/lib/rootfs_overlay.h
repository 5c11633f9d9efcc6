/* rootfs_overlay.h: an overlay over root.path, asked for with annotations, so a container's
   root is writable while the image on disk never changes. Kernel overlayfs (with
   `userxattr` in a user namespace) or, when the kernel refuses, a FUSE helper
   (burrow-overlay, fuse-overlayfs compatible) served from outside the container.

   annotation                     value
   run.burrow.rootfs.overlay      auto | kernel | fuse (absent or "off": no overlay)
   run.burrow.rootfs.lower        A:B:... lower layers, topmost first (default: root.path)
   run.burrow.rootfs.upper        DIR: the layer lives in DIR/upper, overlay's work
                                  directory in DIR/work, both kept; default: in the state
                                  directory, removed by delete

   Order: parse (before the id is claimed), prepare (directories and fds, after the
   claim), the init mounts (before every other mount), the runtime starts the FUSE helper
   when the init asks for it, create records overlay.json, delete tears it down. */
#ifndef BURROW_ROOTFS_OVERLAY_H
#define BURROW_ROOTFS_OVERLAY_H

#include "burrow.h"
#include "spec.h"
#include "state_store.h"

#include <stdbool.h>
#include <sys/types.h>

#define BURROW_OVERLAY_ANN_MODE "run.burrow.rootfs.overlay"
#define BURROW_OVERLAY_ANN_LOWER "run.burrow.rootfs.lower"
#define BURROW_OVERLAY_ANN_UPPER "run.burrow.rootfs.upper"
#define BURROW_OVERLAY_FILE "overlay.json"
#define BURROW_OVERLAY_DIR "overlay"
#define BURROW_OVERLAY_LOG "overlay-helper.log"

enum burrow_overlay_mode
{
  BURROW_OVERLAY_NONE = 0,
  BURROW_OVERLAY_AUTO,
  BURROW_OVERLAY_KERNEL,
  BURROW_OVERLAY_FUSE,
};

struct burrow_overlay_plan
{
  enum burrow_overlay_mode mode;
  char **lower; /* absolute paths, topmost first, NULL-terminated */
  size_t n_lower;
  char *layer_dir;    /* holds upper/ and work/ */
  bool ephemeral;     /* layer_dir is in the state directory */
  bool userxattr;     /* the init runs in a user namespace */
  char *helper;       /* the FUSE helper's path (found at parse time for mode fuse) */
  char *helper_idmap; /* root with a user namespace: the helper stays host root and maps
                         ids itself (",uidmapping=..,gidmapping=.."); NULL: it joins the
                         container's user namespace */
  int log_fd;         /* the helper's stderr, in the state directory */
  /* what happened: the init took the FUSE path; the helper started */
  bool used_fuse;
  pid_t helper_pid;
  int helper_pidfd;
};

/* Runtime, before the claim: read the annotations (bad values are errors naming them).
   plan->mode stays NONE when the config asks for no overlay. */
int burrow_overlay_parse (const struct burrow_context *ctx, const struct burrow_spec *spec,
                          struct burrow_overlay_plan *plan, struct burrow_error *err);
/* Runtime, after the claim: make the layer directories, owned by the container's root,
   and the helper's log. */
int burrow_overlay_prepare (struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                            const struct burrow_state_dir *d, struct burrow_error *err);
/* Init, in its namespaces, before any other mount: mount the overlay on root.path.
   sync_fd: for the FUSE path, the init asks the runtime for /dev/fuse and waits. */
int burrow_overlay_mount_init (struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                               int sync_fd, struct burrow_error *err);
/* Runtime, when the init sent SYNC_OVERLAY_FUSE: open /dev/fuse in the init's user
   namespace (outside the container's cgroup, whose device rules may refuse it), hand it
   to the init, start the helper on it once the init mounted it, and wait (20 s at most)
   until the init reports that the helper answers. */
int burrow_overlay_serve_fuse (struct burrow_overlay_plan *plan, int sync_fd, pid_t init_pid,
                               bool new_userns, bool setgroups_allowed, struct burrow_error *err);
/* Runtime: create failed: stop the helper and append its last words to err. */
void burrow_overlay_abort (struct burrow_overlay_plan *plan, const struct burrow_state_dir *d,
                           struct burrow_error *err);
/* Runtime: create succeeded: write overlay.json. */
int burrow_overlay_record (const struct burrow_overlay_plan *plan, const struct burrow_spec *spec,
                           const struct burrow_state_dir *d, struct burrow_error *err);
/* Close fds, free memory (the helper keeps running). */
void burrow_overlay_plan_release (struct burrow_overlay_plan *plan);

/* delete: stop a recorded helper and remove an ephemeral layer. */
int burrow_overlay_teardown (struct burrow_context *ctx, const struct burrow_state_dir *d,
                             struct burrow_error *err);
/* state: "kernel", "fuse", or NULL when the container has no overlay (caller frees). */
char *burrow_overlay_recorded_mode (const struct burrow_state_dir *d);

/* userns_remove.c: remove a tree as root of a new user namespace with the id mappings of
   maps->linux_ (files of the container's other users, owned by subordinate ids). */
int burrow_remove_tree_in_userns (struct burrow_context *ctx, const char *path,
                                  const struct burrow_spec *maps, struct burrow_error *err);

#endif
