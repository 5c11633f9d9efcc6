/* seccomp_program.h: the compiled filter, shared by seccomp.c (which makes and loads it)
   and seccomp_agent.c (which hands its listener to an agent). Private to those two. */
#ifndef BURROW_SECCOMP_PROGRAM_H
#define BURROW_SECCOMP_PROGRAM_H

#include <linux/filter.h>
#include <stdbool.h>

struct burrow_seccomp
{
  struct sock_filter *insns; /* the sock_fprog's program, exported by libseccomp */
  unsigned short n_insns;
  unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
  bool has_notify;
  char *listener_path;
  char *listener_metadata;
};

#endif
