/* device_io.c: reads and writes of /dev/fuse through libfuse's custom I/O hooks, to
   correct the INIT reply, which libfuse 3.14 computes from the flags it knows:
   - FUSE_HANDLE_KILLPRIV is left out whatever the filesystem asked for (conn->want), so
     the kernel would never hear of it: added when the kernel offered it;
   - FUSE_OVER_IO_URING (protocol 7.42) is unknown to it: added when the kernel offered it
     and io_uring was not turned off, and the ring (uring.c) is set up once the reply is
     in, when the kernel knows the connection's sizes.
   Replies to requests that came over the ring go back into the ring (ovl_uring_reply). */
#include "config.h"
#include "overlay.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <sys/uio.h>
#include <unistd.h>

/* Not in Debian 12's headers: bit 41 of the INIT flags, i.e. bit 9 of flags2. */
#define INIT_FLAGS2_OVER_IO_URING (1u << 9)

static struct fuse_session *session;
static bool want_uring;      /* io_uring not turned off by -o io_uring=0 */
static bool debug;           /* -d */
static uint64_t init_unique; /* the INIT request, until its reply has gone */
static uint32_t init_add;    /* the flags to add to its reply */
static bool init_uring;      /* the kernel offered FUSE_OVER_IO_URING */

static ssize_t
dev_read (int fd, void *buf, size_t len, void *userdata)
{
  ssize_t n = read (fd, buf, len);
  const struct fuse_in_header *in = buf;
  const struct fuse_init_in *arg = (const void *)(in + 1);
  if (n >= (ssize_t)(sizeof *in + offsetof (struct fuse_init_in, flags) + sizeof arg->flags)
      && in->opcode == FUSE_INIT)
    {
      init_unique = in->unique;
      init_add = arg->flags & FUSE_HANDLE_KILLPRIV;
      init_uring = want_uring && (arg->flags & FUSE_INIT_EXT)
                   && n >= (ssize_t)(sizeof *in + offsetof (struct fuse_init_in, flags2)
                                     + sizeof arg->flags2)
                   && (arg->flags2 & INIT_FLAGS2_OVER_IO_URING);
    }
  return n;
}

bool
ovl_uring_offered (void)
{
  return init_uring;
}

/* The payload buffer the kernel wants for each ring entry (fuse_uring_create()). */
static size_t
ring_payload_size (const struct fuse_init_out *arg)
{
  size_t size = 8192; /* FUSE_MIN_READ_BUFFER */
  if (arg->max_write > size)
    size = arg->max_write;
  size_t pages = (arg->flags & FUSE_MAX_PAGES) ? arg->max_pages : 32;
  size_t page = (size_t)sysconf (_SC_PAGESIZE);
  if (pages * page > size)
    size = pages * page;
  return size;
}

static ssize_t
dev_writev (int fd, struct iovec *iov, int count, void *userdata)
{
  ssize_t n;
  if (ovl_uring_reply (iov, count, &n))
    return n;
  const struct fuse_out_header *out = iov[0].iov_base;
  bool ring = false;
  if (init_unique && count >= 2 && iov[0].iov_len >= sizeof *out && out->unique == init_unique)
    {
      struct fuse_init_out *arg = iov[1].iov_base;
      if (out->error == 0 && iov[1].iov_len >= offsetof (struct fuse_init_out, flags) + 4)
        arg->flags |= init_add;
      if (out->error == 0 && init_uring && iov[1].iov_len >= sizeof *arg
          && ovl_uring_prepare (session, fd, ring_payload_size (arg)) == 0)
        {
          arg->flags |= FUSE_INIT_EXT;
          arg->flags2 |= INIT_FLAGS2_OVER_IO_URING;
          ring = true;
        }
      init_unique = 0;
    }
  n = writev (fd, iov, count);
  if (ring && ovl_uring_start (n >= 0, debug) < 0)
    fuse_session_exit (session);
  return n;
}

static ssize_t
dev_splice (int fdin, off_t *offin, int fdout, off_t *offout, size_t len, unsigned int flags,
            void *userdata)
{
  return splice (fdin, offin, fdout, offout, len, flags);
}

int
ovl_device_io (struct fuse_session *se, bool io_uring, bool verbose)
{
  static const struct fuse_custom_io io = {
    .read = dev_read,
    .writev = dev_writev,
    .splice_receive = dev_splice,
    .splice_send = dev_splice,
  };
  session = se;
  want_uring = io_uring;
  debug = verbose;
  return fuse_session_custom_io (se, &io, fuse_session_fd (se));
}
