/* spec_load.c: config.json into struct burrow_spec. Presence and JSON types only, each
   error naming the field's path; what the values mean is spec_validate.c's business. */
#include "config.h"
#include "spec.h"

#include "capabilities.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "spec_json.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

#define CONFIG_MAX_MIB 16

static const struct
{
  const char *name;
  int resource;
} rlimit_types[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
parse_rlimit (const cJSON *item, const char *path, void *elem, void *data, struct burrow_error *err)
{
  struct burrow_rlimit *rl = elem;
  const struct burrow_process *p = data;
  cleanup_free char *type = NULL;
  char type_path[SPEC_FIELD_MAX];
  if (spec_get_string (item, path, "type", true, &type, err) < 0
      || spec_get_uint (item, path, "soft", true, UINT64_MAX, &rl->soft, NULL, err) < 0
      || spec_get_uint (item, path, "hard", true, UINT64_MAX, &rl->hard, NULL, err) < 0)
    return -1;
  spec_join_key (type_path, path, "type");
  for (size_t i = 0; i < sizeof rlimit_types / sizeof rlimit_types[0]; i++)
    if (strcmp (type, rlimit_types[i].name) == 0)
      {
        for (const struct burrow_rlimit *o = p->rlimits; o < rl; o++)
          if (o->resource == rlimit_types[i].resource)
            return spec_field_error (err, type_path, "%s is listed twice", type);
        rl->name = rlimit_types[i].name;
        rl->resource = rlimit_types[i].resource;
        return 0;
      }
  return spec_field_error (err, type_path, "is an unknown rlimit type `%s`", type);
}

/* runc skips names it does not know (a newer kernel's capability in an older runtime)
   with a warning rather than refusing the container; so do we. */
static int
parse_cap_set (const cJSON *caps, const char *key, uint64_t *mask, struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX], item_path[SPEC_FIELD_MAX];
  const cJSON *arr, *it;
  size_t i = 0;
  if (spec_get_array (caps, "process.capabilities", key, &arr, err) < 0)
    return -1;
  spec_join_key (path, "process.capabilities", key);
  cJSON_ArrayForEach (it, arr)
  {
    spec_join_index (item_path, path, i++);
    if (!cJSON_IsString (it))
      return spec_field_error (err, item_path, "must be a string");
    int cap = burrow_cap_from_name (it->valuestring);
    if (cap < 0 || cap > 63)
      {
        burrow_log (BURROW_LOG_WARNING, "config.json: `%s`: unknown capability `%s` ignored",
                    item_path, it->valuestring);
        continue;
      }
    *mask |= 1ULL << cap;
  }
  return 0;
}

static int
parse_caps (const cJSON *proc, struct burrow_process *p, struct burrow_error *err)
{
  const cJSON *caps;
  if (spec_get_object (proc, "process", "capabilities", false, &caps, err) < 0)
    return -1;
  if (caps == NULL)
    return 0;
  p->has_caps = true;
  if (parse_cap_set (caps, "bounding", &p->caps.bounding, err) < 0
      || parse_cap_set (caps, "effective", &p->caps.effective, err) < 0
      || parse_cap_set (caps, "inheritable", &p->caps.inheritable, err) < 0
      || parse_cap_set (caps, "permitted", &p->caps.permitted, err) < 0
      || parse_cap_set (caps, "ambient", &p->caps.ambient, err) < 0)
    return -1;
  return 0;
}

static int
parse_user (const cJSON *proc, struct burrow_user *u, struct burrow_error *err)
{
  const char *up = "process.user";
  char path[SPEC_FIELD_MAX];
  const cJSON *user, *gids, *it;
  uint32_t umask_v = 0;
  size_t i = 0;
  if (spec_get_object (proc, "process", "user", false, &user, err) < 0)
    return -1;
  if (user == NULL)
    return 0;
  if (spec_get_u32 (user, up, "uid", false, &u->uid, NULL, err) < 0
      || spec_get_u32 (user, up, "gid", false, &u->gid, NULL, err) < 0
      || spec_get_u32 (user, up, "umask", false, &umask_v, &u->has_umask, err) < 0
      || spec_get_array (user, up, "additionalGids", &gids, err) < 0)
    return -1;
  u->umask = (mode_t)umask_v;
  if (gids == NULL || cJSON_GetArraySize (gids) == 0)
    return 0;
  u->additional_gids = calloc (cJSON_GetArraySize (gids), sizeof *u->additional_gids);
  if (u->additional_gids == NULL)
    return spec_no_memory (err);
  cJSON_ArrayForEach (it, gids)
  {
    uint64_t gid;
    if (spec_want_uint (it, spec_join_index (path, "process.user.additionalGids", i), UINT32_MAX,
                        &gid, err)
        < 0)
      return -1;
    u->additional_gids[i] = (uint32_t)gid;
    u->n_additional_gids = ++i;
  }
  return 0;
}

