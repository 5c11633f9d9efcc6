/* spec_validate.c: every semantic check of a loaded config, run before any process exists,
   so a bad config is one line naming its JSON field. Also gives a rootless caller the user
   namespace a root-oriented config leaves out. */
#include "config.h"
#include "spec.h"

#include "error.h"
#include "mount_options.h"
#include "subid.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The kernel's limit on lines in uid_map/gid_map since Linux 4.15. */
#define MAX_ID_MAP_LINES 340
#define MAX_ID_LEN 1024

/* Validation errors carry EINVAL for callers but no strerror text in the message. */
static int invalid (struct burrow_error *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static int
invalid (struct burrow_error *err, const char *fmt, ...)
{
  char msg[BURROW_ERROR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  burrow_fail (err, 0, "%s", msg);
  err->errnum = EINVAL;
  return -1;
}

int
burrow_id_validate (const char *id, struct burrow_error *err)
{
  if (id == NULL || id[0] == '\0')
    return invalid (err, "invalid container id ``: it must not be empty");
  size_t len = strlen (id);
  if (len > MAX_ID_LEN)
    return invalid (err, "invalid container id `%.32s...`: longer than %d bytes", id, MAX_ID_LEN);
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return invalid (err, "invalid container id `%s`: `.` and `..` are not allowed", id);
  for (size_t i = 0; i < len; i++)
    {
      char c = id[i];
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
          || c == '.' || c == '+' || c == '-')
        continue;
      return invalid (err,
                      "invalid container id `%s`: only letters, digits and `_.+-` are "
                      "allowed",
                      id);
    }
  return 0;
}

/* Lexically, without touching the file system: does rel climb above its starting dir? */
static bool
path_leaves_base (const char *rel)
{
  long depth = 0;
  for (const char *p = rel; *p;)
    {
      size_t len = strcspn (p, "/");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          if (depth == 0)
            return true;
          depth--;
        }
      else if (len > 0 && !(len == 1 && p[0] == '.'))
        depth++;
      p += len;
      if (*p == '/')
        p++;
    }
  return false;
}

static bool
has_dotdot_component (const char *path)
{
  for (const char *p = path; *p;)
    {
      size_t len = strcspn (p, "/");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return true;
      p += len;
      if (*p == '/')
        p++;
    }
  return false;
}

static int
validate_version (const struct burrow_spec *spec, struct burrow_error *err)
{
  const char *v = spec->oci_version;
  if (v == NULL || v[0] == '\0')
    return invalid (err, "ociVersion is missing");
  size_t digits = strspn (v, "0123456789");
  if (digits != 1 || v[0] != '1' || (v[1] != '.' && v[1] != '\0'))
    return invalid (err, "unsupported ociVersion `%s`: burrow supports 1.x", v);
  return 0;
}

static int
validate_process (const struct burrow_spec *spec, struct burrow_error *err)
{
  const struct burrow_process *p = &spec->process;
  if (!spec->has_process)
    return invalid (err, "process is missing: a container needs a process to run");
  if (p->n_args == 0 || p->args == NULL || p->args[0] == NULL)
    return invalid (err, "process.args must not be empty");
  if (p->args[0][0] == '\0')
    return invalid (err, "process.args[0] must not be empty");
  if (p->cwd == NULL || p->cwd[0] != '/')
    return invalid (err, "process.cwd `%s` must be an absolute path", p->cwd ? p->cwd : "");
  return 0;
}

static int
validate_root (const struct burrow_spec *spec, struct burrow_error *err)
{
  struct stat st;
  const char *rp = spec->root_path;
  if (rp == NULL || rp[0] == '\0' || spec->rootfs == NULL)
    return invalid (err, "root.path is missing");
  if (rp[0] != '/' && path_leaves_base (rp))
    return invalid (err, "root.path `%s` is outside the bundle", rp);
  if (stat (spec->rootfs, &st) < 0)
    return burrow_fail_errno (err, "root.path `%s`: %s", rp, spec->rootfs);
  if (!S_ISDIR (st.st_mode))
    return burrow_fail (err, ENOTDIR, "root.path `%s`: %s", rp, spec->rootfs);
  return 0;
}

