/* cli.h: what main.c shares with the cmd_<verb>.c files: the command signature and the
   helpers that print an error once, in runc's words, and give the exit status. */
#ifndef BURROW_CLI_H
#define BURROW_CLI_H

#include "burrow.h"

#include <stdbool.h>

#define CLI_USAGE_HINT "see 'burrow --help'"

struct cli
{
  struct burrow_context ctx;
  bool log_to_file; /* --log given: errors also go to the log file for conmon/containerd */
};

/* A command gets argv[0] = its name and returns the process exit status. */
typedef int (*cli_command_fn) (struct cli *cli, int argc, char **argv);

int cmd_spec (struct cli *cli, int argc, char **argv);
int cmd_create (struct cli *cli, int argc, char **argv);
int cmd_start (struct cli *cli, int argc, char **argv);
int cmd_run (struct cli *cli, int argc, char **argv);
int cmd_state (struct cli *cli, int argc, char **argv);
int cmd_kill (struct cli *cli, int argc, char **argv);
int cmd_delete (struct cli *cli, int argc, char **argv);
int cmd_list (struct cli *cli, int argc, char **argv);
int cmd_exec (struct cli *cli, int argc, char **argv);
int cmd_ps (struct cli *cli, int argc, char **argv);
int cmd_features (struct cli *cli, int argc, char **argv);
int cmd_pause (struct cli *cli, int argc, char **argv);
int cmd_resume (struct cli *cli, int argc, char **argv);
int cmd_update (struct cli *cli, int argc, char **argv);
int cmd_events (struct cli *cli, int argc, char **argv);
int cmd_port (struct cli *cli, int argc, char **argv);

/* `burrow: MSG` on stderr, and into the log file with --log; returns 1. */
int cli_error (const struct cli *cli, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* cli_error with a library error's message. */
int cli_fail (const struct cli *cli, const struct burrow_error *err);
/* A usage error: one line naming what is wrong and where to read the usage; returns 1. */
int cli_usage_error (const struct cli *cli, const char *cmd, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Reports what getopt_long (optstring "+:...", opterr 0) rejected; returns 1. */
int cli_bad_option (const struct cli *cli, const char *cmd, int c, char **argv);
/* Checks the count of positional arguments left after the options; returns 0 or 1. */
int cli_check_args (const struct cli *cli, const char *cmd, int nargs, int min, int max);
/* --preserve-fds: a non-negative integer. Returns 0, or 1 after printing the error. */
int cli_parse_preserve_fds (const struct cli *cli, const char *cmd, const char *arg,
                            unsigned int *out);
/* The path made absolute against the cwd (not resolved); NULL on ENOMEM or getcwd failure. */
char *cli_absolute_path (const char *path);

/* create and run share their flags; the paths are made absolute (and owned) here so a
   chdir in the library cannot change what they name. */
struct cli_create_args
{
  struct burrow_create_opts opts;
  char *bundle;
  char *pid_file;
  char *console_socket;
};
/* Parses create's (or, with is_run, run's) flags and the id; --help prints usage. Returns
   -1 to go on, else the exit status. */
int cli_parse_create_args (const struct cli *cli, const char *cmd, bool is_run, const char *usage,
                           int argc, char **argv, struct cli_create_args *args);
void cli_create_args_release (struct cli_create_args *args);
#define cleanup_create_args __attribute__ ((cleanup (cli_create_args_release)))

#endif
