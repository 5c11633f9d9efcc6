/* container_state.c: what a recorded container is now (created, running, stopped), and
   the `state` and `list` views of it. */
#include "config.h"
#include "container.h"

#include "cgroup.h"
#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "hooks.h"
#include "rootfs_overlay.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *
burrow_status_name (enum burrow_status s)
{
  switch (s)
    {
    case BURROW_STATUS_CREATED:
      return "created";
    case BURROW_STATUS_RUNNING:
      return "running";
    default:
      return "stopped";
    }
}

const char *
burrow_proc_stat_fields (pid_t pid, char *buf, size_t size)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  ssize_t n = read (fd, buf, size - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  /* The command name may hold spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return NULL;
  return p + 2;
}

int
burrow_pid_start_time (pid_t pid, unsigned long long *start)
{
  char buf[1024];
  const char *p = burrow_proc_stat_fields (pid, buf, sizeof buf);
  if (p == NULL)
    return -1;
  char state = p[0];
  if (state == 'Z' || state == 'X' || state == 'x')
    return -1;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return -1;
      p++;
    }
  *start = strtoull (p, NULL, 10);
  return 0;
}

int
burrow_open_live (struct burrow_context *ctx, const char *id, struct burrow_state_dir *d,
                  struct burrow_state *st, struct burrow_error *err)
{
  if (burrow_state_open (ctx, id, false, d, err) < 0 || burrow_state_read (d, st, err) < 0)
    return -1;
  int pidfd = burrow_state_pidfd (st);
  if (pidfd < 0)
    return burrow_fail_plain (err, ESRCH, "container `%s` is not running", id);
  return pidfd;
}

int
burrow_state_pidfd (const struct burrow_state *st)
{
  int pidfd = syscall (SYS_pidfd_open, st->pid, 0);
  if (pidfd < 0)
    return -1;
  /* Checked after opening the pidfd: it pins the process, so a match now is final. */
  unsigned long long start;
  if (burrow_pid_start_time (st->pid, &start) < 0 || start != st->pid_start)
    {
      close (pidfd);
      errno = ESRCH;
      return -1;
    }
  return pidfd;
}

enum burrow_status
burrow_container_status (const struct burrow_state_dir *d, const struct burrow_state *st)
{
  unsigned long long start;
  if (burrow_pid_start_time (st->pid, &start) < 0 || start != st->pid_start)
    return BURROW_STATUS_STOPPED;
  struct stat sb;
  if (fstatat (d->fd, BURROW_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0)
    return BURROW_STATUS_CREATED;
  return BURROW_STATUS_RUNNING;
}

int
burrow_pidfd_wait_exit (int pidfd, int timeout_ms)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int r;
  do
    r = poll (&p, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  return r > 0 ? 0 : -1;
}

/* runc shows a live container whose cgroup is frozen as paused. */
bool
burrow_state_paused (const struct burrow_state *st)
{
  struct burrow_cgroup cg;
  struct burrow_error ignored;
  if (st->cgroup_json == NULL || burrow_cgroup_from_state (st->cgroup_json, &cg, &ignored) < 0)
    return false;
  bool paused = burrow_cgroup_is_frozen (&cg) == 1;
  burrow_cgroup_release (&cg);
  return paused;
}

/* The owner is looked up when shown, not at every create (getpwuid is NSS work). */
static char *
owner_name (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);
  char *s = NULL;
  if (pw)
    return strdup (pw->pw_name);
  if (asprintf (&s, "#%u", uid) < 0)
    return NULL;
  return s;
}