static int
validate_uts (const struct burrow_spec *spec, struct burrow_error *err)
{
  bool uts = spec->linux_.namespaces[BURROW_NS_UTS].present;
  const char *field = NULL;
  if (spec->hostname && spec->hostname[0])
    field = "hostname";
  else if (spec->domainname && spec->domainname[0])
    field = "domainname";
  if (field && !uts)
    return invalid (err, "%s requires a UTS namespace: add {\"type\": \"uts\"} to linux.namespaces",
                    field);
  return 0;
}

static bool
mount_is_bind (const struct burrow_mount *m)
{
  if (m->type && strcmp (m->type, "bind") == 0)
    return true;
  for (size_t i = 0; i < m->n_options; i++)
    if (strcmp (m->options[i], "bind") == 0 || strcmp (m->options[i], "rbind") == 0)
      return true;
  return false;
}

static int
validate_mounts (const struct burrow_spec *spec, struct burrow_error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct burrow_mount *m = &spec->mounts[i];
      struct burrow_mount_opts o;
      if (m->destination == NULL || m->destination[0] != '/')
        return invalid (err, "mounts[%zu].destination `%s` must be an absolute path", i,
                        m->destination ? m->destination : "");
      if (strlen (m->destination) >= PATH_MAX)
        return invalid (err, "mounts[%zu].destination is too long: %zu bytes (PATH_MAX is %d)", i,
                        strlen (m->destination), PATH_MAX);
      if (burrow_mount_opts_parse (m->options, m->n_options, mount_is_bind (m), m->destination, &o,
                                   err)
          < 0)
        return burrow_error_prefix (err, "mounts[%zu]", i);
      burrow_mount_opts_release (&o);
    }
  return 0;
}

static int
validate_propagation (const struct burrow_spec *spec, struct burrow_error *err)
{
  static const char *const allowed[] = { "private", "rprivate", "shared",     "rshared",
                                         "slave",   "rslave",   "unbindable", "runbindable" };
  const char *p = spec->linux_.rootfs_propagation;
  if (p == NULL)
    return 0;
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp (p, allowed[i]) == 0)
      return 0;
  return invalid (err,
                  "linux.rootfsPropagation `%s` is not one of private, rprivate, shared, "
                  "rshared, slave, rslave, unbindable, runbindable",
                  p);
}

static int
validate_namespace_paths (const struct burrow_spec *spec, struct burrow_error *err)
{
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    {
      const struct burrow_namespace *ns = &spec->linux_.namespaces[t];
      struct stat st;
      if (!ns->present || ns->path == NULL)
        continue;
      if (stat (ns->path, &st) < 0)
        return burrow_fail_errno (err, "linux.namespaces: path `%s` of the %s namespace", ns->path,
                                  burrow_ns_name (t));
    }
  return 0;
}

static int
own_mapping (struct burrow_id_mapping **maps, size_t *n, uint32_t own, struct burrow_error *err)
{
  struct burrow_id_mapping *m = malloc (sizeof *m);
  if (m == NULL)
    return burrow_fail_errno (err, "user namespace id mapping");
  m->container_id = 0;
  m->host_id = own;
  m->size = 1;
  free (*maps);
  *maps = m;
  *n = 1;
  return 0;
}

/* runc refuses a config without a user namespace when not root; a rootless caller can
   only ever run in one, so add it and map the caller to root, as `spec --rootless` would. */
static int
add_rootless_userns (struct burrow_context *ctx, struct burrow_spec *spec, struct burrow_error *err)
{
  struct burrow_linux *l = &spec->linux_;
  if (ctx->euid == 0 || l->namespaces[BURROW_NS_USER].present)
    return 0;
  l->namespaces[BURROW_NS_USER].present = true;
  free (l->namespaces[BURROW_NS_USER].path);
  l->namespaces[BURROW_NS_USER].path = NULL;
  if (l->n_uid_mappings == 0)
    {
      if (own_mapping (&l->uid_mappings, &l->n_uid_mappings, ctx->euid, err) < 0)
        return -1;
      burrow_log (BURROW_LOG_DEBUG, "no user namespace in config: adding one that maps uid %u to 0",
                  (unsigned)ctx->euid);
    }
  else
    burrow_log (BURROW_LOG_DEBUG, "no user namespace in config: adding one for linux.uidMappings");
  if (l->n_gid_mappings == 0)
    {
      if (own_mapping (&l->gid_mappings, &l->n_gid_mappings, ctx->egid, err) < 0)
        return -1;
      burrow_log (BURROW_LOG_DEBUG, "no user namespace in config: mapping gid %u to 0",
                  (unsigned)ctx->egid);
    }
  return 0;
}

