/* refusal.c: the guest's packet to a closed door gets a prompt no (refusal.h): without it
   a connect to the gateway, which the loopback guard does not let through, would hang
   until the guest's stack gives up. The frame comes from the guest and is not trusted:
   every length is checked against what was read. */
#include "config.h"
#include "refusal.h"

#include <stdbool.h>
#include <string.h>

#define ETH_HLEN 14
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define TTL 64
/* RFC 1812 4.3.2.3: an ICMP error quotes as much as fits in 576 bytes. */
#define ICMP4_QUOTE_MAX (576 - 20 - 8)
/* RFC 4443 2.4 (c): an ICMPv6 error fits in the minimum MTU, 1280 bytes. */
#define ICMP6_QUOTE_MAX (1280 - 40 - 8)

uint32_t
slirp_csum_add (uint32_t sum, const uint8_t *buf, size_t len)
{
  size_t i;
  for (i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)buf[i] << 8 | buf[i + 1];
  if (i < len)
    sum += (uint32_t)buf[i] << 8;
  return sum;
}

uint16_t
slirp_csum_fold (uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  put16 (p, (uint16_t)(v >> 16));
  put16 (p + 2, (uint16_t)v);
}

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

/* What the reply needs to know of the guest's packet. */
struct offer
{
  bool v6;
  const uint8_t *ip; /* the network header */
  size_t ip_len;     /* the packet, header included, as its header says */
  const uint8_t *src, *dst;
  size_t addr_len;
  int proto;
  const uint8_t *l4;
  size_t l4_len;
};

static bool
parse_v4 (const uint8_t *ip, size_t avail, struct offer *o)
{
  if (avail < 20 || (ip[0] >> 4) != 4)
    return false;
  size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
  size_t total = get16 (ip + 2);
  if (ihl < 20 || total < ihl || total > avail)
    return false;
  if (((ip[6] & 0x1f) | ip[7]) != 0)
    return false; /* a later fragment: the first one was answered */
  /* No answer to a source that is no single host (RFC 1122 3.2.2). */
  if (ip[12] == 0 || ip[12] >= 224)
    return false;
  *o = (struct offer){ .ip = ip,
                       .ip_len = total,
                       .src = ip + 12,
                       .dst = ip + 16,
                       .addr_len = 4,
                       .proto = ip[9],
                       .l4 = ip + ihl,
                       .l4_len = total - ihl };
  return true;
}

static bool
parse_v6 (const uint8_t *ip, size_t avail, struct offer *o)
{
  static const uint8_t unspecified[16];
  if (avail < 40 || (ip[0] >> 4) != 6)
    return false;
  size_t total = 40 + (size_t)get16 (ip + 4);
  if (total > avail || ip[8] == 0xff || memcmp (ip + 8, unspecified, 16) == 0)
    return false;
  /* An extension header first (a fragment, say) is not answered: the guard drops it. */
  *o = (struct offer){ .v6 = true,
                       .ip = ip,
                       .ip_len = total,
                       .src = ip + 8,
                       .dst = ip + 24,
                       .addr_len = 16,
                       .proto = ip[6],
                       .l4 = ip + 40,
                       .l4_len = total - 40 };
  return true;
}

/* The network header of the reply at IP, from the offer's destination back to its
   source, for PAYLOAD bytes of PROTO; returns its length. */
static size_t
put_ip (uint8_t *ip, const struct offer *o, int proto, size_t payload)
{
  if (o->v6)
    {
      memset (ip, 0, 40);
      ip[0] = 0x60;
      put16 (ip + 4, (uint16_t)payload);
      ip[6] = (uint8_t)proto;
      ip[7] = TTL;
      memcpy (ip + 8, o->dst, 16);
      memcpy (ip + 24, o->src, 16);
      return 40;
    }
  memset (ip, 0, 20);
  ip[0] = 0x45;
  put16 (ip + 2, (uint16_t)(20 + payload));
  ip[6] = 0x40; /* DF */
  ip[8] = TTL;
  ip[9] = (uint8_t)proto;
  memcpy (ip + 12, o->dst, 4);
  memcpy (ip + 16, o->src, 4);
  put16 (ip + 10, (uint16_t)~slirp_csum_fold (slirp_csum_add (0, ip, 20)));
  return 20;
}