static int
load_info (struct burrow_context *ctx, const char *id, struct burrow_container_info *out,
           struct burrow_error *err)
{
  struct burrow_state_dir d;
  struct burrow_state st;
  memset (out, 0, sizeof *out);
  if (burrow_state_open (ctx, id, false, &d, err) < 0 || burrow_state_read (&d, &st, err) < 0)
    {
      burrow_state_dir_close (&d);
      return -1;
    }
  enum burrow_status s = burrow_container_status (&d, &st);
  out->id = steal_ptr (&st.id);
  out->pid = s == BURROW_STATUS_STOPPED ? 0 : st.pid;
  out->status = strdup (
      s != BURROW_STATUS_STOPPED && burrow_state_paused (&st) ? "paused" : burrow_status_name (s));
  out->bundle = steal_ptr (&st.bundle);
  out->rootfs = steal_ptr (&st.rootfs);
  out->created = steal_ptr (&st.created);
  out->owner = steal_ptr (&st.owner);
  struct stat sb;
  if ((out->owner == NULL || out->owner[0] == '\0') && fstat (d.fd, &sb) == 0)
    {
      free (out->owner);
      out->owner = owner_name (sb.st_uid);
    }
  out->annotations_json = steal_ptr (&st.annotations_json);
  burrow_state_release (&st);
  burrow_state_dir_close (&d);
  return 0;
}

static void
info_release (struct burrow_container_info *i)
{
  free (i->id);
  free (i->status);
  free (i->bundle);
  free (i->rootfs);
  free (i->created);
  free (i->owner);
  free (i->annotations_json);
}

/* runc's state object: exactly these field names, in this order. */
static cJSON *
info_to_json (const struct burrow_container_info *i)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "ociVersion", "1.2.0");
  cJSON_AddStringToObject (o, "id", i->id);
  cJSON_AddNumberToObject (o, "pid", i->pid);
  cJSON_AddStringToObject (o, "status", i->status);
  cJSON_AddStringToObject (o, "bundle", i->bundle ? i->bundle : "");
  cJSON_AddStringToObject (o, "rootfs", i->rootfs ? i->rootfs : "");
  cJSON_AddStringToObject (o, "created", i->created ? i->created : "");
  cJSON_AddStringToObject (o, "owner", i->owner ? i->owner : "");
  cJSON *a = i->annotations_json ? cJSON_Parse (i->annotations_json) : NULL;
  if (a && cJSON_GetArraySize (a) > 0)
    cJSON_AddItemToObject (o, "annotations", a);
  else
    cJSON_Delete (a);
  return o;
}

/* Go's json.MarshalIndent uses two spaces; cJSON uses tabs (never inside strings, where
   a tab is escaped), so the swap is safe. */
static char *
print_two_space (cJSON *o)
{
  cleanup_free char *s = cJSON_Print (o);
  if (s == NULL)
    return NULL;
  size_t tabs = 0;
  for (char *p = s; *p; p++)
    tabs += *p == '\t';
  char *out = malloc (strlen (s) + tabs + 1), *q = out;
  if (out == NULL)
    return NULL;
  for (char *p = s; *p; p++)
    if (*p == '\t')
      {
        *q++ = ' ';
        *q++ = ' ';
      }
    else
      *q++ = *p;
  *q = '\0';
  return out;
}

/* Extra fields, like runc's: which overlay root create mounted (kernel or fuse), and the
   network helper it started ({"type": "slirp", "helperPid": N, "apiSocket": PATH}). */
static void
add_extras (struct burrow_context *ctx, const char *id, cJSON *o)
{
  struct burrow_state_dir d;
  struct burrow_state st;
  struct burrow_error ignored;
  if (burrow_state_open (ctx, id, false, &d, &ignored) == 0)
    {
      cleanup_free char *mode = burrow_overlay_recorded_mode (&d);
      if (mode)
        cJSON_AddStringToObject (o, "rootfsOverlay", mode);
      if (burrow_state_read (&d, &st, &ignored) == 0)
        {
          cJSON *net = st.network_json ? cJSON_Parse (st.network_json) : NULL;
          cJSON_DeleteItemFromObjectCaseSensitive (net, "helperPidStartTime");
          if (cJSON_IsObject (net))
            cJSON_AddItemToObject (o, "network", net);
          else
            cJSON_Delete (net);
          burrow_state_release (&st);
        }
    }
  burrow_state_dir_close (&d);
}

int
burrow_container_state_json (struct burrow_context *ctx, const char *id, char **json_out,
                             struct burrow_error *err)
{
  struct burrow_container_info info;
  if (load_info (ctx, id, &info, err) < 0)
    return -1;
  cJSON *o = info_to_json (&info);
  add_extras (ctx, id, o);
  info_release (&info);
  *json_out = print_two_space (o);
  cJSON_Delete (o);
  return *json_out ? 0 : burrow_fail (err, ENOMEM, "state of `%s`", id);
}

