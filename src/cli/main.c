/* main.c: the burrow CLI's entry point: global flags, the command table, and the one place
   errors and usage problems are turned into runc's messages and exit codes. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OCI_SPEC_VERSION "1.2.0"

struct command
{
  const char *name;
  cli_command_fn fn;
  bool needs_context; /* spec writes a file and never touches the state root */
  const char *summary;
};

static const struct command commands[] = {
  { "create", cmd_create, true, "create a container" },
  { "delete", cmd_delete, true, "delete any resources held by the container" },
  { "events", cmd_events, true, "display container events such as OOM notifications and stats" },
  { "exec", cmd_exec, true, "execute new process inside the container" },
  { "features", cmd_features, false, "show the enabled features" },
  { "kill", cmd_kill, true, "send a signal to the container's init process" },
  { "list", cmd_list, true, "list containers started by burrow with the given root" },
  { "pause", cmd_pause, true, "suspend all processes inside the container" },
  { "port", cmd_port, true, "publish, list and unpublish ports of a networked container" },
  { "ps", cmd_ps, true, "display the processes running inside a container" },
  { "resume", cmd_resume, true, "resume all processes that have been previously paused" },
  { "run", cmd_run, true, "create and run a container" },
  { "spec", cmd_spec, false, "create a new specification file" },
  { "start", cmd_start, true, "execute the user-defined process in a created container" },
  { "state", cmd_state, true, "output the state of a container" },
  { "update", cmd_update, true, "update container resource constraints" },
};

struct global_flags
{
  const char *root;
  const char *log;
  bool log_json;
  bool debug;
  bool systemd_cgroup;
  enum burrow_rootless rootless;
};

static void
print_help (FILE *out)
{
  fprintf (out, "burrow: a rootless-first OCI container runtime\n\n"
                "Usage: burrow [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGUMENTS...]\n\n"
                "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-10s%s\n", commands[i].name, commands[i].summary);
  fprintf (out, "  %-10s%s\n", "help", "show this help, or a command's with `help COMMAND`");
  fprintf (out,
           "\nGlobal options:\n"
           "  --root DIR                 directory for container state\n"
           "                             (default: $XDG_RUNTIME_DIR/burrow; /run/burrow for root)\n"
           "  --log FILE                 write log lines to FILE instead of stderr\n"
           "  --log-format text|json     format of the --log file (default: text)\n"
           "  --debug                    also log debug lines\n"
           "  --systemd-cgroup           manage cgroups through systemd\n"
           "  --rootless auto|true|false treat the caller as unprivileged (default: auto)\n"
           "  -v, --version              print the version\n"
           "  -h, --help                 show this help\n");
}

static int
print_version (void)
{
  const struct scmp_version *v = seccomp_version ();
  printf ("burrow version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION, OCI_SPEC_VERSION,
          v->major, v->minor, v->micro);
  return 0;
}

/* Go's strconv.ParseBool forms, which runc accepts for --rootless, plus "auto". */
static int
parse_rootless (const char *s, enum burrow_rootless *out)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

  if (strcmp (s, "auto") == 0)
    return *out = BURROW_ROOTLESS_AUTO, 0;
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    {
      if (strcmp (s, yes[i]) == 0)
        return *out = BURROW_ROOTLESS_TRUE, 0;
      if (strcmp (s, no[i]) == 0)
        return *out = BURROW_ROOTLESS_FALSE, 0;
    }
  return -1;
}

/* Returns -1 to go on to the command, else the exit status (--help, --version, errors). */
static int
parse_global_flags (int argc, char **argv, struct global_flags *g)
{
  enum
  {
    OPT_ROOT = 256,
    OPT_LOG,
    OPT_LOG_FORMAT,
    OPT_DEBUG,
    OPT_SYSTEMD,
    OPT_ROOTLESS
  };
  static const struct option longopts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
    { "rootless", required_argument, NULL, OPT_ROOTLESS },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:hv", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_ROOT:
        g->root = optarg;
        break;
      case OPT_LOG:
        g->log = optarg;
        break;
      case OPT_DEBUG:
        g->debug = true;
        break;
      case OPT_SYSTEMD:
        g->systemd_cgroup = true;
        break;
      case OPT_LOG_FORMAT:
        if (strcmp (optarg, "text") != 0 && strcmp (optarg, "json") != 0)
          return cli_usage_error (NULL, NULL, "unknown log-format \"%s\" (text or json)", optarg);
        g->log_json = strcmp (optarg, "json") == 0;
        break;
      case OPT_ROOTLESS:
        if (parse_rootless (optarg, &g->rootless) < 0)
          return cli_usage_error (NULL, NULL,
                                  "invalid --rootless value \"%s\" (auto, true or false)", optarg);
        break;
      case 'v':
        return print_version ();
      case 'h':
        print_help (stdout);
        return 0;
      default:
        return cli_bad_option (NULL, NULL, c, argv);
      }
  return -1;
}

