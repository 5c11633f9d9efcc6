/* cmd_exec.c: `burrow exec`: run a new process in a running container. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

/* runc's convention: an exec that could not be carried out exits 255. */
#define EXEC_FAILED 255

static const char usage[]
    = "Usage: burrow exec [OPTIONS] CONTAINER_ID [COMMAND [ARG...]]\n"
      "\n"
      "Run COMMAND (or the process of --process) in the running container.\n"
      "\n"
      "Options:\n"
      "  -p, --process FILE       a JSON process object (the config's process{} format)\n"
      "  -t, --tty                allocate a pseudo-terminal\n"
      "      --console-socket S   send the pty master to the unix socket S\n"
      "  -d, --detach             do not wait for the process\n"
      "      --pid-file F         write the process's host pid to F\n"
      "  -e, --env KEY=VALUE      set an environment variable (repeatable)\n"
      "      --cwd DIR            working directory inside the container\n"
      "  -u, --user UID[:GID]     user and group ids to run as\n"
      "  -g, --additional-gids G  an additional group id (repeatable)\n"
      "  -c, --cap CAP            add a capability (repeatable)\n"
      "      --no-new-privs       set no_new_privs\n"
      "      --apparmor PROFILE   AppArmor profile of the process\n"
      "      --process-label L    SELinux label of the process\n"
      "      --preserve-fds N     pass N more fds (from fd 3) into the process\n"
      "      --ignore-paused      exec even when the container is paused\n"
      "      --cgroup PATH        sub-cgroup of the container to join\n"
      "  -h, --help               show this help\n";

enum
{
  OPT_CONSOLE = 256,
  OPT_PID_FILE,
  OPT_CWD,
  OPT_NNP,
  OPT_APPARMOR,
  OPT_LABEL,
  OPT_PRESERVE,
  OPT_IGNORE_PAUSED,
  OPT_CGROUP,
};

/* A growing NULL-terminated list of borrowed argv strings. */
struct list
{
  char **v;
  size_t n;
};

static int
list_add (struct list *l, char *s)
{
  char **nv = realloc (l->v, (l->n + 2) * sizeof *nv);
  if (nv == NULL)
    return -1;
  l->v = nv;
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
  return 0;
}

static int
parse (struct cli *cli, int argc, char **argv, struct burrow_exec_opts *o, struct list *env,
       struct list *gids, struct list *caps)
{
  static const struct option longopts[] = {
    { "process", required_argument, NULL, 'p' },
    { "tty", no_argument, NULL, 't' },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "env", required_argument, NULL, 'e' },
    { "cwd", required_argument, NULL, OPT_CWD },
    { "user", required_argument, NULL, 'u' },
    { "additional-gids", required_argument, NULL, 'g' },
    { "cap", required_argument, NULL, 'c' },
    { "no-new-privs", no_argument, NULL, OPT_NNP },
    { "apparmor", required_argument, NULL, OPT_APPARMOR },
    { "process-label", required_argument, NULL, OPT_LABEL },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
    { "cgroup", required_argument, NULL, OPT_CGROUP },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "+:p:tde:u:g:c:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'p':
        o->process_file = optarg;
        break;
      case 't':
        o->tty = true;
        break;
      case OPT_CONSOLE:
        o->console_socket = optarg;
        break;
      case 'd':
        o->detach = true;
        break;
      case OPT_PID_FILE:
        o->pid_file = optarg;
        break;
      case 'e':
        if (list_add (env, optarg) < 0)
          return cli_error (cli, "out of memory");
        break;
      case OPT_CWD:
        o->cwd = optarg;
        break;
      case 'u':
        o->user = optarg;
        break;
      case 'g':
        if (list_add (gids, optarg) < 0)
          return cli_error (cli, "out of memory");
        break;
      case 'c':
        if (list_add (caps, optarg) < 0)
          return cli_error (cli, "out of memory");
        break;
      case OPT_NNP:
        o->no_new_privs = true;
        break;
      case OPT_APPARMOR:
        o->apparmor = optarg;
        break;
      case OPT_LABEL:
        o->process_label = optarg;
        break;
      case OPT_PRESERVE:
        if (cli_parse_preserve_fds (cli, "exec", optarg, &o->preserve_fds) != 0)
          return 1;
        break;
      case OPT_IGNORE_PAUSED:
        o->ignore_paused = true;
        break;
      case OPT_CGROUP:
        o->cgroup = optarg;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "exec", c, argv);
      }
  if (argc - optind < 1)
    return cli_usage_error (cli, "exec", "\"exec\" requires a container id");
  o->id = argv[optind];
  if (o->process_file == NULL && argc - optind < 2)
    return cli_usage_error (cli, "exec", "\"exec\" requires a command or --process");
  o->args = argc - optind >= 2 ? argv + optind + 1 : NULL;
  o->env = env->v;
  o->additional_gids = gids->v;
  o->caps = caps->v;
  return -1;
}

int
cmd_exec (struct cli *cli, int argc, char **argv)
{
  struct burrow_exec_opts o = { 0 };
  struct list env = { 0 }, gids = { 0 }, caps = { 0 };
  struct burrow_error err = { 0 };
  int status = parse (cli, argc, argv, &o, &env, &gids, &caps);
  if (status < 0)
    {
      char *pid_file = o.pid_file ? cli_absolute_path (o.pid_file) : NULL;
      o.pid_file = pid_file;
      if (burrow_container_exec (&cli->ctx, &o, &status, &err) < 0)
        {
          cli_fail (cli, &err);
          status = EXEC_FAILED;
        }
      free (pid_file);
    }
  free (env.v);
  free (gids.v);
  free (caps.v);
  return status;
}
