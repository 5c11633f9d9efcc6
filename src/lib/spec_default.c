/* spec_default.c: the config.json `burrow spec` writes: runc's default, or with --rootless
   one an ordinary user can run as it stands. Printed with tabs, in runc's key order. */
#include "config.h"
#include "burrow.h"

#include "cleanup.h"
#include "error.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum when
{
  ALWAYS,
  ROOTFUL,
  ROOTLESS,
};

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct default_mount
{
  enum when when;
  const char *destination, *type, *source;
  const char *const *options;
} default_mounts[] = {
  { ALWAYS, "/proc", "proc", "proc", NULL },
  { ALWAYS, "/dev", "tmpfs", "tmpfs", STRV ("nosuid", "strictatime", "mode=755", "size=65536k") },
  /* A rootless container maps only the caller's own gid: devpts refuses an unmapped gid=5. */
  { ROOTFUL, "/dev/pts", "devpts", "devpts",
    STRV ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5") },
  { ROOTLESS, "/dev/pts", "devpts", "devpts",
    STRV ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620") },
  { ALWAYS, "/dev/shm", "tmpfs", "shm",
    STRV ("nosuid", "noexec", "nodev", "mode=1777", "size=65536k") },
  { ALWAYS, "/dev/mqueue", "mqueue", "mqueue", STRV ("nosuid", "noexec", "nodev") },
  { ROOTFUL, "/sys", "sysfs", "sysfs", STRV ("nosuid", "noexec", "nodev", "ro") },
  /* A user namespace that does not own a network namespace may not mount sysfs. */
  { ROOTLESS, "/sys", "bind", "/sys", STRV ("rbind", "nosuid", "noexec", "nodev", "ro") },
  { ROOTFUL, "/sys/fs/cgroup", "cgroup", "cgroup",
    STRV ("nosuid", "noexec", "nodev", "relatime", "ro") },
};

static const char *const default_caps[]
    = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static const char *const masked_paths[] = { "/proc/acpi",
                                            "/proc/asound",
                                            "/proc/kcore",
                                            "/proc/keys",
                                            "/proc/latency_stats",
                                            "/proc/timer_list",
                                            "/proc/timer_stats",
                                            "/proc/sched_debug",
                                            "/sys/firmware",
                                            "/proc/scsi",
                                            NULL };

static const char *const readonly_paths[]
    = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

/* cJSON's constructors return NULL when memory runs out and its adders then fail
   quietly; every addition goes through here so one flag says whether the tree is whole. */
static cJSON *
add (cJSON *parent, const char *key, cJSON *item, bool *ok)
{
  bool added
      = item && parent
        && (key ? cJSON_AddItemToObject (parent, key, item) : cJSON_AddItemToArray (parent, item));
  if (!added)
    {
      cJSON_Delete (item);
      *ok = false;
      return NULL;
    }
  return item;
}

static cJSON *
strings (const char *const *v)
{
  int n = 0;
  while (v[n])
    n++;
  return cJSON_CreateStringArray (v, n);
}

static cJSON *
build_process (const struct burrow_spec_opts *opts, bool *ok)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
  cJSON *p = cJSON_CreateObject ();
  add (p, "terminal", cJSON_CreateBool (opts->terminal), ok);
  cJSON *user = add (p, "user", cJSON_CreateObject (), ok);
  add (user, "uid", cJSON_CreateNumber (0), ok);
  add (user, "gid", cJSON_CreateNumber (0), ok);
  add (p, "args", strings (args), ok);
  add (p, "env", strings (env), ok);
  add (p, "cwd", cJSON_CreateString ("/"), ok);
  /* Like runc since 1.1.2, nothing in inheritable (CVE-2022-29162), and so nothing in
     ambient either: the kernel raises an ambient capability only if it is inheritable. */
  cJSON *caps = add (p, "capabilities", cJSON_CreateObject (), ok);
  add (caps, "bounding", strings (default_caps), ok);
  add (caps, "effective", strings (default_caps), ok);
  add (caps, "permitted", strings (default_caps), ok);
  cJSON *rlimits = add (p, "rlimits", cJSON_CreateArray (), ok);
  cJSON *nofile = add (rlimits, NULL, cJSON_CreateObject (), ok);
  add (nofile, "type", cJSON_CreateString ("RLIMIT_NOFILE"), ok);
  add (nofile, "hard", cJSON_CreateNumber (1024), ok);
  add (nofile, "soft", cJSON_CreateNumber (1024), ok);
  add (p, "noNewPrivileges", cJSON_CreateTrue (), ok);
  return p;
}

static cJSON *
build_mounts (const struct burrow_spec_opts *opts, bool *ok)
{
  cJSON *mounts = cJSON_CreateArray ();
  for (size_t i = 0; i < sizeof default_mounts / sizeof default_mounts[0]; i++)
    {
      const struct default_mount *d = &default_mounts[i];
      if ((d->when == ROOTFUL && opts->rootless) || (d->when == ROOTLESS && !opts->rootless))
        continue;
      cJSON *m = add (mounts, NULL, cJSON_CreateObject (), ok);
      add (m, "destination", cJSON_CreateString (d->destination), ok);
      add (m, "type", cJSON_CreateString (d->type), ok);
      add (m, "source", cJSON_CreateString (d->source), ok);
      if (d->options)
        add (m, "options", strings (d->options), ok);
    }
  return mounts;
}

static void
add_id_mapping (cJSON *linux_, const char *key, unsigned long host_id, bool *ok)
{
  cJSON *maps = add (linux_, key, cJSON_CreateArray (), ok);
  cJSON *m = add (maps, NULL, cJSON_CreateObject (), ok);
  add (m, "containerID", cJSON_CreateNumber (0), ok);
  add (m, "hostID", cJSON_CreateNumber ((double)host_id), ok);
  add (m, "size", cJSON_CreateNumber (1), ok);
}

static cJSON *
build_linux (const struct burrow_spec_opts *opts, bool *ok)
{
  /* Rootless: the host's network (a new namespace would be cut off unless the slirp helper
     is asked for), no cgroup namespace and no device rules: nothing may be delegated. */
  static const char *const rootful_ns[]
      = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
  static const char *const rootless_ns[] = { "pid", "ipc", "uts", "mount", "user", NULL };
  cJSON *l = cJSON_CreateObject ();
  if (opts->rootless)
    {
      add_id_mapping (l, "uidMappings", (unsigned long)opts->uid, ok);
      add_id_mapping (l, "gidMappings", (unsigned long)opts->gid, ok);
    }
  else
    {
      cJSON *res = add (l, "resources", cJSON_CreateObject (), ok);
      cJSON *devices = add (res, "devices", cJSON_CreateArray (), ok);
      cJSON *deny = add (devices, NULL, cJSON_CreateObject (), ok);
      add (deny, "allow", cJSON_CreateFalse (), ok);
      add (deny, "access", cJSON_CreateString ("rwm"), ok);
    }
  cJSON *namespaces = add (l, "namespaces", cJSON_CreateArray (), ok);
  for (const char *const *t = opts->rootless ? rootless_ns : rootful_ns; *t; t++)
    {
      cJSON *ns = add (namespaces, NULL, cJSON_CreateObject (), ok);
      add (ns, "type", cJSON_CreateString (*t), ok);
    }
  if (opts->rootless && opts->network_slirp)
    add (add (namespaces, NULL, cJSON_CreateObject (), ok), "type", cJSON_CreateString ("network"),
         ok);
  add (l, "maskedPaths", strings (masked_paths), ok);
  add (l, "readonlyPaths", strings (readonly_paths), ok);
  return l;
}

/* run.burrow.network* (--network slirp) and run.burrow.rootfs.* (--overlay). */
static cJSON *
annotations (const struct burrow_spec_opts *opts, bool *ok)
{
  cJSON *a = cJSON_CreateObject ();
  if (opts->overlay)
    {
      add (a, "run.burrow.rootfs.overlay", cJSON_CreateString (opts->overlay), ok);
      if (opts->overlay_upper)
        add (a, "run.burrow.rootfs.upper", cJSON_CreateString (opts->overlay_upper), ok);
    }
  if (!opts->network_slirp)
    return a;
  add (a, "run.burrow.network", cJSON_CreateString ("slirp"), ok);
  if (opts->allow_host_loopback)
    add (a, "run.burrow.network.allow-host-loopback", cJSON_CreateString ("true"), ok);
  if (opts->publish && opts->publish[0])
    {
      cleanup_free char *list = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&list, &len);
      if (f == NULL)
        {
          *ok = false;
          return a;
        }
      for (char *const *p = opts->publish; *p; p++)
        fprintf (f, "%s%s", p == opts->publish ? "" : ",", *p);
      if (fclose (f) != 0)
        *ok = false;
      else
        add (a, "run.burrow.network.publish", cJSON_CreateString (list), ok);
    }
  return a;
}

