/* splice_fwd.c: published TCP ports without libslirp's TCP. A listener in the host's
   namespace accepts; a socket made in the target's namespace (ns_socket.c) connects to the
   guest's own address there, over the namespace's loopback; splice(2) moves the bytes
   between the two through one pipe per direction, so they never reach user space.
   libslirp 4.7 keeps at most 64 KiB in flight towards the guest (no window scaling, 32 KiB
   segments) and copies and checksums every segment; this path has neither limit. The guest
   sees the connection come from its own address, not from the gateway (--hostfwd=slirp
   keeps libslirp's way). Its own epoll set, nested in the loop's. */
#include "config.h"
#include "slirp_helper.h"

#include "error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Per direction; up to 128 connections stay within the default per-user pipe allowance
   (pipe-user-pages-soft), past it a pipe keeps its default size. */
#define FWD_PIPE_SIZE (256 * 1024)
#define FWD_EVENTS 32
/* Splice rounds per direction per event: a busy connection yields to the rest. */
#define FWD_ROUNDS 8
#define FWD_ACCEPTS 16
#define FWD_BACKLOG 128

enum side
{
  SIDE_HOST = 0,
  SIDE_GUEST = 1,
};

enum ep_kind
{
  EP_LISTENER,
  EP_CONN,
};

/* What an epoll event points at. */
struct fwd_ep
{
  enum ep_kind kind;
  enum side side;
  void *owner;
};

struct listener
{
  struct fwd_ep ep;
  int id;
  int fd;
  bool resting; /* out of the set: accept ran out of fds, back when a connection ends */
  struct sockaddr_storage guest;
  socklen_t guest_len;
  struct listener *next;
};

/* Bytes from one socket to the other. */
struct direction
{
  int pipe[2];
  size_t pending; /* in the pipe */
  size_t cap;
  bool eof;  /* the source has no more */
  bool full; /* the pipe took nothing more: wait until some of it is written */
  bool shut; /* eof passed on: the destination's writing side is shut down */
};

struct conn
{
  struct fwd_ep ep[2];
  int fd[2];               /* by enum side */
  uint32_t want[2];        /* events registered per fd; 0: not in the set */
  struct direction dir[2]; /* dir[s]: from fd[s] to the other */
  bool started;            /* had its fds and began to connect: its end frees fds */
  bool connecting;
  bool dead; /* closed during this run; freed at its end */
  struct conn *prev, *next;
};

struct splice_fwd
{
  int epfd;
  int ns_sock;
  int next_id;
  struct listener *listeners;
  struct conn *conns;
  struct conn *dead; /* closed in this run, freed at its end */
  bool resting;      /* some listener rests */
  bool ended;        /* a connection that had started ended in this run: fds are free */
};

struct splice_fwd *
splice_fwd_new (int ns_sock)
{
  struct splice_fwd *fwd = calloc (1, sizeof *fwd);
  if (fwd == NULL)
    return NULL;
  fwd->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (fwd->epfd < 0)
    {
      free (fwd);
      return NULL;
    }
  fwd->ns_sock = ns_sock;
  fwd->next_id = 1;
  return fwd;
}

int
splice_fwd_fd (const struct splice_fwd *fwd)
{
  return fwd->epfd;
}

/* ---- listeners */

