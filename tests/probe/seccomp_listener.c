/* seccomp_listener.c: the smallest seccomp agent, for the integration tests. It takes one
   connection from the runtime on a unix socket (runc's protocol: the container process
   state JSON, with the SCMP_ACT_NOTIFY listener fd as SCM_RIGHTS), prints that JSON, then
   answers every notification as told until no process uses the filter any more.
   usage: seccomp_listener SOCKET errno:N | value:V | continue
   Output (stdout): "state <json>", then one "notify nr=<syscall> arg1=<hex>" per call.
   The socket appears only once it listens (bound to SOCKET.tmp, then renamed). libc only. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_SECONDS 120

static int
fail (const char *what)
{
  fprintf (stderr, "seccomp_listener: %s: %s\n", what, strerror (errno));
  return 1;
}

static int
listen_at (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char tmp[sizeof addr.sun_path];
  if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return errno = ENAMETOOLONG, -1;
  strcpy (addr.sun_path, tmp);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink (tmp);
  if (fd < 0 || bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (fd, 4) < 0
      || rename (tmp, path) < 0)
    return -1;
  return fd;
}

/* One message: the state JSON (printed) and the listener fd (returned). */
static int
receive_listener (int conn)
{
  static char payload[65536];
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = payload, .iov_len = sizeof payload - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (n <= 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    {
      errno = n < 0 ? errno : EPROTO;
      return -1;
    }
  payload[n] = '\0';
  printf ("state %s\n", payload);
  fflush (stdout);
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

static int
answer (int nfd, const char *how)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset (&req, 0, sizeof req);
  if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return errno == ENOENT || errno == EINTR ? 0 : -1; /* the caller died meanwhile */
  printf ("notify nr=%d arg1=%#llx\n", req.data.nr, (unsigned long long)req.data.args[1]);
  fflush (stdout);
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  if (strncmp (how, "errno:", 6) == 0)
    resp.error = -atoi (how + 6);
  else if (strncmp (how, "value:", 6) == 0)
    resp.val = atoll (how + 6);
  else
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
    return -1;
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc != 3
      || (strncmp (argv[2], "errno:", 6) != 0 && strncmp (argv[2], "value:", 6) != 0
          && strcmp (argv[2], "continue") != 0))
    {
      fprintf (stderr, "usage: seccomp_listener SOCKET errno:N|value:V|continue\n");
      return 2;
    }
  alarm (MAX_SECONDS); /* never outlive a test that went wrong */
  int sock = listen_at (argv[1]);
  if (sock < 0)
    return fail (argv[1]);
  int conn = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return fail ("accept");
  int nfd = receive_listener (conn);
  if (nfd < 0)
    return fail ("receive the listener fd");
  for (;;)
    {
      struct pollfd p = { .fd = nfd, .events = POLLIN };
      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return fail ("poll");
        }
      if (p.revents & POLLIN)
        {
          if (answer (nfd, argv[2]) < 0)
            return fail ("answer a notification");
        }
      else if (p.revents & (POLLHUP | POLLERR))
        break; /* every process of the filter is gone */
    }
  unlink (argv[1]);
  return 0;
}
