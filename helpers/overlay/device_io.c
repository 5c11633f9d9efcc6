/* device_io.c: reads and writes of /dev/fuse through libfuse's custom I/O hooks, to
   correct one reply: libfuse 3.14 computes the INIT reply's flags without
   FUSE_HANDLE_KILLPRIV whatever the filesystem asked for (conn->want), so the kernel
   would never hear of it. The flag is added when the kernel offered it. */
#include "config.h"
#include "overlay.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <sys/uio.h>
#include <unistd.h>

static uint64_t init_unique; /* the INIT request, until its reply has gone */
static uint32_t init_add;    /* the flags to add to its reply */

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
    }
  return n;
}

static ssize_t
dev_writev (int fd, struct iovec *iov, int count, void *userdata)
{
  const struct fuse_out_header *out = iov[0].iov_base;
  if (init_unique && count >= 2 && iov[0].iov_len >= sizeof *out && out->unique == init_unique)
    {
      struct fuse_init_out *arg = iov[1].iov_base;
      if (out->error == 0 && iov[1].iov_len >= offsetof (struct fuse_init_out, flags) + 4)
        arg->flags |= init_add;
      init_unique = 0;
    }
  return writev (fd, iov, count);
}

static ssize_t
dev_splice (int fdin, off_t *offin, int fdout, off_t *offout, size_t len, unsigned int flags,
            void *userdata)
{
  return splice (fdin, offin, fdout, offout, len, flags);
}

int
ovl_device_io (struct fuse_session *se)
{
  static const struct fuse_custom_io io = {
    .read = dev_read,
    .writev = dev_writev,
    .splice_receive = dev_splice,
    .splice_send = dev_splice,
  };
  return fuse_session_custom_io (se, &io, fuse_session_fd (se));
}
