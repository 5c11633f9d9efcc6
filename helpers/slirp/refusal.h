/* refusal.h: the answer the guest gets when the loopback guard turns a packet away, as
   a host with nothing listening would give it: a TCP RST+ACK for a SYN, an ICMP (v4) or
   ICMPv6 port unreachable for UDP. No libslirp here, so unit tests build it alone. */
#ifndef BURROW_SLIRP_REFUSAL_H
#define BURROW_SLIRP_REFUSAL_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for any refusal: ethernet + IPv6 + ICMPv6 + the quoted packet (an ICMPv6
   error stays within the IPv6 minimum MTU, 1280). */
#define REFUSAL_MAX (14 + 1280)

/* The reply to FRAME (an ethernet frame from the guest), built in OUT (OUT_SIZE >=
   REFUSAL_MAX): addresses, ports and MAC addresses swapped. Returns its length, or 0
   when FRAME gets no answer (not a TCP SYN nor UDP, malformed, a later fragment). */
size_t slirp_refusal_build (const uint8_t *frame, size_t len, uint8_t *out, size_t out_size);

/* The Internet checksum (RFC 1071) of BUF, folded into SUM (a partial sum, host order);
   not complemented. */
uint32_t slirp_csum_add (uint32_t sum, const uint8_t *buf, size_t len);
uint16_t slirp_csum_fold (uint32_t sum);

#endif
