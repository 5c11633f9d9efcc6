/* state_store.c: the on-disk record of containers. A directory per container, claimed by
   mkdir(2) so two creates of one id cannot both win; writers hold flock on it. */
#include "config.h"
#include "state_store.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

char *
burrow_now_rfc3339 (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  /* Formatted by hand: strftime loads the time zone (/etc/localtime) on every create. */
  snprintf (buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
  return strdup (buf);
}

static int
lock_dir (struct burrow_state_dir *d, struct burrow_error *err)
{
  while (flock (d->fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return burrow_fail_errno (err, "lock `%s`", d->path);
  /* A delete may have removed the directory while we waited for its lock. */
  struct stat st;
  if (fstat (d->fd, &st) < 0)
    return burrow_fail_errno (err, "stat `%s`", d->path);
  if (st.st_nlink == 0)
    return burrow_fail_plain (err, ENOENT, "container `%s` does not exist", d->id);
  return 0;
}

static int
dir_path (struct burrow_context *ctx, const char *id, char **out, struct burrow_error *err)
{
  if (asprintf (out, "%s/%s", ctx->state_root, id) < 0)
    return burrow_fail_errno (err, "container `%s`", id);
  return 0;
}

int
burrow_state_claim (struct burrow_context *ctx, const char *id, struct burrow_state_dir *out,
                    struct burrow_error *err)
{
  out->fd = -1;
  out->path = NULL;
  out->id = strdup (id);
  if (dir_path (ctx, id, &out->path, err) < 0)
    return -1;
  /* The root usually exists: make it (and its parents) only when mkdir says so. */
  int r = mkdir (out->path, 0700);
  if (r < 0 && errno == ENOENT)
    {
      if (burrow_mkdir_p (ctx->state_root, 0700, err) < 0)
        return burrow_error_prefix (err, "state root");
      r = mkdir (out->path, 0700);
    }
  if (r < 0)
    {
      if (errno == EEXIST)
        return burrow_fail_plain (err, EEXIST, "container `%s` already exists", id);
      return burrow_fail_errno (err, "create state directory `%s`", out->path);
    }
  out->fd = open (out->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out->fd < 0)
    return burrow_fail_errno (err, "open `%s`", out->path);
  return lock_dir (out, err);
}

int
burrow_state_open (struct burrow_context *ctx, const char *id, bool lock,
                   struct burrow_state_dir *out, struct burrow_error *err)
{
  out->fd = -1;
  out->path = NULL;
  out->id = strdup (id);
  if (dir_path (ctx, id, &out->path, err) < 0)
    return -1;
  out->fd = open (out->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out->fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return burrow_fail_plain (err, ENOENT, "container `%s` does not exist", id);
      return burrow_fail_errno (err, "open `%s`", out->path);
    }
  return lock ? lock_dir (out, err) : 0;
}

void
burrow_state_dir_close (struct burrow_state_dir *d)
{
  if (d->fd >= 0)
    close (d->fd);
  d->fd = -1;
  free (d->path);
  d->path = NULL;
  free (d->id);
  d->id = NULL;
}

int
burrow_state_dir_remove (struct burrow_state_dir *d, struct burrow_error *err)
{
  int r = 0;
  if (d->path)
    r = burrow_remove_tree (d->path, err);
  burrow_state_dir_close (d);
  return r;
}

static void
add_str (cJSON *o, const char *k, const char *v)
{
  cJSON_AddStringToObject (o, k, v ? v : "");
}

char *
burrow_state_serialize (const struct burrow_state *st)
{
  cJSON *o = cJSON_CreateObject ();
  add_str (o, "ociVersion", st->oci_version);
  add_str (o, "id", st->id);
  cJSON_AddNumberToObject (o, "pid", st->pid);
  cJSON_AddNumberToObject (o, "pidStartTime", (double)st->pid_start);
  add_str (o, "bundle", st->bundle);
  add_str (o, "rootfs", st->rootfs);
  add_str (o, "created", st->created);
  add_str (o, "owner", st->owner);
  if (st->annotations_json)
    {
      cJSON *a = cJSON_Parse (st->annotations_json);
      if (a)
        cJSON_AddItemToObject (o, "annotations", a);
    }
  cJSON_AddBoolToObject (o, "rootless", st->rootless);
  cJSON_AddBoolToObject (o, "pidNamespace", st->pid_ns);
  if (st->cgroup_json)
    {
      cJSON *c = cJSON_Parse (st->cgroup_json);
      if (c)
        cJSON_AddItemToObject (o, "cgroup", c);
    }
  if (st->network_json)
    {
      cJSON *n = cJSON_Parse (st->network_json);
      if (n)
        cJSON_AddItemToObject (o, "network", n);
    }
  char *s = cJSON_Print (o);
  cJSON_Delete (o);
  return s;
}

static char *
dup_str (const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (o, k);
  return cJSON_IsString (v) ? strdup (v->valuestring) : NULL;
}

int
burrow_state_parse (const char *text, struct burrow_state *out, struct burrow_error *err)
{
  memset (out, 0, sizeof *out);
  cJSON *o = cJSON_Parse (text);
  if (o == NULL || !cJSON_IsObject (o))
    {
      cJSON_Delete (o);
      return burrow_fail_plain (err, EINVAL, "state file is not a JSON object");
    }
  out->oci_version = dup_str (o, "ociVersion");
  out->id = dup_str (o, "id");
  out->bundle = dup_str (o, "bundle");
  out->rootfs = dup_str (o, "rootfs");
  out->created = dup_str (o, "created");
  out->owner = dup_str (o, "owner");
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive (o, "pid");
  const cJSON *start = cJSON_GetObjectItemCaseSensitive (o, "pidStartTime");
  const cJSON *ann = cJSON_GetObjectItemCaseSensitive (o, "annotations");
  out->pid = cJSON_IsNumber (pid) ? (pid_t)pid->valuedouble : 0;
  out->pid_start = cJSON_IsNumber (start) ? (unsigned long long)start->valuedouble : 0;
  out->annotations_json = cJSON_IsObject (ann) ? cJSON_PrintUnformatted (ann) : NULL;
  out->rootless = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "rootless"));
  out->pid_ns = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "pidNamespace"));
  const cJSON *cg = cJSON_GetObjectItemCaseSensitive (o, "cgroup");
  out->cgroup_json = cJSON_IsObject (cg) ? cJSON_PrintUnformatted (cg) : NULL;
  const cJSON *net = cJSON_GetObjectItemCaseSensitive (o, "network");
  out->network_json = cJSON_IsObject (net) ? cJSON_PrintUnformatted (net) : NULL;
  cJSON_Delete (o);
  if (out->id == NULL || out->pid <= 0)
    {
      burrow_state_release (out);
      return burrow_fail_plain (err, EINVAL, "state file lacks `id` or `pid`");
    }
  return 0;
}

