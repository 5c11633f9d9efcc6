/* lsm.c: AppArmor and SELinux exec labels. */
#include "config.h"
#include "lsm.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

bool
burrow_lsm_apparmor_enabled (void)
{
  char buf[4] = { 0 };
  cleanup_close int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  return fd >= 0 && read (fd, buf, 1) == 1 && buf[0] == 'Y';
}

bool
burrow_lsm_selinux_enabled (void)
{
  struct statfs sf;
  return statfs ("/sys/fs/selinux", &sf) == 0 && sf.f_type == SELINUX_MAGIC;
}

void
burrow_lsm_plan (const struct burrow_process *p, struct burrow_lsm *out)
{
  memset (out, 0, sizeof *out);
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      if (burrow_lsm_apparmor_enabled ())
        out->apparmor_profile = p->apparmor_profile;
      else
        burrow_log (BURROW_LOG_WARNING,
                    "process.apparmorProfile `%s` not applied: AppArmor is not enabled on this "
                    "host",
                    p->apparmor_profile);
    }
  if (p->selinux_label && *p->selinux_label)
    {
      if (burrow_lsm_selinux_enabled ())
        out->selinux_label = p->selinux_label;
      else
        burrow_log (BURROW_LOG_WARNING,
                    "process.selinuxLabel `%s` not applied: SELinux is not enabled on this host",
                    p->selinux_label);
    }
}

/* Write to an attr file of our own procfs entry, refusing anything that is not procfs (a
   container's /proc could be anything by now). */
static int
write_attr (const char *path, const char *value, struct burrow_error *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sf;
  if (fd < 0 || fstatfs (fd, &sf) < 0)
    return burrow_fail_errno (err, "open `%s`", path);
  if (sf.f_type != PROC_SUPER_MAGIC)
    return burrow_fail_plain (err, EPERM, "`%s` is not on procfs", path);
  if (burrow_write_all (fd, value, strlen (value)) < 0)
    return burrow_fail_errno (err, "write `%s` to `%s`", value, path);
  return 0;
}

int
burrow_lsm_apply (const struct burrow_lsm *l, struct burrow_error *err)
{
  if (l->apparmor_profile)
    {
      char v[512];
      snprintf (v, sizeof v, "exec %s", l->apparmor_profile);
      const char *path = access ("/proc/self/attr/apparmor/exec", F_OK) == 0
                             ? "/proc/self/attr/apparmor/exec"
                             : "/proc/self/attr/exec";
      if (write_attr (path, v, err) < 0)
        return burrow_error_prefix (err, "process.apparmorProfile");
    }
  if (l->selinux_label && write_attr ("/proc/self/attr/exec", l->selinux_label, err) < 0)
    return burrow_error_prefix (err, "process.selinuxLabel");
  return 0;
}
