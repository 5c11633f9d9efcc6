/* test_cgroup_devices.c: the v2 device program, loaded by the kernel and attached to a
   scratch cgroup: a process in it may open what the rules allow and nothing else. Needs
   root and a writable cgroup2 mount (skipped otherwise, with the reason). */
#include "config.h"
#include "cgroup_internal.h"

#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char mount_point[4096];

/* Open path (O_WRONLY or O_RDONLY) from a child placed in a fresh cgroup with the rules:
   0 opened, EPERM refused, another errno otherwise. */
static int
try_open (const char *rules_json, const char *path, int flags, char *why, size_t why_size)
{
  char dir[4200];
  snprintf (dir, sizeof dir, "%s/burrow-devtest-%d", mount_point, getpid ());
  if (mkdir (dir, 0755) < 0)
    {
      snprintf (why, why_size, "mkdir %.200s: %s", dir, strerror (errno));
      return -1;
    }
  cJSON *rules = cJSON_Parse (rules_json);
  struct burrow_error err = { 0 };
  int r = burrow_cg_devices_attach (dir, rules, NULL, &err);
  cJSON_Delete (rules);
  if (r < 0)
    {
      snprintf (why, why_size, "%s", err.msg);
      rmdir (dir);
      return -1;
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      char me[32];
      snprintf (me, sizeof me, "%d", getpid ());
      if (burrow_cg_write (dir, "cgroup.procs", me, &err) < 0)
        _exit (100);
      int fd = open (path, flags | O_CLOEXEC);
      _exit (fd >= 0 ? 0 : errno == EPERM ? 1 : 2);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  rmdir (dir);
  int code = WIFEXITED (status) ? WEXITSTATUS (status) : 99;
  snprintf (why, why_size, "child exit %d", code);
  return code == 0 ? 0 : code == 1 ? EPERM : 1000 + code;
}

int
main (void)
{
  struct burrow_cg_host h;
  char why[2048];
  if (geteuid () != 0 || burrow_cg_host_probe (&h) < 0 || h.v2_mount == NULL
      || access (h.v2_mount, W_OK) < 0)
    {
      printf ("1..1\nok 1 # SKIP needs root and a writable cgroup2 mount\n");
      return 0;
    }
  snprintf (mount_point, sizeof mount_point, "%s", h.v2_mount);
  burrow_cg_host_release (&h);

  const char *deny_all = "[{\"allow\": false, \"access\": \"rwm\"}]";
  int r = try_open (deny_all, "/dev/null", O_WRONLY, why, sizeof why);
  if (r == -1 && strstr (why, "load the device program"))
    {
      printf ("1..1\nok 1 # SKIP the kernel refused a device program: %s\n", why);
      return 0;
    }
  ok (r == 0, "deny-all + runc's defaults: /dev/null opens (%s)", why);
  ok (try_open (deny_all, "/dev/zero", O_RDONLY, why, sizeof why) == 0,
      "deny-all + defaults: /dev/zero opens (%s)", why);
  ok (try_open (deny_all, "/dev/kmsg", O_WRONLY, why, sizeof why) == EPERM,
      "deny-all: /dev/kmsg (c 1:11) refused (%s)", why);
  ok (try_open ("[{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11,"
                "  \"access\": \"w\"}]",
                "/dev/kmsg", O_WRONLY, why, sizeof why)
          == 0,
      "a rule allowing c 1:11 w opens /dev/kmsg for writing (%s)", why);
  ok (try_open ("[{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11,"
                "  \"access\": \"r\"}]",
                "/dev/kmsg", O_WRONLY, why, sizeof why)
          == EPERM,
      "read-only rule: writing /dev/kmsg refused (%s)", why);
  ok (try_open ("[{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"rwm\"},"
                " {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3,"
                "  \"access\": \"rwm\"}]",
                "/dev/kmsg", O_WRONLY, why, sizeof why)
          == 0,
      "a wildcard minor allows c 1:11 (%s)", why);
  ok (try_open ("[{\"allow\": true, \"access\": \"rwm\"},"
                " {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11,"
                "  \"access\": \"rwm\"}]",
                "/dev/kmsg", O_WRONLY, why, sizeof why)
          == EPERM,
      "allow-all then deny c 1:11: the later rule wins (%s)", why);
  return tap_done ();
}
