/* error.c: errors as values; context is added on the way up, nothing is printed here. */
#include "config.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Store text + suffix; when too long, the middle of text goes ("...") so that the cause
   at the end (": File name too long") survives a 5000-byte path. */
static void
store (struct burrow_error *err, const char *text, size_t n, const char *suffix)
{
  size_t room = sizeof err->msg - 1 - strlen (suffix);
  if (n > room)
    {
      size_t head = room / 2 - 3, tail = room - head - 5;
      memcpy (err->msg, text, head);
      memcpy (err->msg + head, " ... ", 5);
      memcpy (err->msg + head + 5, text + n - tail, tail);
      err->msg[room] = '\0';
    }
  else
    {
      memcpy (err->msg, text, n);
      err->msg[n] = '\0';
    }
  strcat (err->msg, suffix);
}

static int
fail_v (struct burrow_error *err, int errnum, const char *fmt, va_list ap)
{
  char full[4 * BURROW_ERROR_MSG_MAX];
  int n = vsnprintf (full, sizeof full, fmt, ap);
  if (n < 0)
    n = 0;
  if ((size_t)n >= sizeof full)
    n = sizeof full - 1;
  char suffix[256] = "";
  if (errnum != 0)
    snprintf (suffix, sizeof suffix, ": %s", strerror (errnum));
  store (err, full, n, suffix);
  err->errnum = errnum;
  return -1;
}

int
burrow_fail (struct burrow_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fail_v (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
burrow_fail_plain (struct burrow_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fail_v (err, 0, fmt, ap);
  va_end (ap);
  err->errnum = errnum;
  return -1;
}

int
burrow_fail_errno (struct burrow_error *err, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start (ap, fmt);
  fail_v (err, saved, fmt, ap);
  va_end (ap);
  errno = saved;
  return -1;
}

int
burrow_error_prefix (struct burrow_error *err, const char *fmt, ...)
{
  char full[2 * BURROW_ERROR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (full, 512, fmt, ap);
  va_end (ap);
  if (n < 0)
    n = 0;
  if (n > 511)
    n = 511;
  n += snprintf (full + n, sizeof full - n, ": %s", err->msg);
  if ((size_t)n >= sizeof full)
    n = sizeof full - 1;
  store (err, full, n, "");
  return -1;
}

void
burrow_error_clear (struct burrow_error *err)
{
  err->errnum = 0;
  err->msg[0] = '\0';
}
