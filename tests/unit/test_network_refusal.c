/* test_network_refusal.c: burrow-slirp's answers to what the loopback guard turns away
   (helpers/slirp/refusal.c): RST+ACK for a TCP SYN, port unreachable for UDP, IPv4 and
   IPv6, checksums verified here independently; malformed frames get no answer. */
#include "config.h"

#include "../../helpers/slirp/refusal.h"
#include "tap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t guest_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t guest4[4] = { 10, 0, 2, 100 }, gw4[4] = { 10, 0, 2, 2 };
static const uint8_t guest6[16] = { 0xfd, [15] = 0x01, [14] = 0x00 };
static const uint8_t gw6[16] = { 0xfd, [15] = 0x02 };

/* The one's complement sum, written again here so the test does not trust refusal.c's. */
static uint16_t
sum16 (const uint8_t *p, size_t n, uint32_t s)
{
  for (size_t i = 0; i < n; i++)
    s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
  while (s >> 16)
    s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

/* True when the transport checksum of L4 (LEN bytes, PROTO) verifies with the pseudo
   header of SRC and DST (ALEN bytes each). */
static bool
l4_ok (const uint8_t *src, const uint8_t *dst, size_t alen, int proto, const uint8_t *l4,
       size_t len)
{
  uint32_t s = sum16 (src, alen, 0);
  s = sum16 (dst, alen, s);
  s += (uint32_t)proto + (uint32_t)len;
  return sum16 (l4, len, s) == 0xffff;
}

static uint16_t
be16 (const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32 (const uint8_t *p)
{
  return (uint32_t)be16 (p) << 16 | be16 (p + 2);
}

/* An ethernet frame from the guest to the gateway: IPv4 or IPv6, PROTO, L4 of L4_LEN
   bytes (copied); returns the frame's length. */
static size_t
frame (uint8_t *f, bool v6, int proto, const uint8_t *l4, size_t l4_len)
{
  memcpy (f, gw_mac, 6);
  memcpy (f + 6, guest_mac, 6);
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  uint8_t *ip = f + 14;
  size_t hl = v6 ? 40 : 20;
  memset (ip, 0, hl);
  if (v6)
    {
      ip[0] = 0x60;
      ip[4] = (uint8_t)(l4_len >> 8);
      ip[5] = (uint8_t)l4_len;
      ip[6] = (uint8_t)proto;
      ip[7] = 64;
      memcpy (ip + 8, guest6, 16);
      memcpy (ip + 24, gw6, 16);
    }
  else
    {
      ip[0] = 0x45;
      ip[2] = (uint8_t)((20 + l4_len) >> 8);
      ip[3] = (uint8_t)(20 + l4_len);
      ip[6] = 0x40;
      ip[8] = 64;
      ip[9] = (uint8_t)proto;
      memcpy (ip + 12, guest4, 4);
      memcpy (ip + 16, gw4, 4);
    }
  memcpy (ip + hl, l4, l4_len);
  return 14 + hl + l4_len;
}

/* A TCP segment from guest port 40000 to 8080: FLAGS, sequence SEQ, DATA bytes after
   the header. Returns its length. */
static size_t
tcp_seg (uint8_t *t, uint8_t flags, uint32_t seq, size_t data)
{
  memset (t, 0, 20 + data);
  t[0] = 40000 >> 8, t[1] = 40000 & 0xff, t[2] = 8080 >> 8, t[3] = 8080 & 0xff;
  t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8);
  t[7] = (uint8_t)seq;
  t[12] = 5 << 4;
  t[13] = flags;
  return 20 + data;
}

static void
check_rst (bool v6)
{
  const char *fam = v6 ? "IPv6" : "IPv4";
  uint8_t l4[64], f[256], out[REFUSAL_MAX];
  size_t n = frame (f, v6, 6, l4, tcp_seg (l4, 0x02, 0xfffffffe, 0));
  size_t r = slirp_refusal_build (f, n, out, sizeof out);
  size_t hl = v6 ? 40 : 20, alen = v6 ? 16 : 4;
  ok (r == 14 + hl + 20, "%s SYN: a RST of %zu bytes (%zu)", fam, 14 + hl + 20, r);
  if (r != 14 + hl + 20)
    return;
  ok (memcmp (out, guest_mac, 6) == 0 && memcmp (out + 6, gw_mac, 6) == 0,
      "%s RST: MAC addresses swapped", fam);
  const uint8_t *ip = out + 14, *t = ip + hl;
  const uint8_t *src = v6 ? ip + 8 : ip + 12, *dst = src + alen;
  ok (memcmp (src, v6 ? gw6 : gw4, alen) == 0 && memcmp (dst, v6 ? guest6 : guest4, alen) == 0,
      "%s RST: from the gateway to the guest", fam);
  if (v6)
    ok (ip[0] == 0x60 && be16 (ip + 4) == 20 && ip[6] == 6 && ip[7] > 0,
        "IPv6 RST: version, payload length, next header, hop limit");
  else
    ok (ip[0] == 0x45 && be16 (ip + 2) == 40 && ip[9] == 6 && ip[8] > 0
            && sum16 (ip, 20, 0) == 0xffff,
        "IPv4 RST: header fields and header checksum");
  ok (be16 (t) == 8080 && be16 (t + 2) == 40000, "%s RST: ports swapped", fam);
  ok (be32 (t + 4) == 0 && be32 (t + 8) == 0xffffffff, "%s RST: seq 0, ack = SYN's seq + 1", fam);
  ok (t[13] == 0x14 && (t[12] >> 4) == 5, "%s RST: flags RST+ACK, 20-byte header", fam);
  ok (l4_ok (src, dst, alen, 6, t, 20), "%s RST: TCP checksum verifies", fam);

  n = frame (f, v6, 6, l4, tcp_seg (l4, 0x02, 0xffffffff, 10));
  r = slirp_refusal_build (f, n, out, sizeof out);
  ok (r && be32 (out + 14 + hl + 8) == 10, "%s SYN with 10 data bytes: ack = seq + 11", fam);
  n = frame (f, v6, 6, l4, tcp_seg (l4, 0x12, 1, 0));
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "%s SYN+ACK: no answer", fam);
  n = frame (f, v6, 6, l4, tcp_seg (l4, 0x04, 1, 0));
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "%s RST: no answer", fam);
  /* Every truncation of a SYN: the headers claim more than is there. */
  n = frame (f, v6, 6, l4, tcp_seg (l4, 0x02, 1, 0));
  bool none = true;
  for (size_t cut = 0; cut < n; cut++)
    none = none && slirp_refusal_build (f, cut, out, sizeof out) == 0;
  ok (none, "%s SYN cut short anywhere: no answer", fam);
  l4[12] = 15 << 4; /* a TCP header longer than the segment */
  n = frame (f, v6, 6, l4, 20);
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "%s SYN with a bad data offset: no answer",
      fam);
}

