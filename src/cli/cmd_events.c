/* cmd_events.c: `burrow events`: runc's event stream (stats every interval, OOM kills as
   they happen) as JSON lines on stdout, or one stats event with --stats. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[]
    = "Usage: burrow events [OPTIONS] CONTAINER_ID\n"
      "\n"
      "Print the container's events as JSON lines: its cgroup stats every interval and\n"
      "an `oom` event whenever the kernel kills one of its processes for lack of memory,\n"
      "until the container stops.\n"
      "\n"
      "Options:\n"
      "      --interval DURATION   time between stats events (default 5s; Go syntax:\n"
      "                            500ms, 2s, 1m30s)\n"
      "      --stats               print the stats once and exit\n"
      "  -h, --help                show this help\n";

/* A Go duration ("1h2m3.5s", "250ms", "0") in milliseconds; -1 when malformed. */
static long long
parse_duration_ms (const char *s)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = {
    { "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 },
    { "s", 1000 },  { "m", 60000 }, { "h", 3600000 },
  };
  double total = 0;
  if (strcmp (s, "0") == 0)
    return 0;
  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      if ((*s < '0' || *s > '9') && *s != '.')
        return -1;
      double v = strtod (s, &end);
      if (end == s)
        return -1;
      size_t best = 0, best_len = 0;
      for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        {
          size_t n = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, n) == 0 && n > best_len)
            best = i, best_len = n;
        }
      if (best_len == 0)
        return -1;
      total += v * units[best].ms;
      s = end + best_len;
    }
  return (long long)total;
}

static int
print_event (const char *json, void *data)
{
  (void)data;
  if (puts (json) == EOF || fflush (stdout) == EOF)
    return -1;
  return 0;
}

int
cmd_events (struct cli *cli, int argc, char **argv)
{
  enum
  {
    OPT_INTERVAL = 256,
    OPT_STATS,
  };
  static const struct option longopts[] = {
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "stats", no_argument, NULL, OPT_STATS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  long long interval_ms = 5000;
  bool stats = false;
  int c;

  while ((c = getopt_long (argc, argv, "+:h", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_INTERVAL:
        interval_ms = parse_duration_ms (optarg);
        if (interval_ms < 0)
          return cli_usage_error (
              cli, "events", "invalid --interval \"%s\" (a duration such as 5s or 500ms)", optarg);
        if (interval_ms == 0)
          return cli_usage_error (cli, "events",
                                  "invalid --interval \"%s\": it must be greater than 0 "
                                  "(and at least 1ms)",
                                  optarg);
        break;
      case OPT_STATS:
        stats = true;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "events", c, argv);
      }
  if (cli_check_args (cli, "events", argc - optind, 1, 1) != 0)
    return 1;
  if (burrow_container_events (&cli->ctx, argv[optind], stats, interval_ms, print_event, NULL, &err)
      < 0)
    return cli_fail (cli, &err);
  return 0;
}
