/* push.c: read-ahead done by the helper. When the kernel reads a lower file in
   read-ahead-sized requests (it does so only for sequential reads), a thread of ours
   stores the part of the file that follows straight into the kernel's page cache
   (FUSE_NOTIFY_STORE, spliced from the file: no copy of ours), while the reader goes on
   with what it has. The reader then finds its pages cached, and the work of filling them
   runs beside it rather than between its reads: over io_uring a request is answered on
   the reader's own CPU (uring.c), so without this the reader and the helper take turns.

   Only lower files, which nothing writes while the mount lives: what is stored is what a
   READ would answer. A copy-up of the file waits for a store of it in progress
   (ovl_push_wait) and ends its pushing; the open that copies up drops the page cache
   (fi->keep_cache is off for a written file), so nothing stored before it outlives it.
   The wait is bounded: a store can itself wait for pages the kernel has locked for a
   READ that only the thread now copying up would answer. Past the bound the copy-up goes
   on, and the store, once done, drops from the page cache what it put there. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* A READ of at least this much is read-ahead of a sequential reader (the kernel sends
   one page, or a few, for reads it has not seen to be sequential). */
#define PUSH_MIN_READ (128 * 1024)
/* How far beyond the reader's last request the file is stored: a window that starts
   small (a reader may stop soon) and doubles each time the reader catches up with it. A
   quarter of it, right after the request, is left to the reader's own requests: a store
   just in front of the reader only makes it wait for the pages being stored, while its
   requests and this thread fill different parts of the file side by side (1 GiB read
   with dd: 0.73 s storing from the reader's position on, about 0.4 s with the gap). */
#define PUSH_WINDOW_MIN (2 * 1024 * 1024)
#define PUSH_WINDOW_MAX (16 * 1024 * 1024)
/* The pieces stored: a piece and its header fit in a pipe of 1 MiB, the most an
   unprivileged user may ask for. */
#define PUSH_PIECE (256 * 1024)
/* How long a copy-up waits for a store of its file before it goes on without it. */
#define PUSH_WAIT_NS (200 * 1000 * 1000L)
/* Files pushed at once: a new one takes the place of the longest unused. */
#define PUSH_STREAMS 4

struct push_stream
{
  uint64_t ino;
  int fd; /* a dup of the open file's fd: the kernel may release the file meanwhile */
  off_t next, limit, size;
  off_t window;
  uint64_t used; /* for the choice of a stream to replace */
  bool busy;     /* the thread is storing a piece of it */
};

static struct
{
  struct ovl_fs *fs;
  int dev_fd;
  pthread_mutex_t lock; /* the streams, the thread's start and stop */
  pthread_cond_t cond;
  struct push_stream streams[PUSH_STREAMS];
  uint64_t clock;
  bool started, stop, failed;
  pthread_t thread;
  int pipe[2];
} push = { .dev_fd = -1,
           .lock = PTHREAD_MUTEX_INITIALIZER,
           .cond = PTHREAD_COND_INITIALIZER,
           .pipe = { -1, -1 } };

static void
stream_drop (struct push_stream *s)
{
  if (s->fd >= 0)
    close (s->fd);
  *s = (struct push_stream){ .fd = -1 };
}

/* After a failure the pipe may hold part of a message, which no later one could follow:
   it is emptied. */
static void
drain (void)
{
  char junk[16384];
  int left;
  while (ioctl (push.pipe[0], FIONREAD, &left) == 0 && left > 0)
    if (read (push.pipe[0], junk, (size_t)left < sizeof junk ? (size_t)left : sizeof junk) <= 0)
      break;
}

/* One piece of a file into the kernel's page cache: header and data through a pipe. */
static int
store (uint64_t ino, int fd, off_t off, size_t len)
{
  struct
  {
    struct fuse_out_header h;
    struct fuse_notify_store_out s;
  } m = { { (uint32_t)(sizeof m + len), FUSE_NOTIFY_STORE, 0 },
          { ino, (uint64_t)off, (uint32_t)len, 0 } };
  struct iovec iov = { &m, sizeof m };
  ssize_t n = vmsplice (push.pipe[1], &iov, 1, 0);
  for (size_t got = 0; n > 0 && got < len; got += (size_t)n)
    {
      loff_t o = off + (off_t)got;
      n = splice (fd, &o, push.pipe[1], NULL, len - got, SPLICE_F_MOVE);
    }
  if (n > 0)
    n = splice (push.pipe[0], NULL, push.dev_fd, NULL, sizeof m + len, SPLICE_F_MOVE);
  if (n == (ssize_t)(sizeof m + len))
    return 0;
  int err = n < 0 ? -errno : -EIO;
  drain ();
  return err;
}

/* A copy-up did not wait for a store: what the store put in the page cache goes. */
static void
invalidate (uint64_t ino, off_t off, size_t len)
{
  struct
  {
    struct fuse_out_header h;
    struct fuse_notify_inval_inode_out i;
  } m = { { sizeof m, FUSE_NOTIFY_INVAL_INODE, 0 }, { ino, off, (int64_t)len } };
  if (write (push.dev_fd, &m, sizeof m) < 0 && errno != ENOENT)
    perror ("burrow-overlay: drop read-ahead of a file copied up meanwhile");
}

/* The next piece to store, claimed (busy); false when there is none. */
static bool
next_piece (struct push_stream **out, off_t *off, size_t *len)
{
  for (size_t i = 0; i < PUSH_STREAMS; i++)
    {
      struct push_stream *s = &push.streams[i];
      if (s->fd < 0 || s->next >= s->limit)
        continue;
      *off = s->next;
      *len = (size_t)(s->limit - s->next < PUSH_PIECE ? s->limit - s->next : PUSH_PIECE);
      s->next += (off_t)*len;
      s->busy = true;
      *out = s;
      return true;
    }
  return false;
}

