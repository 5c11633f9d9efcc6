/* seccomp_filter.h: linux.seccomp compiled to BPF by the runtime (libseccomp), loaded by the
   init as late as it can be. */
#ifndef BURROW_SECCOMP_H
#define BURROW_SECCOMP_H

#include "burrow.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

struct burrow_seccomp;

/* Compile the linux.seccomp object (NULL: no filter, *out = NULL). Every error names the
   field (bad action, arch, operator, arg index > 5, unknown flag). Unknown syscall names
   are skipped with a debug note, as runc does. */
int burrow_seccomp_compile (const cJSON *seccomp, struct burrow_seccomp **out,
                            struct burrow_error *err);
void burrow_seccomp_free (struct burrow_seccomp *s);
/* True when the filter uses SCMP_ACT_NOTIFY (a listener fd will be produced). */
bool burrow_seccomp_has_notify (const struct burrow_seccomp *s);

/* In the init: load the compiled filter with seccomp(2) and the configured flags. When it
   has NOTIFY rules, *notify_fd receives the listener fd (else -1). */
int burrow_seccomp_load (const struct burrow_seccomp *s, int *notify_fd, struct burrow_error *err);

/* Runtime side, before clone (the init cannot reach host paths after pivot_root): connect
   to listenerPath; -1 with no error when the filter has no NOTIFY rules. */
int burrow_seccomp_listener_connect (const struct burrow_seccomp *s, struct burrow_error *err);
/* The listenerMetadata string of the profile (NULL when none). */
const char *burrow_seccomp_listener_metadata (const struct burrow_seccomp *s);
/* Init side, right after loading: send notify_fd over the connected socket with the
   container process state JSON as payload (runc's seccomp-notify protocol: one
   SCM_RIGHTS message). */
int burrow_seccomp_send_listener (int sock, int notify_fd, const char *state_json,
                                  struct burrow_error *err);
/* The payload of that message, as runc builds it (specs.ContainerProcessState):
   {"ociVersion", "fds": ["seccompFd"], "pid", "metadata" (when not NULL or empty), "state"},
   with state_json (the OCI state, a JSON object) as "state" and pid as the host sees the
   container's process. *out is the caller's to free. */
int burrow_seccomp_process_state_json (pid_t pid, const char *metadata, const char *state_json,
                                       char **out, struct burrow_error *err);

/* Load the filter and, when it made a listener, send it to the agent (listener_fd, with
   payload from burrow_seccomp_process_state_json). Nothing else runs between the two. */
int burrow_seccomp_apply (const struct burrow_seccomp *s, int listener_fd, const char *payload,
                          struct burrow_error *err);

/* The profile vocabulary this build accepts, by index (NULL past the end), for `features`.
   An architecture the linked libseccomp cannot resolve gives *supported = false. */
const char *burrow_seccomp_action_name (size_t i);
const char *burrow_seccomp_operator_name (size_t i);
const char *burrow_seccomp_arch_name (size_t i, bool *supported);

#endif
