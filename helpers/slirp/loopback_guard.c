/* loopback_guard.c: --disable-host-loopback done on the frames instead of in libslirp.
   libslirp's own flag also breaks the replies of published UDP ports when the client is
   on the host's loopback (the reply to the gateway address is no longer translated to
   127.0.0.1, so it is lost). Here the guest may not open anything towards the gateway
   (10.0.2.2, fd00::2, which libslirp maps to the host's loopback): TCP SYNs are refused
   (refusal.c answers them with a RST), and UDP passes only as a reply to a datagram that
   came from that address and port (a published port's traffic), remembered when libslirp
   sends it to the guest; other UDP is refused with a port unreachable. */
#include "config.h"
#include "slirp_helper.h"

#include <string.h>

#define ETH_HLEN 14
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* Where the transport header starts, its protocol and whether the packet goes to / comes
   from the gateway; false for frames that are not IP or are too short to tell. */
struct ip_view
{
  const uint8_t *l4;
  size_t l4_len;
  int proto;
  bool dst_gw;
  bool src_gw;
  bool v6;
  bool later_fragment;
};

static bool
view (const struct loopback_guard *g, const uint8_t *f, size_t len, struct ip_view *v)
{
  if (len < ETH_HLEN + 20)
    return false;
  unsigned int type = (unsigned int)f[12] << 8 | f[13];
  const uint8_t *ip = f + ETH_HLEN;
  size_t ip_len = len - ETH_HLEN;
  memset (v, 0, sizeof *v);
  if (type == ETH_IPV4)
    {
      size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
      if ((ip[0] >> 4) != 4 || ihl < 20 || ip_len < ihl)
        return false;
      v->proto = ip[9];
      v->src_gw = memcmp (ip + 12, &g->gw, 4) == 0;
      v->dst_gw = memcmp (ip + 16, &g->gw, 4) == 0;
      v->later_fragment = ((ip[6] & 0x1f) | ip[7]) != 0;
      v->l4 = ip + ihl;
      v->l4_len = ip_len - ihl;
      return true;
    }
  if (type == ETH_IPV6 && ip_len >= 40)
    {
      v->v6 = true;
      v->proto = ip[6]; /* an extension header (a fragment, say) is not TCP/UDP: refused */
      v->src_gw = memcmp (ip + 8, &g->gw6, 16) == 0;
      v->dst_gw = memcmp (ip + 24, &g->gw6, 16) == 0;
      v->l4 = ip + 40;
      v->l4_len = ip_len - 40;
      return true;
    }
  return false;
}

static inline bool
same_flow (const struct guard_flow *a, uint16_t gw_port, uint16_t guest_port, bool v6)
{
  return a->gw_port == gw_port && a->guest_port == guest_port && a->v6 == v6 && a->used;
}

static inline uint16_t
port_at (const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

void
loopback_guard_init (struct loopback_guard *g, const struct slirp_opts *o)
{
  memset (g, 0, sizeof *g);
  g->enabled = o->disable_host_loopback;
  g->gw = o->gateway;
  g->gw6 = o->gateway6;
}

void
loopback_guard_note_to_guest (struct loopback_guard *g, const uint8_t *frame, size_t len)
{
  struct ip_view v;
  if (!g->enabled || !view (g, frame, len, &v) || !v.src_gw || v.proto != PROTO_UDP
      || v.later_fragment || v.l4_len < 8)
    return;
  uint16_t gw_port = port_at (v.l4), guest_port = port_at (v.l4 + 2);
  for (unsigned int i = 0; i < GUARD_FLOWS; i++)
    if (same_flow (&g->flows[i], gw_port, guest_port, v.v6))
      return;
  g->flows[g->next++ % GUARD_FLOWS]
      = (struct guard_flow){ .gw_port = gw_port, .guest_port = guest_port, .v6 = v.v6, .used = true };
}

enum guard_verdict
loopback_guard_check (const struct loopback_guard *g, const uint8_t *frame, size_t len)
{
  struct ip_view v;
  if (!g->enabled || !view (g, frame, len, &v) || !v.dst_gw)
    return GUARD_PASS;
  if (v.proto == PROTO_TCP)
    {
      if (v.l4_len < 14)
        return GUARD_DROP;
      return (v.l4[13] & TCP_SYN) && !(v.l4[13] & TCP_ACK) ? GUARD_REFUSE : GUARD_PASS;
    }
  if (v.proto == PROTO_UDP)
    {
      if (v.later_fragment)
        return GUARD_PASS; /* its first fragment decided: without it nothing is reassembled */
      if (v.l4_len < 8)
        return GUARD_DROP;
      for (unsigned int i = 0; i < GUARD_FLOWS; i++)
        if (same_flow (&g->flows[i], port_at (v.l4 + 2), port_at (v.l4), v.v6))
          return GUARD_PASS;
      return GUARD_REFUSE;
    }
  /* ICMP (ping) is answered by libslirp itself; anything else has no business there. */
  return v.proto == 1 || v.proto == 58 ? GUARD_PASS : GUARD_DROP;
}
