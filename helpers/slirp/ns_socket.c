/* ns_socket.c: the child in the target's namespaces. It makes the tap (tap.c), sends it
   back, and, when the splice forwarder is on (splice_fwd.c), stays: on each request it
   makes one TCP socket and sends that back too. A socket belongs to the network namespace
   it was made in for its whole life, so the parent, which stays in the host's namespace,
   can connect it to the guest's own address. The child keeps no capability, no other fd
   and (with --enable-seccomp) only the system calls this needs. */
#include "config.h"
#include "slirp_helper.h"

#include "error.h"
#include "terminal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* How long the parent waits for a socket before it gives up on the child. */
#define NS_SOCKET_TIMEOUT_S 2

static const char *const child_syscalls[] = {
  "recvfrom", "recvmsg", "sendmsg",    "socket",       "close",
  "write",    "exit",    "exit_group", "rt_sigreturn", "restart_syscall",
};

int
ns_reply_send (int sock, int fd, const struct burrow_error *err)
{
  struct burrow_error ok = { 0 };
  ssize_t n;
  if (fd >= 0)
    n = burrow_fd_send_bytes (sock, fd, &ok, sizeof ok);
  else
    do
      n = send (sock, err, sizeof *err, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

int
ns_reply_recv (int sock, struct burrow_error *err)
{
  struct burrow_error reply = { 0 };
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = &reply, .iov_len = sizeof reply };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    {
      int fd;
      memcpy (&fd, CMSG_DATA (c), sizeof fd);
      return fd;
    }
  /* The kernel drops a passed fd the receiver has no room for and truncates the
     control message: out of fds here, not a child that went away. */
  if (n > 0 && (msg.msg_flags & MSG_CTRUNC))
    {
      errno = EMFILE;
      return burrow_fail_errno (err, "receive the socket from the container's namespaces");
    }
  if (n == (ssize_t)sizeof reply && reply.errnum != 0)
    {
      reply.msg[sizeof reply.msg - 1] = '\0';
      *err = reply;
      return -1;
    }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return burrow_fail_plain (err, ETIMEDOUT,
                              "the child in the container's namespaces did not answer");
  return burrow_fail_plain (err, EPROTO, "the child in the container's namespaces is gone");
}

/* Requests are one int each: the address family. */
static void __attribute__ ((noreturn)) serve (int sock)
{
  for (;;)
    {
      int family;
      ssize_t n = recv (sock, &family, sizeof family, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (n == 0 ? 0 : 1);
      struct burrow_error err = { 0 };
      int fd = -1;
      if (n != (ssize_t)sizeof family || (family != AF_INET && family != AF_INET6))
        burrow_fail_plain (&err, EINVAL, "bad socket request");
      else if ((fd = socket (family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        burrow_fail_errno (&err, "socket in the container's network namespace");
      if (ns_reply_send (sock, fd, &err) < 0)
        _exit (1);
      if (fd >= 0)
        close (fd);
    }
}

void
ns_socket_serve (int sock, pid_t parent, bool seccomp)
{
  struct burrow_error err = { 0 };
  /* Only the request socket and stderr stay open (the caller's ready fd must see its
     end-of-file when the parent closes its own copy). */
  close (0);
  close (1);
  if ((sock > 3 && close_range (3, sock - 1, 0) < 0) || close_range (sock + 1, ~0U, 0) < 0)
    burrow_fail_errno (&err, "close the inherited files");
  /* After every credential change: joining the user namespace cleared it. */
  else if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid () != parent)
    burrow_fail_plain (&err, ESRCH, "the parent is gone");
  else if (slirp_drop_capabilities (&err) < 0)
    ;
  else if (seccomp)
    slirp_seccomp_allow_only (child_syscalls, sizeof child_syscalls / sizeof child_syscalls[0],
                              &err);
  if (err.errnum != 0)
    {
      fprintf (stderr, "burrow-slirp: namespace child: %s\n", err.msg);
      _exit (1);
    }
  serve (sock);
}

int
ns_socket_prepare (int sock, struct burrow_error *err)
{
  struct timeval tv = { .tv_sec = NS_SOCKET_TIMEOUT_S };
  if (setsockopt (sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0
      || setsockopt (sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
    return burrow_fail_errno (err, "time-out on the namespace child's socket");
  return 0;
}

int
ns_socket_make (int sock, int family, struct burrow_error *err)
{
  ssize_t n;
  do
    n = send (sock, &family, sizeof family, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return burrow_fail_plain (err, EPROTO, "the child in the container's namespaces is gone");
  return ns_reply_recv (sock, err);
}
