/* error.h: filling and extending struct burrow_error. */
#ifndef BURROW_ERROR_H
#define BURROW_ERROR_H

#include "burrow.h"

/* Fill err with errnum and a message; returns -1 so callers can `return burrow_fail (...)`.
   With errnum != 0 ": strerror(errnum)" is appended. */
int burrow_fail (struct burrow_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Fill err with errnum and a message that already says everything: nothing appended. */
int burrow_fail_plain (struct burrow_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Same as burrow_fail, with errno. */
int burrow_fail_errno (struct burrow_error *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Prefix the message with context: "context: old message". Returns -1. */
int burrow_error_prefix (struct burrow_error *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void burrow_error_clear (struct burrow_error *err);

#endif
