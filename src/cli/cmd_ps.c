/* cmd_ps.c: `burrow ps`: a container's processes, as a JSON array of host pids or as the
   host's `ps` output cut down to those pids (runc finds the PID column in the header). */
#include "config.h"
#include "cli.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[]
    = "Usage: burrow ps [OPTIONS] CONTAINER_ID [PS_OPTIONS...]\n"
      "\n"
      "Show the processes of a container: the host's `ps` output (run with PS_OPTIONS,\n"
      "default -ef) limited to the container's processes, or their host pids as JSON.\n"
      "\n"
      "Options:\n"
      "  -f, --format table|json   output format (default: table)\n"
      "  -h, --help                show this help\n";

static int
print_json (const pid_t *pids, size_t n)
{
  putchar ('[');
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", (int)pids[i]);
  puts ("]");
  return 0;
}

/* Runs `ps ARGS...` and returns what it wrote on stdout and stderr together (as runc's
   CombinedOutput); *status is its wait status. NULL with errno on failure. */
static char *
run_ps (char **ps_args, int nargs, int *status)
{
  cleanup_free char **argv = calloc (nargs + 3, sizeof *argv);
  int pipefd[2];
  if (argv == NULL || pipe2 (pipefd, O_CLOEXEC) < 0)
    return NULL;
  argv[0] = (char *)"ps";
  if (nargs == 0)
    argv[1] = (char *)"-ef";
  for (int i = 0; i < nargs; i++)
    argv[i + 1] = ps_args[i];

  /* fork + exec (not posix_spawn: src/lib/spawn.h shadows <spawn.h> on our include
     path); 127 from the child means ps could not be run. */
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (dup2 (pipefd[1], STDOUT_FILENO) < 0 || dup2 (pipefd[1], STDERR_FILENO) < 0)
        _exit (127);
      execvp ("ps", argv);
      dprintf (STDERR_FILENO, "exec ps: %s\n", strerror (errno));
      _exit (127);
    }
  int fork_errno = errno;
  close (pipefd[1]);
  cleanup_close int rd = pipefd[0];
  if (pid < 0)
    {
      errno = fork_errno;
      return NULL;
    }

  size_t len = 0, cap = 8192;
  char *out = malloc (cap);
  for (;;)
    {
      if (out && len + 1 == cap)
        {
          char *bigger = realloc (out, cap *= 2);
          if (bigger == NULL)
            free (out);
          out = bigger;
        }
      if (out == NULL)
        break;
      ssize_t n = read (rd, out + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
    }
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
  if (out)
    out[len] = '\0';
  return out;
}

/* The index of the whitespace-separated field `PID` in the header, or -1. */
static int
pid_column (const char *header)
{
  cleanup_free char *copy = strdup (header);
  char *save = NULL;
  int i = 0;
  for (char *f = strtok_r (copy, " \t", &save); f; f = strtok_r (NULL, " \t", &save), i++)
    if (strcmp (f, "PID") == 0)
      return i;
  return -1;
}

/* The pid in field `col` of a ps line; -1 when that field is not a number. */
static long
field_pid (const char *line, int col)
{
  cleanup_free char *copy = strdup (line);
  char *save = NULL, *f = copy ? strtok_r (copy, " \t", &save) : NULL;
  for (int i = 0; f && i < col; i++)
    f = strtok_r (NULL, " \t", &save);
  char *end;
  long pid = f ? strtol (f, &end, 10) : -1;
  return f && *end == '\0' && end != f ? pid : -1;
}

static bool
has_pid (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_table (const struct cli *cli, const pid_t *pids, size_t n, char **ps_args, int nargs)
{
  int status = 0;
  cleanup_free char *out = run_ps (ps_args, nargs, &status);
  if (out == NULL)
    return cli_error (cli, "run ps: %s", strerror (errno));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      for (char *p = out; *p; p++)
        if (*p == '\n')
          *p = *(p + 1) ? ' ' : '\0';
      if (WIFEXITED (status))
        return cli_error (cli, "ps: exit status %d: %s", WEXITSTATUS (status), out);
      return cli_error (cli, "ps: killed by signal %d", WTERMSIG (status));
    }

  char *save = NULL;
  char *header = strtok_r (out, "\n", &save);
  int col = header ? pid_column (header) : -1;
  if (col < 0)
    return cli_error (cli, "couldn't find PID field in ps output");
  puts (header);
  for (char *line = strtok_r (NULL, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      long pid = field_pid (line, col);
      if (pid < 0)
        return cli_error (cli, "unable to parse pid in ps output: %s", line);
      if (has_pid (pids, n, pid))
        puts (line);
    }
  return 0;
}

int
cmd_ps (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  bool json = false;
  int c;

  /* "+": everything after the id is for ps, even words that look like our flags. */
  while ((c = getopt_long (argc, argv, "+:f:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (strcmp (optarg, "table") != 0 && strcmp (optarg, "json") != 0)
          return cli_usage_error (cli, "ps", "invalid format \"%s\" (table or json)", optarg);
        json = strcmp (optarg, "json") == 0;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "ps", c, argv);
      }
  if (cli_check_args (cli, "ps", argc - optind, 1, -1) != 0)
    return 1;
  if (burrow_container_pids (&cli->ctx, argv[optind], &pids, &n, &err) < 0)
    return cli_fail (cli, &err);
  if (json)
    return print_json (pids, n);
  /* `ps ID -- -o pid`: the separator is ours, not ps's. */
  int first = optind + 1;
  if (first < argc && strcmp (argv[first], "--") == 0)
    first++;
  return print_table (cli, pids, n, argv + first, argc - first);
}
