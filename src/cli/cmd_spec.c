/* cmd_spec.c: `burrow spec`: write a default config.json into a bundle directory. */
#include "config.h"
#include "cli.h"
#include "cleanup.h"
#include "file_io.h"
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[]
    = "Usage: burrow spec [OPTIONS]\n"
      "\n"
      "Write a default config.json for a bundle; edit it, then add a rootfs directory.\n"
      "\n"
      "Options:\n"
      "  -b, --bundle DIR   where to write config.json (default: current directory)\n"
      "      --rootless     a spec an unprivileged user can run (user namespace, own ids)\n"
      "      --network slirp             a network namespace with user-mode networking\n"
      "                                  (burrow-slirp, started by create)\n"
      "  -p, --publish [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]\n"
      "                                  publish a port (with --network slirp; repeatable)\n"
      "      --allow-host-loopback       let the container reach the host's 127.0.0.1\n"
      "                                  through 10.0.2.2 (with --network slirp)\n"
      "      --overlay[=MODE]  an overlay over root.path, so the image is never written:\n"
      "                     MODE auto (default: kernel overlayfs, else FUSE), kernel or fuse\n"
      "      --upper DIR    keep the overlay's upper layer in DIR (default: in the state\n"
      "                     directory, removed by delete)\n"
      "  -h, --help         show this help\n";

static int
write_spec (const struct cli *cli, const char *path, const char *json)
{
  /* O_EXCL rather than a stat first: two `spec`s racing must not overwrite each other. */
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST)
    return cli_error (cli, "File %s exists. Remove it first.", path);
  if (fd < 0)
    return cli_error (cli, "open `%s`: %s", path, strerror (errno));
  if (burrow_write_all (fd, json, strlen (json)) < 0)
    {
      int saved = errno;
      unlink (path);
      return cli_error (cli, "write `%s`: %s", path, strerror (saved));
    }
  return 0;
}

int
cmd_spec (struct cli *cli, int argc, char **argv)
{
  enum
  {
    OPT_ROOTLESS = 256,
    OPT_NETWORK,
    OPT_ALLOW_HOST_LOOPBACK,
    OPT_OVERLAY,
    OPT_UPPER,
  };
  static const struct option longopts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, OPT_ROOTLESS },
    { "network", required_argument, NULL, OPT_NETWORK },
    { "publish", required_argument, NULL, 'p' },
    { "allow-host-loopback", no_argument, NULL, OPT_ALLOW_HOST_LOOPBACK },
    { "overlay", optional_argument, NULL, OPT_OVERLAY },
    { "upper", required_argument, NULL, OPT_UPPER },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct burrow_spec_opts opts = { .uid = geteuid (), .gid = getegid (), .terminal = isatty (0) };
  struct burrow_error err = { 0 };
  const char *bundle = NULL;
  int c;

  cleanup_free char **publish = calloc (argc + 1, sizeof *publish);
  size_t n_publish = 0;
  struct burrow_publish pc;
  if (publish == NULL)
    return cli_error (cli, "%s", strerror (ENOMEM));
  opts.publish = publish;
  while ((c = getopt_long (argc, argv, "+:b:p:h", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_NETWORK:
        if (strcmp (optarg, "slirp") != 0 && strcmp (optarg, "none") != 0)
          return cli_usage_error (cli, "spec", "--network: `%s` is not slirp or none", optarg);
        opts.network_slirp = strcmp (optarg, "slirp") == 0;
        break;
      case 'p':
        if (burrow_publish_parse (optarg, &pc, &err) < 0)
          return cli_usage_error (cli, "spec", "--publish: %s", err.msg);
        publish[n_publish++] = optarg;
        break;
      case OPT_ALLOW_HOST_LOOPBACK:
        opts.allow_host_loopback = true;
        break;
      case 'b':
        bundle = optarg;
        break;
      case OPT_ROOTLESS:
        opts.rootless = true;
        break;
      case OPT_OVERLAY:
        opts.overlay = optarg ? optarg : "auto";
        if (strcmp (opts.overlay, "auto") != 0 && strcmp (opts.overlay, "kernel") != 0
            && strcmp (opts.overlay, "fuse") != 0)
          return cli_usage_error (cli, "spec", "--overlay=%s: expected auto, kernel or fuse",
                                  opts.overlay);
        break;
      case OPT_UPPER:
        opts.overlay_upper = optarg;
        break;
      case 'h':
        fputs (usage, stdout);
        return 0;
      default:
        return cli_bad_option (cli, "spec", c, argv);
      }
  if (cli_check_args (cli, "spec", argc - optind, 0, 0) != 0)
    return 1;
  if ((n_publish || opts.allow_host_loopback) && !opts.network_slirp)
    return cli_usage_error (cli, "spec",
                            "--publish and --allow-host-loopback need --network slirp");
  if (opts.overlay_upper && opts.overlay == NULL)
    return cli_usage_error (cli, "spec", "--upper needs --overlay");

  cleanup_free char *json = NULL;
  if (burrow_spec_generate (&opts, &json, &err) < 0)
    return cli_fail (cli, &err);

  /* Without --bundle the message names config.json alone, as runc's does. */
  cleanup_free char *path = NULL;
  if (asprintf (&path, "%s%sconfig.json", bundle ? bundle : "",
                bundle == NULL                       ? ""
                : bundle[strlen (bundle) - 1] == '/' ? ""
                                                     : "/")
      < 0)
    return cli_error (cli, "%s", strerror (ENOMEM));
  return write_spec (cli, path, json);
}
