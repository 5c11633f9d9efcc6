/* uring.c: the request loop, over /dev/fuse or, when the kernel offers it (6.14 and
   later with fuse's enable_uring parameter set; protocol 7.42), over io_uring.

   With io_uring the kernel puts each request into a buffer registered beforehand and
   completes one of our commands; the reply goes back in the same buffer with the next
   command, which also asks for the next request. The kernel keeps one queue per CPU and
   hands a request to the queue of the CPU its caller runs on; each queue here has its own
   ring and thread, pinned to that CPU, so the caller's wait and our answer are a switch
   on one CPU rather than a wake-up of another (on a small VM the cross-CPU wake-ups were
   most of a request's cost: an untar took 5 times as long).

   libfuse 3.14 knows nothing of it, so the transport lives here, under libfuse: a request
   taken from a ring is rebuilt in place as /dev/fuse would have delivered it (header,
   operation header, payload) and handed to fuse_session_process_buf(); libfuse's reply
   reaches device_io.c's writev hook, which gives it to ovl_uring_reply() to go back into
   the ring of the thread that took it. The filesystem's operations already run on several
   threads (threads=N) under fs->lock.

   FORGET and INTERRUPT always come through /dev/fuse, which the main thread's ring (queue
   0) watches with a poll command. Everything that can fail is made before the INIT reply
   says FUSE_OVER_IO_URING (the kernel then holds every request until all queues have
   entries); a failure there leaves the plain /dev/fuse loop in charge. */
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
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

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
#define URING_POLL_TAG 1 /* user_data of the poll on /dev/fuse (queue 0) */
#define URING_STOP_TAG 2 /* user_data of the poll on a worker's stop eventfd */

struct ring_ent
{
  char *block; /* URING_FRONT + payload_size bytes, mapped */
  struct uring_req_header *hdr;
  char *payload;
  struct iovec iov[2];
  uint64_t commit_id;
  uint32_t last_cmd; /* REGISTER, then COMMIT_AND_FETCH: sent again if not taken */
};

/* One CPU's queue: its ring, its entries, and (but queue 0, served by the main thread)
   its thread. */
struct ovl_queue
{
  struct io_uring ring;
  struct ovl_uring *u;
  uint16_t qid;
  struct ring_ent ents[URING_DEPTH];
  size_t live;     /* entries the kernel still has */
  bool poll_armed; /* queue 0: the poll on /dev/fuse is in */
  int stop_fd;     /* workers: an eventfd the main thread writes to at the end */
  bool has_thread;
  pthread_t thread;
};

struct ovl_uring
{
  int fd;
  size_t payload_size;
  struct fuse_session *se;
  size_t nq;
  struct ovl_queue *q;
  pthread_mutex_t lock; /* go and quit, for the workers' start */
  pthread_cond_t cond;
  bool go, quit;
};

static struct ovl_uring *uring;    /* set while the rings are in use */
static struct ovl_uring *prepared; /* made for the INIT reply, not yet started */

/* The request this thread is processing, until its reply. */
static __thread struct ovl_queue *cur_q;
static __thread struct ring_ent *cur_e;

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
get_sqe (struct ovl_queue *q)
{
  struct io_uring_sqe *sqe = io_uring_get_sqe (&q->ring);
  if (!sqe && io_uring_submit (&q->ring) >= 0)
    sqe = io_uring_get_sqe (&q->ring);
  return sqe;
}

