/* cmd_delete.c: `burrow delete`: remove a stopped container (any container with --force). */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[]
    = "Usage: burrow delete [OPTIONS] CONTAINER_ID\n"
      "\n"
      "Delete a container and the resources it holds.\n"
      "\n"
      "Options:\n"
      "  -f, --force  kill the container first if it is still running (SIGKILL)\n"
      "  -h, --help   show this help\n";

int
cmd_delete (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  bool force = false;
  int c;

  while ((c = getopt_long (argc, argv, "+:fh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "delete", c, argv);
      }
  if (cli_check_args (cli, "delete", argc - optind, 1, 1) != 0)
    return 1;
  if (burrow_container_delete (&cli->ctx, argv[optind], force, &err) < 0)
    return cli_fail (cli, &err);
  return 0;
}
