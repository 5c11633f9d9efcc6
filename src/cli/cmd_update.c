/* cmd_update.c: `burrow update`: change a live container's resource limits, from an OCI
   linux.resources JSON file or from runc's update flags. */
#include "config.h"
#include "cli.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

static const char usage[]
    = "Usage: burrow update [OPTIONS] CONTAINER_ID\n"
      "\n"
      "Change the resource limits of a running (or created, or paused) container.\n"
      "\n"
      "Options:\n"
      "  -r, --resources FILE         an OCI linux.resources JSON object (`-`: stdin);\n"
      "                               not combined with the flags below\n"
      "      --blkio-weight N         block IO weight (10-1000)\n"
      "      --cpu-period N           CPU CFS period, microseconds\n"
      "      --cpu-quota N            CPU CFS quota, microseconds per period (-1: none)\n"
      "      --cpu-burst N            CPU CFS burst, microseconds\n"
      "      --cpu-share N            CPU shares (relative weight); also --cpu-shares\n"
      "      --cpu-idle N             1: SCHED_IDLE-like cgroup\n"
      "      --cpu-rt-period N        realtime period, microseconds\n"
      "      --cpu-rt-runtime N       realtime runtime, microseconds per period\n"
      "      --cpuset-cpus LIST       CPUs allowed (0-3,5)\n"
      "      --cpuset-mems LIST       memory nodes allowed\n"
      "      --memory SIZE            memory limit (512m, 2g; -1: none)\n"
      "      --memory-reservation SIZE  memory soft limit\n"
      "      --memory-swap SIZE       memory + swap limit (-1: none)\n"
      "      --pids-limit N           maximum number of processes (-1: none)\n"
      "      --kernel-memory SIZE     ignored, with a warning (as runc)\n"
      "      --kernel-memory-tcp SIZE ignored, with a warning\n"
      "      --l3-cache-schema S      ignored, with a warning (no Intel RDT)\n"
      "      --mem-bw-schema S        ignored, with a warning (no Intel RDT)\n"
      "  -h, --help                   show this help\n";

#define OPT(f) offsetof (struct burrow_update_opts, f)

int
cmd_update (struct cli *cli, int argc, char **argv)
{
  /* The option's `val` is 256 + the offset of its field in burrow_update_opts. */
  static const struct option longopts[] = {
    { "resources", required_argument, NULL, 'r' },
    { "blkio-weight", required_argument, NULL, 256 + OPT (blkio_weight) },
    { "cpu-period", required_argument, NULL, 256 + OPT (cpu_period) },
    { "cpu-quota", required_argument, NULL, 256 + OPT (cpu_quota) },
    { "cpu-burst", required_argument, NULL, 256 + OPT (cpu_burst) },
    { "cpu-share", required_argument, NULL, 256 + OPT (cpu_shares) },
    { "cpu-shares", required_argument, NULL, 256 + OPT (cpu_shares) },
    { "cpu-idle", required_argument, NULL, 256 + OPT (cpu_idle) },
    { "cpu-rt-period", required_argument, NULL, 256 + OPT (cpu_rt_period) },
    { "cpu-rt-runtime", required_argument, NULL, 256 + OPT (cpu_rt_runtime) },
    { "cpuset-cpus", required_argument, NULL, 256 + OPT (cpuset_cpus) },
    { "cpuset-mems", required_argument, NULL, 256 + OPT (cpuset_mems) },
    { "memory", required_argument, NULL, 256 + OPT (memory) },
    { "memory-reservation", required_argument, NULL, 256 + OPT (memory_reservation) },
    { "memory-swap", required_argument, NULL, 256 + OPT (memory_swap) },
    { "kernel-memory", required_argument, NULL, 256 + OPT (kernel_memory) },
    { "kernel-memory-tcp", required_argument, NULL, 256 + OPT (kernel_memory_tcp) },
    { "pids-limit", required_argument, NULL, 256 + OPT (pids_limit) },
    { "l3-cache-schema", required_argument, NULL, 256 + OPT (l3_cache_schema) },
    { "mem-bw-schema", required_argument, NULL, 256 + OPT (mem_bw_schema) },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_update_opts opts = { 0 };
  struct burrow_error err = { 0 };
  int c;

  while ((c = getopt_long (argc, argv, "+:r:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'r':
        opts.resources = optarg;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        if (c >= 256 && c < 256 + (int)sizeof opts)
          {
            *(const char **)((char *)&opts + (c - 256)) = optarg;
            break;
          }
        return cli_bad_option (cli, "update", c, argv);
      }
  if (cli_check_args (cli, "update", argc - optind, 1, 1) != 0)
    return 1;
  if (burrow_container_update (&cli->ctx, argv[optind], &opts, &err) < 0)
    return cli_fail (cli, &err);
  return 0;
}
