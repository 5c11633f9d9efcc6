/* cve_guard.c: the cost of burrow's CVE-2019-5736 defence, which runs once per container
   start and per exec: burrow_check_not_self on a static ELF (one stat, one open, one read,
   no interpreter), a dynamic ELF (plus its PT_INTERP), and a #! script. Prints
   microseconds per call; links the library (make builds libburrow.a). */
#include "config.h"

#include "process_attrs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double
per_call_us (const char *exe, int self, int n)
{
  struct timespec a, b;
  struct burrow_error err;
  clock_gettime (CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++)
    if (burrow_check_not_self (exe, self, &err) < 0)
      {
        fprintf (stderr, "cve_guard: %s\n", err.msg);
        exit (1);
      }
  clock_gettime (CLOCK_MONOTONIC, &b);
  return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1e3;
}

int
main (int argc, char **argv)
{
  if (argc < 4)
    {
      fprintf (stderr, "usage: cve_guard STATIC_ELF DYNAMIC_ELF SCRIPT\n");
      return 2;
    }
  int self = open ("/proc/self/exe", O_PATH | O_CLOEXEC);
  const int n = 20000;
  printf ("static ELF %.2f us\n", per_call_us (argv[1], self, n));
  printf ("dynamic ELF %.2f us\n", per_call_us (argv[2], self, n));
  printf ("#! script %.2f us\n", per_call_us (argv[3], self, n));
  return 0;
}
