/* seccomp.c: --enable-seccomp: after start-up the helper only moves packets, splices
   published connections and answers the API, so everything else (exec, mount, ptrace,
   namespaces, new files...) fails with EPERM. The list is what libc, glib and libslirp
   call on that path; the namespace child gets a shorter one (ns_socket.c). */
#include "config.h"
#include "slirp_helper.h"

#include "error.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>

static const char *const allowed[] = {
  "read", "write", "readv", "writev", "pread64", "close", "recvfrom", "sendto", "recvmsg",
  "sendmsg", "recvmmsg", "sendmmsg", "socket", "connect", "bind", "listen", "accept",
  "accept4", "getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown",
  "epoll_create1", "epoll_create", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll", "select",
  "pselect6", "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
  "clock_nanosleep", "mmap", "munmap", "mremap", "brk", "madvise", "mprotect", "fcntl",
  "ioctl", "openat", "open", "newfstatat", "fstat", "stat", "lstat", "statx", "lseek",
  "exit", "exit_group", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "getrandom",
  "unlinkat", "getpid", "gettid", "futex", "uname", "sysinfo", "restart_syscall", "tgkill",
  "getppid", "getuid", "geteuid", "getgid", "getegid", "sched_yield", "access", "faccessat",
  "faccessat2", "readlink", "readlinkat", "prlimit64", "getdents64", "splice", "pipe2",
};

int
slirp_seccomp_allow_only (const char *const *names, size_t n, struct burrow_error *err)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  if (ctx == NULL)
    return burrow_fail_plain (err, ENOMEM, "seccomp: init");
  for (size_t i = 0; i < n; i++)
    {
      int nr = seccomp_syscall_resolve_name (names[i]);
      if (nr == __NR_SCMP_ERROR)
        continue; /* not on this architecture */
      int r = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
      if (r < 0)
        {
          seccomp_release (ctx);
          return burrow_fail (err, -r, "seccomp: allow %s", names[i]);
        }
    }
  /* Without the sandbox nobody set no_new_privs yet; an unprivileged filter needs it. */
  prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  int r = seccomp_load (ctx);
  seccomp_release (ctx);
  if (r < 0)
    return burrow_fail (err, -r, "seccomp: load the filter");
  return 0;
}

int
slirp_seccomp_enter (struct burrow_error *err)
{
  return slirp_seccomp_allow_only (allowed, sizeof allowed / sizeof allowed[0], err);
}
