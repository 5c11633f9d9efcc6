/* network_api.c: talking to a running burrow-slirp over its API socket (slirp4netns'
   JSON protocol), the --publish syntax, and `burrow port` on a recorded container. */
#include "config.h"
#include "network.h"

#include "cleanup.h"
#include "container.h"
#include "error.h"
#include "file_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_MAX (1 << 20)
#define API_TIMEOUT_S 5

static int
parse_port (const char *s, size_t len, int *out)
{
  int v = 0;
  if (len == 0 || len > 5)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  if (v < 1 || v > 65535)
    return -1;
  *out = v;
  return 0;
}

int
burrow_publish_parse (const char *text, struct burrow_publish *p, struct burrow_error *err)
{
  memset (p, 0, sizeof *p);
  strcpy (p->host_addr, "0.0.0.0");
  const char *end = text + strlen (text);
  const char *slash = strchr (text, '/');
  if (slash)
    {
      if (strcmp (slash + 1, "udp") != 0 && strcmp (slash + 1, "tcp") != 0)
        return burrow_fail_plain (err, EINVAL, "`%s`: the protocol must be tcp or udp", text);
      p->udp = strcmp (slash + 1, "udp") == 0;
      end = slash;
    }
  const char *ports = text;
  if (text[0] == '[')
    {
      const char *close = memchr (text, ']', end - text);
      if (close == NULL || close[1] != ':' || (size_t)(close - text - 1) >= sizeof p->host_addr)
        return burrow_fail_plain (err, EINVAL, "`%s`: an IPv6 address is written [ADDR]:PORT:PORT",
                                  text);
      memcpy (p->host_addr, text + 1, close - text - 1);
      p->host_addr[close - text - 1] = '\0';
      ports = close + 2;
    }
  const char *c1 = memchr (ports, ':', end - ports);
  const char *c2 = c1 ? memchr (c1 + 1, ':', end - c1 - 1) : NULL;
  if (c2 && ports == text)
    {
      if ((size_t)(c1 - text) >= sizeof p->host_addr)
        return burrow_fail_plain (err, EINVAL, "`%s`: the host address is too long", text);
      memcpy (p->host_addr, text, c1 - text);
      p->host_addr[c1 - text] = '\0';
      ports = c1 + 1;
      c1 = c2;
      c2 = NULL;
    }
  if (c1 == NULL || c2 || parse_port (ports, c1 - ports, &p->host_port) < 0
      || parse_port (c1 + 1, end - c1 - 1, &p->guest_port) < 0)
    return burrow_fail_plain (err, EINVAL,
                              "`%s` is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp] "
                              "(ports 1-65535)",
                              text);
  struct in6_addr a;
  if (inet_pton (AF_INET, p->host_addr, &a) != 1 && inet_pton (AF_INET6, p->host_addr, &a) != 1)
    return burrow_fail_plain (err, EINVAL, "`%s`: `%s` is not an IP address", text, p->host_addr);
  return 0;
}

static int
connect_api (const char *path, struct burrow_error *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sun.sun_path)
    return burrow_fail_plain (err, ENAMETOOLONG, "API socket `%s`: path too long", path);
  strcpy (sun.sun_path, path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "API socket");
  struct timeval tv = { .tv_sec = API_TIMEOUT_S };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *)&sun, sizeof sun) < 0)
    return burrow_fail_errno (err, "connect to the network helper's API socket `%s`", path);
  return steal_fd (&fd);
}

