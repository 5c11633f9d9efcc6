/* probe.c: the in-container checker copied into test bundles as /bin/probe. It reports
   what the runtime really applied (ids, capabilities, limits, fds...) as key=value lines,
   and can do the things tests need a process to do (exit, sleep, wait for a signal, eat
   memory, fork). Static, libc only: it must run in a rootfs that holds nothing else. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <dirent.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Commands take (argc, argv) with argv[0] the command name; most need neither. */
#define UNUSED __attribute__ ((unused))

struct probe_cmd
{
  const char *name;
  int min_args;
  const char *usage;
  int (*run) (int argc, char **argv);
};

static int
fail (const char *what, const char *detail)
{
  int saved = errno;
  fflush (stdout);
  fprintf (stderr, "probe: %s: %s: %s\n", what, detail, strerror (saved));
  return 1;
}

/* Copy a file to stdout as it is. */
static int
cat_path (const char *path)
{
  char buf[8192];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail ("open", path);
  fflush (stdout);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    {
      if (fwrite (buf, 1, (size_t)n, stdout) != (size_t)n)
        {
          close (fd);
          return fail ("write", "stdout");
        }
    }
  if (n < 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
      return fail ("read", path);
    }
  close (fd);
  return 0;
}

/* Print the lines of /proc/self/status whose key is in keys, as key=value. */
static int
print_status (const char *const *keys)
{
  char line[512];
  FILE *f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    return fail ("open", "/proc/self/status");
  while (fgets (line, sizeof line, f))
    {
      char *colon = strchr (line, ':');
      char *value;
      if (colon == NULL)
        continue;
      *colon = '\0';
      value = colon + 1;
      value += strspn (value, " \t");
      value[strcspn (value, "\n")] = '\0';
      for (const char *const *k = keys; *k; k++)
        if (strcmp (line, *k) == 0)
          printf ("%s=%s\n", line, value);
    }
  fclose (f);
  return 0;
}

static int
cmd_ids (int argc UNUSED, char **argv UNUSED)
{
  gid_t groups[NGROUPS_MAX];
  int n = getgroups (NGROUPS_MAX, groups);
  if (n < 0)
    return fail ("getgroups", "");
  printf ("uid=%u\ngid=%u\neuid=%u\negid=%u\ngroups=", (unsigned)getuid (), (unsigned)getgid (),
          (unsigned)geteuid (), (unsigned)getegid ());
  for (int i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", (unsigned)groups[i]);
  printf ("\n");
  return 0;
}

static int
cmd_caps (int argc UNUSED, char **argv UNUSED)
{
  static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL };
  return print_status (keys);
}

/* keyring=<description of the session keyring> (type;uid;gid;perm;name). */
static int
cmd_keyring (int argc UNUSED, char **argv UNUSED)
{
  char buf[512];
  /* keyctl(KEYCTL_DESCRIBE = 6, KEY_SPEC_SESSION_KEYRING = -3) */
  long n = syscall (SYS_keyctl, 6, -3, buf, sizeof buf - 1);
  if (n < 0)
    return fail ("keyctl", "describe session keyring");
  buf[n < (long)sizeof buf ? n : (long)sizeof buf - 1] = '\0';
  printf ("keyring=%s\n", buf);
  return 0;
}

static int
cmd_nnp (int argc UNUSED, char **argv UNUSED)
{
  static const char *const keys[] = { "NoNewPrivs", NULL };
  return print_status (keys);
}

static int
cmd_seccomp (int argc UNUSED, char **argv UNUSED)
{
  static const char *const keys[] = { "Seccomp", "Seccomp_filters", NULL };
  return print_status (keys);
}

static int
cmd_hostname (int argc UNUSED, char **argv UNUSED)
{
  char name[HOST_NAME_MAX + 1] = "";
  if (gethostname (name, sizeof name) < 0)
    return fail ("gethostname", "");
  printf ("hostname=%s\n", name);
  return 0;
}

static int
cmd_domainname (int argc UNUSED, char **argv UNUSED)
{
  char name[256] = "";
  if (getdomainname (name, sizeof name - 1) < 0)
    return fail ("getdomainname", "");
  printf ("domainname=%s\n", name);
  return 0;
}

