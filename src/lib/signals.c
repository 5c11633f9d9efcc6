/* signals.c: signal names as `kill` accepts them (KILL, SIGKILL, kill, 9, RTMIN+3),
   parsed the way runc does so scripts written for it keep working. */
#include "config.h"

#include "burrow.h"
#include "error.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The largest signal number Linux knows (_NSIG - 1). */
#define BURROW_SIGNAL_MAX 64

struct signal_name
{
  const char *name;
  int signo;
};

static const struct signal_name signal_names[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },   { "IOT", SIGIOT },   { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },   { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },   { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },  { "CONT", SIGCONT },
  { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF },     { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },
  { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* Only plain decimal digits: strtol would also take " 9", "+9" and "9abc". */
static bool
parse_decimal (const char *s, int *out)
{
  long v = 0;
  if (*s == '\0')
    return false;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '9')
        return false;
      v = v * 10 + (*s - '0');
      if (v > BURROW_SIGNAL_MAX)
        return false;
    }
  *out = (int)v;
  return true;
}

/* RTMIN, RTMIN+N, RTMAX, RTMAX-N (the SIG prefix already stripped). SIGRTMIN is read
   at run time because the C library reserves the first real-time signals for itself. */
static bool
parse_realtime (const char *s, int *out)
{
  int base, offset = 0, sign;
  if (strncasecmp (s, "RTMIN", 5) == 0)
    {
      base = SIGRTMIN;
      sign = 1;
    }
  else if (strncasecmp (s, "RTMAX", 5) == 0)
    {
      base = SIGRTMAX;
      sign = -1;
    }
  else
    return false;

  s += 5;
  if (*s != '\0')
    {
      if ((sign > 0 && *s != '+') || (sign < 0 && *s != '-'))
        return false;
      if (!parse_decimal (s + 1, &offset))
        return false;
    }
  int signo = base + sign * offset;
  if (signo < SIGRTMIN || signo > SIGRTMAX)
    return false;
  *out = signo;
  return true;
}

int
burrow_signal_parse (const char *name, int *signo, struct burrow_error *err)
{
  const char *s = name;
  int v;

  if (s == NULL)
    return burrow_fail (err, 0, "unknown signal `(null)`");
  if (parse_decimal (s, &v))
    {
      if (v >= 1 && v <= BURROW_SIGNAL_MAX)
        {
          *signo = v;
          return 0;
        }
      goto unknown;
    }

  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
    if (strcasecmp (s, signal_names[i].name) == 0)
      {
        *signo = signal_names[i].signo;
        return 0;
      }
  if (parse_realtime (s, &v))
    {
      *signo = v;
      return 0;
    }

unknown:
  burrow_fail (err, 0, "unknown signal `%s`", name);
  err->errnum = EINVAL;
  return -1;
}
