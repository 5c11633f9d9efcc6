/* tap.c: the tap device inside the target namespaces. A forked child joins the target's
   user namespace (when it is not ours) and network namespace, opens /dev/net/tun, makes
   the device, configures it when asked, and sends the fd back with SCM_RIGHTS (then exits,
   or stays for the splice forwarder: ns_socket.c); the parent stays in the host's network
   namespace, where libslirp's sockets must live. */
#include "config.h"
#include "slirp_helper.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TUN_DEVICE "/dev/net/tun"

/* Linux's struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct tap_in6_ifreq
{
  struct in6_addr addr;
  uint32_t prefixlen;
  int ifindex;
};

/* By pid: through a pidfd, which needs no ptrace access to the target (its init may be
   non-dumpable by now, and /proc/PID/ns/ would then be closed to us). Joining our own
   user namespace is EINVAL: the target then shares ours (root without a user namespace). */
static int
join_by_pid (pid_t pid, struct burrow_error *err)
{
  cleanup_close int pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      if (errno == ESRCH)
        return burrow_fail_plain (err, ESRCH, "process %d does not exist", pid);
      return burrow_fail_errno (err, "pidfd_open %d", pid);
    }
  if (setns (pidfd, CLONE_NEWUSER | CLONE_NEWNET) == 0)
    return 0;
  if (errno == EINVAL && setns (pidfd, CLONE_NEWNET) == 0)
    return 0;
  return burrow_fail_errno (err, "join the user and network namespaces of process %d", pid);
}

static int
join_by_path (const struct slirp_opts *o, struct burrow_error *err)
{
  cleanup_close int userns = -1;
  if (o->userns_path && (userns = open (o->userns_path, O_RDONLY | O_CLOEXEC)) < 0)
    return burrow_fail_errno (err, "open user namespace `%s`", o->userns_path);
  cleanup_close int netns = open (o->netns_path, O_RDONLY | O_CLOEXEC);
  if (netns < 0)
    return burrow_fail_errno (err, "open network namespace `%s`", o->netns_path);
  if (userns >= 0 && setns (userns, CLONE_NEWUSER) < 0)
    return burrow_fail_errno (err, "join user namespace `%s`", o->userns_path);
  if (setns (netns, CLONE_NEWNET) < 0)
    return burrow_fail_errno (err, "join network namespace `%s`", o->netns_path);
  return 0;
}

static int
join_namespaces (const struct slirp_opts *o, struct burrow_error *err)
{
  return o->netns_by_path ? join_by_path (o, err) : join_by_pid (o->target_pid, err);
}

static int
if_ioctl (int sock, unsigned long req, struct ifreq *ifr, const char *what,
          struct burrow_error *err)
{
  if (ioctl (sock, req, ifr) < 0)
    return burrow_fail_errno (err, "%s of `%s`", what, ifr->ifr_name);
  return 0;
}

static void
set_sin (struct sockaddr *sa, struct in_addr a)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a };
  memcpy (sa, &sin, sizeof sin);
}