static int
cmd_pid (int argc UNUSED, char **argv UNUSED)
{
  printf ("pid=%ld\nppid=%ld\n", (long)getpid (), (long)getppid ());
  return 0;
}

static int
cmd_cwd (int argc UNUSED, char **argv UNUSED)
{
  char path[PATH_MAX];
  if (getcwd (path, sizeof path) == NULL)
    return fail ("getcwd", "");
  printf ("cwd=%s\n", path);
  return 0;
}

static int
cmd_env (int argc UNUSED, char **argv UNUSED)
{
  for (char **e = environ; *e; e++)
    printf ("%s\n", *e);
  return 0;
}

static int
cmd_isatty (int argc UNUSED, char **argv UNUSED)
{
  for (int fd = 0; fd <= 2; fd++)
    printf ("fd%d=%d\n", fd, isatty (fd) ? 1 : 0);
  return 0;
}

static int
compare_int (const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* fds=0 1 2 on one line, then fdN=<link target> for each. */
static int
cmd_fds (int argc UNUSED, char **argv UNUSED)
{
  int fds[4096];
  size_t n = 0;
  struct dirent *de;
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return fail ("opendir", "/proc/self/fd");
  while ((de = readdir (d)) != NULL && n < sizeof fds / sizeof fds[0])
    {
      char *end;
      long fd = strtol (de->d_name, &end, 10);
      if (de->d_name[0] == '.' || *end != '\0' || fd == dirfd (d))
        continue;
      fds[n++] = (int)fd;
    }
  closedir (d);
  qsort (fds, n, sizeof fds[0], compare_int);
  printf ("fds=");
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? " " : "", fds[i]);
  printf ("\n");
  for (size_t i = 0; i < n; i++)
    {
      char link[64], target[PATH_MAX];
      ssize_t len;
      snprintf (link, sizeof link, "/proc/self/fd/%d", fds[i]);
      len = readlink (link, target, sizeof target - 1);
      if (len < 0)
        continue; /* closed since: the fd of the closed dir stream */
      target[len] = '\0';
      printf ("fd%d=%s\n", fds[i], target);
    }
  return 0;
}

static void
print_rlim (rlim_t value)
{
  if (value == RLIM_INFINITY)
    printf ("unlimited");
  else
    printf ("%llu", (unsigned long long)value);
}

