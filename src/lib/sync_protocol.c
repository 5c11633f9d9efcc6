/* sync_protocol.c: sending and receiving the create-time messages (table in the header). */
#include "config.h"
#include "sync_protocol.h"

#include "error.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int
burrow_sync_send (int fd, enum burrow_sync_type type, int errnum, const char *msg)
{
  struct burrow_sync_msg m = { .type = type, .errnum = errnum };
  size_t len = offsetof (struct burrow_sync_msg, msg);
  if (msg)
    {
      size_t n = strnlen (msg, sizeof m.msg - 1);
      memcpy (m.msg, msg, n);
      len += n + 1;
    }
  ssize_t r;
  do
    r = send (fd, &m, len, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

int
burrow_sync_send_error (int fd, const struct burrow_error *e)
{
  return burrow_sync_send (fd, SYNC_ERROR, e->errnum, e->msg);
}

int
burrow_sync_recv (int fd, struct burrow_sync_msg *out)
{
  memset (out, 0, sizeof *out);
  ssize_t r;
  do
    r = recv (fd, out, sizeof *out, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  if (r < (ssize_t)offsetof (struct burrow_sync_msg, msg))
    {
      errno = r == 0 ? ECONNRESET : EPROTO;
      return -1;
    }
  out->msg[sizeof out->msg - 1] = '\0';
  return 0;
}

int
burrow_sync_expect (int fd, enum burrow_sync_type want, const char *peer, struct burrow_error *err)
{
  struct burrow_sync_msg m;
  if (burrow_sync_recv (fd, &m) < 0)
    {
      if (errno == ECONNRESET)
        return burrow_fail_plain (err, ECONNRESET, "%s exited before it was ready", peer);
      return burrow_fail_errno (err, "read from %s", peer);
    }
  if (m.type == SYNC_ERROR)
    {
      err->errnum = m.errnum;
      snprintf (err->msg, sizeof err->msg, "%s", m.msg);
      return -1;
    }
  if (m.type != (uint32_t)want)
    return burrow_fail_plain (err, EPROTO, "%s sent message %u, expected %u", peer, m.type, want);
  return 0;
}
