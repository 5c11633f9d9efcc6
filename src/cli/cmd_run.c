/* cmd_run.c: `burrow run`: create, start and (unless detached) wait; exits with the
   container's status. */
#include "config.h"
#include "cli.h"

static const char usage[]
    = "Usage: burrow run [OPTIONS] CONTAINER_ID\n"
      "\n"
      "Create and start a container, wait for it and delete it; exit with its status.\n"
      "\n"
      "Options:\n"
      "  -b, --bundle DIR            bundle holding config.json (default: current directory)\n"
      "  -d, --detach                return once the container runs, leave it running\n"
      "      --keep                  do not delete the container after it exits\n"
      "      --pid-file FILE         write the container's init pid to FILE\n"
      "      --console-socket PATH   send the terminal's pty master to this AF_UNIX socket\n"
      "      --no-pivot              do not use pivot_root (for a rootfs on ramfs)\n"
      "      --no-new-keyring        keep the caller's session keyring\n"
      "      --preserve-fds N        pass N more fds (from fd 3 on) to the container\n"
      "  -h, --help                  show this help\n";

int
cmd_run (struct cli *cli, int argc, char **argv)
{
  cleanup_create_args struct cli_create_args args = { .bundle = NULL };
  struct burrow_error err = { 0 };
  int exit_status = 0;

  int status = cli_parse_create_args (cli, "run", true, usage, argc, argv, &args);
  if (status >= 0)
    return status;
  if (burrow_container_run (&cli->ctx, &args.opts, &exit_status, &err) < 0)
    return cli_fail (cli, &err);
  return exit_status;
}
