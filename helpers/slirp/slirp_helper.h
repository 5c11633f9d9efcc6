/* slirp_helper.h: what the parts of burrow-slirp share: the parsed command line, the tap
   device made inside the target namespaces, the event loop around libslirp, the API
   socket and the sandbox. */
#ifndef BURROW_SLIRP_HELPER_H
#define BURROW_SLIRP_HELPER_H

#include "burrow.h"

#include <libslirp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SLIRP_DEFAULT_MTU 65520
#define SLIRP_MAX_MTU 65521

/* options.c: the command line, slirp4netns 1.x compatible. */
struct slirp_opts
{
  bool configure;
  int exit_fd;  /* -1: none */
  int ready_fd; /* -1: none */
  unsigned int mtu;
  bool ipv6;
  const char *api_socket; /* NULL: no API */
  struct in_addr net;     /* --cidr, default 10.0.2.0/24 */
  struct in_addr mask;
  unsigned int prefix_len;
  bool disable_host_loopback;
  bool netns_by_path; /* --netns-type=path */
  const char *userns_path;
  bool sandbox;
  bool seccomp;
  bool has_outbound;
  struct sockaddr_in outbound;
  bool has_outbound6;
  struct sockaddr_in6 outbound6;
  bool disable_dns;
  bool hostfwd_slirp; /* --hostfwd=slirp: published TCP through libslirp, not spliced */
  bool has_mac;
  uint8_t mac[6];
  /* positional */
  pid_t target_pid;        /* --netns-type=pid */
  const char *netns_path;  /* --netns-type=path */
  const char *tapname;
  /* derived from the cidr */
  struct in_addr gateway;  /* .2 */
  struct in_addr dns;      /* .3 */
  struct in_addr guest;    /* .100 */
  struct in_addr dhcp;     /* .15 */
  struct in6_addr gateway6; /* fd00::2 */
  struct in6_addr dns6;     /* fd00::3 */
  struct in6_addr guest6;   /* fd00::100 */
};

/* 0: run; 1: --help or --version printed, exit 0; -1: *err filled (usage error). */
int slirp_opts_parse (int argc, char **argv, struct slirp_opts *o, struct burrow_error *err);

/* ns_socket.c: the child that stays in the target's namespaces to make sockets there. */
struct ns_child
{
  pid_t pid;
  int sock; /* requests and replies (SOCK_SEQPACKET) */
};
/* Child side: never returns. */
void ns_socket_serve (int sock, pid_t parent, bool seccomp) __attribute__ ((noreturn));
/* An fd (errnum 0, fd attached) or an error, as one message; and its receiving end,
   which returns the fd or -1 with err filled. */
int ns_reply_send (int sock, int fd, const struct burrow_error *err);
int ns_reply_recv (int sock, struct burrow_error *err);
/* Parent side: time-outs on the socket, then one TCP socket (non-blocking) per call. */
int ns_socket_prepare (int sock, struct burrow_error *err);
int ns_socket_make (int sock, int family, struct burrow_error *err);

/* tap.c: a child joins the target user and network namespaces, creates the tap device
   (configured when o->configure) and sends its fd back. Returns the fd. With ns, the
   child stays there for ns_socket_make (ns filled); without, it exits. */
int slirp_tap_open (const struct slirp_opts *o, struct ns_child *ns, struct burrow_error *err);
/* Whether its frames carry a struct virtio_net_hdr first (IFF_VNET_HDR). */
bool slirp_tap_has_vnet_hdr (int fd);

/* splice_fwd.c: published TCP ports spliced into sockets made in the target's namespace.
   It has an epoll set of its own; run it when that fd is readable. */
struct splice_fwd;
struct splice_fwd *splice_fwd_new (int ns_sock);
void splice_fwd_free (struct splice_fwd *fwd);
int splice_fwd_fd (const struct splice_fwd *fwd);
/* Listen on host, forward to guest; returns an id (> 0), or -1 with errno. */
int splice_fwd_listen (struct splice_fwd *fwd, const struct sockaddr *host, socklen_t host_len,
                       const struct sockaddr *guest, socklen_t guest_len);
