/* process_attrs.h: what the init applies to itself before execve: identity, limits,
   hostname, working directory, and finding the program. */
#ifndef BURROW_PROCESS_ATTRS_H
#define BURROW_PROCESS_ATTRS_H

#include "burrow.h"
#include "spec.h"

int burrow_set_rlimits (const struct burrow_process *p, struct burrow_error *err);
/* Supplementary groups (only when setgroups is allowed), then gid, then uid. */
int burrow_set_identity (const struct burrow_process *p, bool setgroups_allowed,
                         struct burrow_error *err);
int burrow_set_hostname (const struct burrow_spec *spec, struct burrow_error *err);
/* oom_score_adj and umask (before the switch to the process user). */
int burrow_set_process_misc (const struct burrow_process *p, struct burrow_error *err);
/* chdir to cwd, resolved inside the current root with no magic links (after pivot). */
int burrow_chdir_in_root (const char *cwd, struct burrow_error *err);
/* Resolve args[0] against PATH of process.env (or the default PATH) in the current root.
   A missing program: "exec `foo`: not found in $PATH (...)" with ENOENT. */
int burrow_find_executable (const struct burrow_process *p, char **path_out,
                            struct burrow_error *err);

/* linux.personality {domain: LINUX|LINUX32, flags}: parsed in the runtime, set in the
   init just before execve. *out is -1 when the config has none. */
int burrow_personality_parse (const struct burrow_spec *spec, long *out, struct burrow_error *err);
int burrow_personality_apply (long persona, struct burrow_error *err);

/* CVE-2019-5736: the runtime's own binary must never run inside the container (through
   /proc/self/exe as the program, a #! interpreter, up to the kernel's 4 levels, or an ELF
   PT_INTERP), or
   a process there could write to the host's copy of it. self_fd: O_PATH of
   /proc/self/exe, opened before pivot_root. */
int burrow_check_not_self (const char *exe, int self_fd, struct burrow_error *err);

/* Before execve: fds 3..2+preserve_fds stay open (inheritable), every other fd above 2
   becomes close-on-exec. */
int burrow_prepare_exec_fds (unsigned int preserve_fds, struct burrow_error *err);

/* Keep a runtime fd clear of the range a caller asked to preserve (3 .. min-1): dup it to
   min or above (close-on-exec) and close the old number. */
int burrow_move_fd_above (int fd, int min);

#endif
