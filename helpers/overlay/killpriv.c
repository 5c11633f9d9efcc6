/* killpriv.c: clearing suid, sgid and security.capability as the kernel's VFS does on a
   write, a truncation and a chown, where FUSE leaves it to the filesystem: a direct
   write and an open with O_TRUNC skip it, a write or chown by someone outside the file's
   group keeps a sgid bit FUSE looks at only with group-exec, and with handle_killpriv
   the kernel leaves all of it here. CAP_FSETID (which exempts a writer) is not visible
   in a request: uid 0 is taken to have it, in its own user namespace for the sgid test
   and in the initial one for the exemption, as the kernel checks them. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/xattr.h>

static bool
in_group (fuse_req_t req, gid_t gid)
{
  if (fuse_req_ctx (req)->gid == gid)
    return true;
  gid_t some[64], *groups = some;
  int size = 64, n = fuse_req_getgroups (req, size, some);
  if (n > size && (groups = calloc ((size_t)n, sizeof *groups)))
    n = fuse_req_getgroups (req, size = n, groups);
  bool found = false;
  /* the count is the caller's, which may exceed what was stored */
  for (int i = 0; i < n && i < size && groups && !found; i++)
    found = groups[i] == gid;
  if (groups != some)
    free (groups);
  return found;
}

/* The mode bits the caller's write or truncation (chown: its chown) of a file with this
   mode and group (as shown to the kernel) clears: setattr_should_drop_suidgid() and,
   for a chown, chown_common()'s rule. */
mode_t
ovl_kill_bits (fuse_req_t req, mode_t mode, gid_t gid, bool chown)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  uid_t uid = fuse_req_ctx (req)->uid;
  if (!(mode & (S_ISUID | S_ISGID)) || (chown ? S_ISDIR (mode) : !S_ISREG (mode)))
    return 0;
  if (!chown && uid == 0 && fs->init_userns)
    return 0;
  mode_t kill = mode & S_ISUID;
  if ((mode & S_ISGID) && ((mode & S_IXGRP) || (uid != 0 && !in_group (req, gid))))
    kill |= S_ISGID;
  return kill;
}

/* A write, or an open that truncated, through fd: the mode bits, and with caps
   security.capability (the kernel removes it itself except on the direct paths). */
int
ovl_kill_privs_fd (fuse_req_t req, int fd, bool chown, bool caps)
{
  struct ovl_fs *fs = ovl_fs_of (req);
  if (!chown && !caps && fuse_req_ctx (req)->uid == 0 && fs->init_userns)
    return 0; /* CAP_FSETID: nothing to clear */
  struct stat st;
  if (fstat (fd, &st) < 0)
    return -errno;
  mode_t kill = ovl_kill_bits (req, st.st_mode, ovl_gid_to_container (fs, st.st_gid), chown);
  if (kill && fchmod (fd, st.st_mode & 07777 & ~kill) < 0)
    return -errno;
  if (caps && S_ISREG (st.st_mode) && fgetxattr (fd, "security.capability", NULL, 0) >= 0
      && fremovexattr (fd, "security.capability") < 0 && errno != ENODATA)
    return -errno;
  return 0;
}
