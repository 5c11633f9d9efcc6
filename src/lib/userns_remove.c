/* userns_remove.c: removing a tree that holds files of a container's other users. Those
   belong to subordinate ids the caller cannot touch on the host; as root of a fresh user
   namespace with the container's own mappings it can (an overlay's upper layer at delete). */
#include "config.h"
#include "rootfs_overlay.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static __attribute__ ((noreturn)) void
remove_child (int ready_w, int go_r, const char *path)
{
  char c = 0;
  if (unshare (CLONE_NEWUSER) < 0)
    _exit (2);
  if (write (ready_w, &c, 1) != 1 || read (go_r, &c, 1) != 1)
    _exit (3);
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    _exit (4);
  struct burrow_error err;
  _exit (burrow_remove_tree (path, &err) < 0 ? 1 : 0);
}

int
burrow_remove_tree_in_userns (struct burrow_context *ctx, const char *path,
                              const struct burrow_spec *maps, struct burrow_error *err)
{
  int ready[2], go[2];
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return burrow_fail_errno (err, "remove `%s`", path);
  if (pipe2 (go, O_CLOEXEC) < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return burrow_fail_errno (err, "remove `%s`", path);
    }
  pid_t pid = fork ();
  if (pid == 0)
    remove_child (ready[1], go[0], path);
  close (ready[1]);
  close (go[0]);
  cleanup_close int ready_r = ready[0], go_w = go[1];
  if (pid < 0)
    return burrow_fail_errno (err, "remove `%s`: fork", path);
  char c;
  int r = 0;
  if (read (ready_r, &c, 1) != 1)
    r = burrow_fail_plain (err, EPERM, "remove `%s`: cannot create a user namespace", path);
  else if (burrow_userns_write_maps (ctx, pid, maps, err) < 0 || write (go_w, &c, 1) != 1)
    r = burrow_error_prefix (err, "remove `%s`", path);
  if (r < 0)
    kill (pid, SIGKILL);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (r == 0 && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    r = burrow_fail_plain (err, EACCES,
                           "remove `%s`: not even as root of the container's user namespace", path);
  return r;
}
