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
      if (burrow_write_proc (path, v, err) < 0)
        return burrow_error_prefix (err, "process.apparmorProfile");
    }
  if (l->selinux_label && burrow_write_proc ("/proc/self/attr/exec", l->selinux_label, err) < 0)
    return burrow_error_prefix (err, "process.selinuxLabel");
  return 0;
}