int
burrow_state_write (const struct burrow_state_dir *d, const struct burrow_state *st,
                    struct burrow_error *err)
{
  cleanup_free char *text = burrow_state_serialize (st);
  cleanup_free char *path = NULL;
  if (text == NULL || asprintf (&path, "%s/%s", d->path, BURROW_STATE_FILE) < 0)
    return burrow_fail (err, ENOMEM, "write state of `%s`", d->id);
  return burrow_write_file_atomic (path, text, strlen (text), 0600, err);
}

int
burrow_state_read (const struct burrow_state_dir *d, struct burrow_state *out,
                   struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  if (burrow_read_file_at (d->fd, BURROW_STATE_FILE, 1 << 20, &text, NULL, err) < 0)
    {
      if (err->errnum == ENOENT)
        return burrow_fail_plain (err, ENOENT, "container `%s` is still being created", d->id);
      return burrow_error_prefix (err, "container `%s`", d->id);
    }
  if (burrow_state_parse (text, out, err) < 0)
    return burrow_error_prefix (err, "container `%s`", d->id);
  return 0;
}

void
burrow_state_release (struct burrow_state *st)
{
  free (st->oci_version);
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  free (st->annotations_json);
  free (st->cgroup_json);
  free (st->network_json);
  memset (st, 0, sizeof *st);
}
