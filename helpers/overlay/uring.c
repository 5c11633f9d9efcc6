/* uring.c: the request loop, over /dev/fuse or, when the kernel offers it (6.14 and
   later with fuse's enable_uring parameter set; protocol 7.42), over io_uring.

   With io_uring the kernel puts each request into a buffer registered beforehand and
   completes one of our commands; the reply goes back in the same buffer with the next
   command, which also asks for the next request: one system call per request instead of a
   read() and a writev(). libfuse 3.14 knows nothing of it, so the transport lives here,
   under libfuse: a request taken from the ring is rebuilt in place as /dev/fuse would have
   delivered it (header, operation header, payload) and handed to
   fuse_session_process_buf(); libfuse's reply reaches device_io.c's writev hook, which
   gives it to ovl_uring_reply() to go back into the ring.

   The kernel uses the ring only once every CPU's queue has entries; FORGET and INTERRUPT
   always come through /dev/fuse, which the ring watches with a poll command, so one
   thread waits for both in one io_uring_enter(). Anything that fails while the ring is
   being set up leaves the plain /dev/fuse loop in charge. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#if HAVE_LIBURING
#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>

/* The io_uring part of the FUSE protocol (7.42), which Debian 12's headers predate. */
#define URING_HEADER_IN_OUT 128
#define URING_OP_IN_OUT 128

struct uring_ent_in_out
{
  uint64_t flags;
  uint64_t commit_id; /* the request's unique, given back with the reply */
  uint32_t payload_sz;
  uint32_t padding;
  uint64_t reserved;
};

struct uring_req_header
{
  char in_out[URING_HEADER_IN_OUT]; /* fuse_in_header, then fuse_out_header */
  char op_in[URING_OP_IN_OUT];      /* the operation's own header (in_args[0]) */
  struct uring_ent_in_out ent;
};

/* In the 80 bytes of command data of a 128-byte SQE. */
struct uring_cmd_req
{
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};

enum
{
  URING_CMD_REGISTER = 1,
  URING_CMD_COMMIT_AND_FETCH = 2,
};

/* Entries per CPU queue: requests the kernel can hand over before we answer one. */
#define URING_DEPTH 4
/* An entry's block: its header, then room to rebuild a request in front of the payload. */
#define URING_FRONT 4096
#define URING_POLL_TAG 1 /* user_data of the poll on /dev/fuse */

struct ring_ent
{
  char *block; /* URING_FRONT + payload_size bytes, mapped */
  struct uring_req_header *hdr;
  char *payload;
  struct iovec iov[2];
  uint64_t commit_id;
  uint16_t qid;
  uint32_t last_cmd; /* REGISTER, then COMMIT_AND_FETCH: sent again if not taken */
};

struct ovl_uring
{
  struct io_uring ring;
  int fd;
  size_t payload_size;
  size_t n_ent;
  struct ring_ent *ents;
  struct ring_ent *cur; /* the request being processed, until its reply */
  bool poll_armed;
  size_t live; /* entries the kernel still has */
};

static struct ovl_uring *uring;    /* set while the ring is in use */
static struct ovl_uring *prepared; /* made for the INIT reply, not yet started */

/* The kernel has one queue per possible CPU (num_possible_cpus()) and uses the ring only
   when all have entries. */
static int
possible_cpus (void)
{
  FILE *f = fopen ("/sys/devices/system/cpu/possible", "re");
  if (!f)
    return -1;
  char line[256];
  int n = 0;
  if (fgets (line, sizeof line, f))
    for (char *save, *p = strtok_r (line, ",\n", &save); p; p = strtok_r (NULL, ",\n", &save))
      {
        int lo, hi;
        int k = sscanf (p, "%d-%d", &lo, &hi);
        if (k == 1)
          hi = lo;
        if (k < 1 || lo < 0 || hi < lo)
          {
            n = -1;
            break;
          }
        n += hi - lo + 1;
      }
  fclose (f);
  return n;
}

static struct io_uring_sqe *
get_sqe (struct ovl_uring *u)
{
  struct io_uring_sqe *sqe = io_uring_get_sqe (&u->ring);
  if (!sqe && io_uring_submit (&u->ring) >= 0)
    sqe = io_uring_get_sqe (&u->ring);
  return sqe;
}

