/* cmd_list.c: `burrow list`: the containers under the state root, as runc's table
   (Go tabwriter: minwidth 12, padding 3, spaces), as ids only, or as JSON. */
#include "config.h"
#include "cli.h"
#include "cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define N_COLUMNS 6
#define MIN_WIDTH 12
#define PADDING 3

static const char usage[] = "Usage: burrow list [OPTIONS]\n"
                            "\n"
                            "List the containers under the state root (see --root).\n"
                            "\n"
                            "Options:\n"
                            "  -f, --format table|json   output format (default: table)\n"
                            "  -q, --quiet               print only the container ids\n"
                            "  -h, --help                show this help\n";

/* tabwriter counts runes, not bytes, so a UTF-8 bundle path lines up as runc's does. */
static size_t
display_width (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

static void
print_row (const char *const cells[N_COLUMNS], const size_t widths[N_COLUMNS])
{
  /* The last cell ends the line rather than a column, so it is never padded. */
  for (int i = 0; i < N_COLUMNS - 1; i++)
    printf ("%s%*s", cells[i], (int)(widths[i] - display_width (cells[i])), "");
  printf ("%s\n", cells[N_COLUMNS - 1]);
}

static void
row_cells (const struct burrow_container_info *info, char *pid, size_t pid_size,
           const char *cells[N_COLUMNS])
{
  const char *v[N_COLUMNS]
      = { info->id, pid, info->status, info->bundle, info->created, info->owner };

  snprintf (pid, pid_size, "%d", (int)info->pid);
  for (int i = 0; i < N_COLUMNS; i++)
    cells[i] = v[i] ? v[i] : "";
}

static void
print_table (const struct burrow_container_info *list, size_t n)
{
  static const char *const header[N_COLUMNS]
      = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  const char *cells[N_COLUMNS];
  size_t widths[N_COLUMNS];
  char pid[24];

  for (int i = 0; i < N_COLUMNS; i++)
    widths[i] = display_width (header[i]);
  for (size_t r = 0; r < n; r++)
    {
      row_cells (&list[r], pid, sizeof pid, cells);
      for (int i = 0; i < N_COLUMNS; i++)
        if (display_width (cells[i]) > widths[i])
          widths[i] = display_width (cells[i]);
    }
  for (int i = 0; i < N_COLUMNS; i++)
    widths[i] = widths[i] + PADDING < MIN_WIDTH ? MIN_WIDTH : widths[i] + PADDING;

  print_row (header, widths);
  for (size_t r = 0; r < n; r++)
    {
      row_cells (&list[r], pid, sizeof pid, cells);
      print_row (cells, widths);
    }
}

static int
print_list (const struct cli *cli, const struct burrow_container_info *list, size_t n, bool json,
            bool quiet)
{
  struct burrow_error err = { 0 };

  if (quiet)
    {
      for (size_t i = 0; i < n; i++)
        printf ("%s\n", list[i].id);
      return 0;
    }
  if (!json)
    {
      print_table (list, n);
      return 0;
    }
  cleanup_free char *out = NULL;
  if (burrow_container_list_json (list, n, &out, &err) < 0)
    return cli_fail (cli, &err);
  size_t len = strlen (out);
  fputs (out, stdout);
  if (len == 0 || out[len - 1] != '\n')
    putchar ('\n');
  return 0;
}

int
cmd_list (struct cli *cli, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "format", required_argument, NULL, 'f' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_error err = { 0 };
  struct burrow_container_info *list = NULL;
  size_t n = 0;
  bool json = false, quiet = false;
  int c;

  while ((c = getopt_long (argc, argv, "+:f:qh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (strcmp (optarg, "table") != 0 && strcmp (optarg, "json") != 0)
          return cli_usage_error (cli, "list", "invalid format \"%s\" (table or json)", optarg);
        json = strcmp (optarg, "json") == 0;
        break;
      case 'q':
        quiet = true;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "list", c, argv);
      }
  if (cli_check_args (cli, "list", argc - optind, 0, 0) != 0)
    return 1;
  if (burrow_container_list (&cli->ctx, &list, &n, &err) < 0)
    return cli_fail (cli, &err);

  int status = print_list (cli, list, n, json, quiet);
  burrow_container_info_list_free (list, n);
  return status;
}
