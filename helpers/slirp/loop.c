/* loop.c: libslirp around one epoll set. libslirp asks for its sockets' events on every
   turn (slirp_pollfds_fill); the set is only changed where the answer changed, so a turn
   costs one epoll_wait and no rebuilt poll array. The tap is drained in batches, timers
   are a short list checked against the epoll timeout. */
#include "config.h"
#include "slirp_helper.h"

#include "error.h"
#include "refusal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define TAP_BATCH 64
#define MAX_EVENTS 64
/* An ethernet frame of the largest MTU, with room to spare. */
#define FRAME_MAX (SLIRP_MAX_MTU + 64)

enum tag
{
  TAG_SLIRP = 0,
  TAG_TAP,
  TAG_EXIT,
  TAG_API_LISTEN,
  TAG_API_CLIENT,
  TAG_FWD,
};

/* One slot per fd number that libslirp polls. */
struct fd_slot
{
  uint32_t want;     /* epoll events registered; 0: not in the set */
  uint32_t revents;  /* from the last epoll_wait */
  unsigned int turn; /* the last turn libslirp asked for it */
};

struct slirp_timer
{
  struct slirp_timer *next;
  SlirpTimerCb cb;
  void *cb_opaque;
  int64_t expire_ms; /* -1: not armed */
};

struct loop
{
  Slirp *slirp;
  int epfd;
  int tapfd;
  struct fd_slot *slots;
  int n_slots;
  int max_fd; /* highest slot in use */
  unsigned int turn;
  int *ready; /* fds with revents this turn */
  int n_ready;
  struct slirp_timer *timers;
  struct slirp_api *api;
  struct splice_fwd *fwd; /* NULL: no namespace child, libslirp forwards everything */
  struct loopback_guard guard;
  struct tap_writer out;
  bool quit;
  uint8_t frame[FRAME_MAX];
};

static inline uint64_t
ev_data (enum tag t, int fd)
{
  return ((uint64_t)t << 32) | (uint32_t)fd;
}

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
epoll_set (struct loop *l, int op, int fd, uint32_t events, enum tag t)
{
  struct epoll_event ev = { .events = events, .data.u64 = ev_data (t, fd) };
  return epoll_ctl (l->epfd, op, fd, &ev);
}

static struct fd_slot *
slot (struct loop *l, int fd)
{
  if (fd >= l->n_slots)
    {
      int n = l->n_slots ? l->n_slots : 64;
      while (n <= fd)
        n *= 2;
      struct fd_slot *s = realloc (l->slots, n * sizeof *s);
      int *r = realloc (l->ready, n * sizeof *r);
      if (s == NULL || r == NULL)
        abort (); /* out of memory in the packet path: nothing sensible is left to do */
      memset (s + l->n_slots, 0, (n - l->n_slots) * sizeof *s);
      l->slots = s;
      l->ready = r;
      l->n_slots = n;
    }
  if (fd > l->max_fd)
    l->max_fd = fd;
  return &l->slots[fd];
}

/* ---- libslirp callbacks */

static ssize_t
cb_send_packet (const void *buf, size_t len, void *opaque)
{
  struct loop *l = opaque;
  if (l->guard.enabled)
    loopback_guard_note_to_guest (&l->guard, buf, len);
  tap_writer_send (&l->out, buf, len);
  return (ssize_t)len;
}

static void
cb_guest_error (const char *msg, void *opaque)
{
  fprintf (stderr, "burrow-slirp: guest error: %s\n", msg);
}

static int64_t
cb_clock_get_ns (void *opaque)
{
  return now_ns ();
}

static void *
cb_timer_new (SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
  struct loop *l = opaque;
  struct slirp_timer *t = calloc (1, sizeof *t);
  if (t == NULL)
    abort ();
  t->cb = cb;
  t->cb_opaque = cb_opaque;
  t->expire_ms = -1;
  t->next = l->timers;
  l->timers = t;
  return t;
}

static void
cb_timer_free (void *timer, void *opaque)
{
  struct loop *l = opaque;
  for (struct slirp_timer **p = &l->timers; *p; p = &(*p)->next)
    if (*p == timer)
      {
        *p = (*p)->next;
        free (timer);
        return;
      }
}

