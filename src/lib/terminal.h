/* terminal.h: process.terminal: the pty created by the init inside the container, its
   master handed to whoever listens on the console socket (runc's protocol: one
   SCM_RIGHTS message), or to `run` itself, which proxies it in the foreground. */
#ifndef BURROW_TERMINAL_H
#define BURROW_TERMINAL_H

#include "burrow.h"
#include "spec.h"

#include <termios.h>

/* Runtime side, before clone: connect to the --console-socket path. */
int burrow_console_connect (const char *path, struct burrow_error *err);
/* Init side, after pivot_root (so /dev/ptmx is the container's): open a pty, size it,
   send the master over console_fd, make the slave the controlling tty and stdio. */
int burrow_terminal_setup (int console_fd, const struct burrow_process *p,
                           struct burrow_error *err);
/* Send fd with SCM_RIGHTS and `data` as the payload; returns the bytes of data sent (a
   stream socket may take fewer) or -1 with errno. */
ssize_t burrow_fd_send (int sock, int fd, const char *data);
ssize_t burrow_fd_send_bytes (int sock, int fd, const void *data, size_t len);
/* Receive one fd; -1 with err filled on failure. */
int burrow_fd_recv (int sock, struct burrow_error *err);

/* Put the caller's terminal (fd) in raw mode; *saved gets the old settings. */
int burrow_tty_raw (int fd, struct termios *saved);
/* Copy the window size of `from` to `to`. */
void burrow_tty_copy_size (int from, int to);

#endif
