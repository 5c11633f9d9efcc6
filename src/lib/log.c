/* log.c: where log lines go (stderr, or the --log file as logrus text or runc JSON).
   The sink is the one piece of global state libburrow keeps. */
#include "config.h"
#include "burrow.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Fixed buffers rather than malloc: burrow_log may run in a freshly cloned child. */
#define LOG_MSG_MAX 4096
#define LOG_LINE_MAX (2 * LOG_MSG_MAX + 256)

static struct
{
  int fd; /* -1: stderr, in the plain `burrow: level: msg` form */
  bool json;
  bool debug;
} log_sink = { .fd = -1 };

static const char *const level_names[] = {
  [BURROW_LOG_ERROR] = "error",
  [BURROW_LOG_WARNING] = "warning",
  [BURROW_LOG_INFO] = "info",
  [BURROW_LOG_DEBUG] = "debug",
};

int
burrow_log_open (const char *path, bool json, bool debug, struct burrow_error *err)
{
  int fd = -1;

  if (path != NULL && path[0] != '\0')
    {
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
      if (fd < 0)
        return burrow_fail_errno (err, "open log file `%s`", path);
    }
  if (log_sink.fd >= 0)
    close (log_sink.fd);
  log_sink.fd = fd;
  log_sink.json = json;
  log_sink.debug = debug;
  return 0;
}

int
burrow_log_fd (void)
{
  return log_sink.fd;
}

struct line
{
  char buf[LOG_LINE_MAX];
  size_t len;
};

/* Room kept after the message for what closes the line (time, quotes, newline). */
#define LINE_TRAILER 128

static bool
line_add (struct line *l, const char *s, size_t n, size_t reserve)
{
  if (l->len + n + reserve > sizeof l->buf)
    return false;
  memcpy (l->buf + l->len, s, n);
  l->len += n;
  return true;
}

static void
line_puts (struct line *l, const char *s)
{
  line_add (l, s, strlen (s), 0);
}

/* JSON string escaping; the text form uses the same rules with \x for other controls, as
   Go's %q (which logrus uses) does. A message too long is cut between characters, never
   inside an escape sequence. */
static void
line_add_quoted (struct line *l, const char *s, bool json)
{
  char esc[8];

  line_puts (l, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
      const char *e = NULL;
      switch (*p)
        {
        case '"':
          e = "\\\"";
          break;
        case '\\':
          e = "\\\\";
          break;
        case '\n':
          e = "\\n";
          break;
        case '\r':
          e = "\\r";
          break;
        case '\t':
          e = "\\t";
          break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            {
              snprintf (esc, sizeof esc, json ? "\\u%04x" : "\\x%02x", *p);
              e = esc;
            }
        }
      bool added = e ? line_add (l, e, strlen (e), LINE_TRAILER)
                     : line_add (l, (const char *)p, 1, LINE_TRAILER);
      if (!added)
        break;
    }
  line_puts (l, "\"");
}

static void
format_time (char *out, size_t size, bool nanoseconds)
{
  struct timespec ts;
  struct tm tm;
  char base[32];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nanoseconds)
    snprintf (out, size, "%s.%09ldZ", base, (long)ts.tv_nsec);
  else
    snprintf (out, size, "%sZ", base);
}

static void
format_line (struct line *l, enum burrow_log_level level, const char *msg)
{
  char when[64];

  if (log_sink.fd < 0)
    {
      line_puts (l, "burrow: ");
      line_puts (l, level_names[level]);
      line_puts (l, ": ");
      line_puts (l, msg);
    }
  else if (log_sink.json)
    {
      format_time (when, sizeof when, true);
      line_puts (l, "{\"level\":\"");
      line_puts (l, level_names[level]);
      line_puts (l, "\",\"msg\":");
      line_add_quoted (l, msg, true);
      line_puts (l, ",\"time\":\"");
      line_puts (l, when);
      line_puts (l, "\"}");
    }
  else
    {
      format_time (when, sizeof when, false);
      line_puts (l, "time=\"");
      line_puts (l, when);
      line_puts (l, "\" level=");
      line_puts (l, level_names[level]);
      line_puts (l, " msg=");
      line_add_quoted (l, msg, false);
    }
  line_puts (l, "\n");
}

void
burrow_log (enum burrow_log_level level, const char *fmt, ...)
{
  int saved = errno;
  char msg[LOG_MSG_MAX];
  struct line l;
  va_list ap;

  if ((unsigned)level > BURROW_LOG_DEBUG || (level == BURROW_LOG_DEBUG && !log_sink.debug))
    goto out;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  for (size_t n = strlen (msg); n > 0 && msg[n - 1] == '\n'; n--)
    msg[n - 1] = '\0';

  l.len = 0;
  format_line (&l, level, msg);

  /* One write(2) per line: O_APPEND keeps lines from concurrent processes whole. */
  int fd = log_sink.fd >= 0 ? log_sink.fd : STDERR_FILENO;
  ssize_t w;
  do
    w = write (fd, l.buf, l.len);
  while (w < 0 && errno == EINTR);

out:
  errno = saved;
}