static const struct command *
find_command (const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int
run_command (struct cli *cli, const struct command *cmd, const struct global_flags *g, int argc,
             char **argv)
{
  struct burrow_error err = { 0 };

  if (cmd->needs_context && burrow_context_init (&cli->ctx, g->root, g->rootless, &err) < 0)
    return cli_fail (cli, &err);
  cli->ctx.debug = g->debug;
  cli->ctx.systemd_cgroup = g->systemd_cgroup;
  optind = 0; /* glibc: restart getopt from scratch for the command's own flags */
  int status = cmd->fn (cli, argc, argv);
  burrow_context_release (&cli->ctx);
  return status;
}

/* `burrow help [COMMAND]`: a command's help is what its own --help prints. */
static int
help_command (struct cli *cli, const struct global_flags *g, int argc, char **argv)
{
  if (argc < 2)
    {
      print_help (stdout);
      return 0;
    }
  const struct command *cmd = find_command (argv[1]);
  if (cmd == NULL)
    return cli_usage_error (cli, NULL, "unknown command \"%s\"", argv[1]);
  char *help_argv[] = { (char *)cmd->name, (char *)"--help", NULL };
  struct command no_ctx = *cmd;
  no_ctx.needs_context = false;
  return run_command (cli, &no_ctx, g, 2, help_argv);
}

int
main (int argc, char **argv)
{
  struct global_flags g = { .rootless = BURROW_ROOTLESS_AUTO };
  struct cli cli = { .log_to_file = false };
  struct burrow_error err = { 0 };

  int status = parse_global_flags (argc, argv, &g);
  if (status >= 0)
    return status;

  if (burrow_log_open (g.log, g.log_json, g.debug, &err) < 0)
    return cli_fail (&cli, &err);
  cli.log_to_file = g.log != NULL && g.log[0] != '\0';

  if (optind >= argc)
    {
      print_help (stdout);
      return 0;
    }
  argc -= optind;
  argv += optind;
  if (strcmp (argv[0], "help") == 0)
    return help_command (&cli, &g, argc, argv);
  const struct command *cmd = find_command (argv[0]);
  if (cmd == NULL)
    return cli_usage_error (&cli, NULL, "unknown command \"%s\"", argv[0]);
  return run_command (&cli, cmd, &g, argc, argv);
}

/* Helpers for the command files. */

static int
error_v (const struct cli *cli, const char *hint, const char *fmt, va_list ap)
{
  char msg[BURROW_ERROR_MSG_MAX + 256];

  vsnprintf (msg, sizeof msg, fmt, ap);
  /* One line, so wrappers that read the last line of stderr get all of it. */
  if (hint)
    fprintf (stderr, "burrow: %s (%s)\n", msg, hint);
  else
    fprintf (stderr, "burrow: %s\n", msg);
  if (cli != NULL && cli->log_to_file)
    burrow_log (BURROW_LOG_ERROR, "%s", msg);
  return 1;
}

int
cli_error (const struct cli *cli, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  error_v (cli, NULL, fmt, ap);
  va_end (ap);
  return 1;
}

int
cli_fail (const struct cli *cli, const struct burrow_error *err)
{
  return cli_error (cli, "%s", err->msg);
}

int
cli_usage_error (const struct cli *cli, const char *cmd, const char *fmt, ...)
{
  char hint[128];
  va_list ap;

  if (cmd)
    snprintf (hint, sizeof hint, "see 'burrow %s --help'", cmd);
  else
    snprintf (hint, sizeof hint, "%s", CLI_USAGE_HINT);
  va_start (ap, fmt);
  error_v (cli, hint, fmt, ap);
  va_end (ap);
  return 1;
}

int
cli_bad_option (const struct cli *cli, const char *cmd, int c, char **argv)
{
  const char *arg = argv[optind - 1];
  const char *sep = cmd ? ": " : "";
  char name[128];

  /* '?' with optopt 0 is an unknown long option, named as typed (without =value); a short
     one is named by optopt since argv may hold a cluster such as -dq. ':' (a missing value)
     always comes from the last word getopt consumed. */
  if ((c == '?' && optopt == 0) || (c == ':' && strncmp (arg, "--", 2) == 0))
    snprintf (name, sizeof name, "%.*s", (int)strcspn (arg, "="), arg);
  else
    snprintf (name, sizeof name, "-%c", optopt);

  if (c == ':')
    return cli_usage_error (cli, cmd, "%s%sflag %s needs a value", cmd ? cmd : "", sep, name);
  return cli_usage_error (cli, cmd, "%s%sunknown flag %s", cmd ? cmd : "", sep, name);
}

int
cli_check_args (const struct cli *cli, const char *cmd, int nargs, int min, int max)
{
  if (min == max && nargs != min)
    return cli_usage_error (cli, cmd, "\"%s\" requires exactly %d argument(s)", cmd, min);
  if (nargs < min)
    return cli_usage_error (cli, cmd, "\"%s\" requires a minimum of %d argument(s)", cmd, min);
  if (max >= 0 && nargs > max)
    return cli_usage_error (cli, cmd, "\"%s\" requires a maximum of %d argument(s)", cmd, max);
  return 0;
}

int
cli_parse_preserve_fds (const struct cli *cli, const char *cmd, const char *arg, unsigned int *out)
{
  char *end = NULL;
  unsigned long v = 0;

  errno = 0;
  if (arg[0] >= '0' && arg[0] <= '9')
    v = strtoul (arg, &end, 10);
  if (end == NULL || *end != '\0' || errno != 0 || v > INT_MAX)
    return cli_usage_error (cli, cmd, "invalid --preserve-fds \"%s\": not a non-negative integer",
                            arg);
  *out = v;
  return 0;
}

char *
cli_absolute_path (const char *path)
{
  char *cwd, *out = NULL;

  if (path[0] == '/')
    return strdup (path);
  cwd = getcwd (NULL, 0);
  if (cwd == NULL)
    return NULL;
  if (asprintf (&out, "%s/%s", strcmp (cwd, "/") == 0 ? "" : cwd, path) < 0)
    out = NULL;
  free (cwd);
  return out;
}
