/* cmd_port.c: `burrow port`: add, list and remove the ports a container's network
   helper (burrow-slirp) forwards from the host, while it runs. */
#include "config.h"
#include "cli.h"
#include "cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[]
    = "Usage: burrow port CONTAINER_ID add [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]\n"
      "       burrow port CONTAINER_ID list\n"
      "       burrow port CONTAINER_ID remove ID|[HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]\n"
      "\n"
      "Publish a port of a container created with the annotation run.burrow.network=slirp\n"
      "(burrow spec --network slirp), list what is published (\"ID SPEC\" per line), or\n"
      "stop publishing one. An IPv6 host address goes in brackets: [::1]:8080:80.\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n";

int
cmd_port (struct cli *cli, int argc, char **argv)
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
        return cli_bad_option (cli, "port", c, argv);
      }
  if (cli_check_args (cli, "port", argc - optind, 2, 3) != 0)
    return 1;
  const char *id = argv[optind], *verb = argv[optind + 1];
  const char *arg = argc - optind == 3 ? argv[optind + 2] : NULL;
  enum burrow_port_op op;
  if (strcmp (verb, "add") == 0)
    op = BURROW_PORT_ADD;
  else if (strcmp (verb, "list") == 0)
    op = BURROW_PORT_LIST;
  else if (strcmp (verb, "remove") == 0 || strcmp (verb, "rm") == 0)
    op = BURROW_PORT_REMOVE;
  else
    return cli_usage_error (cli, "port", "`%s` is not add, list or remove", verb);
  if ((op == BURROW_PORT_LIST) != (arg == NULL))
    return cli_usage_error (cli, "port", "%s %s", verb,
                            arg ? "takes no argument" : "needs a port (or, to remove, an id)");
  cleanup_free char *out = NULL;
  if (burrow_container_port (&cli->ctx, id, op, arg, &out, &err) < 0)
    return cli_fail (cli, &err);
  if (out)
    fputs (out, stdout);
  return 0;
}