int
splice_fwd_listen (struct splice_fwd *fwd, const struct sockaddr *host, socklen_t host_len,
                   const struct sockaddr *guest, socklen_t guest_len)
{
  struct listener *ls = calloc (1, sizeof *ls);
  if (ls == NULL)
    return -1;
  int on = 1;
  ls->fd = socket (host->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  /* As libslirp's listeners: reusable at once, and an IPv6 one only for IPv6. */
  if (ls->fd < 0 || setsockopt (ls->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0
      || (host->sa_family == AF_INET6
          && setsockopt (ls->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
      || bind (ls->fd, host, host_len) < 0 || listen (ls->fd, FWD_BACKLOG) < 0)
    goto fail;
  ls->ep = (struct fwd_ep){ .kind = EP_LISTENER, .owner = ls };
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ls->ep };
  if (epoll_ctl (fwd->epfd, EPOLL_CTL_ADD, ls->fd, &ev) < 0)
    goto fail;
  memcpy (&ls->guest, guest, guest_len);
  ls->guest_len = guest_len;
  ls->id = fwd->next_id++;
  ls->next = fwd->listeners;
  fwd->listeners = ls;
  return ls->id;

fail:;
  int e = errno;
  if (ls->fd >= 0)
    close (ls->fd);
  free (ls);
  errno = e;
  return -1;
}

void
splice_fwd_unlisten (struct splice_fwd *fwd, int id)
{
  for (struct listener **p = &fwd->listeners; *p; p = &(*p)->next)
    if ((*p)->id == id)
      {
        struct listener *ls = *p;
        *p = ls->next;
        close (ls->fd);
        free (ls);
        return;
      }
}

/* ---- connections */

static void
set_nodelay (int fd)
{
  /* The bytes are already gathered by the time they are spliced: sending them at once
     adds no small segments, and Nagle would delay request/response traffic. */
  int on = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* Close with a reset, so that the peer hears the other side failed, not a clean end. */
static void
close_reset (int fd)
{
  struct linger lg = { .l_onoff = 1, .l_linger = 0 };
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close (fd);
}

static int
direction_open (struct direction *d)
{
  if (pipe2 (d->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
    {
      d->pipe[0] = d->pipe[1] = -1;
      return -1;
    }
  fcntl (d->pipe[1], F_SETPIPE_SZ, FWD_PIPE_SIZE); /* best effort */
  int cap = fcntl (d->pipe[1], F_GETPIPE_SZ);
  d->cap = cap > 0 ? (size_t)cap : 65536;
  return 0;
}

static void
conn_close (struct splice_fwd *fwd, struct conn *c, bool reset)
{
  for (int s = 0; s < 2; s++)
    {
      if (reset)
        close_reset (c->fd[s]);
      else
        close (c->fd[s]);
      for (int i = 0; i < 2; i++)
        if (c->dir[s].pipe[i] >= 0)
          close (c->dir[s].pipe[i]);
    }
  if (c->prev)
    c->prev->next = c->next;
  else
    fwd->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  if (c->started)
    fwd->ended = true;
  c->dead = true;
  c->next = fwd->dead;
  fwd->dead = c;
}

static uint32_t
wanted (const struct conn *c, enum side s)
{
  if (c->connecting)
    return s == SIDE_GUEST ? EPOLLOUT : 0;
  const struct direction *out = &c->dir[s], *in = &c->dir[!s];
  return (!out->eof && !out->full ? EPOLLIN : 0) | (in->pending > 0 ? EPOLLOUT : 0);
}

/* An fd that wants nothing leaves the set: level-triggered epoll would otherwise report
   its hang-up over and over while the other side is slow. */
static int
rearm (struct splice_fwd *fwd, struct conn *c)
{
  for (int s = 0; s < 2; s++)
    {
      uint32_t w = wanted (c, s);
      if (w == c->want[s])
        continue;
      struct epoll_event ev = { .events = w, .data.ptr = &c->ep[s] };
      int op = w == 0 ? EPOLL_CTL_DEL : c->want[s] == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
      if (epoll_ctl (fwd->epfd, op, c->fd[s], &ev) < 0)
        return -1;
      c->want[s] = w;
    }
  return 0;
}

/* Move what can move from fd[s] to the other side; -1 on an error that ends the
   connection. */
static int
pump (struct conn *c, enum side s)
{
  struct direction *d = &c->dir[s];
  int src = c->fd[s], dst = c->fd[!s];
  for (int round = 0; round < FWD_ROUNDS; round++)
    {
      bool moved = false;
      if (!d->eof && d->pending < d->cap)
        {
          ssize_t n = splice (src, NULL, d->pipe[1], NULL, d->cap - d->pending,
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
          if (n > 0)
            d->pending += (size_t)n, moved = true;
          else if (n == 0)
            d->eof = moved = true;
          else if (errno != EAGAIN && errno != EINTR)
            return -1;
          /* Nothing taken with bytes still waiting: the pipe may be full in pages
             before it is in bytes. Either way, reading waits for the writing. */
          d->full = d->pending >= d->cap || (n < 0 && d->pending > 0);
        }
      if (d->pending > 0)
        {
          ssize_t n
              = splice (d->pipe[0], NULL, dst, NULL, d->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
          if (n > 0)
            d->pending -= (size_t)n, d->full = false, moved = true;
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        }
      if (!moved)
        break;
    }
  if (d->eof && d->pending == 0 && !d->shut)
    {
      shutdown (dst, SHUT_WR);
      d->shut = true;
    }
  return 0;
}

static void
conn_event (struct splice_fwd *fwd, struct conn *c, enum side s, uint32_t events)
{
  if (c->connecting)
    {
      if (s != SIDE_GUEST)
        return;
      int e = 0;
      socklen_t len = sizeof e;
      if (getsockopt (c->fd[SIDE_GUEST], SOL_SOCKET, SO_ERROR, &e, &len) < 0)
        e = errno;
      if (e == 0 && !(events & (EPOLLERR | EPOLLHUP)))
        c->connecting = false;
      else if (e != EINPROGRESS && e != EALREADY)
        {
          conn_close (fwd, c, true);
          return;
        }
    }
  if (pump (c, SIDE_HOST) < 0 || pump (c, SIDE_GUEST) < 0)
    conn_close (fwd, c, true);
  else if (c->dir[SIDE_HOST].shut && c->dir[SIDE_GUEST].shut)
    conn_close (fwd, c, false);
  else if (rearm (fwd, c) < 0)
    conn_close (fwd, c, true);
}

/* Errors that end when a connection ends and frees its fds. */
static bool
out_of_fds (int errnum)
{
  return errnum == EMFILE || errnum == ENFILE || errnum == ENOBUFS || errnum == ENOMEM;
}

/* Returns false when the helper ran out of fds on the way (the client is reset). */
static bool
conn_start (struct splice_fwd *fwd, const struct listener *ls, int host_fd)
{
  struct burrow_error err = { 0 };
  char where[INET6_ADDRSTRLEN + 8] = "?";
  const struct sockaddr_in *g4 = (const struct sockaddr_in *)&ls->guest;
  const struct sockaddr_in6 *g6 = (const struct sockaddr_in6 *)&ls->guest;
  inet_ntop (ls->guest.ss_family,
             ls->guest.ss_family == AF_INET ? (const void *)&g4->sin_addr
                                            : (const void *)&g6->sin6_addr,
             where, sizeof where);
  struct conn *c = calloc (1, sizeof *c);
  int guest_fd = ns_socket_make (fwd->ns_sock, ls->guest.ss_family, &err);
  if (c == NULL || guest_fd < 0)
    {
      int errnum = c == NULL ? ENOMEM : err.errnum;
      if (guest_fd < 0)
        fprintf (stderr, "burrow-slirp: forward to %s port %d: %s\n", where, ntohs (g4->sin_port),
                 err.msg);
      else
        close (guest_fd);
      free (c);
      close_reset (host_fd);
      return !out_of_fds (errnum);
    }
  c->fd[SIDE_HOST] = host_fd;
  c->fd[SIDE_GUEST] = guest_fd;
  for (int s = 0; s < 2; s++)
    {
      c->ep[s] = (struct fwd_ep){ .kind = EP_CONN, .side = s, .owner = c };
      c->dir[s].pipe[0] = c->dir[s].pipe[1] = -1;
    }
  c->next = fwd->conns;
  if (fwd->conns)
    fwd->conns->prev = c;
  fwd->conns = c;
  set_nodelay (host_fd);
  set_nodelay (guest_fd);
  if (direction_open (&c->dir[SIDE_HOST]) < 0 || direction_open (&c->dir[SIDE_GUEST]) < 0)
    {
      int saved = errno;
      fprintf (stderr, "burrow-slirp: forward to %s: pipe: %s\n", where, strerror (saved));
      conn_close (fwd, c, true);
      return !out_of_fds (saved);
    }
  /* Over the namespace's loopback: usually done (or refused) before connect returns. */
  c->started = true;
  c->connecting = true;
  if (connect (guest_fd, (const struct sockaddr *)&ls->guest, ls->guest_len) == 0)
    c->connecting = false;
  else if (errno != EINPROGRESS)
    {
      conn_close (fwd, c, true);
      return true;
    }
  if (c->connecting)
    {
      if (rearm (fwd, c) < 0)
        conn_close (fwd, c, true);
      return true;
    }
  conn_event (fwd, c, SIDE_GUEST, EPOLLOUT);
  return true;
}

/* The listener stays readable: left in the set it would spin the loop. The waiting
   clients are accepted once a connection ends. */
static void
listener_rest (struct splice_fwd *fwd, struct listener *ls)
{
  epoll_ctl (fwd->epfd, EPOLL_CTL_DEL, ls->fd, NULL);
  ls->resting = fwd->resting = true;
}

static void
accept_some (struct splice_fwd *fwd, struct listener *ls)
{
  for (int i = 0; i < FWD_ACCEPTS; i++)
    {
      int fd = accept4 (ls->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0 && out_of_fds (errno))
        {
          fprintf (stderr,
                   "burrow-slirp: accept a forwarded connection: %s (waiting for one to end)\n",
                   strerror (errno));
          listener_rest (fwd, ls);
          return;
        }
      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            fprintf (stderr, "burrow-slirp: accept a forwarded connection: %s\n", strerror (errno));
          return;
        }
      if (!conn_start (fwd, ls, fd))
        {
          listener_rest (fwd, ls);
          return;
        }
    }
}

/* A connection ended: its fds are free for the clients that wait. */
static void
wake_listeners (struct splice_fwd *fwd)
{
  fwd->resting = false;
  for (struct listener *ls = fwd->listeners; ls; ls = ls->next)
    if (ls->resting)
      {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ls->ep };
        if (epoll_ctl (fwd->epfd, EPOLL_CTL_ADD, ls->fd, &ev) == 0)
          ls->resting = false;
        else
          fwd->resting = true;
      }
}

static void
free_dead (struct splice_fwd *fwd)
{
  while (fwd->dead)
    {
      struct conn *c = fwd->dead;
      fwd->dead = c->next;
      free (c);
    }
}

void
splice_fwd_run (struct splice_fwd *fwd)
{
  struct epoll_event evs[FWD_EVENTS];
  int n = epoll_wait (fwd->epfd, evs, FWD_EVENTS, 0);
  for (int i = 0; i < n; i++)
    {
      struct fwd_ep *ep = evs[i].data.ptr;
      if (ep->kind == EP_LISTENER)
        accept_some (fwd, ep->owner);
      else if (!((struct conn *)ep->owner)->dead)
        conn_event (fwd, ep->owner, ep->side, evs[i].events);
    }
  if (fwd->ended && fwd->resting)
    wake_listeners (fwd);
  fwd->ended = false;
  free_dead (fwd);
}

void
splice_fwd_free (struct splice_fwd *fwd)
{
  while (fwd->listeners)
    splice_fwd_unlisten (fwd, fwd->listeners->id);
  while (fwd->conns)
    conn_close (fwd, fwd->conns, false);
  free_dead (fwd);
  close (fwd->epfd);
  free (fwd);
}