/* The checksum over the reply's pseudo header (its addresses: the offer's swapped) and
   its transport message L4 of LEN bytes. */
static uint16_t
l4_csum (const struct offer *o, int proto, const uint8_t *l4, size_t len)
{
  uint32_t sum = slirp_csum_add (0, o->dst, o->addr_len);
  sum = slirp_csum_add (sum, o->src, o->addr_len);
  sum += (uint32_t)proto + (uint32_t)len; /* len < 64k: the v6 32-bit length's low half */
  return (uint16_t)~slirp_csum_fold (slirp_csum_add (sum, l4, len));
}

static size_t
build_rst (const struct offer *o, uint8_t *ip)
{
  const uint8_t *syn = o->l4;
  if (o->l4_len < 20)
    return 0;
  size_t doff = (size_t)(syn[12] >> 4) * 4;
  uint8_t flags = syn[13];
  if (doff < 20 || doff > o->l4_len || !(flags & TCP_SYN) || (flags & (TCP_ACK | TCP_RST)))
    return 0;
  uint32_t seq = (uint32_t)syn[4] << 24 | (uint32_t)syn[5] << 16 | (uint32_t)syn[6] << 8 | syn[7];
  size_t hl = put_ip (ip, o, PROTO_TCP, 20);
  uint8_t *tcp = ip + hl;
  memset (tcp, 0, 20);
  memcpy (tcp, syn + 2, 2);
  memcpy (tcp + 2, syn, 2);
  /* RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the SYN counts one. */
  put32 (tcp + 8, seq + 1 + (uint32_t)(o->l4_len - doff));
  tcp[12] = 5 << 4;
  tcp[13] = TCP_RST | TCP_ACK;
  put16 (tcp + 16, l4_csum (o, PROTO_TCP, tcp, 20));
  return hl + 20;
}

static size_t
build_unreachable (const struct offer *o, uint8_t *ip)
{
  if (o->l4_len < 8)
    return 0;
  size_t quote = o->ip_len;
  if (quote > (o->v6 ? ICMP6_QUOTE_MAX : ICMP4_QUOTE_MAX))
    quote = o->v6 ? ICMP6_QUOTE_MAX : ICMP4_QUOTE_MAX;
  int proto = o->v6 ? PROTO_ICMPV6 : PROTO_ICMP;
  size_t hl = put_ip (ip, o, proto, 8 + quote);
  uint8_t *icmp = ip + hl;
  memset (icmp, 0, 8);
  icmp[0] = o->v6 ? 1 : 3; /* destination unreachable */
  icmp[1] = o->v6 ? 4 : 3; /* port unreachable */
  memcpy (icmp + 8, o->ip, quote);
  uint16_t c = o->v6 ? l4_csum (o, proto, icmp, 8 + quote)
                     : (uint16_t)~slirp_csum_fold (slirp_csum_add (0, icmp, 8 + quote));
  put16 (icmp + 2, c);
  return hl + 8 + quote;
}

size_t
slirp_refusal_build (const uint8_t *frame, size_t len, uint8_t *out, size_t out_size)
{
  struct offer o;
  if (len < ETH_HLEN || out_size < REFUSAL_MAX)
    return 0;
  unsigned int type = get16 (frame + 12);
  bool parsed = (type == ETH_IPV4 && parse_v4 (frame + ETH_HLEN, len - ETH_HLEN, &o))
                || (type == ETH_IPV6 && parse_v6 (frame + ETH_HLEN, len - ETH_HLEN, &o));
  if (!parsed)
    return 0;
  size_t n = 0;
  if (o.proto == PROTO_TCP)
    n = build_rst (&o, out + ETH_HLEN);
  else if (o.proto == PROTO_UDP)
    n = build_unreachable (&o, out + ETH_HLEN);
  if (n == 0)
    return 0;
  memcpy (out, frame + 6, 6);
  memcpy (out + 6, frame, 6);
  put16 (out + 12, (uint16_t)type);
  return ETH_HLEN + n;
}
