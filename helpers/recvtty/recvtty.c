/* recvtty.c: burrow-recvtty: listens on a unix socket for the pty master a runtime sends
   over --console-socket (one SCM_RIGHTS message), then proxies it to its own stdio
   (`single`) or reads and discards everything (`null`) until the pty closes. */
#include "config.h"
#include "burrow.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "terminal.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static const char usage[]
    = "Usage: burrow-recvtty [OPTIONS] SOCKET_PATH\n"
      "\n"
      "Listen on the unix socket SOCKET_PATH, receive the pty master of one container\n"
      "(burrow create --console-socket SOCKET_PATH) and use it until the pty closes.\n"
      "\n"
      "Options:\n"
      "  -m, --mode single|null   single: copy the pty to stdout and stdin to the pty\n"
      "                           (default); null: read and discard the pty's output\n"
      "      --no-stdin           single mode: do not copy stdin to the pty\n"
      "      --pid-file FILE      write this process's pid to FILE once it listens\n"
      "  -h, --help               show this help\n";

struct options
{
  bool null_mode;
  bool no_stdin;
  const char *pid_file;
  const char *socket_path;
};

static int fail (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
fail (const char *fmt, ...)
{
  va_list ap;
  fputs ("burrow-recvtty: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return 1;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_options (int argc, char **argv, struct options *o)
{
  enum
  {
    OPT_NO_STDIN = 256,
    OPT_PID_FILE,
  };
  static const struct option longopts[] = {
    { "mode", required_argument, NULL, 'm' },
    { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:m:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'm':
        if (strcmp (optarg, "single") != 0 && strcmp (optarg, "null") != 0)
          return fail ("unknown mode \"%s\" (single or null)", optarg);
        o->null_mode = strcmp (optarg, "null") == 0;
        break;
      case OPT_NO_STDIN:
        o->no_stdin = true;
        break;
      case OPT_PID_FILE:
        o->pid_file = optarg;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      case ':':
        return fail ("flag %s needs a value", argv[optind - 1]);
      default:
        return fail ("unknown flag %s (see 'burrow-recvtty --help')", argv[optind - 1]);
      }
  if (argc - optind != 1)
    return fail ("needs exactly one argument, the socket path (see 'burrow-recvtty --help')");
  o->socket_path = argv[optind];
  return -1;
}

static int
listen_on (const char *path, struct burrow_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return burrow_fail (err, ENAMETOOLONG, "socket `%s`", path);
  strcpy (addr.sun_path, path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "socket `%s`", path);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    return burrow_fail_errno (err, "listen on `%s`", path);
  if (listen (fd, 1) < 0)
    {
      burrow_fail_errno (err, "listen on `%s`", path);
      unlink (path);
      return -1;
    }
  return steal_fd (&fd);
}

static int
write_pid_file (const char *path, struct burrow_error *err)
{
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%d\n", (int)getpid ());
  return burrow_write_file_atomic (path, buf, len, 0644, err);
}

/* The signals that end the wait (and SIGWINCH, passed on to the pty in single mode). */
static int
signal_fd (void)
{
  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGWINCH);
  if (sigprocmask (SIG_BLOCK, &mask, NULL) < 0)
    return -1;
  return signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* 0, or the number of a terminating signal that arrived. */
static int
read_signals (int sigfd, int master)
{
  struct signalfd_siginfo si;
  while (read (sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo != SIGWINCH)
        return si.ssi_signo;
      if (master >= 0 && isatty (STDIN_FILENO))
        burrow_tty_copy_size (STDIN_FILENO, master);
    }
  return 0;
}

/* Wait for one connection and take the pty master from it. */
static int
receive_master (int listen_fd, int sigfd, int *signo, struct burrow_error *err)
{
  for (;;)
    {
      struct pollfd p[2]
          = { { .fd = listen_fd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
      if (poll (p, 2, -1) < 0 && errno != EINTR)
        return burrow_fail_errno (err, "wait for a connection");
      if ((p[1].revents & POLLIN) && (*signo = read_signals (sigfd, -1)) != 0)
        return -1;
      if (!(p[0].revents & POLLIN))
        continue;
      cleanup_close int conn = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (conn < 0 && (errno == EINTR || errno == ECONNABORTED))
        continue;
      if (conn < 0)
        return burrow_fail_errno (err, "accept a connection");
      return burrow_fd_recv (conn, err);
    }
}

/* Copy what is readable on `from` to `to` (to < 0: discard). false at end of file;
   reading a pty master fails with EIO once every slave fd is closed. */
static bool
copy_once (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return false;
  if (to >= 0 && burrow_write_all (to, buf, n) < 0)
    return false;
  return true;
}

/* Until the pty closes or a terminating signal comes: 0, or that signal's number. */
static int
proxy (int master, int sigfd, bool null_mode, bool stdin_open)
{
  bool master_open = true;
  while (master_open)
    {
      struct pollfd p[3] = {
        { .fd = master, .events = POLLIN },
        { .fd = sigfd, .events = POLLIN },
        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
      };
      if (poll (p, 3, -1) < 0 && errno != EINTR)
        return 0;
      if (p[1].revents & POLLIN)
        {
          int signo = read_signals (sigfd, master);
          if (signo)
            return signo;
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        master_open = copy_once (master, null_mode ? -1 : STDOUT_FILENO);
      if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
        stdin_open = copy_once (STDIN_FILENO, master);
    }
  return 0;
}

/* A pty turns "\n" into "\r\n" for a terminal; into a file or pipe only "\n" should go
   (runc's recvtty clears ONLCR always; a raw terminal of ours still needs it). */
static void
clear_onlcr (int master)
{
  struct termios t;
  if (tcgetattr (master, &t) == 0)
    {
      t.c_oflag &= ~ONLCR;
      tcsetattr (master, TCSANOW, &t);
    }
}

static int
serve (const struct options *o, int listen_fd, int sigfd)
{
  struct burrow_error err = { 0 };
  int signo = 0;
  cleanup_close int master = receive_master (listen_fd, sigfd, &signo, &err);
  /* One connection only: nobody else may connect now, and nothing stays behind. */
  unlink (o->socket_path);
  if (master < 0)
    return signo ? 128 + signo : fail ("%s", err.msg);

  bool use_stdin = !o->null_mode && !o->no_stdin;
  struct termios saved;
  bool raw = false;
  if (!o->null_mode && !isatty (STDOUT_FILENO))
    clear_onlcr (master);
  if (use_stdin && isatty (STDIN_FILENO))
    raw = burrow_tty_raw (STDIN_FILENO, &saved) == 0;
  signo = proxy (master, sigfd, o->null_mode, use_stdin);
  if (raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  return signo ? 128 + signo : 0;
}

int
main (int argc, char **argv)
{
  struct options o = { 0 };
  struct burrow_error err = { 0 };
  int status = parse_options (argc, argv, &o);
  if (status >= 0)
    return status;

  signal (SIGPIPE, SIG_IGN);
  cleanup_close int sigfd = signal_fd ();
  if (sigfd < 0)
    return fail ("signalfd: %s", strerror (errno));
  cleanup_close int listen_fd = listen_on (o.socket_path, &err);
  if (listen_fd < 0)
    return fail ("%s", err.msg);
  if (o.pid_file && write_pid_file (o.pid_file, &err) < 0)
    {
      unlink (o.socket_path);
      return fail ("pid file: %s", err.msg);
    }
  return serve (&o, listen_fd, sigfd);
}
