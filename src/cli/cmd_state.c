/* cmd_state.c: `burrow state`: print a container's OCI state as JSON. */
#include "config.h"
#include "cli.h"
#include "cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[]
    = "Usage: burrow state CONTAINER_ID\n"
      "\n"
      "Print the state of a container as JSON (the OCI state plus runc's extra fields).\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n";

int
cmd_state (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  cleanup_free char *json = NULL;
  int c;

  while ((c = getopt_long (argc, argv, "+:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "state", c, argv);
      }
  if (cli_check_args (cli, "state", argc - optind, 1, 1) != 0)
    return 1;
  if (burrow_container_state_json (&cli->ctx, argv[optind], &json, &err) < 0)
    return cli_fail (cli, &err);

  size_t len = strlen (json);
  fputs (json, stdout);
  if (len == 0 || json[len - 1] != '\n')
    putchar ('\n');
  return 0;
}