static void
indent (FILE *f, int depth)
{
  for (int i = 0; i < depth; i++)
    fputc ('\t', f);
}

/* Go's json.MarshalIndent with a tab, as runc prints: one member or element per line,
   "key": value, empty containers as {} and []. cJSON_Print would put arrays on one line. */
static void
print_node (FILE *f, const cJSON *node, int depth, bool *ok)
{
  bool object = cJSON_IsObject (node);
  if (object || cJSON_IsArray (node))
    {
      if (node->child == NULL)
        {
          fputs (object ? "{}" : "[]", f);
          return;
        }
      fputc (object ? '{' : '[', f);
      for (const cJSON *c = node->child; c; c = c->next)
        {
          fputc ('\n', f);
          indent (f, depth + 1);
          /* Keys are this file's own ASCII names: nothing to escape. */
          if (object)
            fprintf (f, "\"%s\": ", c->string);
          print_node (f, c, depth + 1, ok);
          if (c->next)
            fputc (',', f);
        }
      fputc ('\n', f);
      indent (f, depth);
      fputc (object ? '}' : ']', f);
      return;
    }
  char *leaf = cJSON_PrintUnformatted (node);
  if (leaf == NULL)
    *ok = false;
  else
    fputs (leaf, f);
  cJSON_free (leaf);
}

