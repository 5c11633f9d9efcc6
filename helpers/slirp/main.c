/* main.c: burrow-slirp: user-mode networking for a network namespace, a drop-in for
   slirp4netns 1.x. Order: the tap device from the target's namespaces, the API socket,
   the sandbox, then "ready", then the packet loop until the target or the exit fd goes. */
#include "config.h"
#include "slirp_helper.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
die (const struct burrow_error *err)
{
  fprintf (stderr, "burrow-slirp: %s\n", err->msg);
  return 1;
}

/* The API socket's directory, kept open so the socket can go at exit even from inside
   the sandbox (where its path no longer exists). */
static int
open_socket_dir (const char *path, const char **base)
{
  cleanup_free char *copy = strdup (path);
  const char *slash = strrchr (path, '/');
  *base = slash ? slash + 1 : path;
  if (copy == NULL)
    return -1;
  return open (slash ? dirname (copy) : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int
signal_fd (void)
{
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  sigprocmask (SIG_BLOCK, &set, NULL);
  return signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int
main (int argc, char **argv)
{
  struct slirp_opts o;
  struct burrow_error err = { 0 };
  int r = slirp_opts_parse (argc, argv, &o, &err);
  if (r != 0)
    return r > 0 ? 0 : die (&err);
  signal (SIGPIPE, SIG_IGN);
  /* Each spliced connection holds six fds (two sockets, two pipes): as many as allowed. */
  struct rlimit nofile;
  if (getrlimit (RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max)
    {
      nofile.rlim_cur = nofile.rlim_max;
      setrlimit (RLIMIT_NOFILE, &nofile);
    }

  /* The target's pidfd first: the helper must not outlive it, even while starting. */
  cleanup_close int pidfd = -1;
  if (!o.netns_by_path && (pidfd = syscall (SYS_pidfd_open, o.target_pid, 0)) < 0)
    {
      if (errno == ESRCH)
        burrow_fail_plain (&err, ESRCH, "process %d does not exist", o.target_pid);
      else
        burrow_fail_errno (&err, "pidfd_open %d", o.target_pid);
      return die (&err);
    }
  /* The child that made the tap stays for the splice forwarder: it needs the API (to
     publish ports) and the guest's address configured here (to know where to connect). */
  struct ns_child ns = { .pid = -1, .sock = -1 };
  bool splice = o.api_socket && o.configure && !o.hostfwd_slirp;
  cleanup_close int tapfd = slirp_tap_open (&o, splice ? &ns : NULL, &err);
  if (tapfd < 0)
    return die (&err);
  cleanup_close int ns_sock = ns.sock;
  cleanup_close int api_fd = -1;
  cleanup_close int api_dir = -1;
  const char *api_base = NULL;
  if (o.api_socket)
    {
      if ((api_fd = slirp_api_listen (o.api_socket, &err)) < 0)
        return die (&err);
      api_dir = open_socket_dir (o.api_socket, &api_base);
    }
  cleanup_close int sigfd = signal_fd ();
  if ((o.sandbox && slirp_sandbox_enter (&err) < 0) || (o.seccomp && slirp_seccomp_enter (&err) < 0))
    {
      if (api_dir >= 0)
        unlinkat (api_dir, api_base, 0);
      return die (&err);
    }
  if (o.ready_fd >= 0)
    {
      ssize_t n;
      do
        n = write (o.ready_fd, "1", 1);
      while (n < 0 && errno == EINTR);
      close (o.ready_fd);
    }
  int quit[] = { o.exit_fd, pidfd, sigfd };
  r = slirp_loop_run (&o, tapfd, api_fd, ns_sock, quit, 3, &err);
  if (api_dir >= 0)
    unlinkat (api_dir, api_base, 0);
  return r < 0 ? die (&err) : 0;
}