/* REGISTER for a new entry, COMMIT_AND_FETCH for one that answered; not yet submitted. */
static int
queue_cmd (struct ovl_uring *u, struct ring_ent *e, uint32_t op)
{
  struct io_uring_sqe *sqe = get_sqe (u);
  if (!sqe)
    return -EBUSY;
  memset (sqe, 0, 2 * sizeof *sqe);
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->fd = u->fd;
  sqe->user_data = (uintptr_t)e;
  struct uring_cmd_req *cmd = (struct uring_cmd_req *)sqe->cmd;
  cmd->qid = e->qid;
  sqe->cmd_op = e->last_cmd = op;
  if (op == URING_CMD_COMMIT_AND_FETCH)
    cmd->commit_id = e->commit_id;
  else
    {
      sqe->addr = (uintptr_t)e->iov;
      sqe->len = 2;
    }
  return 0;
}

static int
arm_poll (struct ovl_uring *u)
{
  struct io_uring_sqe *sqe = get_sqe (u);
  if (!sqe)
    return -EBUSY;
  io_uring_prep_poll_add (sqe, u->fd, POLLIN);
  io_uring_sqe_set_data64 (sqe, URING_POLL_TAG);
  u->poll_armed = true;
  return 0;
}

static void
uring_free (struct ovl_uring *u)
{
  if (u->ring.ring_fd >= 0)
    io_uring_queue_exit (&u->ring);
  for (size_t i = 0; u->ents && i < u->n_ent; i++)
    if (u->ents[i].block)
      munmap (u->ents[i].block, URING_FRONT + u->payload_size);
  free (u->ents);
  free (u);
}

/* Back to blocking reads of /dev/fuse alone. */
static void
uring_drop (const char *why, int err)
{
  struct ovl_uring *u = uring;
  if (!u)
    return;
  fprintf (stderr, "burrow-overlay: io_uring: %s: %s; going on over /dev/fuse\n", why,
           strerror (err));
  uring = NULL;
  int fl = fcntl (u->fd, F_GETFL);
  if (fl >= 0)
    fcntl (u->fd, F_SETFL, fl & ~O_NONBLOCK);
  uring_free (u);
}

/* Before the INIT reply: the ring, its buffers and a REGISTER per entry, not submitted.
   Once the reply says FUSE_OVER_IO_URING the kernel holds every request until the ring is
   ready, so whatever can fail (io_uring refused by seccomp or io_uring_disabled, memory)
   fails here, while the reply can still say no. */