static int
parse_console_size (const cJSON *proc, struct burrow_process *p, struct burrow_error *err)
{
  const cJSON *cs;
  uint64_t h = 0, w = 0;
  if (spec_get_object (proc, "process", "consoleSize", false, &cs, err) < 0)
    return -1;
  if (cs == NULL)
    return 0;
  if (spec_get_uint (cs, "process.consoleSize", "height", true, UINT_MAX, &h, NULL, err) < 0
      || spec_get_uint (cs, "process.consoleSize", "width", true, UINT_MAX, &w, NULL, err) < 0)
    return -1;
  p->has_console_size = true;
  p->console_height = (unsigned int)h;
  p->console_width = (unsigned int)w;
  return 0;
}

/* proc may be NULL: the vectors are still allocated, so users never meet a NULL one. */
static int
parse_process (const cJSON *proc, struct burrow_process *p, struct burrow_error *err)
{
  if (spec_get_strv (proc, "process", "args", &p->args, &p->n_args, err) < 0
      || spec_get_strv (proc, "process", "env", &p->env, &p->n_env, err) < 0)
    return -1;
  if (proc == NULL)
    return 0;
  if (spec_get_bool (proc, "process", "terminal", &p->terminal, err) < 0
      || parse_console_size (proc, p, err) < 0 || parse_user (proc, &p->user, err) < 0
      || spec_get_string (proc, "process", "cwd", false, &p->cwd, err) < 0
      || parse_caps (proc, p, err) < 0
      || GET_STRUCT_ARRAY (proc, "process", "rlimits", p->rlimits, p->n_rlimits, parse_rlimit, p,
                           err)
             < 0
      || spec_get_bool (proc, "process", "noNewPrivileges", &p->no_new_privileges, err) < 0
      || spec_get_string (proc, "process", "apparmorProfile", false, &p->apparmor_profile, err) < 0
      || spec_get_string (proc, "process", "selinuxLabel", false, &p->selinux_label, err) < 0
      || spec_get_object (proc, "process", "scheduler", false, &p->scheduler, err) < 0
      || spec_get_object (proc, "process", "ioPriority", false, &p->io_priority, err) < 0
      || spec_get_object (proc, "process", "execCPUAffinity", false, &p->exec_cpu_affinity, err)
             < 0)
    return -1;
  int64_t oom = 0;
  if (spec_get_int (proc, "process", "oomScoreAdj", INT_MIN, INT_MAX, &oom, &p->has_oom_score_adj,
                    err)
      < 0)
    return -1;
  p->oom_score_adj = (int)oom;
  return 0;
}

static int
parse_namespace (const cJSON *it, const char *path, void *elem, void *data,
                 struct burrow_error *err)
{
  struct burrow_linux *l = data;
  char type_path[SPEC_FIELD_MAX];
  cleanup_free char *type = NULL;
  cleanup_free char *ns_path = NULL;
  int t;
  if (spec_get_string (it, path, "type", true, &type, err) < 0
      || spec_get_string (it, path, "path", false, &ns_path, err) < 0)
    return -1;
  spec_join_key (type_path, path, "type");
  for (t = 0; t < BURROW_NS_COUNT; t++)
    if (strcmp (type, burrow_ns_name (t)) == 0)
      break;
  if (t == BURROW_NS_COUNT)
    return spec_field_error (err, type_path, "is an unknown namespace type `%s`", type);
  if (l->namespaces[t].present)
    return spec_field_error (err, type_path, "lists the %s namespace twice", type);
  l->namespaces[t].present = true;
  l->namespaces[t].path = steal_ptr (&ns_path);
  return 0;
}