/* REGISTER for a new entry, COMMIT_AND_FETCH for one that answered; not yet submitted. */
static int
queue_cmd (struct ovl_queue *q, struct ring_ent *e, uint32_t op)
{
  struct io_uring_sqe *sqe = get_sqe (q);
  if (!sqe)
    return -EBUSY;
  memset (sqe, 0, 2 * sizeof *sqe);
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->fd = q->u->fd;
  sqe->user_data = (uintptr_t)e;
  struct uring_cmd_req *cmd = (struct uring_cmd_req *)sqe->cmd;
  cmd->qid = q->qid;
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
arm_poll (struct ovl_queue *q, int fd, uint64_t tag)
{
  struct io_uring_sqe *sqe = get_sqe (q);
  if (!sqe)
    return -EBUSY;
  io_uring_prep_poll_add (sqe, fd, POLLIN);
  io_uring_sqe_set_data64 (sqe, tag);
  if (tag == URING_POLL_TAG)
    q->poll_armed = true;
  return 0;
}

/* Best effort: where the cpuset forbids the CPU, the queue is served from anywhere. */
static void
pin_to (int cpu)
{
  cpu_set_t set;
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  sched_setaffinity (0, sizeof set, &set);
}

static void
queue_free (struct ovl_queue *q, size_t payload_size)
{
  if (q->ring.ring_fd >= 0)
    io_uring_queue_exit (&q->ring);
  for (size_t i = 0; i < URING_DEPTH; i++)
    if (q->ents[i].block)
      munmap (q->ents[i].block, URING_FRONT + payload_size);
  if (q->stop_fd >= 0)
    close (q->stop_fd);
}

/* Stops the workers (told to quit before they started, or through their eventfd) and
   frees everything. */
static void
uring_free (struct ovl_uring *u)
{
  pthread_mutex_lock (&u->lock);
  u->quit = true;
  pthread_cond_broadcast (&u->cond);
  pthread_mutex_unlock (&u->lock);
  for (size_t i = 0; i < u->nq; i++)
    if (u->q[i].has_thread)
      {
        uint64_t one = 1;
        if (write (u->q[i].stop_fd, &one, sizeof one) < 0)
          perror ("burrow-overlay: io_uring: stop a queue's thread");
        pthread_join (u->q[i].thread, NULL);
      }
  for (size_t i = 0; i < u->nq; i++)
    queue_free (&u->q[i], u->payload_size);
  pthread_cond_destroy (&u->cond);
  pthread_mutex_destroy (&u->lock);
  free (u->q);
  free (u);
}

void *
ovl_uring_payload (size_t *size)
{
  if (!cur_e)
    return NULL;
  *size = cur_q->u->payload_size;
  return cur_e->payload;
}

bool
ovl_uring_reply (const struct iovec *iov, int count, ssize_t *written)
{
  struct ovl_queue *q = cur_q;
  struct ring_ent *e = cur_e;
  const struct fuse_out_header *out = iov[0].iov_base;
  if (!e || iov[0].iov_len < sizeof *out || out->unique != e->commit_id)
    return false;
  cur_e = NULL;
  size_t room = q->u->payload_size, len = 0;
  int error = out->error;
  for (int i = 1; i < count; i++)
    {
      if (iov[i].iov_len > room - len)
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
  if (queue_cmd (q, e, URING_CMD_COMMIT_AND_FETCH) < 0)
    return false;
  /* Its caller waits: it goes with the next wait for a request (one system call for
     both), or at once when requests are already waiting, which would delay it. */
  if (io_uring_cq_ready (&q->ring) > 0)
    io_uring_submit (&q->ring);
  *written = (ssize_t)(sizeof *out + len);
  return true;
}

static void
reply_error (struct ovl_queue *q, struct ring_ent *e, int error)
{
  struct fuse_out_header o = { .len = sizeof o, .error = error, .unique = e->commit_id };
  struct iovec iov = { &o, sizeof o };
  ssize_t n;
  cur_q = q;
  cur_e = e;
  ovl_uring_reply (&iov, 1, &n);
}

/* One request from the ring, rebuilt as /dev/fuse delivers it, to libfuse. */
static void
process_ent (struct ovl_queue *q, struct ring_ent *e)
{
  const struct fuse_in_header *in = (const struct fuse_in_header *)e->hdr->in_out;
  size_t payload = e->hdr->ent.payload_sz;
  e->commit_id = e->hdr->ent.commit_id;
  size_t op = in->len >= sizeof *in + payload ? in->len - sizeof *in - payload : SIZE_MAX;
  if (op > URING_OP_IN_OUT || payload > q->u->payload_size)
    {
      fprintf (stderr, "burrow-overlay: io_uring: malformed request (opcode %u)\n", in->opcode);
      reply_error (q, e, -EIO);
      return;
    }
  char *start = e->payload - op - sizeof *in;
  memcpy (start, in, sizeof *in);
  memcpy (start + sizeof *in, e->hdr->op_in, op);
  struct fuse_buf buf = { .mem = start, .size = in->len };
  cur_q = q;
  cur_e = e;
  fuse_session_process_buf (q->u->se, &buf);
  if (cur_e == e)
    reply_error (q, e, -ENOSYS); /* libfuse sent nothing: the entry goes back */
}

/* A completion for one of the queue's entries. <0: the queue can serve no more. */
static int
entry_done (struct ovl_queue *q, struct ring_ent *e, int res)
{
  if (res == -EAGAIN || res == -EINTR)
    return queue_cmd (q, e, e->last_cmd) < 0 ? -EIO : 0; /* not taken: again */
  if (res == -ENOTCONN || res == -ECONNABORTED || res == -ENODEV)
    {
      /* the kernel tears the ring down when the filesystem goes away */
      q->live--;
      return 0;
    }
  if (res < 0)
    {
      /* A refused REGISTER turns io_uring off for the connection: requests come over
         /dev/fuse, which queue 0 watches anyway. A refused reply loses its entry. */
      fprintf (stderr, "burrow-overlay: io_uring: queue %u: the kernel refused a %s: %s\n", q->qid,
               e->last_cmd == URING_CMD_REGISTER ? "registration" : "reply", strerror (-res));
      q->live--;
      /* with none left the kernel would wait for ever on this CPU's queue */
      return q->live == 0 && e->last_cmd != URING_CMD_REGISTER ? -EIO : 0;
    }
  process_ent (q, e);
  return 0;
}

static void *
worker (void *arg)
{
  struct ovl_queue *q = arg;
  struct ovl_uring *u = q->u;
  pin_to (q->qid);
  pthread_mutex_lock (&u->lock);
  while (!u->go && !u->quit)
    pthread_cond_wait (&u->cond, &u->lock);
  bool quit = u->quit;
  pthread_mutex_unlock (&u->lock);
  if (quit)
    return NULL;
  /* the commands' completions come back to the thread that submitted them: this one */
  for (;;)
    {
      struct io_uring_cqe *cqe;
      int n = io_uring_submit_and_wait (&q->ring, 1);
      if (n < 0 && n != -EINTR && n != -EAGAIN && n != -ETIME)
        {
          fprintf (stderr, "burrow-overlay: io_uring: queue %u: %s\n", q->qid, strerror (-n));
          fuse_session_exit (u->se);
          return NULL;
        }
      while (io_uring_peek_cqe (&q->ring, &cqe) == 0)
        {
          uint64_t tag = cqe->user_data;
          int res = cqe->res;
          io_uring_cqe_seen (&q->ring, cqe);
          if (tag == URING_STOP_TAG)
            return NULL;
          if (entry_done (q, (struct ring_ent *)(uintptr_t)tag, res) < 0)
            {
              fuse_session_exit (u->se);
              return NULL;
            }
        }
    }
}

static int
queue_prepare (struct ovl_uring *u, struct ovl_queue *q, uint16_t qid)
{
  q->u = u;
  q->qid = qid;
  q->stop_fd = -1;
  struct io_uring_params p
      = { .flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE, .cq_entries = 2 * URING_DEPTH + 2 };
  int err = io_uring_queue_init_params (URING_DEPTH + 1, &q->ring, &p);
  if (err < 0)
    {
      q->ring.ring_fd = -1;
      return err;
    }
  for (size_t i = 0; i < URING_DEPTH; i++)
    {
      struct ring_ent *e = &q->ents[i];
      e->block = mmap (NULL, URING_FRONT + u->payload_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (e->block == MAP_FAILED)
        {
          e->block = NULL;
          return -ENOMEM;
        }
      e->hdr = (struct uring_req_header *)e->block;
      e->payload = e->block + URING_FRONT;
      e->iov[0] = (struct iovec){ e->hdr, sizeof *e->hdr };
      e->iov[1] = (struct iovec){ e->payload, u->payload_size };
      err = queue_cmd (q, e, URING_CMD_REGISTER);
      if (err < 0)
        return err;
    }
  q->live = URING_DEPTH;
  if (qid == 0)
    return arm_poll (q, u->fd, URING_POLL_TAG);
  q->stop_fd = eventfd (0, EFD_CLOEXEC);
  if (q->stop_fd < 0)
    return -errno;
  err = arm_poll (q, q->stop_fd, URING_STOP_TAG);
  if (err < 0)
    return err;
  /* signals (fusermount's SIGTERM, ^C) go to the main thread, whose wait they end */
  sigset_t all, old;
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, &old);
  err = -pthread_create (&q->thread, NULL, worker, q);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  q->has_thread = err == 0;
  return err;
}

/* Before the INIT reply: a ring per CPU queue, its buffers and a REGISTER per entry (not
   submitted), the threads (waiting). Once the reply says FUSE_OVER_IO_URING the kernel
   holds every request until the ring is ready, so whatever can fail (io_uring refused by
   seccomp or io_uring_disabled, memory, threads) fails here, while the reply can still
   say no. */
int
ovl_uring_prepare (struct fuse_session *se, int fd, size_t payload_size)
{
  int ncpu = possible_cpus ();
  if (ncpu <= 0 || ncpu > UINT16_MAX)
    return -ENODEV;
  struct ovl_uring *u = calloc (1, sizeof *u);
  struct ovl_queue *q = calloc ((size_t)ncpu, sizeof *q);
  if (!u || !q)
    {
      free (u);
      free (q);
      return -ENOMEM;
    }
  u->fd = fd;
  u->se = se;
  u->q = q;
  u->payload_size = (payload_size + 4095) & ~(size_t)4095;
  pthread_mutex_init (&u->lock, NULL);
  pthread_cond_init (&u->cond, NULL);
  int err = 0;
  for (int i = 0; i < ncpu; i++)
    q[i].ring.ring_fd = q[i].stop_fd = -1;
  for (int i = 0; i < ncpu && err == 0; i++)
    {
      u->nq = (size_t)i + 1;
      err = queue_prepare (u, &q[i], (uint16_t)i);
    }
  if (err < 0)
    {
      fprintf (stderr, "burrow-overlay: io_uring: cannot set up the rings: %s; serving /dev/fuse\n",
               strerror (-err));
      uring_free (u);
      return err;
    }
  prepared = u;
  return 0;
}

/* After the INIT reply went in: the registrations go to the kernel, each queue's from its
   own thread. */
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
  struct ovl_queue *q0 = &u->q[0];
  int fl = fcntl (u->fd, F_GETFL);
  int err = fl < 0 || fcntl (u->fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
  if (err == 0)
    {
      int n = io_uring_submit (&q0->ring);
      err = n < 0 ? n : 0;
    }
  if (err < 0)
    {
      /* the kernel waits for a ring that will not come: better no filesystem than a
         hung one */
      fprintf (stderr, "burrow-overlay: io_uring: cannot start the ring: %s\n", strerror (-err));
      uring_free (u);
      return err;
    }
  pin_to (0);
  pthread_mutex_lock (&u->lock);
  u->go = true;
  pthread_cond_broadcast (&u->cond);
  pthread_mutex_unlock (&u->lock);
  if (debug)
    fprintf (stderr, "burrow-overlay: io_uring: %zu queues of %d entries, %zu KiB each\n", u->nq,
             URING_DEPTH, u->payload_size / 1024);
  uring = u;
  return 0;
}

/* One turn of the main thread: a completion of queue 0, or a wait for one. <0: the
   session ends. */
static int
uring_turn (struct fuse_session *se, struct fuse_buf *fbuf)
{
  struct ovl_queue *q = &uring->q[0];
  struct io_uring_cqe *cqe;
  if (io_uring_peek_cqe (&q->ring, &cqe) != 0)
    {
      if (!q->poll_armed && arm_poll (q, uring->fd, URING_POLL_TAG) < 0)
        return -EIO;
      int n = io_uring_submit_and_wait (&q->ring, 1);
      if (n < 0 && n != -EINTR && n != -EAGAIN && n != -ETIME)
        {
          fprintf (stderr, "burrow-overlay: io_uring: queue 0: %s\n", strerror (-n));
          return n;
        }
      return 0;
    }
  uint64_t tag = cqe->user_data;
  int res = cqe->res;
  io_uring_cqe_seen (&q->ring, cqe);
  if (tag != URING_POLL_TAG)
    return entry_done (q, (struct ring_ent *)(uintptr_t)tag, res);
  q->poll_armed = false;
  int n = fuse_session_receive_buf (se, fbuf);
  if (n == -EAGAIN || n == -EINTR)
    return 0;
  if (n <= 0)
    return n < 0 ? n : -ENODEV;
  fuse_session_process_buf (se, fbuf);
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
ovl_uring_prepare (struct fuse_session *se, int fd, size_t payload_size)
{
  (void)se;
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
