/* error.c: errors as values; context is added on the way up, nothing is printed here. */
#include "config.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int
fail_v (struct burrow_error *err, int errnum, const char *fmt, va_list ap)
{
  int n = vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  if (n < 0)
    n = 0;
  if (errnum != 0 && (size_t)n < sizeof err->msg)
    snprintf (err->msg + n, sizeof err->msg - n, ": %s", strerror (errnum));
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
  char prefix[512];
  char old[BURROW_ERROR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (prefix, sizeof prefix, fmt, ap);
  va_end (ap);
  memcpy (old, err->msg, sizeof old);
  /* Context first; if the whole no longer fits, the tail of the old message goes. */
  int n = snprintf (err->msg, sizeof err->msg, "%s: ", prefix);
  if (n > 0 && (size_t)n < sizeof err->msg)
    memccpy (err->msg + n, old, '\0', sizeof err->msg - n);
  err->msg[sizeof err->msg - 1] = '\0';
  return -1;
}

void
burrow_error_clear (struct burrow_error *err)
{
  err->errnum = 0;
  err->msg[0] = '\0';
}