static void
cleanup_cjsonp (cJSON **j)
{
  cJSON_Delete (*j);
}

int
burrow_spec_generate (const struct burrow_spec_opts *opts, char **json_out,
                      struct burrow_error *err)
{
  __attribute__ ((cleanup (cleanup_cjsonp))) cJSON *spec = cJSON_CreateObject ();
  cleanup_free char *buf = NULL;
  size_t len = 0;
  bool ok = true;

  add (spec, "ociVersion", cJSON_CreateString ("1.2.0"), &ok);
  add (spec, "process", build_process (opts, &ok), &ok);
  cJSON *root = add (spec, "root", cJSON_CreateObject (), &ok);
  add (root, "path", cJSON_CreateString ("rootfs"), &ok);
  /* A rootless user mostly starts from an unpacked image to play in: keep it writable. */
  add (root, "readonly", cJSON_CreateBool (!opts->rootless), &ok);
  add (spec, "hostname", cJSON_CreateString ("burrow"), &ok);
  add (spec, "mounts", build_mounts (opts, &ok), &ok);
  add (spec, "linux", build_linux (opts, &ok), &ok);
  if (opts->network_slirp || opts->overlay)
    add (spec, "annotations", annotations (opts, &ok), &ok);
  if (!ok)
    return burrow_fail (err, ENOMEM, "spec");

  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return burrow_fail_errno (err, "spec");
  print_node (f, spec, 0, &ok);
  fputc ('\n', f);
  if (fclose (f) != 0 || !ok)
    return burrow_fail (err, ENOMEM, "spec");
  *json_out = steal_ptr (&buf);
  return 0;
}
