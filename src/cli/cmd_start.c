/* cmd_start.c: `burrow start`: run the user process of a created container. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] = "Usage: burrow start CONTAINER_ID\n"
                            "\n"
                            "Run the user-defined process of a container made by `burrow create`.\n"
                            "\n"
                            "Options:\n"
                            "  -h, --help   show this help\n";

int
cmd_start (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  int c;

  while ((c = getopt_long (argc, argv, "+:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "start", c, argv);
      }
  if (cli_check_args (cli, "start", argc - optind, 1, 1) != 0)
    return 1;
  if (burrow_container_start (&cli->ctx, argv[optind], &err) < 0)
    return cli_fail (cli, &err);
  return 0;
}
