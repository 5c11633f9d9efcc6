/* api.c: the API socket, slirp4netns' JSON protocol: one request per connection,
   {"execute": "add_hostfwd" | "list_hostfwd" | "remove_hostfwd", "arguments": {...}},
   answered with {"return": {...}} or {"error": {"desc": "..."}}. Clients are read without
   blocking the packet loop; a bad request gets an error reply and the next one is served. */
#include "config.h"
#include "slirp_helper.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REQUEST_MAX 4096
#define MAX_CLIENTS 16

struct hostfwd
{
  int id;
  bool udp;
  struct sockaddr_storage host;
  socklen_t host_len;
  char host_addr[INET6_ADDRSTRLEN];
  int host_port;
  char guest_addr[INET6_ADDRSTRLEN];
  int guest_port;
  int splice_id; /* > 0: splice_fwd.c has it, not libslirp */
};

struct client
{
  int fd; /* -1: free */
  bool draining; /* answered; reading what is left so that closing sends no reset */
  size_t len;
  char buf[REQUEST_MAX + 1];
};

struct slirp_api
{
  Slirp *slirp;
  struct splice_fwd *fwd; /* NULL: every forward through libslirp */
  const struct slirp_opts *o;
  int listen_fd;
  struct hostfwd *fwds;
  size_t n_fwds;
  int next_id;
  struct client clients[MAX_CLIENTS];
};

int
slirp_api_listen (const char *path, struct burrow_error *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sun.sun_path)
    return burrow_fail_plain (err, ENAMETOOLONG, "API socket path `%s` is too long", path);
  strcpy (sun.sun_path, path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "API socket");
  if (bind (fd, (struct sockaddr *)&sun, sizeof sun) < 0)
    return burrow_fail_errno (err, "bind the API socket `%s`", path);
  if (listen (fd, 16) < 0)
    return burrow_fail_errno (err, "listen on the API socket `%s`", path);
  return steal_fd (&fd);
}

struct slirp_api *
slirp_api_new (Slirp *slirp, struct splice_fwd *fwd, const struct slirp_opts *o, int listen_fd)
{
  struct slirp_api *api = calloc (1, sizeof *api);
  if (api == NULL)
    return NULL;
  api->slirp = slirp;
  api->fwd = fwd;
  api->o = o;
  api->listen_fd = listen_fd;
  api->next_id = 1;
  for (int i = 0; i < MAX_CLIENTS; i++)
    api->clients[i].fd = -1;
  return api;
}

void
slirp_api_free (struct slirp_api *api)
{
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (api->clients[i].fd >= 0)
      close (api->clients[i].fd);
  free (api->fwds);
  free (api);
}

