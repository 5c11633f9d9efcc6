/* test_network.c: the --publish syntax, the network annotations, and the helper's record
   in state.json. */
#include "config.h"

#include "../../src/lib/network.h"
#include "../../src/lib/state_store.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void
test_publish (void)
{
  struct burrow_publish p;
  struct burrow_error err = { 0 };
  ok (burrow_publish_parse ("127.0.0.1:8080:80/tcp", &p, &err) == 0 && !p.udp
          && p.host_port == 8080 && p.guest_port == 80,
      "IP:HOST:CONTAINER/tcp");
  is_str (p.host_addr, "127.0.0.1", "host address kept");
  ok (burrow_publish_parse ("8080:80", &p, &err) == 0 && !p.udp, "HOST:CONTAINER, tcp by default");
  is_str (p.host_addr, "0.0.0.0", "all addresses by default");
  ok (burrow_publish_parse ("[::1]:53:5353/udp", &p, &err) == 0 && p.udp && p.host_port == 53
          && p.guest_port == 5353,
      "[IPv6]:HOST:CONTAINER/udp");
  is_str (p.host_addr, "::1", "IPv6 host address without brackets");
  const char *bad[] = { "80", "1:2:3:4", "0:80", "65536:80", "80:x", "a.b.c.d:1:2",
                        "1:2/sctp", "[::1:1:2", "", ":1:2", "1:2:" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      ok (burrow_publish_parse (bad[i], &p, &err) < 0, "`%s` refused", bad[i]);
      like (err.msg, bad[i], "the error names `%s`", bad[i]);
    }
}

static struct burrow_spec *
spec_with (const char *const *kv, size_t n, bool netns)
{
  struct burrow_spec *s = calloc (1, sizeof *s);
  s->annotations = calloc (n, sizeof *s->annotations);
  for (size_t i = 0; i < n; i++)
    {
      s->annotations[i].key = (char *)kv[2 * i];
      s->annotations[i].value = (char *)kv[2 * i + 1];
    }
  s->n_annotations = n;
  s->linux_.namespaces[BURROW_NS_NETWORK].present = netns;
  return s;
}

static int
plan (const char *const *kv, size_t n, bool netns, struct burrow_network *net,
      struct burrow_error *err)
{
  struct burrow_spec *s = spec_with (kv, n, netns);
  int r = burrow_network_plan (s, net, err);
  free (s->annotations);
  free (s);
  return r;
}

static void
test_plan (void)
{
  struct burrow_network net;
  struct burrow_error err = { 0 };
  const char *none[] = { "other", "x" };
  ok (plan (none, 1, false, &net, &err) == 0 && !net.enabled, "no annotation: no network");
  burrow_network_release (&net);
  const char *full[] = { "run.burrow.network", "slirp", "run.burrow.network.publish",
                         "127.0.0.1:1:2, 3:4/udp", "run.burrow.network.allow-host-loopback",
                         "true", "run.burrow.network.mtu", "1500", "run.burrow.network.ipv6",
                         "false" };
  ok (plan (full, 5, true, &net, &err) == 0 && net.enabled && net.allow_host_loopback
          && !net.ipv6 && net.mtu == 1500 && net.n_publish == 2 && net.publish[1].udp,
      "every annotation read");
  burrow_network_release (&net);
  ok (plan (full, 1, false, &net, &err) < 0, "slirp without a network namespace refused");
  like (err.msg, "network namespace", "and the error says what is missing");
  burrow_network_release (&net);
  const char *orphan[] = { "run.burrow.network.publish", "1:2" };
  ok (plan (orphan, 1, true, &net, &err) < 0, "a publish without network=slirp refused");
  burrow_network_release (&net);
  const char *typo[] = { "run.burrow.network", "slirp", "run.burrow.network.publsh", "1:2" };
  ok (plan (typo, 2, true, &net, &err) < 0, "an unknown run.burrow.network.* refused");
  like (err.msg, "publsh", "the error names it");
  burrow_network_release (&net);
  const char *badbool[] = { "run.burrow.network", "slirp", "run.burrow.network.ipv6", "yes" };
  ok (plan (badbool, 2, true, &net, &err) < 0, "a boolean must be true or false");
  burrow_network_release (&net);
  const char *near[] = { "run.burrow.networks", "x" };
  ok (plan (near, 1, false, &net, &err) == 0, "run.burrow.networks is another name");
  burrow_network_release (&net);
}

static void
test_state (void)
{
  struct burrow_network net = { .enabled = true, .pid = 77, .pid_start = 99,
                                .api_socket = (char *)"/s/slirp.sock" };
  char *json = burrow_network_state_json (&net);
  struct burrow_state st = { .id = (char *)"x", .pid = 5, .network_json = json };
  char *text = burrow_state_serialize (&st);
  struct burrow_state back;
  struct burrow_error err = { 0 };
  ok (text && burrow_state_parse (text, &back, &err) == 0, "state with a network parses back");
  like (back.network_json, "\"helperPid\":77", "helper pid kept");
  like (back.network_json, "\"apiSocket\":\"/s/slirp.sock\"", "API socket kept");
  burrow_state_release (&back);
  free (text);
  free (json);
  struct burrow_network off = { .enabled = false };
  ok (burrow_network_state_json (&off) == NULL, "no network, no record");
}

int
main (void)
{
  test_publish ();
  test_plan ();
  test_state ();
  return tap_done ();
}