static void
check_unreachable (bool v6, size_t payload)
{
  const char *fam = v6 ? "IPv6" : "IPv4";
  static uint8_t l4[2048], f[2200];
  uint8_t out[REFUSAL_MAX];
  memset (l4, 0xab, sizeof l4);
  l4[0] = 0x9c, l4[1] = 0x40, l4[2] = 0x00, l4[3] = 0x35; /* 40000 -> 53 */
  l4[4] = (uint8_t)((8 + payload) >> 8), l4[5] = (uint8_t)(8 + payload);
  size_t n = frame (f, v6, 17, l4, 8 + payload);
  size_t r = slirp_refusal_build (f, n, out, sizeof out);
  size_t hl = v6 ? 40 : 20, alen = v6 ? 16 : 4;
  size_t quote = n - 14, cap = v6 ? 1280 - 48 : 576 - 28;
  if (quote > cap)
    quote = cap;
  ok (r == 14 + hl + 8 + quote, "%s UDP of %zu bytes: port unreachable quoting %zu bytes (%zu)",
      fam, payload, quote, r);
  if (r != 14 + hl + 8 + quote)
    return;
  const uint8_t *ip = out + 14, *icmp = ip + hl;
  const uint8_t *src = v6 ? ip + 8 : ip + 12, *dst = src + alen;
  ok (memcmp (out, guest_mac, 6) == 0 && memcmp (src, v6 ? gw6 : gw4, alen) == 0
          && memcmp (dst, v6 ? guest6 : guest4, alen) == 0,
      "%s unreachable: from the gateway to the guest", fam);
  if (v6)
    ok (ip[6] == 58 && be16 (ip + 4) == 8 + quote && icmp[0] == 1 && icmp[1] == 4
            && l4_ok (src, dst, 16, 58, icmp, 8 + quote),
        "ICMPv6 destination unreachable (port), checksum with the pseudo header verifies");
  else
    ok (ip[9] == 1 && be16 (ip + 2) == 20 + 8 + quote && sum16 (ip, 20, 0) == 0xffff && icmp[0] == 3
            && icmp[1] == 3 && sum16 (icmp, 8 + quote, 0) == 0xffff,
        "ICMP port unreachable, IP and ICMP checksums verify");
  ok (memcmp (icmp + 8, f + 14, quote) == 0, "%s unreachable quotes the datagram", fam);
}

