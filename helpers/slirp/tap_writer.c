/* tap_writer.c: frames from libslirp to the guest. While a batch of guest frames is fed
   to libslirp, it answers each data segment with an ACK, one write(2) into the guest's
   network stack apiece; only the last of a run of pure ACKs of one connection carries
   news (ACKs are cumulative), so the others are dropped. A repeated ACK (same number
   and window: a duplicate ACK, the guest's signal to retransmit) is kept, and any other
   frame first flushes what waits, so the order on the wire stays libslirp's. IPv4 only. */
#include "config.h"
#include "slirp_helper.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define ETH_HLEN 14
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* A TCP segment over IPv4 or IPv6 (without extension headers). */
static bool
is_tcp (const uint8_t *f, size_t len)
{
  if (len < ETH_HLEN + 40)
    return false;
  if (f[12] == 0x08 && f[13] == 0x00)
    return (f[ETH_HLEN] >> 4) == 4 && f[ETH_HLEN + 9] == 6;
  return f[12] == 0x86 && f[13] == 0xdd && f[ETH_HLEN + 6] == 6;
}

static void
write_frame (const struct tap_writer *w, const void *buf, size_t len)
{
  ssize_t n;
  /* libslirp checksums every segment it makes: DATA_VALID spares the guest's stack
     checking them again, 64 KiB a segment, inside our write. */
  struct virtio_net_hdr h = { .flags = is_tcp (buf, len) ? VIRTIO_NET_HDR_F_DATA_VALID : 0 };
  struct iovec iov[2] = { { &h, sizeof h }, { (void *)buf, len } };
  do
    n = w->vnet_hdr ? writev (w->fd, iov, 2) : write (w->fd, buf, len);
  while (n < 0 && errno == EINTR);
  /* A full queue drops the frame: TCP retransmits, as it would on a real link. */
}

/* The connection (addresses and ports) of a pure IPv4 TCP ACK, its ack number and
   window; false for any other frame. */
static bool
pure_ack (const uint8_t *f, size_t len, uint8_t key[12], uint32_t *ack, uint16_t *win)
{
  if (len < ETH_HLEN + 40 || len > TAP_ACK_MAX || f[12] != 0x08 || f[13] != 0x00)
    return false;
  const uint8_t *ip = f + ETH_HLEN;
  size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
  size_t total = (size_t)ip[2] << 8 | ip[3];
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 || total > len - ETH_HLEN || total < ihl + 20)
    return false;
  const uint8_t *tcp = ip + ihl;
  size_t doff = (size_t)(tcp[12] >> 4) * 4;
  uint8_t flags = tcp[13];
  if (ihl + doff != total || !(flags & TCP_ACK) || (flags & (TCP_SYN | TCP_FIN | TCP_RST)))
    return false;
  memcpy (key, ip + 12, 8);
  memcpy (key + 8, tcp, 4);
  *ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 | (uint32_t)tcp[10] << 8 | tcp[11];
  *win = (uint16_t)(tcp[14] << 8 | tcp[15]);
  return true;
}

void
tap_writer_flush (struct tap_writer *w)
{
  for (int i = 0; i < w->n; i++)
    write_frame (w, w->acks[i].frame, w->acks[i].len);
  w->n = 0;
  w->batching = false;
}

void
tap_writer_send (struct tap_writer *w, const void *buf, size_t len)
{
  uint8_t key[12];
  uint32_t ack;
  uint16_t win;
  if (!w->batching || !pure_ack (buf, len, key, &ack, &win))
    {
      if (w->n)
        {
          bool batching = w->batching;
          tap_writer_flush (w);
          w->batching = batching;
        }
      write_frame (w, buf, len);
      return;
    }
  struct tap_pending_ack *p = NULL;
  for (int i = 0; i < w->n && p == NULL; i++)
    if (memcmp (w->acks[i].key, key, sizeof key) == 0)
      p = &w->acks[i];
  if (p && p->ack == ack && p->win == win)
    write_frame (w, p->frame, p->len); /* a duplicate ACK: both go */
  if (p == NULL)
    {
      if (w->n == TAP_PENDING_ACKS)
        {
          tap_writer_flush (w);
          w->batching = true;
        }
      p = &w->acks[w->n++];
      memcpy (p->key, key, sizeof key);
    }
  p->ack = ack;
  p->win = win;
  p->len = len;
  memcpy (p->frame, buf, len);
}