static int
cmp_info (const void *a, const void *b)
{
  return strcmp (((const struct burrow_container_info *)a)->id,
                 ((const struct burrow_container_info *)b)->id);
}

int
burrow_container_list (struct burrow_context *ctx, struct burrow_container_info **out,
                       size_t *n_out, struct burrow_error *err)
{
  *out = NULL;
  *n_out = 0;
  cleanup_dir DIR *dir = opendir (ctx->state_root);
  if (dir == NULL)
    return errno == ENOENT ? 0 : burrow_fail_errno (err, "list `%s`", ctx->state_root);
  size_t n = 0, cap = 0;
  struct burrow_container_info *list = NULL;
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      if (n == cap)
        {
          cap = cap ? cap * 2 : 16;
          struct burrow_container_info *nl = realloc (list, cap * sizeof *list);
          if (nl == NULL)
            {
              burrow_container_info_list_free (list, n);
              return burrow_fail_errno (err, "list containers");
            }
          list = nl;
        }
      struct burrow_error ignored;
      /* One being created or deleted right now is simply not listed. */
      if (load_info (ctx, de->d_name, &list[n], &ignored) == 0)
        n++;
    }
  qsort (list, n, sizeof *list, cmp_info);
  *out = list;
  *n_out = n;
  return 0;
}

void
burrow_container_info_list_free (struct burrow_container_info *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    info_release (&list[i]);
  free (list);
}

int
burrow_container_list_json (const struct burrow_container_info *list, size_t n, char **json_out,
                            struct burrow_error *err)
{
  cJSON *a = cJSON_CreateArray ();
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToArray (a, info_to_json (&list[i]));
  *json_out = cJSON_PrintUnformatted (a);
  cJSON_Delete (a);
  return *json_out ? 0 : burrow_fail (err, ENOMEM, "list containers");
}

char *
burrow_hook_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                        const cJSON *annotations)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddStringToObject (o, "ociVersion", "1.2.0");
  cJSON_AddStringToObject (o, "id", id);
  cJSON_AddStringToObject (o, "status", status);
  if (pid > 0)
    cJSON_AddNumberToObject (o, "pid", pid);
  cJSON_AddStringToObject (o, "bundle", bundle ? bundle : "");
  if (cJSON_IsObject (annotations) && cJSON_GetArraySize (annotations) > 0)
    cJSON_AddItemToObject (o, "annotations", cJSON_Duplicate (annotations, true));
  char *s = cJSON_PrintUnformatted (o);
  cJSON_Delete (o);
  return s;
}

cJSON *
burrow_state_json_file (const struct burrow_state_dir *d, const char *name)
{
  cleanup_free char *text = NULL;
  struct burrow_error ignored;
  if (burrow_read_file_at (d->fd, name, 16 << 20, &text, NULL, &ignored) < 0)
    return NULL;
  return cJSON_Parse (text);
}

cJSON *
burrow_saved_hooks (const struct burrow_state_dir *d)
{
  return burrow_state_json_file (d, BURROW_HOOKS_FILE);
}

int
burrow_saved_hooks_run (const struct burrow_state_dir *d, const struct burrow_state *st, int kind,
                        const char *status, pid_t pid, bool warn_only, struct burrow_error *err)
{
  cJSON *hooks = burrow_saved_hooks (d);
  if (hooks == NULL || !burrow_hooks_has (hooks, kind))
    {
      cJSON_Delete (hooks);
      return 0;
    }
  cJSON *ann = st->annotations_json ? cJSON_Parse (st->annotations_json) : NULL;
  cleanup_free char *json = burrow_hook_state_json (st->id, status, pid, st->bundle, ann);
  cJSON_Delete (ann);
  int r;
  if (warn_only)
    r = burrow_hooks_run_warn (hooks, kind, json) > 0 ? 0 : 0;
  else
    r = burrow_hooks_run (hooks, kind, json, err);
  cJSON_Delete (hooks);
  return r;
}
