/* network.c: user-mode networking as the runtime sees it. A container asks with
   annotations (run.burrow.network=slirp, ...); create starts burrow-slirp once the init's
   namespaces exist (helper found next to the running burrow, then in PATH), waits for its
   ready fd before any createRuntime hook, publishes the ports, and records the helper in
   state.json; delete stops it. The helper also exits by itself when the init is gone. */
#include "config.h"
#include "network.h"

#include "cleanup.h"
#include "container.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 10000

static int
parse_bool (const char *key, const char *v, bool *out, struct burrow_error *err)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "false") == 0)
    {
      *out = v[0] == 't';
      return 0;
    }
  return burrow_fail_plain (err, EINVAL, "annotation %s: `%s` is neither true nor false", key, v);
}

static int
parse_publish_list (const char *v, struct burrow_network *net, struct burrow_error *err)
{
  cleanup_free char *copy = strdup (v);
  if (copy == NULL)
    return burrow_fail_errno (err, "annotation " BURROW_ANN_PUBLISH);
  char *save = NULL;
  for (char *item = strtok_r (copy, ", ", &save); item; item = strtok_r (NULL, ", ", &save))
    {
      struct burrow_publish *n = realloc (net->publish, (net->n_publish + 1) * sizeof *n);
      if (n == NULL)
        return burrow_fail_errno (err, "annotation " BURROW_ANN_PUBLISH);
      net->publish = n;
      if (burrow_publish_parse (item, &net->publish[net->n_publish], err) < 0)
        return burrow_error_prefix (err, "annotation " BURROW_ANN_PUBLISH);
      net->n_publish++;
    }
  return 0;
}

static int
plan_one (const char *key, const char *v, struct burrow_network *net, bool *asked,
          struct burrow_error *err)
{
  if (strcmp (key, BURROW_ANN_NETWORK) == 0)
    {
      if (strcmp (v, "slirp") != 0 && strcmp (v, "none") != 0)
        return burrow_fail_plain (err, EINVAL,
                                  "annotation %s: `%s` is not a network burrow provides "
                                  "(slirp, none)",
                                  key, v);
      net->enabled = strcmp (v, "slirp") == 0;
      return 0;
    }
  *asked = true;
  if (strcmp (key, BURROW_ANN_HOST_LOOPBACK) == 0)
    return parse_bool (key, v, &net->allow_host_loopback, err);
  if (strcmp (key, BURROW_ANN_IPV6) == 0)
    return parse_bool (key, v, &net->ipv6, err);
  if (strcmp (key, BURROW_ANN_PUBLISH) == 0)
    return parse_publish_list (v, net, err);
  if (strcmp (key, BURROW_ANN_HOSTFWD) == 0)
    {
      if (strcmp (v, "splice") != 0 && strcmp (v, "slirp") != 0)
        return burrow_fail_plain (err, EINVAL, "annotation %s: `%s` is neither splice nor slirp",
                                  key, v);
      net->hostfwd_slirp = strcmp (v, "slirp") == 0;
      return 0;
    }
  if (strcmp (key, BURROW_ANN_MTU) == 0)
    {
      char *end;
      errno = 0;
      unsigned long mtu = strtoul (v, &end, 10);
      if (errno || end == v || *end || mtu < 1280 || mtu > 65521)
        return burrow_fail_plain (err, EINVAL, "annotation %s: `%s` is not an MTU from 1280 to 65521",
                                  key, v);
      net->mtu = (unsigned int)mtu;
      return 0;
    }
  return burrow_fail_plain (err, EINVAL,
                            "annotation %s: unknown (known: %s, %s, %s, %s, %s, %s)", key,
                            BURROW_ANN_NETWORK, BURROW_ANN_PUBLISH, BURROW_ANN_HOST_LOOPBACK,
                            BURROW_ANN_IPV6, BURROW_ANN_MTU, BURROW_ANN_HOSTFWD);
}

