/* test_signals.c: every spelling `kill` accepts, and the ones it must refuse. */
#include "config.h"
#include "burrow.h"

#include "tap.h"

#include <signal.h>

static void
accepts (const char *name, int want)
{
  struct burrow_error err = { 0 };
  int signo = -1;
  int r = burrow_signal_parse (name, &signo, &err);
  ok (r == 0 && signo == want, "`%s` -> %d (got %d%s%s)", name, want, signo, r ? ": " : "",
      r ? err.msg : "");
}

static void
rejects (const char *name)
{
  struct burrow_error err = { 0 };
  int signo = -1;
  char want[128];
  ok (burrow_signal_parse (name, &signo, &err) < 0 && signo == -1, "`%s` is rejected", name);
  snprintf (want, sizeof want, "unknown signal `%s`", name);
  is_str (err.msg, want, "message for `%s`", name);
}

int
main (void)
{
  accepts ("KILL", SIGKILL);
  accepts ("SIGKILL", SIGKILL);
  accepts ("kill", SIGKILL);
  accepts ("sigkill", SIGKILL);
  accepts ("SigKill", SIGKILL);
  accepts ("9", SIGKILL);
  accepts ("TERM", SIGTERM);
  accepts ("SIGHUP", SIGHUP);
  accepts ("usr1", SIGUSR1);
  accepts ("SIGUSR2", SIGUSR2);
  accepts ("WINCH", SIGWINCH);
  accepts ("CHLD", SIGCHLD);
  accepts ("SIGCLD", SIGCHLD);
  accepts ("IOT", SIGABRT);
  accepts ("STOP", SIGSTOP);
  accepts ("CONT", SIGCONT);
  accepts ("SYS", SIGSYS);
  accepts ("1", 1);
  accepts ("15", 15);
  accepts ("64", 64);
  accepts ("RTMIN", SIGRTMIN);
  accepts ("SIGRTMIN", SIGRTMIN);
  accepts ("rtmin", SIGRTMIN);
  accepts ("RTMIN+3", SIGRTMIN + 3);
  accepts ("RTMIN+0", SIGRTMIN);
  accepts ("RTMAX", SIGRTMAX);
  accepts ("SIGRTMAX-2", SIGRTMAX - 2);
  accepts ("sigrtmax-2", SIGRTMAX - 2);
  ok (SIGRTMAX == 64, "SIGRTMAX is 64 here");

  rejects ("");
  rejects ("SIG");
  rejects ("NOSUCH");
  rejects ("SIGNOSUCH");
  rejects ("0");
  rejects ("-9");
  rejects ("+9");
  rejects (" 9");
  rejects ("65");
  rejects ("100000000000000000000");
  rejects ("9x");
  rejects ("KILLx");
  rejects ("KILL ");
  rejects ("RTMIN+");
  rejects ("RTMIN-1");
  rejects ("RTMAX+1");
  rejects ("RTMIN+31");
  rejects ("RTMAX-31");
  rejects ("RTMIN+3x");
  rejects ("SIGSIGKILL");
  return tap_done ();
}