int
slirp_api_accept (struct slirp_api *api)
{
  int fd = accept4 (api->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return -1;
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (api->clients[i].fd < 0)
      {
        api->clients[i].fd = fd;
        api->clients[i].len = 0;
        api->clients[i].draining = false;
        return fd;
      }
  static const char busy[] = "{\"error\": {\"desc\": \"too many API clients at once\"}}\n";
  burrow_write_all (fd, busy, sizeof busy - 1);
  close (fd);
  return -1;
}

/* ---- requests */

static cJSON *
error_reply (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static cJSON *
error_reply (const char *fmt, ...)
{
  char desc[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (desc, sizeof desc, fmt, ap);
  va_end (ap);
  cJSON *r = cJSON_CreateObject ();
  cJSON_AddStringToObject (cJSON_AddObjectToObject (r, "error"), "desc", desc);
  return r;
}

static cJSON *
return_reply (cJSON **inner)
{
  cJSON *r = cJSON_CreateObject ();
  *inner = cJSON_AddObjectToObject (r, "return");
  return r;
}

/* addr text + port -> sockaddr; family from the text. */
static int
make_sockaddr (const char *text, int port, struct sockaddr_storage *ss, socklen_t *len)
{
  memset (ss, 0, sizeof *ss);
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (inet_pton (AF_INET, text, &in->sin_addr) == 1)
    {
      in->sin_family = AF_INET;
      in->sin_port = htons (port);
      *len = sizeof *in;
      return 0;
    }
  if (inet_pton (AF_INET6, text, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons (port);
      *len = sizeof *in6;
      return 0;
    }
  return -1;
}

/* A string argument; missing or "" (podman sends an empty guest_addr): dflt. */
static const char *
str_arg (const cJSON *args, const char *key, const char *dflt)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (args, key);
  if (v == NULL || (cJSON_IsString (v) && v->valuestring[0] == '\0'))
    return dflt;
  return cJSON_IsString (v) ? v->valuestring : NULL;
}

/* 1..65535, or -1 when missing or not a port. */
static int
port_arg (const cJSON *args, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (args, key);
  if (!cJSON_IsNumber (v) || v->valuedouble != (double)(int)v->valuedouble || v->valueint < 1
      || v->valueint > 65535)
    return -1;
  return v->valueint;
}

/* The guest's own address, which the namespace child's sockets reach over the namespace's
   loopback (only when the helper configured it: the child exists only then). */
static bool
is_guest_itself (const struct slirp_opts *o, const struct sockaddr_storage *g)
{
  if (g->ss_family == AF_INET)
    return ((const struct sockaddr_in *)g)->sin_addr.s_addr == o->guest.s_addr;
  return memcmp (&((const struct sockaddr_in6 *)g)->sin6_addr, &o->guest6, sizeof o->guest6)
         == 0;
}

static int
slirp_flags (const struct hostfwd *f)
{
  return (f->udp ? SLIRP_HOSTFWD_UDP : 0)
         | (f->host.ss_family == AF_INET6 ? SLIRP_HOSTFWD_V6ONLY : 0);
}

/* TCP to the guest's own address is spliced when it can be, the rest goes through
   libslirp. -1 with errno (0 when libslirp gave none). */
static int
forward_add (struct slirp_api *api, struct hostfwd *f, const struct sockaddr_storage *g,
             socklen_t glen)
{
  if (!f->udp && api->fwd && is_guest_itself (api->o, g))
    {
      f->splice_id = splice_fwd_listen (api->fwd, (struct sockaddr *)&f->host, f->host_len,
                                        (const struct sockaddr *)g, glen);
      return f->splice_id < 0 ? -1 : 0;
    }
  return slirp_add_hostxfwd (api->slirp, (struct sockaddr *)&f->host, f->host_len,
                             (const struct sockaddr *)g, glen, slirp_flags (f));
}

static int
forward_remove (struct slirp_api *api, const struct hostfwd *f)
{
  if (f->splice_id > 0)
    {
      splice_fwd_unlisten (api->fwd, f->splice_id);
      return 0;
    }
  return slirp_remove_hostxfwd (api->slirp, (struct sockaddr *)&f->host, f->host_len,
                                slirp_flags (f));
}

static cJSON *
add_hostfwd (struct slirp_api *api, const cJSON *args)
{
  struct hostfwd f = { 0 };
  const char *proto = str_arg (args, "proto", NULL);
  const char *host = str_arg (args, "host_addr", "0.0.0.0");
  if (proto == NULL || (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0))
    return error_reply ("bad request: add_hostfwd: `proto` must be \"tcp\" or \"udp\"");
  f.udp = strcmp (proto, "udp") == 0;
  if (host == NULL || (f.host_port = port_arg (args, "host_port")) < 0
      || (f.guest_port = port_arg (args, "guest_port")) < 0)
    return error_reply ("bad request: add_hostfwd: `host_addr` must be a string, `host_port` "
                        "and `guest_port` numbers from 1 to 65535");
  if (make_sockaddr (host, f.host_port, &f.host, &f.host_len) < 0)
    return error_reply ("bad request: add_hostfwd: `%.64s` is not an IP address", host);
  /* The guest's address of the host address' family (IPv6 only when it is enabled). */
  char dflt[INET6_ADDRSTRLEN];
  if (f.host.ss_family == AF_INET6 && api->o->ipv6)
    inet_ntop (AF_INET6, &api->o->guest6, dflt, sizeof dflt);
  else
    inet_ntop (AF_INET, &api->o->guest, dflt, sizeof dflt);
  const char *guest = str_arg (args, "guest_addr", dflt);
  struct sockaddr_storage g;
  socklen_t glen;
  if (guest == NULL || make_sockaddr (guest, f.guest_port, &g, &glen) < 0)
    return error_reply ("bad request: add_hostfwd: `guest_addr` is not an IP address");
  if (g.ss_family == AF_INET6 && !api->o->ipv6)
    return error_reply ("bad request: add_hostfwd: an IPv6 guest address needs --enable-ipv6");
  errno = 0;
  if (forward_add (api, &f, &g, glen) < 0)
    return error_reply ("add_hostfwd: cannot listen on %s port %d/%s%s%s", host, f.host_port,
                        proto, errno ? ": " : "", errno ? strerror (errno) : "");
  struct hostfwd *n = realloc (api->fwds, (api->n_fwds + 1) * sizeof *n);
  if (n == NULL)
    {
      forward_remove (api, &f);
      return error_reply ("add_hostfwd: out of memory");
    }
  f.id = api->next_id++;
  inet_ntop (f.host.ss_family,
             f.host.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&f.host)->sin_addr
                                         : (void *)&((struct sockaddr_in6 *)&f.host)->sin6_addr,
             f.host_addr, sizeof f.host_addr);
  snprintf (f.guest_addr, sizeof f.guest_addr, "%s", guest);
  api->fwds = n;
  api->fwds[api->n_fwds++] = f;
  cJSON *inner;
  cJSON *r = return_reply (&inner);
  cJSON_AddNumberToObject (inner, "id", f.id);
  return r;
}

static cJSON *
list_hostfwd (struct slirp_api *api)
{
  cJSON *inner;
  cJSON *r = return_reply (&inner);
  cJSON *entries = cJSON_AddArrayToObject (inner, "entries");
  for (size_t i = 0; i < api->n_fwds; i++)
    {
      const struct hostfwd *f = &api->fwds[i];
      cJSON *e = cJSON_CreateObject ();
      cJSON_AddNumberToObject (e, "id", f->id);
      cJSON_AddStringToObject (e, "proto", f->udp ? "udp" : "tcp");
      cJSON_AddStringToObject (e, "host_addr", f->host_addr);
      cJSON_AddNumberToObject (e, "host_port", f->host_port);
      cJSON_AddStringToObject (e, "guest_addr", f->guest_addr);
      cJSON_AddNumberToObject (e, "guest_port", f->guest_port);
      cJSON_AddItemToArray (entries, e);
    }
  return r;
}

static cJSON *
remove_hostfwd (struct slirp_api *api, const cJSON *args)
{
  const cJSON *id = cJSON_GetObjectItemCaseSensitive (args, "id");
  if (!cJSON_IsNumber (id))
    return error_reply ("bad request: remove_hostfwd: `id` must be a number");
  for (size_t i = 0; i < api->n_fwds; i++)
    {
      struct hostfwd *f = &api->fwds[i];
      if (f->id != id->valueint)
        continue;
      if (forward_remove (api, f) < 0)
        return error_reply ("remove_hostfwd: libslirp does not know forward %d", f->id);
      memmove (f, f + 1, (api->n_fwds - i - 1) * sizeof *f);
      api->n_fwds--;
      cJSON *inner;
      return return_reply (&inner);
    }
  return error_reply ("remove_hostfwd: no forward with id %d", id->valueint);
}

static cJSON *
handle (struct slirp_api *api, const cJSON *req)
{
  const char *exec = str_arg (req, "execute", NULL);
  const cJSON *args = cJSON_GetObjectItemCaseSensitive (req, "arguments");
  if (!cJSON_IsObject (req) || exec == NULL)
    return error_reply ("bad request: expected {\"execute\": NAME, \"arguments\": {...}}");
  if (args != NULL && !cJSON_IsObject (args))
    return error_reply ("bad request: `arguments` must be an object");
  if (strcmp (exec, "add_hostfwd") == 0)
    return add_hostfwd (api, args);
  if (strcmp (exec, "list_hostfwd") == 0)
    return list_hostfwd (api);
  if (strcmp (exec, "remove_hostfwd") == 0)
    return remove_hostfwd (api, args);
  return error_reply ("bad request: unknown command `%.64s`", exec);
}

static void
drop (struct client *c)
{
  close (c->fd);
  c->fd = -1;
}

/* Answer; a client still sending is drained first (closing on unread data would reset
   the connection and could lose the answer), up to REQUEST_MAX bytes more per read. */
static void
finish (struct client *c, cJSON *reply, bool more_may_come)
{
  char *text = cJSON_PrintUnformatted (reply);
  cJSON_Delete (reply);
  if (text)
    {
      /* A client that does not read its answer only loses it. */
      if (burrow_write_all (c->fd, text, strlen (text)) == 0)
        burrow_write_all (c->fd, "\n", 1);
      free (text);
    }
  if (more_may_come && shutdown (c->fd, SHUT_WR) == 0)
    c->draining = true;
  else
    drop (c);
}

bool
slirp_api_client_ready (struct slirp_api *api, int fd)
{
  struct client *c = NULL;
  for (int i = 0; i < MAX_CLIENTS && c == NULL; i++)
    if (api->clients[i].fd == fd)
      c = &api->clients[i];
  if (c == NULL)
    return false;
  if (c->draining)
    {
      ssize_t n = read (fd, c->buf, REQUEST_MAX);
      if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        return false;
      drop (c);
      return true;
    }
  ssize_t n = read (fd, c->buf + c->len, REQUEST_MAX + 1 - c->len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return false;
  if (n > 0)
    c->len += n;
  if (c->len > REQUEST_MAX)
    {
      finish (c, error_reply ("bad request: larger than %d bytes", REQUEST_MAX), n > 0);
      return true;
    }
  if (n <= 0 && c->len == 0)
    {
      drop (c);
      return true;
    }
  c->buf[c->len] = '\0';
  const char *end = NULL;
  cJSON *req = cJSON_ParseWithOpts (c->buf, &end, false);
  if (req == NULL)
    {
      /* Cut short (more may come) unless the client is done or the parser stopped
         before the end of what it has. */
      const char *at = cJSON_GetErrorPtr ();
      if (n > 0 && at && at >= c->buf + c->len)
        return false;
      finish (c, error_reply ("bad request: not JSON"), n > 0);
      return true;
    }
  finish (c, handle (api, req), n > 0);
  cJSON_Delete (req);
  return true;
}