int
burrow_network_plan (const struct burrow_spec *spec, struct burrow_network *net,
                     struct burrow_error *err)
{
  memset (net, 0, sizeof *net);
  net->ready_fd = -1;
  net->mtu = 65520;
  bool asked = false;
  const size_t plen = strlen (BURROW_ANN_NETWORK);
  for (size_t i = 0; i < spec->n_annotations; i++)
    {
      const struct burrow_kv *a = &spec->annotations[i];
      if (strncmp (a->key, BURROW_ANN_NETWORK, plen) != 0
          || (a->key[plen] != '\0' && a->key[plen] != '.'))
        continue;
      if (plan_one (a->key, a->value, net, &asked, err) < 0)
        return -1;
    }
  if (asked && !net->enabled)
    return burrow_fail_plain (err, EINVAL,
                              "annotations " BURROW_ANN_NETWORK ".*: they need "
                              BURROW_ANN_NETWORK "=slirp");
  const struct burrow_namespace *ns = &spec->linux_.namespaces[BURROW_NS_NETWORK];
  if (net->enabled && (!ns->present || ns->path))
    return burrow_fail_plain (err, EINVAL,
                              "annotation " BURROW_ANN_NETWORK "=slirp needs a new network "
                              "namespace (add {\"type\": \"network\"} without a path to "
                              "linux.namespaces)");
  return 0;
}

int
burrow_network_check (const struct burrow_spec *spec, struct burrow_error *err)
{
  struct burrow_network net;
  int r = burrow_network_plan (spec, &net, err);
  burrow_network_release (&net);
  return r;
}

/* Next to the running burrow first (an installed pair stays a pair), then PATH. */
static char *
helper_path (void)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    {
      self[n] = '\0';
      char *slash = strrchr (self, '/');
      char *path = NULL;
      if (slash && asprintf (&path, "%.*s/%s", (int)(slash - self), self, BURROW_SLIRP_HELPER) > 0)
        {
          if (access (path, X_OK) == 0)
            return path;
          free (path);
        }
    }
  return strdup (BURROW_SLIRP_HELPER);
}

/* fds[i] becomes fd 3 + i of the helper; nothing else stays open but stdio. */
__attribute__ ((noreturn)) static void
exec_helper (const char *path, char **argv, const int *fds, int n_fds, int log_fd)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  /* Its own session: a ^C at the terminal of `run` is for the container, not the helper. */
  setsid ();
  int high[8], l = fcntl (log_fd, F_DUPFD, 16);
  int null = open ("/dev/null", O_RDONLY);
  if (l < 0 || null < 0 || dup2 (null, 0) < 0 || dup2 (l, 1) < 0 || dup2 (l, 2) < 0)
    _exit (126);
  for (int i = 0; i < n_fds; i++)
    if ((high[i] = fcntl (fds[i], F_DUPFD, 16)) < 0)
      _exit (126);
  for (int i = 0; i < n_fds; i++)
    if (dup2 (high[i], 3 + i) < 0)
      _exit (126);
  syscall (SYS_close_range, 3 + n_fds, ~0U, 0);
  execvp (path, argv);
  dprintf (2, "burrow-slirp: cannot execute `%s`: %s (install it next to burrow or in PATH)\n",
           path, strerror (errno));
  _exit (127);
}

/* The init's namespaces, opened now while it waits for its id maps: later it makes itself
   non-dumpable, and its /proc/PID/ns/ (and setns through a pidfd) would be closed to a
   helper that is not root. The helper gets them as slirp4netns' --netns-type=path and
   --userns-path, and the init's pidfd as its exit fd: it exits with the container. */
static int
open_target_fds (pid_t pid, bool userns, int fds[3], struct burrow_error *err)
{
  char path[64];
  fds[0] = syscall (SYS_pidfd_open, pid, 0);
  snprintf (path, sizeof path, "/proc/%d/ns/net", pid);
  fds[1] = open (path, O_RDONLY | O_CLOEXEC);
  snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
  fds[2] = userns ? open (path, O_RDONLY | O_CLOEXEC) : -1;
  if (fds[0] < 0 || fds[1] < 0 || (userns && fds[2] < 0))
    return burrow_fail_errno (err, "network: open the namespaces of the container's init");
  return 0;
}