/* Sizes, overflow and overlap: what the kernel would reject with a bare EINVAL when the
   map is written, long after the config could be blamed. */
static int
validate_map_ranges (const struct burrow_id_mapping *m, size_t n, const char *field,
                     struct burrow_error *err)
{
  if (n > MAX_ID_MAP_LINES)
    return invalid (err, "%s has %zu entries: the kernel allows at most %d", field, n,
                    MAX_ID_MAP_LINES);
  for (size_t i = 0; i < n; i++)
    {
      if (m[i].size == 0)
        return invalid (err, "%s[%zu].size must be greater than 0", field, i);
      if ((uint64_t)m[i].container_id + m[i].size > UINT32_MAX
          || (uint64_t)m[i].host_id + m[i].size > UINT32_MAX)
        return invalid (err, "%s[%zu]: ids beyond 4294967294 cannot be mapped", field, i);
      for (size_t j = 0; j < i; j++)
        {
          if (m[i].container_id < (uint64_t)m[j].container_id + m[j].size
              && m[j].container_id < (uint64_t)m[i].container_id + m[i].size)
            return invalid (err, "%s[%zu]: container ids %u-%u overlap %s[%zu]", field, i,
                            m[i].container_id, m[i].container_id + m[i].size - 1, field, j);
          if (m[i].host_id < (uint64_t)m[j].host_id + m[j].size
              && m[j].host_id < (uint64_t)m[i].host_id + m[i].size)
            return invalid (err, "%s[%zu]: host ids %u-%u overlap %s[%zu]", field, i, m[i].host_id,
                            m[i].host_id + m[i].size - 1, field, j);
        }
    }
  return 0;
}

static int
validate_userns (const struct burrow_spec *spec, struct burrow_error *err)
{
  const struct burrow_linux *l = &spec->linux_;
  const struct burrow_namespace *user = &l->namespaces[BURROW_NS_USER];

  if (!user->present)
    {
      const char *field = l->n_uid_mappings   ? "linux.uidMappings"
                          : l->n_gid_mappings ? "linux.gidMappings"
                                              : NULL;
      if (field)
        return invalid (err,
                        "%s requires a user namespace: add {\"type\": \"user\"} to "
                        "linux.namespaces",
                        field);
      return 0;
    }
  if (user->path == NULL && l->n_uid_mappings == 0)
    return invalid (err, "linux.uidMappings is empty: a new user namespace needs a uid map");
  if (user->path == NULL && l->n_gid_mappings == 0)
    return invalid (err, "linux.gidMappings is empty: a new user namespace needs a gid map");
  if (validate_map_ranges (l->uid_mappings, l->n_uid_mappings, "linux.uidMappings", err) < 0)
    return -1;
  return validate_map_ranges (l->gid_mappings, l->n_gid_mappings, "linux.gidMappings", err);
}

/* Anything beyond the caller's own id goes through newuidmap/newgidmap, which allow only
   what /etc/subuid and /etc/subgid delegate: check that now, with the fix in the message. */
static int
check_rootless_map (const struct burrow_id_mapping *m, size_t n, uint32_t user, uint32_t own,
                    const char *what, struct burrow_error *err)
{
  bool uid = strcmp (what, "uid") == 0;
  struct burrow_id_range *ranges = NULL;
  size_t n_ranges = 0;
  char *helper = NULL;
  int r;

  if (burrow_idmap_is_single_own (m, n, own))
    return 0;
  if (burrow_subid_read (uid ? "/etc/subuid" : "/etc/subgid", user, &ranges, &n_ranges, err) < 0)
    return -1;
  r = burrow_idmap_check_allowed (m, n, own, ranges, n_ranges, what, err);
  free (ranges);
  if (r < 0)
    return -1;
  if (burrow_idmap_find_helper (uid ? "newuidmap" : "newgidmap", &helper, err) < 0)
    return burrow_error_prefix (err, "linux.%sMappings", what);
  free (helper);
  return 0;
}