/* RLIMIT_NOFILE=1024:4096 (soft:hard), one line per limit. */
static int
cmd_limits (int argc UNUSED, char **argv UNUSED)
{
  static const struct
  {
    const char *name;
    int resource;
  } limits[] = {
    { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_CORE", RLIMIT_CORE },
    { "RLIMIT_CPU", RLIMIT_CPU },
    { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
    { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_NPROC", RLIMIT_NPROC },
    { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
    { "RLIMIT_RTTIME", RLIMIT_RTTIME },
    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_STACK", RLIMIT_STACK },
  };
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
    {
      struct rlimit rl;
      if (getrlimit (limits[i].resource, &rl) < 0)
        return fail ("getrlimit", limits[i].name);
      printf ("%s=", limits[i].name);
      print_rlim (rl.rlim_cur);
      printf (":");
      print_rlim (rl.rlim_max);
      printf ("\n");
    }
  return 0;
}

static int
cmd_umask (int argc UNUSED, char **argv UNUSED)
{
  mode_t mask = umask (0);
  umask (mask);
  printf ("umask=%04o\n", (unsigned)mask);
  return 0;
}

static int
cmd_mounts (int argc UNUSED, char **argv UNUSED)
{
  return cat_path ("/proc/self/mountinfo");
}

static int
cmd_uidmap (int argc UNUSED, char **argv UNUSED)
{
  return cat_path ("/proc/self/uid_map");
}

static int
cmd_gidmap (int argc UNUSED, char **argv UNUSED)
{
  return cat_path ("/proc/self/gid_map");
}

static int
parse_long (const char *text, long min, long max, long *out)
{
  char *end;
  long v;
  errno = 0;
  v = strtol (text, &end, 10);
  if (errno || end == text || *end != '\0' || v < min || v > max)
    {
      fprintf (stderr, "probe: not a number in [%ld, %ld]: `%s`\n", min, max, text);
      return -1;
    }
  *out = v;
  return 0;
}

static int
cmd_exit (int argc UNUSED, char **argv)
{
  long code;
  if (parse_long (argv[1], 0, 255, &code) < 0)
    return 2;
  fflush (stdout);
  _exit ((int)code);
}

/* sleep SECONDS: fractions allowed; "inf" sleeps until killed. */
static int
cmd_sleep (int argc UNUSED, char **argv)
{
  char *end;
  double secs;
  struct timespec ts;
  if (strcmp (argv[1], "inf") == 0)
    {
      for (;;)
        pause ();
    }
  secs = strtod (argv[1], &end);
  if (end == argv[1] || *end != '\0' || secs < 0)
    {
      fprintf (stderr, "probe: sleep: not a duration: `%s`\n", argv[1]);
      return 2;
    }
  ts.tv_sec = (time_t)secs;
  ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
  return 0;
}

/* Wait for SIGTERM or SIGINT, say which, exit 0. "ready" tells the test the signals are
   caught: a pid 1 ignores a signal it has no handler for. */
static int
cmd_signal_exit (int argc UNUSED, char **argv UNUSED)
{
  sigset_t set;
  int sig;
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    return fail ("sigprocmask", "");
  printf ("ready=1\n");
  fflush (stdout);
  while ((sig = sigwaitinfo (&set, NULL)) < 0)
    if (errno != EINTR)
      return fail ("sigwaitinfo", "");
  printf ("signal=%s\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}

/* eatmem MB: allocate and touch MB mebibytes, report each one. */
static int
cmd_eatmem (int argc UNUSED, char **argv)
{
  long mb;
  const size_t chunk = 1024 * 1024;
  if (parse_long (argv[1], 0, 1L << 30, &mb) < 0)
    return 2;
  for (long i = 0; i < mb; i++)
    {
      char *p = malloc (chunk);
      if (p == NULL)
        return fail ("malloc", "1 MiB");
      memset (p, 0x5a, chunk);
      /* kept on purpose: the point is to hold the memory */
    }
  printf ("eatmem=%ld\n", mb);
  return 0;
}

/* fork N: start N children that wait, report how many started, then reap them. */
static int
cmd_fork (int argc UNUSED, char **argv)
{
  long want, started = 0;
  pid_t *pids;
  int err = 0;
  if (parse_long (argv[1], 0, 100000, &want) < 0)
    return 2;
  pids = calloc ((size_t)want + 1, sizeof *pids);
  if (pids == NULL)
    return fail ("calloc", "pids");
  fflush (stdout);
  for (; started < want; started++)
    {
      pid_t pid = fork ();
      if (pid < 0)
        {
          err = errno;
          break;
        }
      if (pid == 0)
        {
          pause ();
          _exit (0);
        }
      pids[started] = pid;
    }
  printf ("forked=%ld\n", started);
  if (err)
    printf ("fork_error=%s\n", strerror (err));
  for (long i = 0; i < started; i++)
    kill (pids[i], SIGKILL);
  for (long i = 0; i < started; i++)
    waitpid (pids[i], NULL, 0);
  free (pids);
  return started == want ? 0 : 1;
}

static int
cmd_write (int argc UNUSED, char **argv)
{
  size_t len = strlen (argv[2]);
  int fd = open (argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail ("open", argv[1]);
  if (write (fd, argv[2], len) != (ssize_t)len || write (fd, "\n", 1) != 1)
    {
      int saved = errno;
      close (fd);
      errno = saved;
      return fail ("write", argv[1]);
    }
  if (close (fd) < 0)
    return fail ("close", argv[1]);
  printf ("wrote=%s\n", argv[1]);
  return 0;
}

static int
cmd_cat (int argc UNUSED, char **argv)
{
  return cat_path (argv[1]);
}

static int
compare_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* ls DIR: the names in DIR, sorted, one a line, without . and .. */
static int
cmd_ls (int argc UNUSED, char **argv)
{
  char *names[4096];
  size_t n = 0;
  struct dirent *de;
  DIR *d = opendir (argv[1]);
  if (d == NULL)
    return fail ("opendir", argv[1]);
  while ((de = readdir (d)) != NULL && n < sizeof names / sizeof names[0])
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      names[n] = strdup (de->d_name);
      if (names[n] == NULL)
        {
          closedir (d);
          return fail ("strdup", de->d_name);
        }
      n++;
    }
  closedir (d);
  qsort (names, n, sizeof names[0], compare_str);
  for (size_t i = 0; i < n; i++)
    {
      printf ("%s\n", names[i]);
      free (names[i]);
    }
  return 0;
}

/* open-write PATH...: try to open each PATH for writing (no create, no truncate, nothing
   written) and print PATH=writable or PATH=<error>. For the attack tests. */
static int
cmd_open_write (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      int fd = open (argv[i], O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      printf ("%s=%s\n", argv[i], fd >= 0 ? "writable" : strerror (errno));
      if (fd >= 0)
        close (fd);
    }
  return 0;
}

/* swap A B SECONDS: exchange the two names (renameat2 RENAME_EXCHANGE) as fast as it can
   for SECONDS: a race against a runtime resolving paths in A. Prints swaps=N. */
static int
cmd_swap (int argc UNUSED, char **argv)
{
  char *end;
  double secs = strtod (argv[3], &end);
  long n = 0;
  struct timespec t0, t;
  if (end == argv[3] || *end != '\0' || secs < 0)
    {
      fprintf (stderr, "probe: swap: not a duration: `%s`\n", argv[3]);
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  do
    {
      if (renameat2 (AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0)
        return fail ("renameat2", argv[1]);
      n++;
      clock_gettime (CLOCK_MONOTONIC, &t);
    }
  while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
  if (n % 2 && renameat2 (AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) == 0)
    n++; /* leave the names as they were */
  printf ("swaps=%ld\n", n);
  return 0;
}

/* grab-exe SECONDS: for SECONDS, scan /proc for processes whose exe is another file than
   ours and try to open it (O_PATH), then to reopen that for writing (nothing is written):
   what a hostile container does to a runtime binary that enters it (CVE-2019-5736). Prints
   grabbed=PID DEV:INO and PID-writable=yes|<error> per hit, then scans=N denied=N. */
static int
cmd_grab_exe (int argc UNUSED, char **argv)
{
  double secs = strtod (argv[1], NULL);
  long scans = 0, denied = 0, grabbed = 0;
  struct stat self;
  struct timespec t0, t;
  if (stat ("/proc/self/exe", &self) < 0)
    return fail ("stat", "/proc/self/exe");
  clock_gettime (CLOCK_MONOTONIC, &t0);
  do
    {
      DIR *d = opendir ("/proc");
      struct dirent *de;
      if (d == NULL)
        return fail ("opendir", "/proc");
      while ((de = readdir (d)) != NULL)
        {
          char path[64], fdp[64];
          struct stat st;
          long pid = strtol (de->d_name, NULL, 10);
          if (pid <= 0 || pid == getpid ())
            continue;
          snprintf (path, sizeof path, "/proc/%ld/exe", pid);
          int fd = open (path, O_PATH | O_CLOEXEC);
          if (fd < 0)
            {
              denied += errno == EACCES || errno == EPERM;
              continue;
            }
          if (fstat (fd, &st) == 0 && (st.st_dev != self.st_dev || st.st_ino != self.st_ino)
              && grabbed++ < 16)
            {
              snprintf (fdp, sizeof fdp, "/proc/self/fd/%d", fd);
              int w = open (fdp, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
              printf ("grabbed=%ld %lu:%lu\n%ld-writable=%s\n", pid, (unsigned long)st.st_dev,
                      (unsigned long)st.st_ino, pid, w >= 0 ? "yes" : strerror (errno));
              if (w >= 0)
                close (w);
            }
          close (fd);
        }
      closedir (d);
      scans++;
      clock_gettime (CLOCK_MONOTONIC, &t);
    }
  while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
  printf ("scans=%ld\ndenied=%ld\n", scans, denied);
  return 0;
}

/* ---- network (burrow-slirp tests): a TCP/UDP echo server and a client. Addresses are
   numeric (a static binary has no resolver); IPv6 ones may carry no brackets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

static int
net_addr (const char *text, int port, struct sockaddr_in6 *sa)
{
  memset (sa, 0, sizeof *sa);
  sa->sin6_family = AF_INET6;
  sa->sin6_port = htons (port);
  struct in_addr v4;
  if (inet_pton (AF_INET, text, &v4) == 1)
    {
      /* v4-mapped: one dual-stack socket type for both families */
      sa->sin6_addr.s6_addr[10] = 0xff;
      sa->sin6_addr.s6_addr[11] = 0xff;
      memcpy (&sa->sin6_addr.s6_addr[12], &v4, 4);
      return 0;
    }
  return inet_pton (AF_INET6, text, &sa->sin6_addr) == 1 ? 0 : -1;
}

static int
net_socket (const char *proto)
{
  int fd = socket (AF_INET6, strcmp (proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM, 0);
  int off = 0, on = 1;
  if (fd >= 0)
    {
      setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
  return fd;
}

/* net-serve tcp|udp PORT [ADDR]: answer every message with "echo:" + message, forever.
   Prints "listening" once bound (tests wait for it). */
static int
cmd_net_serve (int argc, char **argv)
{
  const char *proto = argv[1];
  int port = atoi (argv[2]);
  struct sockaddr_in6 sa;
  if (net_addr (argc > 3 ? argv[3] : "::", port, &sa) < 0)
    return fail ("net-serve", "bad address");
  int fd = net_socket (proto);
  if (fd < 0 || bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return fail ("net-serve", "bind");
  bool udp = strcmp (proto, "udp") == 0;
  if (!udp && listen (fd, 16) < 0)
    return fail ("net-serve", "listen");
  printf ("listening\n");
  fflush (stdout);
  char buf[4096 + 5];
  for (;;)
    {
      struct sockaddr_in6 peer;
      socklen_t plen = sizeof peer;
      memcpy (buf, "echo:", 5);
      if (udp)
        {
          ssize_t n = recvfrom (fd, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&peer, &plen);
          if (n >= 0)
            sendto (fd, buf, n + 5, 0, (struct sockaddr *)&peer, plen);
          continue;
        }
      int c = accept (fd, NULL, NULL);
      if (c < 0)
        continue;
      ssize_t n = read (c, buf + 5, sizeof buf - 5);
      if (n > 0 && write (c, buf, n + 5) < 0)
        perror ("probe: net-serve: write");
      close (c);
    }
}

/* net-send tcp|udp ADDR PORT MESSAGE: print the answer, or fail (exit 1) naming why:
   "refused", "timeout" or the error. */
static int
cmd_net_send (int argc UNUSED, char **argv)
{
  struct sockaddr_in6 sa;
  if (net_addr (argv[2], atoi (argv[3]), &sa) < 0)
    return fail ("net-send", "bad address");
  int fd = net_socket (argv[1]);
  if (fd < 0)
    return fail ("net-send", "socket");
  struct timeval tv = { .tv_sec = 3 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return fail ("net-send", errno == ECONNREFUSED ? "refused" : "connect");
  size_t len = strlen (argv[4]);
  if (write (fd, argv[4], len) != (ssize_t)len)
    return fail ("net-send", errno == ECONNREFUSED ? "refused" : "write");
  char buf[4096];
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n < 0)
    return fail ("net-send", errno == EAGAIN ? "timeout" : errno == ECONNREFUSED ? "refused" : "read");
  if (n == 0)
    {
      fprintf (stderr, "probe: net-send: closed without an answer\n");
      return 1;
    }
  buf[n] = '\0';
  printf ("%s\n", buf);
  return 0;
}

/* The bytes net-stream and net-check send: a pattern with a prime period, so that bytes
   lost, doubled or out of order show up as a mismatch. */
#define NET_PERIOD 65521

static unsigned char
net_pattern (uint64_t i, unsigned char seed)
{
  uint64_t x = (i % NET_PERIOD) * 2654435761u + seed;
  return (unsigned char)(x >> 11);
}

/* Read to the end, counting and checking the bytes against the pattern of seed. */
static int
net_check_stream (int fd, unsigned char seed, uint64_t *count, uint64_t *bad)
{
  static char buf[1 << 16];
  ssize_t n;
  *count = *bad = 0;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    for (ssize_t k = 0; k < n; k++)
      *bad += (unsigned char)buf[k] != net_pattern ((*count)++, seed);
  return n < 0 ? -1 : 0;
}

static int
net_send_stream (int fd, uint64_t total, unsigned char seed)
{
  static char buf[1 << 16];
  for (uint64_t off = 0; off < total;)
    {
      size_t len = total - off < sizeof buf ? (size_t)(total - off) : sizeof buf;
      for (size_t k = 0; k < len; k++)
        buf[k] = (char)net_pattern (off + k, seed);
      ssize_t w = write (fd, buf, len);
      if (w <= 0)
        return -1;
      off += (uint64_t)w;
    }
  return 0;
}

/* net-check PORT: a TCP server; for each connection, read to the end checking the bytes,
   answer one line "got=N bad=N peer=ADDR", then send N bytes of the other pattern back. */
static int
cmd_net_check (int argc UNUSED, char **argv)
{
  struct sockaddr_in6 sa;
  net_addr ("::", atoi (argv[1]), &sa);
  int fd = net_socket ("tcp");
  if (fd < 0 || bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen (fd, 16) < 0)
    return fail ("net-check", "listen");
  printf ("listening\n");
  fflush (stdout);
  for (;;)
    {
      struct sockaddr_in6 peer;
      socklen_t plen = sizeof peer;
      int c = accept (fd, (struct sockaddr *)&peer, &plen);
      if (c < 0)
        continue;
      char addr[INET6_ADDRSTRLEN] = "?", line[128];
      inet_ntop (AF_INET6, &peer.sin6_addr, addr, sizeof addr);
      uint64_t count, bad;
      if (net_check_stream (c, 1, &count, &bad) == 0)
        {
          int len = snprintf (line, sizeof line, "got=%llu bad=%llu peer=%s\n",
                              (unsigned long long)count, (unsigned long long)bad,
                              strncmp (addr, "::ffff:", 7) == 0 ? addr + 7 : addr);
          if (write (c, line, len) == len)
            net_send_stream (c, count, 2);
        }
      close (c);
    }
}

/* net-stream ADDR PORT BYTES: send BYTES of the pattern to a net-check server, shut down
   writing, check what comes back; prints the server's line and "back=N bad=N". */
static int
cmd_net_stream (int argc UNUSED, char **argv)
{
  struct sockaddr_in6 sa;
  signal (SIGPIPE, SIG_IGN); /* a reset while sending is reported, not fatal */
  if (net_addr (argv[1], atoi (argv[2]), &sa) < 0)
    return fail ("net-stream", "bad address");
  int fd = net_socket ("tcp");
  struct timeval tv = { .tv_sec = 10 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (fd < 0 || connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return fail ("net-stream", errno == ECONNREFUSED ? "refused" : "connect");
  if (net_send_stream (fd, strtoull (argv[3], NULL, 10), 1) < 0 || shutdown (fd, SHUT_WR) < 0)
    return fail ("net-stream", "send");
  char line[128];
  size_t len = 0;
  while (len < sizeof line - 1 && read (fd, line + len, 1) == 1 && line[len] != '\n')
    len++;
  line[len] = '\0';
  uint64_t count, bad;
  if (net_check_stream (fd, 2, &count, &bad) < 0)
    return fail ("net-stream", errno == EAGAIN ? "timeout" : "read");
  printf ("%s\nback=%llu bad=%llu\n", line, (unsigned long long)count, (unsigned long long)bad);
  return 0;
}

/* unix-send PATH MESSAGE: send MESSAGE to a unix stream socket, shut down writing, print
   what comes back (an API socket's reply). */
static int
cmd_unix_send (int argc UNUSED, char **argv)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  snprintf (sun.sun_path, sizeof sun.sun_path, "%s", argv[1]);
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  struct timeval tv = { .tv_sec = 5 };
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0
      || connect (fd, (struct sockaddr *)&sun, sizeof sun) < 0)
    return fail ("unix-send", argv[1]);
  size_t len = strlen (argv[2]);
  if (write (fd, argv[2], len) != (ssize_t)len || shutdown (fd, SHUT_WR) < 0)
    return fail ("unix-send", "write");
  char buf[65536];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    fwrite (buf, 1, n, stdout);
  return n < 0 ? fail ("unix-send", "read") : 0;
}

/* no-io-uring CMD [ARG...]: run CMD where io_uring_setup fails with EPERM, as under a
   container's seccomp profile (Docker's denies io_uring). x86_64 only. */
static int
cmd_no_io_uring (int argc UNUSED, char **argv)
{
  struct sock_filter code[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
      || prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
    return fail ("no-io-uring", "seccomp");
  execvp (argv[1], argv + 1);
  return fail ("no-io-uring", argv[1]);
}

static const struct probe_cmd commands[] = {
  { "ids", 0, "", cmd_ids },
  { "no-io-uring", 1, "CMD [ARG...]", cmd_no_io_uring },
  { "caps", 0, "", cmd_caps },
  { "keyring", 0, "", cmd_keyring },
  { "nnp", 0, "", cmd_nnp },
  { "seccomp", 0, "", cmd_seccomp },
  { "hostname", 0, "", cmd_hostname },
  { "domainname", 0, "", cmd_domainname },
  { "pid", 0, "", cmd_pid },
  { "cwd", 0, "", cmd_cwd },
  { "env", 0, "", cmd_env },
  { "isatty", 0, "", cmd_isatty },
  { "fds", 0, "", cmd_fds },
  { "limits", 0, "", cmd_limits },
  { "umask", 0, "", cmd_umask },
  { "mounts", 0, "", cmd_mounts },
  { "uidmap", 0, "", cmd_uidmap },
  { "gidmap", 0, "", cmd_gidmap },
  { "exit", 1, "N", cmd_exit },
  { "sleep", 1, "SECONDS|inf", cmd_sleep },
  { "signal-exit", 0, "", cmd_signal_exit },
  { "eatmem", 1, "MB", cmd_eatmem },
  { "fork", 1, "N", cmd_fork },
  { "write", 2, "FILE TEXT", cmd_write },
  { "cat", 1, "FILE", cmd_cat },
  { "ls", 1, "DIR", cmd_ls },
  { "open-write", 1, "PATH...", cmd_open_write },
  { "swap", 3, "A B SECONDS", cmd_swap },
  { "grab-exe", 1, "SECONDS", cmd_grab_exe },
  { "net-serve", 2, "tcp|udp PORT [ADDR]", cmd_net_serve },
  { "net-send", 4, "tcp|udp ADDR PORT MESSAGE", cmd_net_send },
  { "net-check", 1, "PORT", cmd_net_check },
  { "net-stream", 3, "ADDR PORT BYTES", cmd_net_stream },
  { "unix-send", 2, "PATH MESSAGE", cmd_unix_send },
};

static int
usage (FILE *out)
{
  fprintf (out, "usage: probe COMMAND [ARGS]\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %s %s\n", commands[i].name, commands[i].usage);
  return 2;
}

int
main (int argc, char **argv)
{
  const char *self = argc > 0 ? strrchr (argv[0], '/') : NULL;
  self = self ? self + 1 : (argc > 0 ? argv[0] : "probe");

  /* Multi-call: a link named after a command runs it; otherwise argv[1] names it. */
  if (strncmp (self, "probe", 5) == 0)
    {
      if (argc < 2)
        return usage (stderr);
      argc--;
      argv++;
    }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    {
      int rc;
      if (strcmp (argv[0], commands[i].name) != 0)
        continue;
      if (argc - 1 < commands[i].min_args)
        {
          fprintf (stderr, "usage: probe %s %s\n", commands[i].name, commands[i].usage);
          return 2;
        }
      rc = commands[i].run (argc, argv);
      if (fflush (stdout) != 0)
        return fail ("write", "stdout");
      return rc;
    }
  if (strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  fprintf (stderr, "probe: unknown command `%s`\n", argv[0]);
  return usage (stderr);
}