static int
parse_id_mapping (const cJSON *it, const char *path, void *elem, void *data,
                  struct burrow_error *err)
{
  struct burrow_id_mapping *m = elem;
  if (spec_get_u32 (it, path, "containerID", true, &m->container_id, NULL, err) < 0
      || spec_get_u32 (it, path, "hostID", true, &m->host_id, NULL, err) < 0
      || spec_get_u32 (it, path, "size", true, &m->size, NULL, err) < 0)
    return -1;
  return 0;
}

static int
parse_mount (const cJSON *it, const char *path, void *elem, void *data, struct burrow_error *err)
{
  struct burrow_mount *m = elem;
  if (spec_get_string (it, path, "destination", true, &m->destination, err) < 0
      || spec_get_string (it, path, "type", false, &m->type, err) < 0
      || spec_get_string (it, path, "source", false, &m->source, err) < 0
      || spec_get_strv (it, path, "options", &m->options, &m->n_options, err) < 0
      || GET_STRUCT_ARRAY (it, path, "uidMappings", m->uid_mappings, m->n_uid_mappings,
                           parse_id_mapping, NULL, err)
             < 0
      || GET_STRUCT_ARRAY (it, path, "gidMappings", m->gid_mappings, m->n_gid_mappings,
                           parse_id_mapping, NULL, err)
             < 0)
    return -1;
  return 0;
}

static int
parse_device (const cJSON *it, const char *path, void *elem, void *data, struct burrow_error *err)
{
  struct burrow_device *d = elem;
  char field[SPEC_FIELD_MAX];
  cleanup_free char *type = NULL;
  uint32_t mode = 0;
  if (spec_get_string (it, path, "path", true, &d->path, err) < 0
      || spec_get_string (it, path, "type", true, &type, err) < 0)
    return -1;
  if (strlen (type) != 1)
    return spec_field_error (err, spec_join_key (field, path, "type"),
                             "must be one character (c, b, u, p)");
  d->type = type[0];
  bool has_major, has_minor;
  if (spec_get_int (it, path, "major", INT64_MIN, INT64_MAX, &d->major, &has_major, err) < 0
      || spec_get_int (it, path, "minor", INT64_MIN, INT64_MAX, &d->minor, &has_minor, err) < 0)
    return -1;
  if (spec_get_u32 (it, path, "fileMode", false, &mode, &d->has_file_mode, err) < 0
      || spec_get_u32 (it, path, "uid", false, &d->uid, &d->has_uid, err) < 0
      || spec_get_u32 (it, path, "gid", false, &d->gid, &d->has_gid, err) < 0)
    return -1;
  d->file_mode = (mode_t)mode;
  return 0;
}

