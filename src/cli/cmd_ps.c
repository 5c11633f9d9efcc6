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

/* Where the header's `PID` ends (ps right-aligns numbers under their header), its index
   among the whitespace-separated fields in *col; -1 when there is none. */
static long
pid_column (const char *header, int *col)
{
  const char *p = header;
  for (*col = 0;; (*col)++)
    {
      p += strspn (p, " \t");
      if (*p == '\0')
        return -1;
      size_t len = strcspn (p, " \t");
      if (len == 3 && strncmp (p, "PID", 3) == 0)
        return p + len - header;
      p += len;
    }
}

static long
parse_pid (const char *start, size_t len)
{
  if (len == 0 || len > 10 || strspn (start, "0123456789") != len)
    return -1;
  return strtol (start, NULL, 10);
}

/* The pid of a ps line: the number that ends under the header's `PID`, so a field before
   it holding spaces (a command name like "podman pause") does not shift it; else field
   `col`, as runc reads it. -1 when neither is a number. */
static long
line_pid (const char *line, long end, int col)
{
  size_t n = strlen (line);
  if ((size_t)end <= n && (line[end] == '\0' || line[end] == ' ' || line[end] == '\t'))
    {
      long start = end;
      while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9')
        start--;
      if (start == 0 || line[start - 1] == ' ' || line[start - 1] == '\t')
        {
          long pid = parse_pid (line + start, end - start);
          if (pid >= 0)
            return pid;
        }
    }
  const char *p = line;
  for (int i = 0;; i++)
    {
      p += strspn (p, " \t");
      size_t len = strcspn (p, " \t");
      if (len == 0)
        return -1;
      if (i == col)
        return parse_pid (p, len);
      p += len;
    }
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
  int col = -1;
  long end = header ? pid_column (header, &col) : -1;
  if (end < 0)
    return cli_error (cli, "couldn't find PID field in ps output");
  puts (header);
  for (char *line = strtok_r (NULL, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      long pid = line_pid (line, end, col);
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
