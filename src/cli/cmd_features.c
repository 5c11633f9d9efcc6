/* cmd_features.c: `burrow features`: the runtime-spec Features JSON of this build. */
#include "config.h"
#include "cli.h"
#include "cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[]
    = "Usage: burrow features\n"
      "\n"
      "Print what this build of burrow implements as the OCI runtime-spec Features JSON:\n"
      "accepted spec versions, hooks, mount options, namespaces, capabilities, cgroup\n"
      "managers, seccomp names and flags, LSMs and mount extensions.\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n";

int
cmd_features (struct cli *cli, int argc, char **argv)
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
        return cli_bad_option (cli, "features", c, argv);
      }
  if (cli_check_args (cli, "features", argc - optind, 0, 0) != 0)
    return 1;
  if (burrow_features_json (&json, &err) < 0)
    return cli_fail (cli, &err);
  size_t len = strlen (json);
  fputs (json, stdout);
  if (len == 0 || json[len - 1] != '\n')
    putchar ('\n');
  return 0;
}