static void
cb_timer_mod (void *timer, int64_t expire_ms, void *opaque)
{
  ((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

/* A socket libslirp made or is about to close: its number starts clean, in case we knew
   it under an earlier socket. */
static void
cb_forget_fd (int fd, void *opaque)
{
  struct loop *l = opaque;
  struct fd_slot *s = slot (l, fd);
  if (s->want)
    epoll_ctl (l->epfd, EPOLL_CTL_DEL, fd, NULL);
  memset (s, 0, sizeof *s);
}

static void
cb_notify (void *opaque)
{
}

static const SlirpCb callbacks = {
  .send_packet = cb_send_packet,
  .guest_error = cb_guest_error,
  .clock_get_ns = cb_clock_get_ns,
  .timer_new = cb_timer_new,
  .timer_free = cb_timer_free,
  .timer_mod = cb_timer_mod,
  .register_poll_fd = cb_forget_fd,
  .unregister_poll_fd = cb_forget_fd,
  .notify = cb_notify,
};

/* ---- poll glue */

static uint32_t
to_epoll (int ev)
{
  return ((ev & SLIRP_POLL_IN) ? EPOLLIN : 0) | ((ev & SLIRP_POLL_OUT) ? EPOLLOUT : 0)
         | ((ev & SLIRP_POLL_PRI) ? EPOLLPRI : 0);
}

static int
from_epoll (uint32_t ev)
{
  return ((ev & EPOLLIN) ? SLIRP_POLL_IN : 0) | ((ev & EPOLLOUT) ? SLIRP_POLL_OUT : 0)
         | ((ev & EPOLLPRI) ? SLIRP_POLL_PRI : 0) | ((ev & EPOLLERR) ? SLIRP_POLL_ERR : 0)
         | ((ev & EPOLLHUP) ? SLIRP_POLL_HUP : 0);
}

static int
add_poll (int fd, int events, void *opaque)
{
  struct loop *l = opaque;
  struct fd_slot *s = slot (l, fd);
  uint32_t want = to_epoll (events);
  s->turn = l->turn;
  if (want == s->want)
    return fd;
  /* An fd libslirp closed without telling us may have left the set by itself: fall back
     from MOD to ADD, and from ADD to MOD. */
  int op = s->want ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (want == 0)
    epoll_ctl (l->epfd, EPOLL_CTL_DEL, fd, NULL);
  else if (epoll_set (l, op, fd, want, TAG_SLIRP) < 0)
    epoll_set (l, op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, want, TAG_SLIRP);
  s->want = want;
  return fd;
}

static int
get_revents (int idx, void *opaque)
{
  struct loop *l = opaque;
  return idx < l->n_slots ? from_epoll (l->slots[idx].revents) : 0;
}

/* Sockets libslirp did not ask about this turn leave the set: an idle socket with events
   0 would still report ERR/HUP and spin the loop. */
static void
drop_unasked (struct loop *l)
{
  for (int fd = 0; fd <= l->max_fd; fd++)
    {
      struct fd_slot *s = &l->slots[fd];
      if (s->want && s->turn != l->turn)
        {
          epoll_ctl (l->epfd, EPOLL_CTL_DEL, fd, NULL);
          s->want = 0;
        }
    }
}

static int
timers_timeout (struct loop *l, uint32_t slirp_ms)
{
  int64_t timeout = slirp_ms == UINT32_MAX ? -1 : (int64_t)slirp_ms;
  int64_t now = now_ns () / 1000000;
  for (struct slirp_timer *t = l->timers; t; t = t->next)
    if (t->expire_ms >= 0)
      {
        int64_t d = t->expire_ms > now ? t->expire_ms - now : 0;
        if (timeout < 0 || d < timeout)
          timeout = d;
      }
  return timeout > 60000 ? 60000 : (int)timeout;
}

static void
run_timers (struct loop *l)
{
  int64_t now = now_ns () / 1000000;
  bool fired;
  do
    {
      fired = false;
      for (struct slirp_timer *t = l->timers; t; t = t->next)
        if (t->expire_ms >= 0 && t->expire_ms <= now)
          {
            t->expire_ms = -1;
            t->cb (t->cb_opaque); /* may free or re-arm timers: rescan */
            fired = true;
            break;
          }
    }
  while (fired);
}

/* A frame from the guest into l->frame; the virtio-net header, when there is one, says
   nothing we need: no offloads are on, so the kernel hands over whole checksummed frames. */
static ssize_t
read_frame (struct loop *l)
{
  if (!l->out.vnet_hdr)
    return read (l->tapfd, l->frame, sizeof l->frame);
  struct virtio_net_hdr h;
  struct iovec iov[2] = { { &h, sizeof h }, { l->frame, sizeof l->frame } };
  ssize_t n = readv (l->tapfd, iov, 2);
  if (n < 0)
    return n;
  return n > (ssize_t)sizeof h ? n - (ssize_t)sizeof h : 0;
}

/* The guard turned the frame away: the guest hears so at once (refusal.h). */
static void
refuse (struct loop *l, size_t len)
{
  uint8_t reply[REFUSAL_MAX];
  size_t n = slirp_refusal_build (l->frame, len, reply, sizeof reply);
  if (n)
    tap_writer_send (&l->out, reply, n);
}

static void
drain_tap (struct loop *l)
{
  l->out.batching = true;
  for (int i = 0; i < TAP_BATCH; i++)
    {
      ssize_t n = read_frame (l);
      if (n <= 0)
        {
          if (n < 0 && errno != EAGAIN && errno != EINTR)
            {
              fprintf (stderr, "burrow-slirp: read from the tap device: %s\n", strerror (errno));
              l->quit = true;
            }
          break;
        }
      enum guard_verdict v
          = l->guard.enabled ? loopback_guard_check (&l->guard, l->frame, n) : GUARD_PASS;
      if (v == GUARD_PASS)
        slirp_input (l->slirp, l->frame, (int)n);
      else if (v == GUARD_REFUSE)
        refuse (l, (size_t)n);
    }
  tap_writer_flush (&l->out);
}

static void
dispatch (struct loop *l, const struct epoll_event *ev, bool *tap_ready)
{
  int fd = (int)(uint32_t)ev->data.u64;
  switch ((enum tag)(ev->data.u64 >> 32))
    {
    case TAG_SLIRP:
      if (fd < l->n_slots)
        {
          l->slots[fd].revents = ev->events;
          l->ready[l->n_ready++] = fd;
        }
      break;
    case TAG_TAP:
      *tap_ready = true;
      break;
    case TAG_EXIT:
      l->quit = true;
      break;
    case TAG_API_LISTEN:
      {
        int c = slirp_api_accept (l->api);
        if (c >= 0 && epoll_set (l, EPOLL_CTL_ADD, c, EPOLLIN, TAG_API_CLIENT) < 0)
          close (c);
        break;
      }
    case TAG_API_CLIENT:
      /* Closing the fd also takes it out of the set. */
      slirp_api_client_ready (l->api, fd);
      break;
    case TAG_FWD:
      splice_fwd_run (l->fwd);
      break;
    }
}

static int
loop_turn (struct loop *l)
{
  struct epoll_event evs[MAX_EVENTS];
  uint32_t slirp_ms = UINT32_MAX;
  l->turn++;
  slirp_pollfds_fill (l->slirp, &slirp_ms, add_poll, l);
  drop_unasked (l);
  int n = epoll_wait (l->epfd, evs, MAX_EVENTS, timers_timeout (l, slirp_ms));
  if (n < 0 && errno != EINTR)
    return -1;
  bool tap_ready = false;
  l->n_ready = 0;
  for (int i = 0; i < n; i++)
    dispatch (l, &evs[i], &tap_ready);
  slirp_pollfds_poll (l->slirp, n < 0, get_revents, l);
  for (int i = 0; i < l->n_ready; i++)
    if (l->ready[i] < l->n_slots)
      l->slots[l->ready[i]].revents = 0;
  if (tap_ready)
    drain_tap (l);
  run_timers (l);
  return 0;
}

static Slirp *
make_slirp (const struct slirp_opts *o, struct loop *l)
{
  SlirpConfig cfg = {
    .version = 4,
    .in_enabled = true,
    .vnetwork = o->net,
    .vnetmask = o->mask,
    .vhost = o->gateway,
    .in6_enabled = o->ipv6,
    .vprefix_len = 64,
    .vhost6 = o->gateway6,
    .vdhcp_start = o->dhcp,
    .vnameserver = o->dns,
    .vnameserver6 = o->dns6,
    .if_mtu = o->mtu,
    .if_mru = o->mtu,
    /* loopback_guard.c does it: libslirp's flag loses the replies of published UDP. */
    .disable_host_loopback = false,
    .outbound_addr = o->has_outbound ? (struct sockaddr_in *)&o->outbound : NULL,
    .outbound_addr6 = o->has_outbound6 ? (struct sockaddr_in6 *)&o->outbound6 : NULL,
    .disable_dns = o->disable_dns,
  };
  inet_pton (AF_INET6, "fd00::", &cfg.vprefix_addr6);
  return slirp_new (&cfg, &callbacks, l);
}

static void
loop_free (struct loop *l)
{
  if (l->api)
    slirp_api_free (l->api);
  if (l->fwd)
    splice_fwd_free (l->fwd);
  if (l->slirp)
    slirp_cleanup (l->slirp);
  while (l->timers)
    cb_timer_free (l->timers, l);
  if (l->epfd >= 0)
    close (l->epfd);
  free (l->slots);
  free (l->ready);
  free (l);
}

int
slirp_loop_run (const struct slirp_opts *o, int tapfd, int api_fd, int ns_sock,
                const int *quit_fds, int n_quit, struct burrow_error *err)
{
  struct loop *l = calloc (1, sizeof *l);
  if (l == NULL)
    return burrow_fail_errno (err, "allocate the loop");
  l->tapfd = tapfd;
  l->out.fd = tapfd;
  l->out.vnet_hdr = slirp_tap_has_vnet_hdr (tapfd);
  l->max_fd = -1;
  loopback_guard_init (&l->guard, o);
  l->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (l->epfd < 0)
    {
      loop_free (l);
      return burrow_fail_errno (err, "epoll_create1");
    }
  l->slirp = make_slirp (o, l);
  if (l->slirp == NULL)
    {
      loop_free (l);
      return burrow_fail_plain (err, EINVAL, "libslirp refused the configuration");
    }
  if (api_fd >= 0 && ns_sock >= 0 && (l->fwd = splice_fwd_new (ns_sock)) == NULL)
    {
      loop_free (l);
      return burrow_fail_errno (err, "splice forwarder");
    }
  if (api_fd >= 0 && (l->api = slirp_api_new (l->slirp, l->fwd, o, api_fd)) == NULL)
    {
      loop_free (l);
      return burrow_fail_errno (err, "API");
    }
  bool ok = epoll_set (l, EPOLL_CTL_ADD, tapfd, EPOLLIN, TAG_TAP) == 0
            && (api_fd < 0 || epoll_set (l, EPOLL_CTL_ADD, api_fd, EPOLLIN, TAG_API_LISTEN) == 0)
            && (l->fwd == NULL
                || epoll_set (l, EPOLL_CTL_ADD, splice_fwd_fd (l->fwd), EPOLLIN, TAG_FWD) == 0);
  for (int i = 0; i < n_quit && ok; i++)
    ok = quit_fds[i] < 0 || epoll_set (l, EPOLL_CTL_ADD, quit_fds[i], EPOLLIN, TAG_EXIT) == 0;
  if (!ok)
    {
      loop_free (l);
      return burrow_fail_errno (err, "epoll_ctl");
    }
  int r = 0;
  while (!l->quit && r == 0)
    r = loop_turn (l);
  if (r < 0)
    burrow_fail_errno (err, "epoll_wait");
  loop_free (l);
  return r;
}
