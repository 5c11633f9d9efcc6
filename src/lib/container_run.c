/* container_run.c: `run`: create + start, then (in the foreground) forward signals to the
   init, proxy its terminal when it has one, wait for it, and delete it unless --keep. */
#include "config.h"
#include "container.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };

void
burrow_forwarded_signals (sigset_t *mask)
{
  sigemptyset (mask);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset (mask, forwarded[i]);
}

struct run_loop
{
  int pidfd;
  int sigfd;
  int master; /* pty master, -1 without a terminal */
  bool stdin_open;
};

static void
copy_once (int from, int to, bool *open_flag)
{
  char buf[8192];
  ssize_t r = read (from, buf, sizeof buf);
  if (r > 0)
    burrow_write_all (to, buf, r);
  else if (r == 0 || (errno != EINTR && errno != EAGAIN))
    *open_flag = false;
}

static void
on_signal (struct burrow_run_loop *l)
{
  struct signalfd_siginfo si;
  while (read (l->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGWINCH)
        {
          if (l->master >= 0)
            burrow_tty_copy_size (STDIN_FILENO, l->master);
          continue;
        }
      syscall (SYS_pidfd_send_signal, l->pidfd, si.ssi_signo, NULL, 0);
    }
}

int
burrow_run_loop (struct burrow_run_loop *l, pid_t pid)
{
  bool master_open = l->master >= 0;
  for (;;)
    {
      struct pollfd p[4] = {
        { .fd = l->pidfd, .events = POLLIN },
        { .fd = l->sigfd, .events = POLLIN },
        { .fd = master_open ? l->master : -1, .events = POLLIN },
        { .fd = master_open && l->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
      };
      if (poll (p, 4, -1) < 0 && errno != EINTR)
        break;
      if (p[1].revents & POLLIN)
        on_signal (l);
      if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
        copy_once (l->master, STDOUT_FILENO, &master_open);
      if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
        copy_once (STDIN_FILENO, l->master, &l->stdin_open);
      if (p[0].revents & POLLIN)
        break;
    }
  /* The last output the container wrote before exiting. */
  while (master_open)
    {
      struct pollfd p = { .fd = l->master, .events = POLLIN };
      if (poll (&p, 1, 0) <= 0)
        break;
      copy_once (l->master, STDOUT_FILENO, &master_open);
    }
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

static int
run_foreground (struct burrow_context *ctx, const struct burrow_create_opts *opts, int *exit_status,
                struct burrow_error *err)
{
  sigset_t mask, old;
  burrow_forwarded_signals (&mask);
  /* Blocked before the clone, so no signal is lost between create and the loop; the init
     unblocks everything before execve. */
  sigprocmask (SIG_BLOCK, &mask, &old);
  cleanup_close int sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  int sv[2] = { -1, -1 };
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return burrow_fail_errno (err, "run: console socket pair");
  cleanup_close int console_r = sv[0];
  cleanup_close int console_w = sv[1];

  struct burrow_created c;
  int ret = -1;
  struct termios saved;
  bool raw = false;
  if (burrow_create_internal (ctx, opts, opts->console_socket ? -1 : console_w, &c, err) < 0)
    goto restore;
  struct burrow_run_loop l = { .pidfd = c.pidfd, .sigfd = sigfd, .master = -1, .stdin_open = true };
  if (c.spec->process.terminal && opts->console_socket == NULL)
    {
      l.master = burrow_fd_recv (console_r, err);
      if (l.master < 0)
        goto kill_child;
      if (isatty (STDIN_FILENO))
        {
          burrow_tty_copy_size (STDIN_FILENO, l.master);
          raw = burrow_tty_raw (STDIN_FILENO, &saved) == 0;
        }
    }
  if (burrow_start_created (ctx, opts->id, &c, err) < 0)
    goto kill_child;

  *exit_status = burrow_run_loop (&l, c.pid);
  ret = 0;
  if (!opts->keep && burrow_container_delete (ctx, opts->id, true, err) < 0)
    ret = -1;
  goto done;

kill_child:
  {
    struct burrow_error ignored;
    burrow_container_delete (ctx, opts->id, true, &ignored);
    waitpid (c.pid, NULL, 0);
  }
done:
  if (l.master >= 0)
    close (l.master);
  if (raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  close (c.pidfd);
  burrow_spec_free (c.spec);
restore:
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}

int
burrow_container_run (struct burrow_context *ctx, const struct burrow_create_opts *opts,
                      int *exit_status, struct burrow_error *err)
{
  *exit_status = 0;
  if (!opts->detach)
    return run_foreground (ctx, opts, exit_status, err);
  if (burrow_container_create (ctx, opts, err) < 0)
    return -1;
  if (burrow_container_start (ctx, opts->id, err) < 0)
    {
      struct burrow_error ignored;
      burrow_container_delete (ctx, opts->id, true, &ignored);
      return -1;
    }
  return 0;
}