/* lx may be NULL: the path vectors are still allocated. */
static int
parse_linux (const cJSON *lx, struct burrow_linux *l, struct burrow_error *err)
{
  if (spec_get_strv (lx, "linux", "maskedPaths", &l->masked_paths, &l->n_masked_paths, err) < 0
      || spec_get_strv (lx, "linux", "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths, err)
             < 0)
    return -1;
  if (lx == NULL)
    return 0;
  if (spec_get_object_array (lx, "linux", "namespaces", 0, NULL, NULL, parse_namespace, l, err) < 0
      || GET_STRUCT_ARRAY (lx, "linux", "uidMappings", l->uid_mappings, l->n_uid_mappings,
                           parse_id_mapping, NULL, err)
             < 0
      || GET_STRUCT_ARRAY (lx, "linux", "gidMappings", l->gid_mappings, l->n_gid_mappings,
                           parse_id_mapping, NULL, err)
             < 0
      || GET_STRUCT_ARRAY (lx, "linux", "devices", l->devices, l->n_devices, parse_device, NULL,
                           err)
             < 0
      || spec_get_string_map (lx, "linux", "sysctl", &l->sysctl, &l->n_sysctl, err) < 0
      || spec_get_string (lx, "linux", "rootfsPropagation", false, &l->rootfs_propagation, err) < 0
      || spec_get_string (lx, "linux", "cgroupsPath", false, &l->cgroups_path, err) < 0
      || spec_get_string (lx, "linux", "mountLabel", false, &l->mount_label, err) < 0
      || spec_get_object (lx, "linux", "resources", false, &l->resources, err) < 0
      || spec_get_object (lx, "linux", "seccomp", false, &l->seccomp, err) < 0
      || spec_get_object (lx, "linux", "timeOffsets", false, &l->time_offsets, err) < 0
      || spec_get_object (lx, "linux", "personality", false, &l->personality, err) < 0)
    return -1;
  return 0;
}

/* rootfs is not resolved here: symlinks in it are for the mount code to handle safely. */
static int
parse_root (const cJSON *doc, struct burrow_spec *spec, struct burrow_error *err)
{
  const cJSON *root;
  if (spec_get_object (doc, "", "root", true, &root, err) < 0
      || spec_get_string (root, "root", "path", true, &spec->root_path, err) < 0
      || spec_get_bool (root, "root", "readonly", &spec->root_readonly, err) < 0)
    return -1;
  const char *p = spec->root_path;
  size_t blen = strlen (spec->bundle);
  while (blen > 1 && spec->bundle[blen - 1] == '/')
    blen--;
  int r = p[0] == '/' ? asprintf (&spec->rootfs, "%s", p)
                      : asprintf (&spec->rootfs, "%.*s%s%s", (int)blen, spec->bundle,
                                  spec->bundle[blen - 1] == '/' ? "" : "/", p);
  if (r < 0)
    {
      spec->rootfs = NULL;
      return spec_no_memory (err);
    }
  return 0;
}

static int
parse_document (const cJSON *doc, struct burrow_spec *spec, struct burrow_error *err)
{
  const cJSON *proc, *lx;
  if (!cJSON_IsObject (doc))
    return spec_invalid (err, "config.json: the top level must be a JSON object");
  if (spec_get_string (doc, "", "ociVersion", true, &spec->oci_version, err) < 0
      || parse_root (doc, spec, err) < 0
      || spec_get_object (doc, "", "process", false, &proc, err) < 0
      || parse_process (proc, &spec->process, err) < 0)
    return -1;
  spec->has_process = proc != NULL;
  if (spec_get_string (doc, "", "hostname", false, &spec->hostname, err) < 0
      || spec_get_string (doc, "", "domainname", false, &spec->domainname, err) < 0
      || GET_STRUCT_ARRAY (doc, "", "mounts", spec->mounts, spec->n_mounts, parse_mount, NULL, err)
             < 0
      || spec_get_string_map (doc, "", "annotations", &spec->annotations, &spec->n_annotations, err)
             < 0
      || spec_get_object (doc, "", "hooks", false, &spec->hooks, err) < 0
      || spec_get_object (doc, "", "linux", false, &lx, err) < 0
      || parse_linux (lx, &spec->linux_, err) < 0)
    return -1;
  return 0;
}

/* cJSON reports where it stopped as a pointer; people want a line and a column. */
static void
text_position (const char *text, const char *at, unsigned *line, unsigned *col)
{
  const char *bol = text;
  *line = 1;
  for (const char *p = text; p < at && *p; p++)
    if (*p == '\n')
      {
        (*line)++;
        bol = p + 1;
      }
  *col = (unsigned)(at - bol) + 1;
}

static void
cleanup_specp (struct burrow_spec **spec)
{
  burrow_spec_free (*spec);
}

int
burrow_spec_parse (const char *text, const char *bundle, struct burrow_spec **out,
                   struct burrow_error *err)
{
  __attribute__ ((cleanup (cleanup_specp))) struct burrow_spec *spec = NULL;
  const char *end = NULL;
  unsigned line, col;
  if (bundle == NULL || bundle[0] != '/')
    return spec_invalid (err, "bundle `%s` must be an absolute path", bundle ? bundle : "");
  if ((spec = calloc (1, sizeof *spec)) == NULL || (spec->bundle = strdup (bundle)) == NULL)
    return spec_no_memory (err);
  /* The end pointer rather than cJSON_GetErrorPtr: that one is a global, shared with
     every other thread parsing JSON. */
  spec->json = cJSON_ParseWithOpts (text, &end, true);
  if (spec->json == NULL)
    {
      text_position (text, end ? end : text, &line, &col);
      return spec_invalid (err, "config.json is not valid JSON (line %u, column %u)", line, col);
    }
  if (parse_document (spec->json, spec, err) < 0)
    return -1;
  *out = steal_ptr (&spec);
  return 0;
}

int
burrow_spec_load (const char *bundle, struct burrow_spec **out, struct burrow_error *err)
{
  const char *dir = bundle && bundle[0] ? bundle : ".";
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *abs = NULL;

  if (asprintf (&path, "%s/config.json", dir) < 0)
    return spec_no_memory (err);
  if (burrow_read_file (path, (size_t)CONFIG_MAX_MIB << 20, &text, NULL, err) < 0)
    {
      if (err->errnum == EFBIG)
        return burrow_fail (err, EFBIG, "bundle `%s`: config.json is larger than %d MiB", dir,
                            CONFIG_MAX_MIB);
      return burrow_fail (err, err->errnum, "bundle `%s`: cannot read config.json", dir);
    }
  abs = realpath (dir, NULL);
  if (abs == NULL)
    return burrow_fail_errno (err, "bundle `%s`", dir);
  return burrow_spec_parse (text, abs, out, err);
}

/* Counts are only ever set once their array exists, so no NULL checks are needed. */
static void
free_strv_n (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static void
free_kv (struct burrow_kv *kv, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

static void
free_process (struct burrow_process *p)
{
  free (p->user.additional_gids);
  free_strv_n (p->args, p->n_args);
  free_strv_n (p->env, p->n_env);
  free (p->cwd);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
}

static void
free_linux (struct burrow_linux *l)
{
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    free (l->namespaces[t].path);
  free (l->uid_mappings);
  free (l->gid_mappings);
  for (size_t i = 0; i < l->n_devices; i++)
    free (l->devices[i].path);
  free (l->devices);
  free_kv (l->sysctl, l->n_sysctl);
  free_strv_n (l->masked_paths, l->n_masked_paths);
  free_strv_n (l->readonly_paths, l->n_readonly_paths);
  free (l->rootfs_propagation);
  free (l->cgroups_path);
  free (l->mount_label);
}

void
burrow_spec_free (struct burrow_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->oci_version);
  free (spec->bundle);
  free (spec->root_path);
  free (spec->rootfs);
  free (spec->hostname);
  free (spec->domainname);
  free_process (&spec->process);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      free (spec->mounts[i].destination);
      free (spec->mounts[i].type);
      free (spec->mounts[i].source);
      free_strv_n (spec->mounts[i].options, spec->mounts[i].n_options);
      free (spec->mounts[i].uid_mappings);
      free (spec->mounts[i].gid_mappings);
    }
  free (spec->mounts);
  free_linux (&spec->linux_);
  free_kv (spec->annotations, spec->n_annotations);
  cJSON_Delete (spec->json);
  free (spec);
}

const char *
burrow_ns_name (enum burrow_ns_type t)
{
  static const char *const names[BURROW_NS_COUNT] = {
    [BURROW_NS_PID] = "pid",       [BURROW_NS_NETWORK] = "network", [BURROW_NS_MOUNT] = "mount",
    [BURROW_NS_IPC] = "ipc",       [BURROW_NS_UTS] = "uts",         [BURROW_NS_USER] = "user",
    [BURROW_NS_CGROUP] = "cgroup", [BURROW_NS_TIME] = "time",
  };
  return (unsigned)t < BURROW_NS_COUNT ? names[t] : NULL;
}

int
burrow_ns_clone_flag (enum burrow_ns_type t)
{
  static const int flags[BURROW_NS_COUNT] = {
    [BURROW_NS_PID] = CLONE_NEWPID,       [BURROW_NS_NETWORK] = CLONE_NEWNET,
    [BURROW_NS_MOUNT] = CLONE_NEWNS,      [BURROW_NS_IPC] = CLONE_NEWIPC,
    [BURROW_NS_UTS] = CLONE_NEWUTS,       [BURROW_NS_USER] = CLONE_NEWUSER,
    [BURROW_NS_CGROUP] = CLONE_NEWCGROUP, [BURROW_NS_TIME] = CLONE_NEWTIME,
  };
  return (unsigned)t < BURROW_NS_COUNT ? flags[t] : 0;
}

int
burrow_process_parse (const cJSON *proc, struct burrow_process *out, struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  if (!cJSON_IsObject (proc))
    return spec_invalid (err, "process: must be a JSON object");
  if (parse_process (proc, out, err) < 0)
    {
      free_process (out);
      return -1;
    }
  return 0;
}

void
burrow_process_release (struct burrow_process *p)
{
  free_process (p);
  memset (p, 0, sizeof *p);
}
