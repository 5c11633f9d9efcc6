/* features.c: `features`: the runtime-spec Features structure (features.md,
   features-linux.md): what this build of burrow recognizes, as runc prints it. */
#include "config.h"
#include "cgroup.h"
#include "burrow.h"

#include "capabilities.h"
#include "cleanup.h"
#include "error.h"
#include "seccomp_filter.h"
#include "lsm.h"
#include "mount_options.h"
#include "spec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

static const char *const hook_names[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The spec's flags; `probe` is what the kernel must accept for the flag to be usable
   (WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER). */
static const struct
{
  const char *name;
  unsigned long probe;
} seccomp_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER },
};

/* libseccomp's own test: the kernel checks the flags before it reads the program, so a
   NULL program fails with EFAULT exactly when the flags are known. Nothing is installed. */
static bool
kernel_has_seccomp_flag (unsigned long flags)
{
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

static cJSON *
string_array (const char *const *names, size_t n)
{
  cJSON *a = cJSON_CreateArray ();
  for (size_t i = 0; a && i < n; i++)
    cJSON_AddItemToArray (a, cJSON_CreateString (names[i]));
  return a;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The names an accessor gives, sorted as the spec's examples and runc list them. */
static cJSON *
sorted_names (const char *(*name_at) (size_t))
{
  size_t n = 0;
  while (name_at (n))
    n++;
  cleanup_free const char **names = calloc (n ? n : 1, sizeof *names);
  if (names == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    names[i] = name_at (i);
  qsort (names, n, sizeof *names, cmp_str);
  return string_array (names, n);
}

/* Sorted, as the spec's examples and runc list them. */
static cJSON *
mount_options (void)
{
  size_t n = 0;
  while (burrow_mount_option_name (n))
    n++;
  cleanup_free const char **names = calloc (n ? n : 1, sizeof *names);
  if (names == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    names[i] = burrow_mount_option_name (i);
  qsort (names, n, sizeof *names, cmp_str);
  return string_array (names, n);
}

static cJSON *
capabilities (void)
{
  cJSON *a = cJSON_CreateArray ();
  for (int c = 0; a && c <= burrow_cap_last_known (); c++)
    cJSON_AddItemToArray (a, cJSON_CreateString (burrow_cap_name (c)));
  return a;
}

static cJSON *
namespaces (void)
{
  cJSON *a = cJSON_CreateArray ();
  for (int t = 0; a && t < BURROW_NS_COUNT; t++)
    cJSON_AddItemToArray (a, cJSON_CreateString (burrow_ns_name (t)));
  return a;
}

/* The architectures the linked libseccomp resolves, one after another (NULL at the end). */
static const char *
resolvable_arch (size_t i)
{
  bool ok;
  const char *name;
  for (size_t k = 0; (name = burrow_seccomp_arch_name (k, &ok)); k++)
    if (ok && i-- == 0)
      return name;
  return NULL;
}

static cJSON *
seccomp (void)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddBoolToObject (o, "enabled", true);
  cJSON_AddItemToObject (o, "actions", sorted_names (burrow_seccomp_action_name));
  cJSON_AddItemToObject (o, "operators", sorted_names (burrow_seccomp_operator_name));
  cJSON_AddItemToObject (o, "archs", sorted_names (resolvable_arch));
  cJSON *known = cJSON_AddArrayToObject (o, "knownFlags");
  cJSON *supported = cJSON_AddArrayToObject (o, "supportedFlags");
  for (size_t i = 0; known && supported && i < N_ELEMENTS (seccomp_flags); i++)
    {
      cJSON_AddItemToArray (known, cJSON_CreateString (seccomp_flags[i].name));
      if (kernel_has_seccomp_flag (seccomp_flags[i].probe))
        cJSON_AddItemToArray (supported, cJSON_CreateString (seccomp_flags[i].name));
    }
  return o;
}

static cJSON *
enabled (bool on)
{
  cJSON *o = cJSON_CreateObject ();
  cJSON_AddBoolToObject (o, "enabled", on);
  return o;
}

static cJSON *
linux_features (void)
{
  cJSON *l = cJSON_CreateObject ();
  cJSON_AddItemToObject (l, "namespaces", namespaces ());
  cJSON_AddItemToObject (l, "capabilities", capabilities ());
  cJSON_AddItemToObject (l, "cgroup", burrow_cgroup_features ());
  cJSON_AddItemToObject (l, "seccomp", seccomp ());
  cJSON_AddItemToObject (l, "apparmor", enabled (burrow_lsm_apparmor_enabled ()));
  cJSON_AddItemToObject (l, "selinux", enabled (burrow_lsm_selinux_enabled ()));
  cJSON_AddItemToObject (l, "intelRdt", enabled (false));
  cJSON *ext = cJSON_AddObjectToObject (l, "mountExtensions");
  cJSON_AddItemToObject (ext, "idmap", enabled (true));
  return l;
}

/* Appends a newline and `depth` four-space indents. */
static char *
newline (char *q, int depth)
{
  *q++ = '\n';
  for (int i = 0; i < depth; i++)
    q = memcpy (q, "    ", 4) + 4;
  return q;
}

/* Go's json.Encoder with SetIndent ("", "    "), as runc prints features: one member or
   element a line, "key": value, empty arrays and objects as [] and {}. */
static char *
print_indented (const cJSON *o)
{
  cleanup_free char *s = cJSON_PrintUnformatted (o);
  if (s == NULL)
    return NULL;
  /* Each of these adds at most a newline or space and an indent as deep as the number
     of brackets opened in the whole text. */
  size_t breaks = 0, opens = 0;
  for (const char *p = s; *p; p++)
    {
      breaks += strchr ("{[]},:", *p) != NULL;
      opens += *p == '{' || *p == '[';
    }
  char *out = malloc (strlen (s) + breaks * (1 + 4 * opens) + 2), *q = out;
  if (out == NULL)
    return NULL;
  bool in_string = false;
  int depth = 0;
  for (const char *p = s; *p; p++)
    {
      char ch = *p;
      if (in_string)
        {
          *q++ = ch;
          if (ch == '\\' && p[1])
            *q++ = *++p;
          else if (ch == '"')
            in_string = false;
          continue;
        }
      switch (ch)
        {
        case '"':
          in_string = true;
          *q++ = ch;
          break;
        case '{':
        case '[':
          *q++ = ch;
          if (p[1] == (ch == '{' ? '}' : ']'))
            *q++ = *++p;
          else
            q = newline (q, ++depth);
          break;
        case '}':
        case ']':
          q = newline (q, --depth);
          *q++ = ch;
          break;
        case ',':
          *q++ = ch;
          q = newline (q, depth);
          break;
        case ':':
          *q++ = ':';
          *q++ = ' ';
          break;
        default:
          *q++ = ch;
        }
    }
  *q++ = '\n';
  *q = '\0';
  return out;
}

int
burrow_features_json (char **out, struct burrow_error *err)
{
  const struct scmp_version *v = seccomp_version ();
  char libseccomp[32];
  snprintf (libseccomp, sizeof libseccomp, "%u.%u.%u", v->major, v->minor, v->micro);

  cJSON *f = cJSON_CreateObject ();
  cJSON_AddStringToObject (f, "ociVersionMin", "1.0.0");
  cJSON_AddStringToObject (f, "ociVersionMax", "1.2.0");
  cJSON_AddItemToObject (f, "hooks", string_array (hook_names, N_ELEMENTS (hook_names)));
  cJSON_AddItemToObject (f, "mountOptions", mount_options ());
  cJSON_AddItemToObject (f, "linux", linux_features ());
  cJSON *a = cJSON_AddObjectToObject (f, "annotations");
  cJSON_AddStringToObject (a, "io.github.seccomp.libseccomp.version", libseccomp);
  cJSON_AddStringToObject (a, "run.burrow.version", burrow_version ());

  *out = print_indented (f);
  cJSON_Delete (f);
  return *out ? 0 : burrow_fail (err, ENOMEM, "features");
}