int
ovl_uring_prepare (int fd, size_t payload_size)
{
  int ncpu = possible_cpus ();
  if (ncpu <= 0)
    return -ENODEV;
  struct ovl_uring *u = calloc (1, sizeof *u);
  if (!u)
    return -ENOMEM;
  u->ring.ring_fd = -1;
  u->fd = fd;
  u->payload_size = (payload_size + 4095) & ~(size_t)4095;
  u->n_ent = (size_t)ncpu * URING_DEPTH;
  u->ents = calloc (u->n_ent, sizeof *u->ents);
  int err = u->ents ? 0 : -ENOMEM;
  struct io_uring_params p = { .flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE,
                               .cq_entries = 2 * (unsigned)u->n_ent + 2 };
  if (err == 0)
    err = io_uring_queue_init_params ((unsigned)u->n_ent + 1, &u->ring, &p);
  for (size_t i = 0; err == 0 && i < u->n_ent; i++)
    {
      struct ring_ent *e = &u->ents[i];
      e->block = mmap (NULL, URING_FRONT + u->payload_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (e->block == MAP_FAILED)
        {
          e->block = NULL;
          err = -ENOMEM;
          break;
        }
      e->hdr = (struct uring_req_header *)e->block;
      e->payload = e->block + URING_FRONT;
      e->iov[0] = (struct iovec){ e->hdr, sizeof *e->hdr };
      e->iov[1] = (struct iovec){ e->payload, u->payload_size };
      e->qid = (uint16_t)(i / URING_DEPTH);
      err = queue_cmd (u, e, URING_CMD_REGISTER);
    }
  if (err == 0)
    err = arm_poll (u);
  if (err < 0)
    {
      fprintf (stderr, "burrow-overlay: io_uring: cannot set up the ring: %s; serving /dev/fuse\n",
               strerror (-err));
      uring_free (u);
      return err;
    }
  u->live = u->n_ent;
  prepared = u;
  return 0;
}

/* After the INIT reply went in: the registrations go to the kernel. */
int
ovl_uring_start (bool replied, bool debug)
{
  struct ovl_uring *u = prepared;
  prepared = NULL;
  if (!u)
    return 0;
  if (!replied)
    {
      uring_free (u);
      return 0;
    }
  int fl = fcntl (u->fd, F_GETFL);
  int err = fl < 0 || fcntl (u->fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
  if (err == 0)
    {
      int n = io_uring_submit (&u->ring);
      err = n < 0 ? n : 0;
    }
  if (err < 0)
    {
      /* the kernel waits for a ring that will not come: better no file system than a
         hung one */
      fprintf (stderr, "burrow-overlay: io_uring: cannot start the ring: %s\n", strerror (-err));
      uring_free (u);
      return err;
    }
  if (debug)
    fprintf (stderr, "burrow-overlay: io_uring: %zu queues of %d entries, %zu KiB each\n",
             u->n_ent / URING_DEPTH, URING_DEPTH, u->payload_size / 1024);
  uring = u;
  return 0;
}

void *
ovl_uring_payload (size_t *size)
{
  if (!uring || !uring->cur)
    return NULL;
  *size = uring->payload_size;
  return uring->cur->payload;
}

bool
ovl_uring_reply (const struct iovec *iov, int count, ssize_t *written)
{
  struct ovl_uring *u = uring;
  const struct fuse_out_header *out = iov[0].iov_base;
  if (!u || !u->cur || iov[0].iov_len < sizeof *out || out->unique != u->cur->commit_id)
    return false;
  struct ring_ent *e = u->cur;
  u->cur = NULL;
  size_t len = 0;
  int error = out->error;
  for (int i = 1; i < count; i++)
    {
      if (iov[i].iov_len > u->payload_size - len)
        {
          error = -EIO;
          len = 0;
          break;
        }
      if (iov[i].iov_base != e->payload + len)
        memcpy (e->payload + len, iov[i].iov_base, iov[i].iov_len);
      len += iov[i].iov_len;
    }
  struct fuse_out_header *o = (struct fuse_out_header *)e->hdr->in_out;
  *o = (struct fuse_out_header){ .len = (uint32_t)(sizeof *o + len),
                                 .error = error,
                                 .unique = e->commit_id };
  e->hdr->ent.payload_sz = (uint32_t)len;
  if (queue_cmd (u, e, URING_CMD_COMMIT_AND_FETCH) < 0)
    return false;
  /* Its caller waits: it goes with the next wait for a request (one system call for
     both), or at once when requests are already waiting, which would delay it. */
  if (io_uring_cq_ready (&u->ring) > 0)
    io_uring_submit (&u->ring);
  *written = (ssize_t)(sizeof *out + len);
  return true;
}

/* One request from the ring, rebuilt as /dev/fuse delivers it, to libfuse. */
static void
process_ent (struct fuse_session *se, struct ovl_uring *u, struct ring_ent *e)
{
  const struct fuse_in_header *in = (const struct fuse_in_header *)e->hdr->in_out;
  size_t payload = e->hdr->ent.payload_sz;
  e->commit_id = e->hdr->ent.commit_id;
  size_t op = in->len >= sizeof *in + payload ? in->len - sizeof *in - payload : SIZE_MAX;
  if (op > URING_OP_IN_OUT || payload > u->payload_size)
    {
      fprintf (stderr, "burrow-overlay: io_uring: malformed request (opcode %u)\n", in->opcode);
      struct fuse_out_header o = { .len = sizeof o, .error = -EIO, .unique = e->commit_id };
      struct iovec iov = { &o, sizeof o };
      ssize_t n;
      u->cur = e;
      ovl_uring_reply (&iov, 1, &n);
      return;
    }
  char *start = e->payload - op - sizeof *in;
  memmove (start, in, sizeof *in);
  memcpy (start + sizeof *in, e->hdr->op_in, op);
  struct fuse_buf buf = { .mem = start, .size = in->len };
  u->cur = e;
  fuse_session_process_buf (se, &buf);
  if (uring && uring->cur == e)
    {
      /* libfuse sent nothing (a request it does not answer): give the entry back */
      struct fuse_out_header o = { .len = sizeof o, .error = -ENOSYS, .unique = e->commit_id };
      struct iovec iov = { &o, sizeof o };
      ssize_t n;
      ovl_uring_reply (&iov, 1, &n);
    }
}

/* One turn with the ring: a completion, or a wait for one. <0: the session ends. */
static int
uring_turn (struct fuse_session *se, struct fuse_buf *fbuf)
{
  struct ovl_uring *u = uring;
  struct io_uring_cqe *cqe;
  if (io_uring_peek_cqe (&u->ring, &cqe) != 0)
    {
      if (!u->poll_armed && arm_poll (u) < 0)
        return -EIO;
      int n = io_uring_submit_and_wait (&u->ring, 1);
      if (n < 0 && n != -EINTR && n != -EAGAIN && n != -ETIME)
        uring_drop ("wait", -n);
      return 0;
    }
  uint64_t tag = cqe->user_data;
  int res = cqe->res;
  io_uring_cqe_seen (&u->ring, cqe);
  if (tag == URING_POLL_TAG)
    {
      u->poll_armed = false;
      int n = fuse_session_receive_buf (se, fbuf);
      if (n == -EAGAIN || n == -EINTR)
        return 0;
      if (n <= 0)
        return n < 0 ? n : -ENODEV;
      fuse_session_process_buf (se, fbuf);
      return 0;
    }
  struct ring_ent *e = (struct ring_ent *)(uintptr_t)tag;
  if (res == -EAGAIN || res == -EINTR)
    {
      /* not taken: send the same command again */
      return queue_cmd (u, e, e->last_cmd) < 0 ? -EIO : 0;
    }
  if (res < 0)
    {
      /* the kernel tears the ring down when the file system goes away */
      if (res == -ENOTCONN || res == -ECONNABORTED || res == -ENODEV)
        return 0;
      /* a refused REGISTER turns io_uring off for the connection: requests come over
         /dev/fuse again. A refused reply loses its entry; the others go on (with none
         left, the kernel would wait for ever: the session ends) */
      if (e->last_cmd == URING_CMD_REGISTER)
        uring_drop ("the kernel refused the ring", -res);
      else
        {
          fprintf (stderr, "burrow-overlay: io_uring: a reply was refused: %s\n", strerror (-res));
          if (--u->live == 0)
            return -EIO;
        }
      return 0;
    }
  process_ent (se, u, e);
  return 0;
}

static void
uring_end (void)
{
  if (uring)
    {
      uring_free (uring);
      uring = NULL;
    }
}
#else
int
ovl_uring_prepare (int fd, size_t payload_size)
{
  (void)fd;
  (void)payload_size;
  return -ENOSYS;
}

int
ovl_uring_start (bool replied, bool debug)
{
  (void)replied;
  (void)debug;
  return 0;
}

void *
ovl_uring_payload (size_t *size)
{
  (void)size;
  return NULL;
}

bool
ovl_uring_reply (const struct iovec *iov, int count, ssize_t *written)
{
  (void)iov;
  (void)count;
  (void)written;
  return false;
}
#endif

int
ovl_session_loop (struct fuse_session *se)
{
  struct fuse_buf fbuf = { .mem = NULL };
  int res = 0;
  while (!fuse_session_exited (se))
    {
#if HAVE_LIBURING
      if (uring)
        {
          res = uring_turn (se, &fbuf);
          if (res < 0)
            break;
          continue;
        }
#endif
      res = fuse_session_receive_buf (se, &fbuf);
      if (res == -EINTR || res == -EAGAIN)
        continue;
      if (res <= 0)
        break;
      fuse_session_process_buf (se, &fbuf);
    }
#if HAVE_LIBURING
  uring_end ();
#endif
  free (fbuf.mem);
  fuse_session_reset (se);
  return res < 0 && res != -ENODEV ? res : 0;
}