/* Stop listening; connections already made go on. */
void splice_fwd_unlisten (struct splice_fwd *fwd, int id);
void splice_fwd_run (struct splice_fwd *fwd);

/* api.c: the JSON API socket (slirp4netns' protocol). fwd (may be NULL) takes the TCP
   forwards to the guest's own address. */
struct slirp_api;
int slirp_api_listen (const char *path, struct burrow_error *err);
struct slirp_api *slirp_api_new (Slirp *slirp, struct splice_fwd *fwd,
                                 const struct slirp_opts *o, int listen_fd);
void slirp_api_free (struct slirp_api *api);
/* The listening socket is readable: accept one client (non-blocking). Returns the new
   client fd to watch, or -1. */
int slirp_api_accept (struct slirp_api *api);
/* A client fd is readable: read what came; true when the client is done (answered or
   gone) and its fd has been closed. */
bool slirp_api_client_ready (struct slirp_api *api, int fd);

/* loopback_guard.c: --disable-host-loopback on the frames (see there why). */
#define GUARD_FLOWS 256
struct guard_flow
{
  uint16_t gw_port;    /* the gateway side's port: a host client's, translated */
  uint16_t guest_port; /* the published port in the guest */
  bool v6;
  bool used;
};
struct loopback_guard
{
  bool enabled;
  struct in_addr gw;
  struct in6_addr gw6;
  struct guard_flow flows[GUARD_FLOWS]; /* UDP from the gateway lately, a ring */
  unsigned int next;
};
void loopback_guard_init (struct loopback_guard *g, const struct slirp_opts *o);
/* A frame libslirp sends to the guest. */
void loopback_guard_note_to_guest (struct loopback_guard *g, const uint8_t *frame, size_t len);
/* A frame from the guest: to libslirp, dropped, or answered with a refusal (refusal.h). */
enum guard_verdict
{
  GUARD_PASS,
  GUARD_DROP,
  GUARD_REFUSE,
};
enum guard_verdict loopback_guard_check (const struct loopback_guard *g, const uint8_t *frame,
                                         size_t len);

/* tap_writer.c: frames to the guest; pure ACKs coalesced within a batch (see there). */
#define TAP_PENDING_ACKS 8
#define TAP_ACK_MAX 128
struct tap_pending_ack
{
  uint8_t key[12];
  uint32_t ack;
  uint16_t win;
  size_t len;
  uint8_t frame[TAP_ACK_MAX];
};
struct tap_writer
{
  int fd;
  bool vnet_hdr; /* each frame after a struct virtio_net_hdr */
  bool batching; /* set while guest frames are fed to libslirp */
  int n;
  struct tap_pending_ack acks[TAP_PENDING_ACKS];
};
void tap_writer_send (struct tap_writer *w, const void *buf, size_t len);
/* Write what waits and end the batch. */
void tap_writer_flush (struct tap_writer *w);

/* loop.c: libslirp around one epoll set, until one of quit_fds (-1: none) is readable or
   hung up (exit fd, the target's pidfd, a signalfd). ns_sock (-1: none): the namespace
   child's, for the splice forwarder. */
int slirp_loop_run (const struct slirp_opts *o, int tapfd, int api_fd, int ns_sock,
                    const int *quit_fds, int n_quit, struct burrow_error *err);

/* sandbox.c: private mount namespace with only /etc/resolv.conf, capabilities dropped;
   seccomp.c: a syscall allow-list. */
int slirp_sandbox_enter (struct burrow_error *err);
int slirp_drop_capabilities (struct burrow_error *err);
int slirp_seccomp_enter (struct burrow_error *err);
/* A filter allowing only these system calls (EPERM for the rest). */
int slirp_seccomp_allow_only (const char *const *names, size_t n, struct burrow_error *err);

#endif