static void
check_no_answer (void)
{
  uint8_t l4[64] = { 0 }, f[256], out[REFUSAL_MAX];
  size_t n = frame (f, false, 17, l4, 8);
  f[14 + 7] = 1; /* a later fragment */
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "a later IPv4 fragment: no answer");
  n = frame (f, false, 17, l4, 8);
  f[14 + 12] = 224;
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "a multicast IPv4 source: no answer");
  n = frame (f, true, 17, l4, 8);
  f[14 + 8] = 0xff;
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "a multicast IPv6 source: no answer");
  n = frame (f, false, 17, l4, 8);
  f[14 + 3] += 1; /* total length past the frame */
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "IPv4 length past the frame: no answer");
  n = frame (f, true, 44, l4, 8);
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "an IPv6 extension header: no answer");
  n = frame (f, false, 1, l4, 8);
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "ICMP: no answer");
  n = frame (f, false, 17, l4, 4);
  ok (slirp_refusal_build (f, n, out, sizeof out) == 0, "UDP shorter than its header: no answer");
  n = frame (f, false, 6, l4, tcp_seg (l4, 0x02, 1, 0));
  ok (slirp_refusal_build (f, n, out, REFUSAL_MAX - 1) == 0, "an output buffer too small: refused");
}

/* Random frames, IPv4/IPv6 ethertypes and TCP/UDP protocols made likely: never an
   answer longer than REFUSAL_MAX, never a read past the frame (run under ASan). */
static void
check_random (void)
{
  uint32_t x = 12345;
  bool bounded = true;
  size_t answered = 0;
  for (int i = 0; i < 20000; i++)
    {
      uint8_t f[1600], out[REFUSAL_MAX];
      size_t n = 0;
      for (size_t j = 0; j < sizeof f; j++)
        {
          x = x * 1103515245 + 12345;
          f[j] = (uint8_t)(x >> 16);
        }
      n = (x >> 8) % sizeof f;
      bool v6 = i & 1;
      f[12] = v6 ? 0x86 : 0x08;
      f[13] = v6 ? 0xdd : 0x00;
      f[14] = (uint8_t)((v6 ? 0x60 : 0x45) | (i & 2 ? f[15] & 0x0f : 0));
      f[v6 ? 20 : 23] = (i & 4) ? 6 : 17;
      if (!v6)
        f[20] = f[21] = 0; /* not a fragment */
      /* an IP length within the frame, now and then */
      size_t ip = n > 14 ? n - 14 : 0;
      if (i & 8 && ip >= 40)
        {
          size_t l = v6 ? ip - 40 : ip;
          f[v6 ? 18 : 16] = (uint8_t)(l >> 8);
          f[v6 ? 19 : 17] = (uint8_t)l;
        }
      /* a fresh copy of exactly n bytes, so ASan sees any read past it */
      uint8_t *g = malloc (n ? n : 1);
      memcpy (g, f, n);
      size_t r = slirp_refusal_build (g, n, out, sizeof out);
      free (g);
      bounded = bounded && r <= REFUSAL_MAX;
      answered += r > 0;
    }
  ok (bounded, "20000 random frames: every answer within REFUSAL_MAX (%zu answered)", answered);
  ok (answered > 0, "some random frames were well-formed enough to be answered");
}

int
main (void)
{
  check_rst (false);
  check_rst (true);
  check_unreachable (false, 5);
  check_unreachable (true, 5);
  check_unreachable (false, 1400);
  check_unreachable (true, 2000);
  check_no_answer ();
  check_random ();
  return tap_done ();
}
