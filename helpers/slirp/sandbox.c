/* sandbox.c: --enable-sandbox. The helper parses packets from the container, so it keeps
   only what it needs: a private mount namespace whose root is an empty read-only tmpfs
   holding /etc/resolv.conf (libslirp reads it for the DNS forwarder), and no
   capabilities. An unprivileged caller first gets a user namespace of its own (its own
   id mapped to itself) to be allowed the mount namespace. Sockets, the tap and the API
   socket are already open and keep working. */
#include "config.h"
#include "slirp_helper.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SANDBOX_ROOT "/tmp"

static int
own_user_namespace (struct burrow_error *err)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
    return burrow_fail_errno (err, "sandbox: unshare user and mount namespaces");
  char map[64];
  snprintf (map, sizeof map, "%u %u 1", uid, uid);
  if (burrow_write_string ("/proc/self/uid_map", map, err) < 0
      || burrow_write_string ("/proc/self/setgroups", "deny", err) < 0)
    return burrow_error_prefix (err, "sandbox");
  snprintf (map, sizeof map, "%u %u 1", gid, gid);
  if (burrow_write_string ("/proc/self/gid_map", map, err) < 0)
    return burrow_error_prefix (err, "sandbox");
  return 0;
}

static int
bind_resolv_conf (struct burrow_error *err)
{
  char src[PATH_MAX];
  if (realpath ("/etc/resolv.conf", src) == NULL)
    return 0; /* no resolver configured: the DNS forwarder has nothing to read */
  int fd = open (SANDBOX_ROOT "/etc/resolv.conf", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return burrow_fail_errno (err, "sandbox: create resolv.conf");
  close (fd);
  if (mount (src, SANDBOX_ROOT "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
    return burrow_fail_errno (err, "sandbox: bind `%s`", src);
  mount (NULL, SANDBOX_ROOT "/etc/resolv.conf", NULL,
         MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  return 0;
}

int
slirp_drop_capabilities (struct burrow_error *err)
{
  for (int c = 0; c <= CAP_LAST_CAP; c++)
    if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return burrow_fail_errno (err, "sandbox: drop capability %d from the bounding set", c);
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct d[2] = { { 0 } };
  if (syscall (SYS_capset, &h, d) < 0)
    return burrow_fail_errno (err, "sandbox: drop capabilities");
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return burrow_fail_errno (err, "sandbox: no_new_privs");
  return 0;
}

int
slirp_sandbox_enter (struct burrow_error *err)
{
  if (unshare (CLONE_NEWNS) < 0)
    {
      if (errno != EPERM)
        return burrow_fail_errno (err, "sandbox: unshare mount namespace");
      if (own_user_namespace (err) < 0)
        return -1;
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return burrow_fail_errno (err, "sandbox: make mounts private");
  if (mount ("tmpfs", SANDBOX_ROOT, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
             "size=64k,mode=0755")
      < 0)
    return burrow_fail_errno (err, "sandbox: mount tmpfs on " SANDBOX_ROOT);
  if (mkdir (SANDBOX_ROOT "/etc", 0755) < 0 || mkdir (SANDBOX_ROOT "/old", 0700) < 0)
    return burrow_fail_errno (err, "sandbox: make the new root");
  if (bind_resolv_conf (err) < 0)
    return -1;
  if (syscall (SYS_pivot_root, SANDBOX_ROOT, SANDBOX_ROOT "/old") < 0 || chdir ("/") < 0)
    return burrow_fail_errno (err, "sandbox: pivot_root");
  if (umount2 ("/old", MNT_DETACH) < 0 || rmdir ("/old") < 0)
    return burrow_fail_errno (err, "sandbox: detach the old root");
  if (mount (NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
      < 0)
    return burrow_fail_errno (err, "sandbox: make the new root read-only");
  return slirp_drop_capabilities (err);
}