int
burrow_slirp_api_call (const char *socket_path, const cJSON *request, cJSON **reply,
                       struct burrow_error *err)
{
  *reply = NULL;
  cleanup_close int fd = connect_api (socket_path, err);
  if (fd < 0)
    return -1;
  cleanup_free char *text = cJSON_PrintUnformatted (request);
  if (text == NULL)
    return burrow_fail (err, ENOMEM, "API request");
  if (burrow_write_all (fd, text, strlen (text)) < 0 || shutdown (fd, SHUT_WR) < 0)
    return burrow_fail_errno (err, "send to the network helper");
  cleanup_free char *buf = malloc (REPLY_MAX + 1);
  size_t len = 0;
  ssize_t n = 1;
  while (buf && len < REPLY_MAX && (n = read (fd, buf + len, REPLY_MAX - len)) > 0)
    len += n;
  if (buf == NULL || n < 0)
    return burrow_fail_errno (err, "read the network helper's reply");
  buf[len] = '\0';
  cJSON *r = cJSON_Parse (buf);
  if (!cJSON_IsObject (r))
    {
      cJSON_Delete (r);
      return burrow_fail_plain (err, EPROTO, "the network helper's reply is not a JSON object");
    }
  const cJSON *e = cJSON_GetObjectItemCaseSensitive (r, "error");
  if (e)
    {
      const cJSON *desc = cJSON_GetObjectItemCaseSensitive (e, "desc");
      burrow_fail_plain (err, EINVAL, "network helper: %s",
                         cJSON_IsString (desc) ? desc->valuestring : "error without a description");
      cJSON_Delete (r);
      return -1;
    }
  *reply = r;
  return 0;
}

int
burrow_slirp_api_add (const char *socket_path, const struct burrow_publish *p, int *id,
                      struct burrow_error *err)
{
  cJSON *req = cJSON_CreateObject ();
  cJSON_AddStringToObject (req, "execute", "add_hostfwd");
  cJSON *a = cJSON_AddObjectToObject (req, "arguments");
  cJSON_AddStringToObject (a, "proto", p->udp ? "udp" : "tcp");
  cJSON_AddStringToObject (a, "host_addr", p->host_addr);
  cJSON_AddNumberToObject (a, "host_port", p->host_port);
  cJSON_AddNumberToObject (a, "guest_port", p->guest_port);
  cJSON *reply;
  int r = burrow_slirp_api_call (socket_path, req, &reply, err);
  cJSON_Delete (req);
  if (r < 0)
    return -1;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (
      cJSON_GetObjectItemCaseSensitive (reply, "return"), "id");
  *id = cJSON_IsNumber (v) ? v->valueint : 0;
  cJSON_Delete (reply);
  return 0;
}

/* ---- `burrow port` */

static int
container_api_socket (struct burrow_context *ctx, const char *id, char **out,
                      struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st = { 0 };
  int r = burrow_open_live (ctx, id, &d, &st, err);
  if (r >= 0)
    close (r);
  cJSON *net = st.network_json ? cJSON_Parse (st.network_json) : NULL;
  const cJSON *sock = cJSON_GetObjectItemCaseSensitive (net, "apiSocket");
  if (r >= 0 && !cJSON_IsString (sock))
    r = burrow_fail_plain (err, ENOENT,
                           "container `%s` has no network helper (create it with the "
                           "annotation " BURROW_ANN_NETWORK "=slirp)",
                           id);
  if (r >= 0 && (*out = strdup (sock->valuestring)) == NULL)
    r = burrow_fail_errno (err, "port");
  cJSON_Delete (net);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return r < 0 ? -1 : 0;
}

static cJSON *
list_entries (const char *sock, cJSON **reply, struct burrow_error *err)
{
  cJSON *req = cJSON_CreateObject ();
  cJSON_AddStringToObject (req, "execute", "list_hostfwd");
  int r = burrow_slirp_api_call (sock, req, reply, err);
  cJSON_Delete (req);
  if (r < 0)
    return NULL;
  cJSON *e = cJSON_GetObjectItemCaseSensitive (
      cJSON_GetObjectItemCaseSensitive (*reply, "return"), "entries");
  if (!cJSON_IsArray (e))
    burrow_fail_plain (err, EPROTO, "the network helper's list has no entries");
  return cJSON_IsArray (e) ? e : NULL;
}

static void
entry_publish (const cJSON *e, struct burrow_publish *p)
{
  const cJSON *proto = cJSON_GetObjectItemCaseSensitive (e, "proto");
  const cJSON *h = cJSON_GetObjectItemCaseSensitive (e, "host_addr");
  memset (p, 0, sizeof *p);
  p->udp = cJSON_IsString (proto) && strcmp (proto->valuestring, "udp") == 0;
  snprintf (p->host_addr, sizeof p->host_addr, "%s", cJSON_IsString (h) ? h->valuestring : "");
  p->host_port = cJSON_GetObjectItemCaseSensitive (e, "host_port")->valueint;
  p->guest_port = cJSON_GetObjectItemCaseSensitive (e, "guest_port")->valueint;
}

