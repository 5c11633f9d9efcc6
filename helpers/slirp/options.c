/* options.c: burrow-slirp's command line, the same as slirp4netns 1.x so that podman and
   rootlesskit can run it in slirp4netns' place (they look for flags in --help). */
#include "config.h"
#include "slirp_helper.h"

#include "error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[]
    = "Usage: burrow-slirp [OPTION]... PID|PATH TAPNAME\n"
      "User-mode networking for a network namespace (slirp4netns compatible).\n"
      "\n"
      "-c, --configure          bring up the interface, the default route and lo\n"
      "-e, --exit-fd=FD         exit when FD is closed or readable\n"
      "-r, --ready-fd=FD        write \"1\" to FD and close it when the network is ready\n"
      "-m, --mtu=MTU            MTU (default 65520, max 65521)\n"
      "-6, --enable-ipv6        enable IPv6 (experimental in slirp4netns)\n"
      "-a, --api-socket=PATH    serve the JSON API (add_hostfwd, list_hostfwd,\n"
      "                         remove_hostfwd) on this unix socket\n"
      "--cidr=CIDR              virtual network (default 10.0.2.0/24)\n"
      "--disable-host-loopback  refuse connections to 127.0.0.0/8 of the host\n"
      "--netns-type=TYPE        PID|PATH is a pid (default) or a path to a netns file\n"
      "--userns-path=PATH       user namespace to join (with --netns-type=path)\n"
      "--enable-sandbox         private mount namespace, capabilities dropped\n"
      "--enable-seccomp         syscall allow-list (libseccomp)\n"
      "--outbound-addr=IPv4|IF  source address of outgoing connections\n"
      "--outbound-addr6=IPv6|IF source address of outgoing IPv6 connections\n"
      "--disable-dns            no DNS forwarder at the .3 address\n"
      "--macaddress=MAC         MAC address of the tap device (with --configure)\n"
      "--hostfwd=splice|slirp   how published TCP ports reach the guest (default splice:\n"
      "                         spliced into sockets made in its namespace, with\n"
      "                         --configure; slirp: through libslirp, as slirp4netns)\n"
      "-h, --help               show this help and exit\n"
      "-v, --version            show version and exit\n";

enum
{
  OPT_CIDR = 256,
  OPT_DISABLE_HOST_LOOPBACK,
  OPT_NETNS_TYPE,
  OPT_USERNS_PATH,
  OPT_SANDBOX,
  OPT_SECCOMP,
  OPT_OUTBOUND,
  OPT_OUTBOUND6,
  OPT_DISABLE_DNS,
  OPT_MAC,
  OPT_TARGET_TYPE,
  OPT_HOSTFWD,
};

static const struct option long_opts[] = {
  { "configure", no_argument, NULL, 'c' },
  { "exit-fd", required_argument, NULL, 'e' },
  { "ready-fd", required_argument, NULL, 'r' },
  { "mtu", required_argument, NULL, 'm' },
  { "enable-ipv6", no_argument, NULL, '6' },
  { "api-socket", required_argument, NULL, 'a' },
  { "cidr", required_argument, NULL, OPT_CIDR },
  { "disable-host-loopback", no_argument, NULL, OPT_DISABLE_HOST_LOOPBACK },
  { "netns-type", required_argument, NULL, OPT_NETNS_TYPE },
  { "userns-path", required_argument, NULL, OPT_USERNS_PATH },
  { "enable-sandbox", no_argument, NULL, OPT_SANDBOX },
  { "enable-seccomp", no_argument, NULL, OPT_SECCOMP },
  { "outbound-addr", required_argument, NULL, OPT_OUTBOUND },
  { "outbound-addr6", required_argument, NULL, OPT_OUTBOUND6 },
  { "disable-dns", no_argument, NULL, OPT_DISABLE_DNS },
  { "macaddress", required_argument, NULL, OPT_MAC },
  { "target-type", required_argument, NULL, OPT_TARGET_TYPE },
  { "hostfwd", required_argument, NULL, OPT_HOSTFWD },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'v' },
  { NULL, 0, NULL, 0 },
};

static int
parse_uint (const char *s, unsigned long max, unsigned long *out)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (s, &end, 10);
  if (errno || end == s || *end != '\0' || v > max || s[0] == '-')
    return -1;
  *out = v;
  return 0;
}

