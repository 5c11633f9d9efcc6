/* terminal.c: ptys for containers with process.terminal, and fd passing. */
#include "config.h"
#include "terminal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
burrow_console_connect (const char *path, struct burrow_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return burrow_fail (err, ENAMETOOLONG, "console socket `%s`", path);
  strcpy (addr.sun_path, path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "console socket `%s`", path);
  if (connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    return burrow_fail_errno (err, "connect to console socket `%s`", path);
  return steal_fd (&fd);
}

ssize_t
burrow_fd_send (int sock, int fd, const char *data)
{
  return burrow_fd_send_bytes (sock, fd, data, strlen (data));
}

ssize_t
burrow_fd_send_bytes (int sock, int fd, const void *data, size_t len)
{
  char buf[CMSG_SPACE (sizeof (int))];
  memset (buf, 0, sizeof buf);
  struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r;
}

int
burrow_fd_recv (int sock, struct burrow_error *err)
{
  char name[256];
  char buf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
  ssize_t r;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return burrow_fail_errno (err, "receive terminal");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (r == 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    return burrow_fail_plain (err, EPROTO, "receive terminal: no file descriptor was sent");
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
burrow_terminal_setup (int console_fd, const struct burrow_process *p, struct burrow_error *err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return burrow_fail_errno (err, "open /dev/ptmx in the container (is /dev/pts mounted?)");
  char name[64];
  if (unlockpt (master) < 0 || ptsname_r (master, name, sizeof name) != 0)
    return burrow_fail_errno (err, "unlock pty");
  cleanup_close int slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return burrow_fail_errno (err, "open pty `%s`", name);
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return burrow_fail_errno (err, "set console size");
    }
  if (burrow_fd_send (console_fd, master, name) < 0)
    return burrow_fail_errno (err, "send pty master over the console socket");
  if (setsid () < 0)
    return burrow_fail_errno (err, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return burrow_fail_errno (err, "make `%s` the controlling terminal", name);
  for (int i = 0; i <= 2; i++)
    if (dup2 (slave, i) < 0)
      return burrow_fail_errno (err, "dup pty to fd %d", i);
  return 0;
}

int
burrow_tty_raw (int fd, struct termios *saved)
{
  if (tcgetattr (fd, saved) < 0)
    return -1;
  struct termios raw = *saved;
  cfmakeraw (&raw);
  return tcsetattr (fd, TCSANOW, &raw);
}

void
burrow_tty_copy_size (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}