static void *
pusher (void *arg)
{
  (void)arg;
  struct ovl_fs *fs = push.fs;
  pthread_mutex_lock (&push.lock);
  while (!push.stop)
    {
      struct push_stream *s;
      off_t off;
      size_t len;
      if (!next_piece (&s, &off, &len))
        {
          pthread_cond_wait (&push.cond, &push.lock);
          continue;
        }
      uint64_t ino = s->ino;
      int fd = s->fd;
      pthread_mutex_unlock (&push.lock);

      /* still the lower file the kernel's inode shows, and no copy-up until it is stored */
      pthread_mutex_lock (&fs->lock);
      struct ovl_node *node = ovl_node_get (fs, ino);
      bool lower = node && node->layer != OVL_UPPER;
      if (lower)
        fs->push_ino = ino;
      pthread_mutex_unlock (&fs->lock);
      int r = lower ? store (ino, fd, off, len) : -ESTALE;
      if (lower)
        {
          pthread_mutex_lock (&fs->lock);
          bool raced = fs->push_raced;
          fs->push_ino = 0;
          fs->push_raced = false;
          pthread_cond_broadcast (&fs->push_done);
          pthread_mutex_unlock (&fs->lock);
          if (raced)
            {
              invalidate (ino, off, len);
              r = -ESTALE;
            }
        }

      pthread_mutex_lock (&push.lock);
      s->busy = false;
      /* gone from the kernel (ENOENT), copied up, or unreadable: no more of it */
      if (r < 0)
        stream_drop (s);
    }
  pthread_mutex_unlock (&push.lock);
  return NULL;
}

/* Made with the first sequential read: no thread for mounts that never see one. */
static bool
push_start (void)
{
  if (push.started)
    return true;
  if (push.failed)
    return false;
  push.failed = true;
  if (pipe2 (push.pipe, O_CLOEXEC) < 0)
    return false;
  if (fcntl (push.pipe[1], F_SETPIPE_SZ, 2 * PUSH_PIECE) < 0)
    goto fail;
  for (size_t i = 0; i < PUSH_STREAMS; i++)
    push.streams[i].fd = -1;
  if (pthread_create (&push.thread, NULL, pusher, NULL) != 0)
    goto fail;
  push.started = true;
  push.failed = false;
  return true;
fail:
  close (push.pipe[0]);
  close (push.pipe[1]);
  push.pipe[0] = push.pipe[1] = -1;
  return false;
}

static struct push_stream *
stream_for (uint64_t ino, int fd)
{
  struct push_stream *old = NULL;
  for (size_t i = 0; i < PUSH_STREAMS; i++)
    {
      struct push_stream *s = &push.streams[i];
      if (s->fd >= 0 && s->ino == ino)
        return s;
      if (!s->busy && (!old || s->fd < 0 || (old->fd >= 0 && s->used < old->used)))
        old = s;
    }
  struct stat st;
  if (!old || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return NULL;
  int dup = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0)
    return NULL;
  stream_drop (old);
  *old = (struct push_stream){
    .ino = ino, .fd = dup, .size = st.st_size, .window = PUSH_WINDOW_MIN / 2
  };
  return old;
}

void
ovl_push_init (struct ovl_fs *fs, int dev_fd)
{
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&fs->push_done, &attr);
  pthread_condattr_destroy (&attr);
  push.fs = fs;
  push.dev_fd = dev_fd;
}

void
ovl_push_read (fuse_ino_t ino, int fd, off_t off, size_t size)
{
  if (size < PUSH_MIN_READ || push.dev_fd < 0)
    return;
  pthread_mutex_lock (&push.lock);
  struct push_stream *s = push_start () ? stream_for (ino, fd) : NULL;
  if (s)
    {
      off_t end = off + (off_t)size;
      s->used = ++push.clock;
      if (s->next < end)
        {
          /* the reader caught up (or starts): a wider window, past a gap */
          if (s->window < PUSH_WINDOW_MAX)
            s->window *= 2;
          s->next = end + s->window / 4;
        }
      if (s->limit < end + s->window)
        s->limit = end + s->window < s->size ? end + s->window : s->size;
      if (s->next < s->limit)
        pthread_cond_signal (&push.cond);
    }
  pthread_mutex_unlock (&push.lock);
}

void
ovl_push_end (void)
{
  pthread_mutex_lock (&push.lock);
  push.stop = true;
  pthread_cond_signal (&push.cond);
  bool started = push.started;
  pthread_mutex_unlock (&push.lock);
  if (started)
    pthread_join (push.thread, NULL);
  for (size_t i = 0; i < PUSH_STREAMS && started; i++)
    stream_drop (&push.streams[i]);
  if (push.pipe[0] >= 0)
    {
      close (push.pipe[0]);
      close (push.pipe[1]);
    }
}

/* Under fs->lock, before a copy-up of node: a store of it in progress ends first, or
   within PUSH_WAIT_NS is told to undo itself when it ends. */
void
ovl_push_wait (struct ovl_fs *fs, const struct ovl_node *node)
{
  struct timespec until;
  clock_gettime (CLOCK_MONOTONIC, &until);
  until.tv_nsec += PUSH_WAIT_NS;
  if (until.tv_nsec >= 1000000000L)
    {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
  while (fs->push_ino == node->id)
    if (pthread_cond_timedwait (&fs->push_done, &fs->lock, &until) == ETIMEDOUT)
      {
        fs->push_raced = fs->push_ino == node->id;
        break;
      }
}
