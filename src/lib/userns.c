/* userns.c: uid_map/gid_map of the container's user namespace, written from the parent
   while the child waits for SYNC_MAPS_DONE. */
#include "config.h"
#include "userns.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "subid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
format_map (const struct burrow_id_mapping *m, size_t n)
{
  size_t cap = n * 36 + 1, len = 0;
  char *s = malloc (cap);
  if (s == NULL)
    return NULL;
  s[0] = '\0';
  for (size_t i = 0; i < n; i++)
    len += snprintf (s + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  return s;
}

static int
write_map_direct (pid_t pid, const char *file, const struct burrow_id_mapping *m, size_t n,
                  struct burrow_error *err)
{
  char path[64];
  cleanup_free char *text = format_map (m, n);
  if (text == NULL)
    return burrow_fail_errno (err, "%s", file);
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    return burrow_fail_errno (err, "write %s `%.*s`", file, (int)strcspn (text, "\n"), text);
  return 0;
}

/* Run newuidmap/newgidmap PID CID HID SIZE...; its stderr becomes the error message. */
static int
run_map_helper (const char *name, pid_t pid, const struct burrow_id_mapping *m, size_t n,
                struct burrow_error *err)
{
  cleanup_free char *helper = NULL;
  if (burrow_idmap_find_helper (name, &helper, err) < 0)
    return -1;

  char **argv = calloc (3 * n + 3, sizeof *argv);
  char *nums = calloc (3 * n + 1, 12);
  if (argv == NULL || nums == NULL)
    {
      free (argv);
      free (nums);
      return burrow_fail_errno (err, "%s", name);
    }
  argv[0] = (char *)name;
  argv[1] = nums;
  snprintf (nums, 12, "%d", pid);
  for (size_t i = 0; i < n; i++)
    {
      uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
      for (int j = 0; j < 3; j++)
        {
          char *slot = nums + 12 * (1 + 3 * i + j);
          snprintf (slot, 12, "%u", v[j]);
          argv[2 + 3 * i + j] = slot;
        }
    }

  int pipefd[2] = { -1, -1 };
  int ret = -1;
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    {
      burrow_fail_errno (err, "%s", name);
      goto out;
    }
  pid_t child = fork ();
  if (child < 0)
    {
      burrow_fail_errno (err, "fork %s", name);
      goto out;
    }
  if (child == 0)
    {
      dup2 (pipefd[1], 2);
      execv (helper, argv);
      dprintf (2, "exec %s: %s", helper, strerror (errno));
      _exit (127);
    }
  close (pipefd[1]);
  pipefd[1] = -1;

  char out[1024];
  size_t len = 0;
  ssize_t r;
  while (len < sizeof out - 1 && (r = read (pipefd[0], out + len, sizeof out - 1 - len)) != 0)
    if (r > 0)
      len += r;
    else if (errno != EINTR)
      break;
  out[len] = '\0';
  while (len > 0 && out[len - 1] == '\n')
    out[--len] = '\0';

  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    ret = 0;
  else
    burrow_fail_plain (
        err, EPERM, "%s failed (%s %d): %s", helper, WIFEXITED (status) ? "exit status" : "signal",
        WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status), len ? out : "no message");
out:
  if (pipefd[0] >= 0)
    close (pipefd[0]);
  if (pipefd[1] >= 0)
    close (pipefd[1]);
  free (argv);
  free (nums);
  return ret;
}

bool
burrow_userns_setgroups_denied (const struct burrow_context *ctx, const struct burrow_spec *spec)
{
  const struct burrow_linux *l = &spec->linux_;
  return ctx->euid != 0
         && burrow_idmap_is_single_own (l->gid_mappings, l->n_gid_mappings, ctx->egid);
}

int
burrow_userns_write_maps (struct burrow_context *ctx, pid_t pid, const struct burrow_spec *spec,
                          struct burrow_error *err)
{
  const struct burrow_linux *l = &spec->linux_;
  bool privileged = ctx->euid == 0;

  if (privileged || burrow_idmap_is_single_own (l->uid_mappings, l->n_uid_mappings, ctx->euid))
    {
      if (write_map_direct (pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0)
        return -1;
    }
  else if (run_map_helper ("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err) < 0)
    return -1;

  if (burrow_userns_setgroups_denied (ctx, spec))
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
      if (burrow_write_string (path, "deny", err) < 0)
        return -1;
    }
  if (privileged || burrow_idmap_is_single_own (l->gid_mappings, l->n_gid_mappings, ctx->egid))
    return write_map_direct (pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
  return run_map_helper ("newgidmap", pid, l->gid_mappings, l->n_gid_mappings, err);
}