static int
parse_fd (const char *name, const char *s, int *fd, struct burrow_error *err)
{
  unsigned long v;
  if (parse_uint (s, INT_MAX, &v) < 0)
    return burrow_fail_plain (err, EINVAL, "--%s: `%s` is not a file descriptor", name, s);
  *fd = (int)v;
  return 0;
}

static int
parse_cidr (const char *s, struct slirp_opts *o, struct burrow_error *err)
{
  char addr[INET_ADDRSTRLEN];
  const char *slash = strchr (s, '/');
  unsigned long len;
  if (slash == NULL || (size_t)(slash - s) >= sizeof addr || parse_uint (slash + 1, 32, &len) < 0)
    return burrow_fail_plain (err, EINVAL, "--cidr: `%s` is not an IPv4 CIDR (like 10.0.2.0/24)",
                              s);
  memcpy (addr, s, slash - s);
  addr[slash - s] = '\0';
  if (inet_pton (AF_INET, addr, &o->net) != 1)
    return burrow_fail_plain (err, EINVAL, "--cidr: `%s` is not an IPv4 address", addr);
  /* libslirp needs room for the gateway (.2), DNS (.3), DHCP (.15) and the guest (.100). */
  if (len > 25)
    return burrow_fail_plain (err, EINVAL, "--cidr: /%lu is too small (at most /25)", len);
  o->prefix_len = (unsigned int)len;
  o->mask.s_addr = htonl (len ? 0xffffffffu << (32 - len) : 0);
  if ((o->net.s_addr & ~o->mask.s_addr) != 0)
    return burrow_fail_plain (err, EINVAL, "--cidr: `%s` has host bits set", s);
  return 0;
}

/* An address, or the first address of that family on the interface of that name. */
static int
parse_outbound (const char *s, int family, void *addr, struct burrow_error *err)
{
  if (inet_pton (family, s, addr) == 1)
    return 0;
  struct ifaddrs *ifa, *i;
  if (getifaddrs (&ifa) < 0)
    return burrow_fail_errno (err, "--outbound-addr: list interfaces");
  int r = -1;
  for (i = ifa; i && r < 0; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == family && strcmp (i->ifa_name, s) == 0)
      {
        if (family == AF_INET)
          memcpy (addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, sizeof (struct in_addr));
        else
          memcpy (addr, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
                  sizeof (struct in6_addr));
        r = 0;
      }
  freeifaddrs (ifa);
  if (r < 0)
    return burrow_fail_plain (err, EINVAL,
                              "--outbound-addr%s: `%s` is neither an address nor an interface "
                              "with one",
                              family == AF_INET6 ? "6" : "", s);
  return 0;
}

static int
parse_mac (const char *s, uint8_t mac[6], struct burrow_error *err)
{
  unsigned int b[6];
  char extra;
  if (sscanf (s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra)
      != 6)
    return burrow_fail_plain (err, EINVAL, "--macaddress: `%s` is not a MAC address", s);
  for (int i = 0; i < 6; i++)
    mac[i] = (uint8_t)b[i];
  if (mac[0] & 1)
    return burrow_fail_plain (err, EINVAL, "--macaddress: `%s` is a multicast address", s);
  return 0;
}

static struct in_addr
host_n (struct in_addr net, uint32_t n)
{
  return (struct in_addr){ .s_addr = htonl (ntohl (net.s_addr) + n) };
}

static void
set_defaults (struct slirp_opts *o)
{
  memset (o, 0, sizeof *o);
  o->exit_fd = -1;
  o->ready_fd = -1;
  o->mtu = SLIRP_DEFAULT_MTU;
  inet_pton (AF_INET, "10.0.2.0", &o->net);
  inet_pton (AF_INET, "255.255.255.0", &o->mask);
  o->prefix_len = 24;
  inet_pton (AF_INET6, "fd00::2", &o->gateway6);
  inet_pton (AF_INET6, "fd00::3", &o->dns6);
  inet_pton (AF_INET6, "fd00::100", &o->guest6);
}

