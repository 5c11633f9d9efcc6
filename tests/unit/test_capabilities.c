/* test_capabilities.c: the name table, and the sets really applied in a forked child. */
#include "config.h"
#include "capabilities.h"

#include "tap.h"

#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIT(c) (1ULL << (c))

static void
test_names (void)
{
  int bad = 0;
  for (int i = 0; i <= burrow_cap_last_known (); i++)
    {
      const char *n = burrow_cap_name (i);
      if (n == NULL || burrow_cap_from_name (n) != i)
        bad++;
    }
  ok (bad == 0, "every known capability round-trips through its name");
  ok (burrow_cap_last_known () == 40, "last known is 40");
  ok (burrow_cap_last_known () == CAP_LAST_CAP || CAP_LAST_CAP < 40,
      "matches the kernel headers' CAP_LAST_CAP");
  ok (burrow_cap_last_kernel () >= 36, "last kernel >= 36 (got %d)", burrow_cap_last_kernel ());
  is_str (burrow_cap_name (0), "CAP_CHOWN", "0 is CAP_CHOWN");
  is_str (burrow_cap_name (21), "CAP_SYS_ADMIN", "21 is CAP_SYS_ADMIN");
  is_str (burrow_cap_name (40), "CAP_CHECKPOINT_RESTORE", "40 is CAP_CHECKPOINT_RESTORE");
  ok (burrow_cap_from_name ("CAP_KILL") == CAP_KILL, "CAP_KILL");
  ok (burrow_cap_from_name ("CAP_BPF") == CAP_BPF, "CAP_BPF");
  ok (burrow_cap_from_name ("CAP_NOSUCH") == -1, "unknown name");
  ok (burrow_cap_from_name ("KILL") == -1, "name without CAP_ prefix");
  ok (burrow_cap_from_name ("") == -1, "empty name");
  ok (burrow_cap_from_name (NULL) == -1, "NULL name");
  ok (burrow_cap_name (-1) == NULL && burrow_cap_name (41) == NULL, "out of range numbers");
}

/* In the child: prepare, switch to an unprivileged user, apply, and report what the
   kernel holds through the exit status. */
static int
child_apply (const struct burrow_caps *caps, uint64_t *eff_out)
{
  struct burrow_error err = { 0 };
  if (burrow_caps_prepare (caps, &err) < 0)
    return 10;
  if (prctl (PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
    return 11;
  if (prctl (PR_CAPBSET_READ, CAP_KILL, 0, 0, 0) != 1)
    return 12;
  if (setresgid (65534, 65534, 65534) < 0 || setresuid (65534, 65534, 65534) < 0)
    return 13;
  if (burrow_caps_apply (caps, &err) < 0)
    return 14;
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  if (syscall (SYS_capget, &hdr, d) < 0)
    return 15;
  *eff_out = d[0].effective | ((uint64_t)d[1].effective << 32);
  if (*eff_out != caps->effective)
    return 16;
  if ((d[0].inheritable | ((uint64_t)d[1].inheritable << 32)) != caps->inheritable)
    return 17;
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) != 1)
    return 18;
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0) != 0)
    return 19;
  if (prctl (PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
    return 20;
  return 0;
}

static int
run_child (int (*fn) (void))
{
  int status;
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (fn ());
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

static int
apply_ok (void)
{
  uint64_t eff = 0;
  struct burrow_caps caps = {
    .bounding = BIT (CAP_CHOWN) | BIT (CAP_KILL) | BIT (CAP_NET_RAW),
    .effective = BIT (CAP_CHOWN) | BIT (CAP_KILL),
    .permitted = BIT (CAP_CHOWN) | BIT (CAP_KILL),
    .inheritable = BIT (CAP_KILL),
    .ambient = BIT (CAP_KILL),
  };
  return child_apply (&caps, &eff);
}

static int
apply_bad_ambient (void)
{
  struct burrow_error err = { 0 };
  struct burrow_caps caps = {
    .bounding = BIT (CAP_KILL),
    .effective = BIT (CAP_KILL),
    .permitted = BIT (CAP_KILL),
    .ambient = BIT (CAP_KILL),
  };
  if (burrow_caps_prepare (&caps, &err) < 0)
    return 10;
  if (burrow_caps_apply (&caps, &err) == 0)
    return 11;
  printf ("# %s\n", err.msg);
  fflush (stdout);
  return strcmp (err.msg, "cannot raise ambient capability CAP_KILL: Operation not permitted") == 0
             ? 0
             : 12;
}

static int
apply_bad_effective (void)
{
  struct burrow_error err = { 0 };
  struct burrow_caps caps = {
    .bounding = ~0ULL,
    .effective = BIT (CAP_KILL) | BIT (CAP_CHOWN),
    .permitted = BIT (CAP_KILL),
  };
  if (burrow_caps_apply (&caps, &err) == 0)
    return 11;
  printf ("# %s\n", err.msg);
  fflush (stdout);
  return strstr (err.msg, "effective capability CAP_CHOWN") ? 0 : 12;
}

int
main (void)
{
  test_names ();
  if (geteuid () != 0)
    {
      ok (1, "# SKIP applying capabilities needs root");
      return tap_done ();
    }
  int r = run_child (apply_ok);
  ok (r == 0, "bounding, effective, inheritable and ambient applied (child status %d)", r);
  r = run_child (apply_bad_ambient);
  ok (r == 0, "ambient outside inheritable names the capability (child status %d)", r);
  r = run_child (apply_bad_effective);
  ok (r == 0, "effective outside permitted names the capability (child status %d)", r);
  return tap_done ();
}
