/* cmd_pause.c: `burrow pause` and `burrow resume`: freeze and thaw every process of a
   container. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char pause_usage[]
    = "Usage: burrow pause CONTAINER_ID\n"
      "\n"
      "Suspend every process of the container (the cgroup freezer); `burrow resume`\n"
      "continues them.\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n";

static const char resume_usage[]
    = "Usage: burrow resume CONTAINER_ID\n"
      "\n"
      "Continue every process of a container suspended by `burrow pause`.\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n";

static int
pause_or_resume (struct cli *cli, int argc, char **argv, bool pause)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *cmd = pause ? "pause" : "resume";
  struct burrow_error err = { 0 };
  int c;

  while ((c = getopt_long (argc, argv, "+:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'h':
        fputs (pause ? pause_usage : resume_usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, cmd, c, argv);
      }
  if (cli_check_args (cli, cmd, argc - optind, 1, 1) != 0)
    return 1;
  int r = pause ? burrow_container_pause (&cli->ctx, argv[optind], &err)
                : burrow_container_resume (&cli->ctx, argv[optind], &err);
  return r < 0 ? cli_fail (cli, &err) : 0;
}

int
cmd_pause (struct cli *cli, int argc, char **argv)
{
  return pause_or_resume (cli, argc, argv, true);
}

int
cmd_resume (struct cli *cli, int argc, char **argv)
{
  return pause_or_resume (cli, argc, argv, false);
}
