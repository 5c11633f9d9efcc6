/* hooks.h: the OCI hooks of config.json (runtime-spec config.md, "POSIX-platform Hooks"):
   checked before any process exists, run one kind at a time by whichever process the
   lifecycle says (the runtime, or the init inside the container's namespaces). */
#ifndef BURROW_HOOKS_H
#define BURROW_HOOKS_H

#include "burrow.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* In lifecycle order. */
enum burrow_hook_kind
{
  BURROW_HOOK_PRESTART = 0,     /* deprecated, still run: runtime namespace, during create */
  BURROW_HOOK_CREATE_RUNTIME,   /* runtime namespace, after the mounts, before pivot_root */
  BURROW_HOOK_CREATE_CONTAINER, /* in the init, container namespaces, before pivot_root */
  BURROW_HOOK_START_CONTAINER,  /* in the init after `start`; path resolved in the container */
  BURROW_HOOK_POSTSTART,        /* runtime, after the process started: failure fails start */
  BURROW_HOOK_POSTSTOP,         /* runtime, in delete: failure only warns */
  BURROW_HOOK_KIND_COUNT
};

/* Check config.json's hooks before any process exists: known kinds only, each an array
   (or null) of objects with an absolute `path` (string), `args`/`env` arrays of strings,
   `timeout` an integer > 0. Errors (errnum EINVAL) name the field:
   "hooks.poststart[1].path: `rel/x` is not absolute". hooks may be NULL. */
int burrow_hooks_validate (const cJSON *hooks, struct burrow_error *err);

/* Whether config.json lists at least one hook of this kind (so a caller can skip building
   the state JSON, or a sync step, when there is none). */
bool burrow_hooks_has (const cJSON *hooks, enum burrow_hook_kind kind);

/* Run every hook of `kind`, in order; stop at the first failure (exec error, non-zero
   exit, signal, timeout) with an error naming kind, index and path, and the last line the
   hook wrote on stderr: "hooks.createRuntime[0] `/bin/false`: exit status 1".
   Each hook: fork + execve of `path` with `args` (absent: just the path as argv[0]) and
   exactly its `env` (absent: the caller's environment, as runc does), in its own process
   group, signals unblocked and at their defaults, every fd but 0-2 closed at exec, the
   working directory inherited. stdin is a pipe with state_json (NULL: nothing), written
   without blocking and closed; a hook that does not read it neither blocks us nor gets us
   killed by SIGPIPE. stdout and stderr are pipes, read while the hook runs: stdout is
   dropped, the tail of stderr kept for the error. A hook still running at its timeout is
   killed with its process group (SIGKILL). Every hook is reaped before this returns. */
int burrow_hooks_run (const cJSON *hooks, enum burrow_hook_kind kind, const char *state_json,
                      struct burrow_error *err);

/* For hooks whose failure the spec makes a warning (poststop): run every hook of `kind`
   even after one failed, log a warning (burrow_log) for each failure. Returns how many
   failed. */
int burrow_hooks_run_warn (const cJSON *hooks, enum burrow_hook_kind kind, const char *state_json);

/* "prestart", "createRuntime", "createContainer", "startContainer", "poststart",
   "poststop" (the JSON key). */
const char *burrow_hook_kind_name (enum burrow_hook_kind kind);

#endif