static void
close_fds (int *fds, int n)
{
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

static bool
own_userns (pid_t pid)
{
  struct stat a, b;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
  return stat (path, &a) == 0 && stat ("/proc/self/ns/user", &b) == 0 && a.st_ino == b.st_ino
         && a.st_dev == b.st_dev;
}

int
burrow_network_start (struct burrow_network *net, pid_t pid, struct burrow_error *err)
{
  cleanup_free char *log = NULL, *helper = helper_path ();
  char mtu[32];
  if (asprintf (&net->api_socket, "%s/%s", net->state_path, BURROW_SLIRP_SOCKET) < 0
      || asprintf (&log, "%s/%s", net->state_path, BURROW_SLIRP_LOG) < 0 || helper == NULL)
    return burrow_fail_errno (err, "network");
  if (strlen (net->api_socket) >= sizeof ((struct sockaddr_un *)0)->sun_path)
    return burrow_fail_plain (err, ENAMETOOLONG,
                              "network: the API socket `%s` would be longer than a unix "
                              "socket path may be (use a shorter --root)",
                              net->api_socket);
  snprintf (mtu, sizeof mtu, "--mtu=%u", net->mtu);
  cleanup_free char *api = NULL;
  if (asprintf (&api, "--api-socket=%s", net->api_socket) < 0)
    return burrow_fail_errno (err, "network");
  /* fd 3: ready, 4: the init's pidfd, 5: its netns, 6: its userns (when not ours). */
  int fds[4] = { -1, -1, -1, -1 };
  bool userns = !own_userns (pid);
  int n_fds = userns ? 4 : 3;
  char *argv[20];
  int n = 0;
  argv[n++] = (char *)BURROW_SLIRP_HELPER;
  argv[n++] = (char *)"--configure";
  argv[n++] = mtu;
  argv[n++] = (char *)"--ready-fd=3";
  argv[n++] = (char *)"--exit-fd=4";
  argv[n++] = api;
  argv[n++] = (char *)"--enable-sandbox";
  argv[n++] = (char *)"--enable-seccomp";
  argv[n++] = (char *)"--netns-type=path";
  if (userns)
    argv[n++] = (char *)"--userns-path=/proc/self/fd/6";
  if (!net->allow_host_loopback)
    argv[n++] = (char *)"--disable-host-loopback";
  if (net->ipv6)
    argv[n++] = (char *)"--enable-ipv6";
  if (net->hostfwd_slirp)
    argv[n++] = (char *)"--hostfwd=slirp";
  argv[n++] = (char *)"/proc/self/fd/5";
  argv[n++] = (char *)"tap0";
  argv[n] = NULL;

  int ready[2];
  if (open_target_fds (pid, userns, fds + 1, err) < 0)
    {
      close_fds (fds, 4);
      return -1;
    }
  if (pipe2 (ready, O_CLOEXEC) < 0)
    {
      close_fds (fds, 4);
      return burrow_fail_errno (err, "network: pipe");
    }
  fds[0] = ready[1];
  cleanup_close int log_fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  pid_t child = log_fd < 0 ? -1 : fork ();
  if (child == 0)
    exec_helper (helper, argv, fds, n_fds, log_fd);
  int e = errno;
  close_fds (fds, 4);
  if (child < 0)
    {
      close (ready[0]);
      return burrow_fail (err, e, log_fd < 0 ? "network: open `%s`" : "network: fork the helper",
                          log);
    }
  net->pid = child;
  net->ready_fd = ready[0];
  return 0;
}

/* The helper's last line of output, without its name: why it failed. */
static void
helper_failure (const struct burrow_network *net, int status, struct burrow_error *err)
{
  cleanup_free char *path = NULL, *text = NULL;
  if (asprintf (&path, "%s/%s", net->state_path, BURROW_SLIRP_LOG) > 0)
    {
      struct burrow_error ignored;
      burrow_read_file (path, 1 << 16, &text, NULL, &ignored);
    }
  char *line = NULL;
  if (text)
    {
      size_t len = strlen (text);
      while (len && text[len - 1] == '\n')
        text[--len] = '\0';
      line = strrchr (text, '\n');
      line = line ? line + 1 : text;
      if (strncmp (line, BURROW_SLIRP_HELPER ": ", strlen (BURROW_SLIRP_HELPER) + 2) == 0)
        line += strlen (BURROW_SLIRP_HELPER) + 2;
    }
  if (line && *line)
    burrow_fail_plain (err, EIO, "network: " BURROW_SLIRP_HELPER ": %s", line);
  else
    burrow_fail_plain (err, EIO, "network: " BURROW_SLIRP_HELPER " exited (status %d) before it was ready",
                       WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

static int
publish_all (struct burrow_network *net, struct burrow_error *err)
{
  for (size_t i = 0; i < net->n_publish; i++)
    {
      const struct burrow_publish *p = &net->publish[i];
      int id;
      if (burrow_slirp_api_add (net->api_socket, p, &id, err) < 0)
        return burrow_error_prefix (err, "network: publish %s:%d:%d/%s", p->host_addr,
                                    p->host_port, p->guest_port, p->udp ? "udp" : "tcp");
    }
  return 0;
}

int
burrow_network_wait_ready (struct burrow_network *net, struct burrow_error *err)
{
  if (net->ready_fd < 0)
    return 0;
  struct pollfd p = { .fd = net->ready_fd, .events = POLLIN };
  int r;
  do
    r = poll (&p, 1, READY_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  char c = 0;
  ssize_t n = r > 0 ? read (net->ready_fd, &c, 1) : -1;
  close (net->ready_fd);
  net->ready_fd = -1;
  if (n != 1 || c != '1')
    {
      int status = 0;
      if (r == 0)
        kill (net->pid, SIGKILL);
      while (waitpid (net->pid, &status, 0) < 0 && errno == EINTR)
        ;
      net->pid = 0;
      if (r == 0)
        return burrow_fail_plain (err, ETIMEDOUT,
                                  "network: " BURROW_SLIRP_HELPER " was not ready after %d s",
                                  READY_TIMEOUT_MS / 1000);
      helper_failure (net, status, err);
      return -1;
    }
  if (burrow_pid_start_time (net->pid, &net->pid_start) < 0)
    return burrow_fail_plain (err, ESRCH, "network: " BURROW_SLIRP_HELPER " exited after ready");
  return publish_all (net, err);
}

void
burrow_network_abort (struct burrow_network *net)
{
  if (net->ready_fd >= 0)
    close (net->ready_fd);
  net->ready_fd = -1;
  if (net->pid > 0)
    {
      /* Still our child, not yet reaped: the pid cannot belong to anyone else. */
      kill (net->pid, SIGKILL);
      while (waitpid (net->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      net->pid = 0;
    }
}

void
burrow_network_release (struct burrow_network *net)
{
  if (net->ready_fd >= 0)
    close (net->ready_fd);
  free (net->publish);
  free (net->api_socket);
  memset (net, 0, sizeof *net);
  net->ready_fd = -1;
}

char *
burrow_network_state_json (const struct burrow_network *net)
{
  if (!net->enabled || net->pid <= 0)
    return NULL;
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "type", "slirp");
  cJSON_AddNumberToObject (o, "helperPid", net->pid);
  cJSON_AddNumberToObject (o, "helperPidStartTime", (double)net->pid_start);
  cJSON_AddStringToObject (o, "apiSocket", net->api_socket);
  char *s = cJSON_PrintUnformatted (o);
  cJSON_Delete (o);
  return s;
}

/* No wait for its exit: closing the tap device takes the kernel some 20 ms (an RCU
   grace period), which every `burrow run` would pay. The helper exits on the signal,
   and on its own already when the init is gone (its exit fd is the init's pidfd). */
void
burrow_network_stop_recorded (const char *network_json)
{
  cJSON *o = network_json ? cJSON_Parse (network_json) : NULL;
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive (o, "helperPid");
  const cJSON *start = cJSON_GetObjectItemCaseSensitive (o, "helperPidStartTime");
  unsigned long long now;
  if (cJSON_IsNumber (pid) && cJSON_IsNumber (start) && pid->valueint > 0)
    {
      cleanup_close int pidfd = syscall (SYS_pidfd_open, pid->valueint, 0);
      /* Checked after the pidfd exists: the pid may have been reused before it. */
      if (pidfd >= 0 && burrow_pid_start_time (pid->valueint, &now) == 0
          && now == (unsigned long long)start->valuedouble)
        syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    }
  cJSON_Delete (o);
}