static int
format_list (const cJSON *entries, char **out)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return -1;
  const cJSON *e;
  cJSON_ArrayForEach (e, entries)
  {
    struct burrow_publish p;
    entry_publish (e, &p);
    bool v6 = strchr (p.host_addr, ':') != NULL;
    fprintf (f, "%d %s%s%s:%d:%d/%s\n", cJSON_GetObjectItemCaseSensitive (e, "id")->valueint,
             v6 ? "[" : "", p.host_addr, v6 ? "]" : "", p.host_port, p.guest_port,
             p.udp ? "udp" : "tcp");
  }
  if (fclose (f) != 0)
    return -1;
  *out = steal_ptr (&buf);
  return 0;
}

/* arg: a forward's id, or the spec it was added with. */
static int
find_id (const cJSON *entries, const char *arg, int *id, struct burrow_error *err)
{
  char *end;
  long v = strtol (arg, &end, 10);
  if (*arg && *end == '\0')
    {
      *id = (int)v;
      return 0;
    }
  struct burrow_publish want, have;
  if (burrow_publish_parse (arg, &want, err) < 0)
    return -1;
  const cJSON *e;
  cJSON_ArrayForEach (e, entries)
  {
    entry_publish (e, &have);
    struct in6_addr a, b;
    int fam = strchr (want.host_addr, ':') ? AF_INET6 : AF_INET;
    if (have.udp == want.udp && have.host_port == want.host_port
        && have.guest_port == want.guest_port && inet_pton (fam, want.host_addr, &a) == 1
        && inet_pton (fam, have.host_addr, &b) == 1 && memcmp (&a, &b, fam == AF_INET ? 4 : 16) == 0)
      {
        *id = cJSON_GetObjectItemCaseSensitive (e, "id")->valueint;
        return 0;
      }
  }
  return burrow_fail_plain (err, ENOENT, "no published port `%s`", arg);
}

static int
port_remove (const char *sock, const char *arg, struct burrow_error *err)
{
  cJSON *reply = NULL;
  const cJSON *entries = list_entries (sock, &reply, err);
  int id = 0;
  int r = entries ? find_id (entries, arg, &id, err) : -1;
  cJSON_Delete (reply);
  if (r < 0)
    return -1;
  cJSON *req = cJSON_CreateObject ();
  cJSON_AddStringToObject (req, "execute", "remove_hostfwd");
  cJSON_AddNumberToObject (cJSON_AddObjectToObject (req, "arguments"), "id", id);
  r = burrow_slirp_api_call (sock, req, &reply, err);
  cJSON_Delete (req);
  cJSON_Delete (reply);
  return r;
}

int
burrow_container_port (struct burrow_context *ctx, const char *id, enum burrow_port_op op,
                       const char *arg, char **out, struct burrow_error *err)
{
  *out = NULL;
  cleanup_free char *sock = NULL;
  if (container_api_socket (ctx, id, &sock, err) < 0)
    return -1;
  if (op == BURROW_PORT_ADD)
    {
      struct burrow_publish p;
      int fwd;
      if (burrow_publish_parse (arg, &p, err) < 0 || burrow_slirp_api_add (sock, &p, &fwd, err) < 0
          || asprintf (out, "%d\n", fwd) < 0)
        return burrow_error_prefix (err, "port `%s` add", id);
      return 0;
    }
  if (op == BURROW_PORT_REMOVE)
    return port_remove (sock, arg, err) < 0 ? burrow_error_prefix (err, "port `%s` remove", id) : 0;
  cJSON *reply = NULL;
  const cJSON *entries = list_entries (sock, &reply, err);
  int r = entries ? format_list (entries, out) : -1;
  cJSON_Delete (reply);
  if (r < 0)
    return entries ? burrow_fail (err, ENOMEM, "port `%s` list", id)
                   : burrow_error_prefix (err, "port `%s` list", id);
  return 0;
}