static int
bring_up (int sock, const char *name, struct burrow_error *err)
{
  struct ifreq ifr = { 0 };
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  if (if_ioctl (sock, SIOCGIFFLAGS, &ifr, "read flags", err) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return if_ioctl (sock, SIOCSIFFLAGS, &ifr, "bring up", err);
}

static int
configure_ipv6 (const struct slirp_opts *o, struct burrow_error *err)
{
  char path[128];
  /* No duplicate address detection: the address is usable at once, and slirp is the only
     other host on this link. Best effort: an old kernel may lack the knob. */
  snprintf (path, sizeof path, "/proc/sys/net/ipv6/conf/%s/accept_dad", o->tapname);
  struct burrow_error ignored;
  burrow_write_string (path, "0", &ignored);
  cleanup_close int s6 = socket (AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s6 < 0)
    return burrow_fail_errno (err, "IPv6 socket in the namespace");
  struct tap_in6_ifreq r = { .addr = o->guest6, .prefixlen = 64,
                             .ifindex = (int)if_nametoindex (o->tapname) };
  if (ioctl (s6, SIOCSIFADDR, &r) < 0)
    return burrow_fail_errno (err, "set the IPv6 address of `%s`", o->tapname);
  struct in6_rtmsg rt = { .rtmsg_gateway = o->gateway6, .rtmsg_flags = RTF_UP | RTF_GATEWAY,
                          .rtmsg_metric = 1, .rtmsg_ifindex = r.ifindex };
  if (ioctl (s6, SIOCADDRT, &rt) < 0 && errno != EEXIST)
    return burrow_fail_errno (err, "add the IPv6 default route via the gateway");
  return 0;
}

static int
configure (const struct slirp_opts *o, struct burrow_error *err)
{
  cleanup_close int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return burrow_fail_errno (err, "socket in the namespace");
  struct ifreq ifr = { 0 };
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", o->tapname);
  if (o->has_mac)
    {
      ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
      memcpy (ifr.ifr_hwaddr.sa_data, o->mac, 6);
      if (if_ioctl (sock, SIOCSIFHWADDR, &ifr, "set the MAC address", err) < 0)
        return -1;
    }
  ifr.ifr_mtu = (int)o->mtu;
  if (if_ioctl (sock, SIOCSIFMTU, &ifr, "set the MTU", err) < 0)
    return -1;
  set_sin (&ifr.ifr_addr, o->guest);
  if (if_ioctl (sock, SIOCSIFADDR, &ifr, "set the address", err) < 0)
    return -1;
  set_sin (&ifr.ifr_netmask, o->mask);
  if (if_ioctl (sock, SIOCSIFNETMASK, &ifr, "set the netmask", err) < 0)
    return -1;
  if (bring_up (sock, o->tapname, err) < 0 || bring_up (sock, "lo", err) < 0)
    return -1;
  /* After bring-up: the prefix route the gateway needs exists only on an up link. */
  if (o->ipv6 && configure_ipv6 (o, err) < 0)
    return -1;
  struct rtentry rt = { .rt_flags = RTF_UP | RTF_GATEWAY, .rt_dev = (char *)o->tapname };
  set_sin (&rt.rt_dst, (struct in_addr){ 0 });
  set_sin (&rt.rt_genmask, (struct in_addr){ 0 });
  set_sin (&rt.rt_gateway, o->gateway);
  if (ioctl (sock, SIOCADDRT, &rt) < 0)
    return burrow_fail_errno (err, "add the default route via the gateway");
  return 0;
}

static int
make_tap (const struct slirp_opts *o, struct burrow_error *err)
{
  if (join_namespaces (o, err) < 0)
    return -1;
  cleanup_close int fd = open (TUN_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      if (e == EACCES || e == EPERM)
        return burrow_fail (err, e,
                            "open " TUN_DEVICE " (it must be readable and writable by this "
                            "user; distributions ship it 0666)");
      return burrow_fail (err, e, "open " TUN_DEVICE);
    }
  /* With a virtio-net header on each frame (tap_writer.c says why), if the kernel has it. */
  struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", o->tapname);
  int r = ioctl (fd, TUNSETIFF, &ifr);
  if (r < 0 && errno == EINVAL)
    {
      ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
      r = ioctl (fd, TUNSETIFF, &ifr);
    }
  if (r < 0)
    return burrow_fail_errno (err, "create tap device `%s` (" TUN_DEVICE " TUNSETIFF)",
                              o->tapname);
  if (o->configure && configure (o, err) < 0)
    return -1;
  return steal_fd (&fd);
}

bool
slirp_tap_has_vnet_hdr (int fd)
{
  struct ifreq ifr = { 0 };
  int size = 0;
  /* The header is struct virtio_net_hdr only at its default size. */
  return ioctl (fd, TUNGETIFF, &ifr) == 0 && (ifr.ifr_flags & IFF_VNET_HDR)
         && ioctl (fd, TUNGETVNETHDRSZ, &size) == 0 && size == (int)sizeof (struct virtio_net_hdr);
}

/* The child's report: an error, or (with the fd attached) errnum 0. With ns, it then
   stays in the namespaces and makes sockets for the splice forwarder (ns_socket.c). */
static void __attribute__ ((noreturn))
child_main (int sock, const struct slirp_opts *o, bool stay, pid_t parent)
{
  struct burrow_error err = { 0 };
  int fd = make_tap (o, &err);
  if (ns_reply_send (sock, fd, &err) < 0 || fd < 0 || !stay)
    _exit (fd < 0 ? 1 : 0);
  close (fd);
  ns_socket_serve (sock, parent, o->seccomp);
  _exit (1);
}

int
slirp_tap_open (const struct slirp_opts *o, struct ns_child *ns, struct burrow_error *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return burrow_fail_errno (err, "socketpair");
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return burrow_fail_errno (err, "fork");
    }
  if (pid == 0)
    {
      close (sv[0]);
      child_main (sv[1], o, ns != NULL, parent);
    }
  close (sv[1]);
  cleanup_close int sock = sv[0];
  int fd = ns_reply_recv (sock, err);
  if (fd >= 0 && ns != NULL && ns_socket_prepare (sock, err) == 0)
    {
      ns->pid = pid;
      ns->sock = steal_fd (&sock);
      return fd;
    }
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (fd >= 0 && ns != NULL)
    {
      close (fd);
      return -1;
    }
  return fd;
}
