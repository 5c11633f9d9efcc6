/* cmd_kill.c: `burrow kill`: signal a container's init (or, with --all, every process). */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

static const char usage[]
    = "Usage: burrow kill [OPTIONS] CONTAINER_ID [SIGNAL]\n"
      "\n"
      "Send SIGNAL (a name such as KILL or SIGKILL, or a number; default SIGTERM) to the\n"
      "container's init process.\n"
      "\n"
      "Options:\n"
      "  -a, --all    send the signal to every process of the container\n"
      "  -h, --help   show this help\n";

int
cmd_kill (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "all", no_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  bool all = false;
  int signo = SIGTERM;
  int c;

  while ((c = getopt_long (argc, argv, "+:ah", longopts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "kill", c, argv);
      }
  if (cli_check_args (cli, "kill", argc - optind, 1, 2) != 0)
    return 1;
  if (argc - optind == 2 && burrow_signal_parse (argv[optind + 1], &signo, &err) < 0)
    return cli_fail (cli, &err);
  if (burrow_container_kill (&cli->ctx, argv[optind], signo, all, &err) < 0)
    return cli_fail (cli, &err);
  return 0;
}