static int
validate_rootless_maps (struct burrow_context *ctx, const struct burrow_spec *spec,
                        struct burrow_error *err)
{
  const struct burrow_linux *l = &spec->linux_;
  const struct burrow_namespace *user = &l->namespaces[BURROW_NS_USER];
  if (ctx->euid == 0 || !user->present || user->path != NULL)
    return 0;
  /* /etc/subgid is keyed by the user, like /etc/subuid, not by the group. */
  if (check_rootless_map (l->uid_mappings, l->n_uid_mappings, ctx->euid, ctx->euid, "uid", err) < 0)
    return -1;
  return check_rootless_map (l->gid_mappings, l->n_gid_mappings, ctx->euid, ctx->egid, "gid", err);
}

static bool
id_is_mapped (const struct burrow_id_mapping *m, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
      return true;
  return false;
}

static int
validate_user_ids (struct burrow_context *ctx, const struct burrow_spec *spec,
                   struct burrow_error *err)
{
  const struct burrow_linux *l = &spec->linux_;
  const struct burrow_user *u = &spec->process.user;
  const struct burrow_namespace *user = &l->namespaces[BURROW_NS_USER];

  if (!user->present || user->path != NULL)
    return 0;
  if (ctx->euid != 0 && u->n_additional_gids > 0
      && burrow_idmap_is_single_own (l->gid_mappings, l->n_gid_mappings, ctx->egid))
    return invalid (err, "process.user.additionalGids: setgroups is denied in a user namespace "
                         "whose gid map only holds your own gid; map a subordinate gid range "
                         "from /etc/subgid in linux.gidMappings to use additional groups");
  if (!id_is_mapped (l->uid_mappings, l->n_uid_mappings, u->uid))
    return invalid (err, "process.user.uid %u is not mapped by linux.uidMappings", u->uid);
  if (!id_is_mapped (l->gid_mappings, l->n_gid_mappings, u->gid))
    return invalid (err, "process.user.gid %u is not mapped by linux.gidMappings", u->gid);
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (!id_is_mapped (l->gid_mappings, l->n_gid_mappings, u->additional_gids[i]))
      return invalid (err,
                      "process.user.additionalGids[%zu] %u is not mapped by "
                      "linux.gidMappings",
                      i, u->additional_gids[i]);
  return 0;
}

static int
validate_devices (const struct burrow_spec *spec, struct burrow_error *err)
{
  for (size_t i = 0; i < spec->linux_.n_devices; i++)
    {
      const struct burrow_device *d = &spec->linux_.devices[i];
      const char *p = d->path ? d->path : "";
      if (strncmp (p, "/dev/", 5) != 0 || p[5] == '\0' || has_dotdot_component (p))
        return invalid (err, "linux.devices[%zu].path `%s` must be an absolute path under /dev", i,
                        p);
      if (d->type == 0 || strchr ("cbup", d->type) == NULL)
        return invalid (err, "linux.devices[%zu].type `%c` must be one of c, b, u, p", i,
                        d->type ? d->type : '?');
    }
  return 0;
}

int
burrow_spec_validate (struct burrow_context *ctx, struct burrow_spec *spec,
                      struct burrow_error *err)
{
  if (validate_version (spec, err) < 0 || validate_process (spec, err) < 0
      || validate_root (spec, err) < 0 || validate_uts (spec, err) < 0
      || validate_mounts (spec, err) < 0 || validate_propagation (spec, err) < 0
      || validate_namespace_paths (spec, err) < 0)
    return -1;
  if (add_rootless_userns (ctx, spec, err) < 0 || validate_userns (spec, err) < 0
      || validate_rootless_maps (ctx, spec, err) < 0 || validate_user_ids (ctx, spec, err) < 0)
    return -1;
  return validate_devices (spec, err);
}
