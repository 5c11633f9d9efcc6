/* cmd_create.c: `burrow create`, and the flag parser it shares with `burrow run`. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage[]
    = "Usage: burrow create [OPTIONS] CONTAINER_ID\n"
      "\n"
      "Create a container from a bundle; `burrow start` then runs its process.\n"
      "\n"
      "Options:\n"
      "  -b, --bundle DIR            bundle holding config.json (default: current directory)\n"
      "      --pid-file FILE         write the container's init pid to FILE\n"
      "      --console-socket PATH   send the terminal's pty master to this AF_UNIX socket\n"
      "      --no-pivot              do not use pivot_root (for a rootfs on ramfs)\n"
      "      --no-new-keyring        keep the caller's session keyring\n"
      "      --preserve-fds N        pass N more fds (from fd 3 on) to the container\n"
      "  -h, --help                  show this help\n";

enum
{
  OPT_KEEP = 256,
  OPT_PID_FILE,
  OPT_CONSOLE_SOCKET,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_PRESERVE_FDS,
};

/* run's own options come first so create can use the same table from its third entry. */
static const struct option longopts[] = {
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, OPT_KEEP },
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static int
set_path (const struct cli *cli, char **slot, const char *value)
{
  free (*slot);
  *slot = cli_absolute_path (value);
  if (*slot == NULL)
    return cli_error (cli, "resolve `%s`: %m", value);
  return 0;
}

int
cli_parse_create_args (const struct cli *cli, const char *cmd, bool is_run, const char *use,
                       int argc, char **argv, struct cli_create_args *args)
{
  struct burrow_create_opts *o = &args->opts;
  int c;

  while ((c = getopt_long (argc, argv, is_run ? "+:b:dh" : "+:b:h",
                           is_run ? longopts : longopts + 2, NULL))
         != -1)
    {
      int r = 0;
      switch (c)
        {
        case 'b':
          r = set_path (cli, &args->bundle, optarg);
          break;
        case OPT_PID_FILE:
          r = set_path (cli, &args->pid_file, optarg);
          break;
        case OPT_CONSOLE_SOCKET:
          r = set_path (cli, &args->console_socket, optarg);
          break;
        case OPT_NO_PIVOT:
          o->no_pivot = true;
          break;
        case OPT_NO_NEW_KEYRING:
          o->no_new_keyring = true;
          break;
        case OPT_PRESERVE_FDS:
          r = cli_parse_preserve_fds (cli, cmd, optarg, &o->preserve_fds);
          break;
        case 'd':
          o->detach = true;
          break;
        case OPT_KEEP:
          o->keep = true;
          break;
        case 'h':
          fputs (use, stdout);
          return 0;
        default:
          return cli_bad_option (cli, cmd, c, argv);
        }
      if (r != 0)
        return r;
    }
  if (cli_check_args (cli, cmd, argc - optind, 1, 1) != 0)
    return 1;

  o->id = argv[optind];
  o->bundle = args->bundle;
  o->pid_file = args->pid_file;
  o->console_socket = args->console_socket;
  return -1;
}

void
cli_create_args_release (struct cli_create_args *args)
{
  free (args->bundle);
  free (args->pid_file);
  free (args->console_socket);
  args->bundle = args->pid_file = args->console_socket = NULL;
}

int
cmd_create (struct cli *cli, int argc, char **argv)
{
  cleanup_create_args struct cli_create_args args = { .bundle = NULL };
  struct burrow_error err = { 0 };

  int status = cli_parse_create_args (cli, "create", false, usage, argc, argv, &args);
  if (status >= 0)
    return status;
  if (burrow_container_create (&cli->ctx, &args.opts, &err) < 0)
    return cli_fail (cli, &err);
  return 0;
}