static int
parse_one (int c, const char *arg, struct slirp_opts *o, struct burrow_error *err)
{
  unsigned long v;
  switch (c)
    {
    case 'c':
      o->configure = true;
      return 0;
    case 'e':
      return parse_fd ("exit-fd", arg, &o->exit_fd, err);
    case 'r':
      return parse_fd ("ready-fd", arg, &o->ready_fd, err);
    case 'm':
      if (parse_uint (arg, SLIRP_MAX_MTU, &v) < 0 || v < 68)
        return burrow_fail_plain (err, EINVAL, "--mtu: `%s` is not between 68 and %d", arg,
                                  SLIRP_MAX_MTU);
      o->mtu = (unsigned int)v;
      return 0;
    case '6':
      o->ipv6 = true;
      return 0;
    case 'a':
      o->api_socket = arg;
      return 0;
    case OPT_CIDR:
      return parse_cidr (arg, o, err);
    case OPT_DISABLE_HOST_LOOPBACK:
      o->disable_host_loopback = true;
      return 0;
    case OPT_NETNS_TYPE:
      if (strcmp (arg, "pid") != 0 && strcmp (arg, "path") != 0)
        return burrow_fail_plain (err, EINVAL, "--netns-type: `%s` is neither pid nor path", arg);
      o->netns_by_path = strcmp (arg, "path") == 0;
      return 0;
    case OPT_USERNS_PATH:
      o->userns_path = arg;
      return 0;
    case OPT_SANDBOX:
      o->sandbox = true;
      return 0;
    case OPT_SECCOMP:
      o->seccomp = true;
      return 0;
    case OPT_OUTBOUND:
      o->has_outbound = true;
      o->outbound.sin_family = AF_INET;
      return parse_outbound (arg, AF_INET, &o->outbound.sin_addr, err);
    case OPT_OUTBOUND6:
      o->has_outbound6 = true;
      o->outbound6.sin6_family = AF_INET6;
      return parse_outbound (arg, AF_INET6, &o->outbound6.sin6_addr, err);
    case OPT_DISABLE_DNS:
      o->disable_dns = true;
      return 0;
    case OPT_MAC:
      o->has_mac = true;
      return parse_mac (arg, o->mac, err);
    case OPT_HOSTFWD:
      if (strcmp (arg, "splice") != 0 && strcmp (arg, "slirp") != 0)
        return burrow_fail_plain (err, EINVAL, "--hostfwd: `%s` is neither splice nor slirp", arg);
      o->hostfwd_slirp = strcmp (arg, "slirp") == 0;
      return 0;
    case OPT_TARGET_TYPE:
      if (strcmp (arg, "netns") != 0)
        return burrow_fail_plain (err, EINVAL, "--target-type: only `netns` is supported");
      return 0;
    default:
      return burrow_fail_plain (err, EINVAL, "unknown option (see burrow-slirp --help)");
    }
}

int
slirp_opts_parse (int argc, char **argv, struct slirp_opts *o, struct burrow_error *err)
{
  set_defaults (o);
  opterr = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+ce:r:m:6a:hv", long_opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          fputs (usage_text, stdout);
          return 1;
        }
      if (c == 'v')
        {
          printf ("burrow-slirp version %s\nlibslirp: %s\nSLIRP_CONFIG_VERSION_MAX: %d\n",
                  PACKAGE_VERSION, slirp_version_string (), SLIRP_CONFIG_VERSION_MAX);
          return 1;
        }
      if (c == '?' || c == ':')
        return burrow_fail_plain (err, EINVAL, "bad option `%s` (see burrow-slirp --help)",
                                  argv[optind - 1]);
      if (parse_one (c, optarg, o, err) < 0)
        return -1;
    }
  if (argc - optind != 2)
    return burrow_fail_plain (err, EINVAL,
                              "expected PID|PATH and TAPNAME (see burrow-slirp --help)");
  const char *target = argv[optind];
  o->tapname = argv[optind + 1];
  if (strlen (o->tapname) >= IFNAMSIZ || o->tapname[0] == '\0' || strchr (o->tapname, '/'))
    return burrow_fail_plain (err, EINVAL, "`%s` is not a valid interface name", o->tapname);
  if (o->netns_by_path)
    o->netns_path = target;
  else
    {
      unsigned long pid;
      if (parse_uint (target, INT_MAX, &pid) < 0 || pid == 0)
        return burrow_fail_plain (err, EINVAL,
                                  "`%s` is not a pid (use --netns-type=path for a path)", target);
      o->target_pid = (pid_t)pid;
    }
  if (o->userns_path && !o->netns_by_path)
    return burrow_fail_plain (err, EINVAL, "--userns-path needs --netns-type=path");
  o->gateway = host_n (o->net, 2);
  o->dns = host_n (o->net, 3);
  o->dhcp = host_n (o->net, 15);
  o->guest = host_n (o->net, 100);
  return 0;
}
