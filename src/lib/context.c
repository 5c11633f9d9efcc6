/* context.c: the global flags plus the host facts every command needs (effective ids,
   whether we run in a user namespace, rootless or not) and the default state root. */
#include "config.h"
#include "burrow.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The initial user namespace maps every id to itself; anything else (including a
   namespace created by podman unshare or a CI sandbox) means ids are not the host's. */
static int
probe_in_userns (bool *in_userns, struct burrow_error *err)
{
  cleanup_free char *map = NULL;
  unsigned long inside, outside, count;
  int consumed = 0;

  if (burrow_read_file ("/proc/self/uid_map", 4096, &map, NULL, err) < 0)
    {
      /* No uid_map: a kernel without user namespaces, so we are in the initial one. */
      if (err->errnum == ENOENT)
        {
          burrow_error_clear (err);
          *in_userns = false;
          return 0;
        }
      return burrow_error_prefix (err, "detect user namespace");
    }
  *in_userns = !(sscanf (map, " %lu %lu %lu %n", &inside, &outside, &count, &consumed) == 3
                 && map[consumed] == '\0' && inside == 0 && outside == 0 && count == 4294967295UL);
  return 0;
}

/* A relative --root would move with every chdir the runtime does; pin it to the cwd. */
static char *
absolute_path (const char *path)
{
  cleanup_free char *cwd = NULL;
  char *out = NULL;

  if (path[0] == '/')
    return strdup (path);
  cwd = getcwd (NULL, 0);
  if (cwd == NULL)
    return NULL;
  if (asprintf (&out, "%s/%s", strcmp (cwd, "/") == 0 ? "" : cwd, path) < 0)
    return NULL;
  return out;
}

static int
default_state_root (const struct burrow_context *ctx, char **out, struct burrow_error *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  bool have_xdg = xdg != NULL && xdg[0] != '\0';
  int r;

  if (have_xdg && (ctx->euid != 0 || ctx->in_userns))
    r = asprintf (out, "%s/burrow", xdg);
  else if (ctx->euid != 0)
    {
      r = asprintf (out, "/tmp/burrow-%u", (unsigned)ctx->euid);
      if (r >= 0)
        burrow_log (BURROW_LOG_WARNING, "XDG_RUNTIME_DIR is not set; using %s", *out);
    }
  else
    r = asprintf (out, "/run/burrow");
  if (r < 0)
    {
      *out = NULL;
      return burrow_fail (err, ENOMEM, "default state root");
    }
  return 0;
}

/* Fills the probed fields, the state root and rootless_flag; the caller's other flags
   (debug, systemd_cgroup) are left as they are. */
int
burrow_context_init (struct burrow_context *ctx, const char *state_root,
                     enum burrow_rootless rootless, struct burrow_error *err)
{
  ctx->state_root = NULL;
  ctx->rootless_flag = rootless;
  ctx->euid = geteuid ();
  ctx->egid = getegid ();
  if (probe_in_userns (&ctx->in_userns, err) < 0)
    return -1;

  switch (rootless)
    {
    case BURROW_ROOTLESS_TRUE:
      ctx->rootless = true;
      break;
    case BURROW_ROOTLESS_FALSE:
      ctx->rootless = false;
      break;
    default:
      ctx->rootless = ctx->euid != 0 || ctx->in_userns;
      break;
    }

  if (state_root != NULL && state_root[0] != '\0')
    {
      ctx->state_root = absolute_path (state_root);
      if (ctx->state_root == NULL)
        return burrow_fail_errno (err, "state root `%s`", state_root);
    }
  else if (default_state_root (ctx, &ctx->state_root, err) < 0)
    return -1;

  ctx->probed = true;
  return 0;
}

void
burrow_context_release (struct burrow_context *ctx)
{
  free (ctx->state_root);
  ctx->state_root = NULL;
  ctx->probed = false;
}

const char *
burrow_version (void)
{
  return PACKAGE_VERSION;
}
