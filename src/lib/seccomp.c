/* seccomp.c: linux.seccomp. The runtime turns the profile into libseccomp rules and exports
   them as BPF; the init only hands those bytes to seccomp(2), and for SCMP_ACT_NOTIFY passes
   the listener fd to the agent at listenerPath (runc's protocol). */
#include "config.h"
#include "seccomp_filter.h"
#include "seccomp_program.h"

#include "cleanup.h"
#include "error.h"
#include "terminal.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define FIELD_MAX 128
#define ARG_INDEX_MAX 5
/* From this many rules on, a binary search tree beats libseccomp's linear list. */
#define OPTIMIZE_MIN_RULES 32

/* ---- name tables ---- */

struct action_name
{
  const char *name;
  uint32_t action;
  bool takes_errno; /* ERRNO and TRACE carry a 16-bit value (the spec's errnoRet) */
};

static const struct action_name action_names[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

static const struct
{
  const char *name;
  enum scmp_compare op;
} operator_names[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The spec's names to libseccomp's own: resolved at run time, so an architecture this
   libseccomp predates (loongarch64 before 2.6) is "not supported", not "unknown". */
static const struct
{
  const char *name;
  const char *scmp_name;
} arch_names[] = {
  { "SCMP_ARCH_X86", "x86" },
  { "SCMP_ARCH_X86_64", "x86_64" },
  { "SCMP_ARCH_X32", "x32" },
  { "SCMP_ARCH_ARM", "arm" },
  { "SCMP_ARCH_AARCH64", "aarch64" },
  { "SCMP_ARCH_MIPS", "mips" },
  { "SCMP_ARCH_MIPS64", "mips64" },
  { "SCMP_ARCH_MIPS64N32", "mips64n32" },
  { "SCMP_ARCH_MIPSEL", "mipsel" },
  { "SCMP_ARCH_MIPSEL64", "mipsel64" },
  { "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
  { "SCMP_ARCH_PPC", "ppc" },
  { "SCMP_ARCH_PPC64", "ppc64" },
  { "SCMP_ARCH_PPC64LE", "ppc64le" },
  { "SCMP_ARCH_S390", "s390" },
  { "SCMP_ARCH_S390X", "s390x" },
  { "SCMP_ARCH_PARISC", "parisc" },
  { "SCMP_ARCH_PARISC64", "parisc64" },
  { "SCMP_ARCH_RISCV64", "riscv64" },
  { "SCMP_ARCH_LOONGARCH64", "loongarch64" },
  { "SCMP_ARCH_M68K", "m68k" },
  { "SCMP_ARCH_SH", "sh" },
  { "SCMP_ARCH_SHEB", "sheb" },
};

/* Flags of seccomp(2): the first four are the spec's; the others burrow adds itself.
   `since` goes into the message when the kernel refuses one. */
static const struct
{
  const char *name;
  unsigned int flag;
  const char *since;
} flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, "3.17" },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, "4.14" },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, "4.17" },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "5.19" },
  { "SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER, "5.0" },
  { "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "5.7" },
};
#define SPEC_FLAG_COUNT 4

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* ---- JSON members ---- */

/* JSON null counts as absent, as it does for runc's decoder. */
static const cJSON *
member (const cJSON *obj, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  return v && !cJSON_IsNull (v) ? v : NULL;
}

static int
get_string (const cJSON *obj, const char *field, const char *key, bool required, const char **out,
            struct burrow_error *err)
{
  const cJSON *v = member (obj, key);
  *out = NULL;
  if (v == NULL)
    return required ? burrow_fail_plain (err, EINVAL, "%s.%s: is missing", field, key) : 0;
  if (!cJSON_IsString (v) || v->valuestring == NULL)
    return burrow_fail_plain (err, EINVAL, "%s.%s: must be a string", field, key);
  *out = v->valuestring;
  return 0;
}

static int
get_array (const cJSON *obj, const char *field, const char *key, bool required, const cJSON **out,
           struct burrow_error *err)
{
  const cJSON *v = member (obj, key);
  *out = NULL;
  if (v == NULL)
    return required ? burrow_fail_plain (err, EINVAL, "%s.%s: is missing", field, key) : 0;
  if (!cJSON_IsArray (v))
    return burrow_fail_plain (err, EINVAL, "%s.%s: must be an array", field, key);
  *out = v;
  return 0;
}

/* An unsigned integer up to max. cJSON keeps numbers as doubles: 18446744073709551615
   rounds up to 2^64 and stands for UINT64_MAX; integers above 2^53 are only as exact as
   a double (runc's decoder has no such limit; no real profile comes near it). */
static int
get_uint (const cJSON *obj, const char *field, const char *key, bool required, uint64_t max,
          bool *present, uint64_t *out, struct burrow_error *err)
{
  const double two64 = 18446744073709551616.0;
  const cJSON *v = member (obj, key);
  if (present)
    *present = v != NULL;
  if (v == NULL)
    return required ? burrow_fail_plain (err, EINVAL, "%s.%s: is missing", field, key) : 0;
  double d = cJSON_IsNumber (v) ? v->valuedouble : -1;
  /* in range before the cast; from 2^53 on every double is integral */
  bool fits = d >= 0 && d <= two64 && (d >= 9007199254740992.0 || d == (double)(uint64_t)d);
  if (!fits)
    return burrow_fail_plain (err, EINVAL, "%s.%s: must be an integer from 0 to %llu", field, key,
                              (unsigned long long)max);
  uint64_t u = d >= two64 ? UINT64_MAX : (uint64_t)d;
  if (u > max)
    return burrow_fail_plain (err, EINVAL, "%s.%s: %llu is out of range (0-%llu)", field, key,
                              (unsigned long long)u, (unsigned long long)max);
  *out = u;
  return 0;
}

/* ---- actions, operators, architectures, flags ---- */

/* obj[action_key] with obj[errno_key]: the 32-bit SECCOMP_RET_* value. The spec wants an
   error for an errno on an action that cannot return one. */
static int
parse_action (const cJSON *obj, const char *field, const char *action_key, const char *errno_key,
              uint32_t *out, struct burrow_error *err)
{
  const char *name;
  if (get_string (obj, field, action_key, true, &name, err) < 0)
    return -1;
  const struct action_name *a = NULL;
  for (size_t i = 0; i < N_ELEMENTS (action_names) && a == NULL; i++)
    if (strcmp (action_names[i].name, name) == 0)
      a = &action_names[i];
  if (a == NULL)
    return burrow_fail_plain (err, EINVAL, "%s.%s: unknown action `%s`", field, action_key, name);

  bool has_errno;
  uint64_t errno_ret = EPERM;
  if (get_uint (obj, field, errno_key, false, UINT16_MAX, &has_errno, &errno_ret, err) < 0)
    return -1;
  if (has_errno && !a->takes_errno)
    return burrow_fail_plain (
        err, EINVAL, "%s.%s: %s takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", field,
        errno_key, name);
  *out = a->takes_errno ? a->action | (uint32_t)errno_ret : a->action;
  return 0;
}

static int
parse_architectures (const cJSON *seccomp, scmp_filter_ctx ctx, struct burrow_error *err)
{
  const cJSON *archs, *item;
  if (get_array (seccomp, "linux.seccomp", "architectures", false, &archs, err) < 0)
    return -1;
  size_t i = 0;
  cJSON_ArrayForEach (item, archs)
  {
    if (!cJSON_IsString (item))
      return burrow_fail_plain (err, EINVAL, "linux.seccomp.architectures[%zu]: must be a string",
                                i);
    const char *scmp_name = NULL;
    for (size_t k = 0; k < N_ELEMENTS (arch_names) && scmp_name == NULL; k++)
      if (strcmp (arch_names[k].name, item->valuestring) == 0)
        scmp_name = arch_names[k].scmp_name;
    if (scmp_name == NULL)
      return burrow_fail_plain (err, EINVAL,
                                "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i,
                                item->valuestring);
    uint32_t token = seccomp_arch_resolve_name (scmp_name);
    if (token == 0)
      {
        const struct scmp_version *v = seccomp_version ();
        return burrow_fail_plain (err, EOPNOTSUPP,
                                  "linux.seccomp.architectures[%zu]: %s is not supported by "
                                  "libseccomp %u.%u.%u",
                                  i, item->valuestring, v->major, v->minor, v->micro);
      }
    int rc = seccomp_arch_add (ctx, token);
    /* libseccomp keeps the host's architecture in every filter, and one filter has one
       byte order (runc and crun refuse such a profile too) */
    if (rc == -EDOM)
      return burrow_fail_plain (err, EINVAL,
                                "linux.seccomp.architectures[%zu]: %s has another byte order "
                                "than the host's, it cannot share its filter",
                                i, item->valuestring);
    if (rc < 0 && rc != -EEXIST) /* EEXIST: the native one, always there */
      return burrow_fail (err, -rc, "linux.seccomp.architectures[%zu]: add %s (libseccomp)", i,
                          item->valuestring);
    i++;
  }
  return 0;
}

static int
parse_flags (const cJSON *seccomp, unsigned int *flags, struct burrow_error *err)
{
  const cJSON *list, *item;
  if (get_array (seccomp, "linux.seccomp", "flags", false, &list, err) < 0)
    return -1;
  size_t i = 0;
  cJSON_ArrayForEach (item, list)
  {
    if (!cJSON_IsString (item))
      return burrow_fail_plain (err, EINVAL, "linux.seccomp.flags[%zu]: must be a string", i);
    size_t k = 0;
    while (k < SPEC_FLAG_COUNT && strcmp (flag_names[k].name, item->valuestring) != 0)
      k++;
    if (k == SPEC_FLAG_COUNT)
      return burrow_fail_plain (err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag `%s`", i,
                                item->valuestring);
    *flags |= flag_names[k].flag;
    i++;
  }
  return 0;
}

/* ---- syscalls[] ---- */

/* One entry of syscalls[], checked whole before any rule is added. */
struct rule_group
{
  uint32_t action;
  struct scmp_arg_cmp *conds; /* owned */
  size_t n_conds;
  bool repeated_index; /* two conditions on one argument: one rule each (runc does so) */
};

static int
parse_arg (const cJSON *arg, const char *field, struct scmp_arg_cmp *out, struct burrow_error *err)
{
  uint64_t index = 0, value = 0, value_two = 0;
  const char *op_name;
  if (!cJSON_IsObject (arg))
    return burrow_fail_plain (err, EINVAL, "%s: must be an object", field);
  if (get_uint (arg, field, "index", true, ARG_INDEX_MAX, NULL, &index, err) < 0
      || get_uint (arg, field, "value", true, UINT64_MAX, NULL, &value, err) < 0
      || get_uint (arg, field, "valueTwo", false, UINT64_MAX, NULL, &value_two, err) < 0
      || get_string (arg, field, "op", true, &op_name, err) < 0)
    return -1;
  size_t k = 0;
  while (k < N_ELEMENTS (operator_names) && strcmp (operator_names[k].name, op_name) != 0)
    k++;
  if (k == N_ELEMENTS (operator_names))
    return burrow_fail_plain (err, EINVAL, "%s.op: unknown operator `%s`", field, op_name);
  /* For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the wanted result, as in
     libseccomp's (arg & datum_a) == datum_b. */
  *out = (struct scmp_arg_cmp){
    .arg = (unsigned int)index, .op = operator_names[k].op, .datum_a = value, .datum_b = value_two
  };
  return 0;
}

static int
parse_args (const cJSON *call, const char *field, struct rule_group *g, struct burrow_error *err)
{
  const cJSON *args, *item;
  unsigned int per_index[ARG_INDEX_MAX + 1] = { 0 };
  if (get_array (call, field, "args", false, &args, err) < 0)
    return -1;
  int n = cJSON_GetArraySize (args);
  if (n == 0)
    return 0;
  g->conds = calloc ((size_t)n, sizeof *g->conds);
  if (g->conds == NULL)
    return burrow_fail (err, ENOMEM, "%s.args", field);
  cJSON_ArrayForEach (item, args)
  {
    char arg_field[FIELD_MAX + 32];
    snprintf (arg_field, sizeof arg_field, "%s.args[%zu]", field, g->n_conds);
    if (parse_arg (item, arg_field, &g->conds[g->n_conds], err) < 0)
      return -1;
    if (++per_index[g->conds[g->n_conds].arg] > 1)
      g->repeated_index = true;
    g->n_conds++;
  }
  return 0;
}

static int
parse_group (const cJSON *call, const char *field, struct rule_group *g, const cJSON **names,
             struct burrow_error *err)
{
  const cJSON *item;
  if (!cJSON_IsObject (call))
    return burrow_fail_plain (err, EINVAL, "%s: must be an object", field);
  if (get_array (call, field, "names", true, names, err) < 0
      || parse_action (call, field, "action", "errnoRet", &g->action, err) < 0)
    return -1;
  size_t i = 0;
  cJSON_ArrayForEach (item, *names)
  {
    if (!cJSON_IsString (item) || item->valuestring[0] == '\0')
      return burrow_fail_plain (err, EINVAL, "%s.names[%zu]: must be a syscall name", field, i);
    i++;
  }
  return parse_args (call, field, g, err);
}

static int
add_rules (scmp_filter_ctx ctx, const struct rule_group *g, int nr, const char *name,
           const char *field, struct burrow_error *err)
{
  int rc = 0;
  if (!g->repeated_index)
    rc = seccomp_rule_add_array (ctx, g->action, nr, (unsigned int)g->n_conds, g->conds);
  else
    for (size_t k = 0; k < g->n_conds && rc == 0; k++)
      rc = seccomp_rule_add_array (ctx, g->action, nr, 1, &g->conds[k]);
  if (rc < 0)
    return burrow_fail (err, -rc, "%s: add the rule for `%s` (libseccomp)", field, name);
  return 0;
}

/* syscalls[i]: its rules, one syscall name at a time; *n_rules counts the names added. */
static int
add_syscall_group (scmp_filter_ctx ctx, const cJSON *call, size_t i, uint32_t default_action,
                   struct burrow_seccomp *s, size_t *n_rules, struct burrow_error *err)
{
  char field[FIELD_MAX];
  cleanup_free struct scmp_arg_cmp *conds = NULL;
  struct rule_group g = { 0 };
  const cJSON *names, *item;
  snprintf (field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
  int r = parse_group (call, field, &g, &names, err);
  conds = g.conds;
  if (r < 0)
    return -1;
  if (g.action == default_action)
    {
      /* libseccomp refuses a rule that changes nothing; runc skips it too. */
      burrow_log (BURROW_LOG_DEBUG, "seccomp: %s has the default action, skipped", field);
      return 0;
    }
  size_t j = 0;
  cJSON_ArrayForEach (item, names)
  {
    const char *name = item->valuestring;
    /* The init sends the listener fd with sendmsg after loading the filter: a notified
       sendmsg would wait for an agent that never gets the fd. */
    if (g.action == SCMP_ACT_NOTIFY && strcmp (name, "sendmsg") == 0)
      return burrow_fail_plain (err, EINVAL,
                                "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for sendmsg (the "
                                "runtime needs it to hand the listener fd to the agent)",
                                field, j);
    int nr = seccomp_syscall_resolve_name (name);
    if (nr == __NR_SCMP_ERROR)
      burrow_log (BURROW_LOG_DEBUG, "seccomp: unknown syscall `%s` (%s.names[%zu]) ignored", name,
                  field, j);
    else if (add_rules (ctx, &g, nr, name, field, err) < 0)
      return -1;
    else
      {
        (*n_rules)++;
        s->has_notify = s->has_notify || g.action == SCMP_ACT_NOTIFY;
      }
    j++;
  }
  return 0;
}

static int
add_syscalls (const cJSON *seccomp, scmp_filter_ctx ctx, uint32_t default_action,
              struct burrow_seccomp *s, struct burrow_error *err)
{
  const cJSON *calls, *call;
  if (get_array (seccomp, "linux.seccomp", "syscalls", false, &calls, err) < 0)
    return -1;
  size_t i = 0, n_rules = 0;
  cJSON_ArrayForEach (call, calls)
  {
    if (add_syscall_group (ctx, call, i++, default_action, s, &n_rules, err) < 0)
      return -1;
  }
  /* A binary tree beats a linear list for long profiles; libseccomp up to 2.5.4 builds a
     broken one for an empty filter, so only with rules. */
  if (n_rules > OPTIMIZE_MIN_RULES && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
    burrow_log (BURROW_LOG_DEBUG, "seccomp: libseccomp cannot build a binary tree filter");
  return 0;
}

/* ---- compile ---- */

static void
cleanup_scmp_ctxp (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}

/* libseccomp 2.5 exports only to an fd: a memfd, read back into memory. */
static int
export_bpf (scmp_filter_ctx ctx, struct burrow_seccomp *s, struct burrow_error *err)
{
  cleanup_close int fd = memfd_create ("burrow-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return burrow_fail_errno (err, "linux.seccomp: create a memfd for the BPF program");
  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    return burrow_fail (err, -rc, "linux.seccomp: export the filter as BPF (libseccomp)");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return burrow_fail_errno (err, "linux.seccomp: stat the BPF program");
  size_t size = (size_t)st.st_size, n = size / sizeof (struct sock_filter);
  if (n == 0 || size % sizeof (struct sock_filter) != 0)
    return burrow_fail_plain (err, EINVAL, "linux.seccomp: libseccomp exported %zu bytes of BPF",
                              size);
  if (n > BPF_MAXINSNS)
    return burrow_fail_plain (err, E2BIG,
                              "linux.seccomp: the filter compiles to %zu BPF instructions, more "
                              "than the kernel's limit of %d",
                              n, BPF_MAXINSNS);
  s->insns = malloc (size);
  if (s->insns == NULL)
    return burrow_fail (err, ENOMEM, "linux.seccomp");
  for (size_t done = 0; done < size;)
    {
      ssize_t r = pread (fd, (char *)s->insns + done, size - done, (off_t)done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return burrow_fail (err, r < 0 ? errno : EIO, "linux.seccomp: read the BPF program");
      done += (size_t)r;
    }
  s->n_insns = (unsigned short)n;
  return 0;
}

static int
parse_listener (const cJSON *seccomp, struct burrow_seccomp *s, struct burrow_error *err)
{
  const char *path, *metadata;
  if (get_string (seccomp, "linux.seccomp", "listenerPath", false, &path, err) < 0
      || get_string (seccomp, "linux.seccomp", "listenerMetadata", false, &metadata, err) < 0)
    return -1;
  if (!s->has_notify)
    {
      if (path)
        burrow_log (BURROW_LOG_DEBUG, "seccomp: no SCMP_ACT_NOTIFY rule, listenerPath unused");
      return 0;
    }
  if (path == NULL || path[0] == '\0')
    return burrow_fail_plain (
        err, EINVAL, "linux.seccomp.listenerPath: is missing (a rule uses SCMP_ACT_NOTIFY)");
  if (strlen (path) >= sizeof ((struct sockaddr_un *)0)->sun_path)
    return burrow_fail_plain (err, ENAMETOOLONG,
                              "linux.seccomp.listenerPath: `%s` is longer than a unix socket path "
                              "can be (%zu bytes)",
                              path, sizeof ((struct sockaddr_un *)0)->sun_path - 1);
  s->listener_path = strdup (path);
  if (s->listener_path == NULL || (metadata && (s->listener_metadata = strdup (metadata)) == NULL))
    return burrow_fail (err, ENOMEM, "linux.seccomp");
  return 0;
}

/* SECCOMP_FILTER_FLAG_* for the load, from the spec's flags and the rules. */
static void
settle_flags (struct burrow_seccomp *s)
{
  if (s->has_notify)
    {
      s->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* The kernel refuses TSYNC with a listener unless a failed sync reports ESRCH. */
      if (s->flags & SECCOMP_FILTER_FLAG_TSYNC)
        s->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  else if (s->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    {
      /* It only shapes how a notified syscall waits; without a listener the kernel would
         refuse it (EINVAL), with nothing to change. */
      burrow_log (BURROW_LOG_DEBUG, "seccomp: no SCMP_ACT_NOTIFY rule, "
                                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV dropped");
      s->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
}

static int
compile_into (const cJSON *seccomp, struct burrow_seccomp *s, struct burrow_error *err)
{
  __attribute__ ((cleanup (cleanup_scmp_ctxp))) scmp_filter_ctx ctx = NULL;
  uint32_t default_action;
  if (parse_action (seccomp, "linux.seccomp", "defaultAction", "defaultErrnoRet", &default_action,
                    err)
      < 0)
    return -1;
  /* Every syscall of the runtime after the load would wait for an agent that does not
     have the listener fd yet. */
  if (default_action == SCMP_ACT_NOTIFY)
    return burrow_fail_plain (err, EINVAL,
                              "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
                              "default action");
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return burrow_fail_plain (err, EINVAL,
                              "linux.seccomp.defaultAction: libseccomp refused it (is it "
                              "supported by this kernel?)");
  if (parse_architectures (seccomp, ctx, err) < 0 || parse_flags (seccomp, &s->flags, err) < 0
      || add_syscalls (seccomp, ctx, default_action, s, err) < 0
      || parse_listener (seccomp, s, err) < 0)
    return -1;
  settle_flags (s);
  return export_bpf (ctx, s, err);
}

int
burrow_seccomp_compile (const cJSON *seccomp, struct burrow_seccomp **out, struct burrow_error *err)
{
  *out = NULL;
  if (seccomp == NULL || cJSON_IsNull (seccomp))
    return 0;
  if (!cJSON_IsObject (seccomp))
    return burrow_fail_plain (err, EINVAL, "linux.seccomp: must be an object");
  struct burrow_seccomp *s = calloc (1, sizeof *s);
  if (s == NULL)
    return burrow_fail (err, ENOMEM, "linux.seccomp");
  if (compile_into (seccomp, s, err) < 0)
    {
      burrow_seccomp_free (s);
      return -1;
    }
  burrow_log (BURROW_LOG_DEBUG, "seccomp: %u BPF instructions, flags %#x%s", s->n_insns, s->flags,
              s->has_notify ? ", with a listener" : "");
  *out = s;
  return 0;
}

void
burrow_seccomp_free (struct burrow_seccomp *s)
{
  if (s == NULL)
    return;
  free (s->insns);
  free (s->listener_path);
  free (s->listener_metadata);
  free (s);
}

bool
burrow_seccomp_has_notify (const struct burrow_seccomp *s)
{
  return s != NULL && s->has_notify;
}

const char *
burrow_seccomp_listener_metadata (const struct burrow_seccomp *s)
{
  return s ? s->listener_metadata : NULL;
}

/* ---- load, in the init ---- */

/* The kernel says EINVAL for a flag it does not know and for a bad program alike. With a
   NULL program, a known flag gets as far as copying it (EFAULT): that tells them apart. */
static int
explain_einval (const struct burrow_seccomp *s, struct burrow_error *err)
{
  for (size_t k = 0; k < N_ELEMENTS (flag_names); k++)
    {
      unsigned int f = flag_names[k].flag;
      if (!(s->flags & f))
        continue;
      /* WAIT_KILLABLE_RECV is only valid next to NEW_LISTENER */
      unsigned int probe
          = f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? f | SECCOMP_FILTER_FLAG_NEW_LISTENER : f;
      if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 && errno == EINVAL)
        {
          if (f == SECCOMP_FILTER_FLAG_NEW_LISTENER)
            return burrow_fail_plain (err, EINVAL,
                                      "load the seccomp filter: SCMP_ACT_NOTIFY needs seccomp "
                                      "user notification, which this kernel lacks (Linux %s or "
                                      "later)",
                                      flag_names[k].since);
          return burrow_fail_plain (err, EINVAL,
                                    "load the seccomp filter: the kernel does not support %s "
                                    "(linux.seccomp.flags; Linux %s or later)",
                                    flag_names[k].name, flag_names[k].since);
        }
    }
  return burrow_fail (err, EINVAL, "load the seccomp filter: the kernel refused it");
}

int
burrow_seccomp_load (const struct burrow_seccomp *s, int *notify_fd, struct burrow_error *err)
{
  if (notify_fd)
    *notify_fd = -1;
  if (s == NULL)
    return 0;
  struct sock_fprog prog = { .len = s->n_insns, .filter = s->insns };
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->flags, &prog);
  if (r < 0)
    {
      int e = errno;
      if (e == EINVAL)
        return explain_einval (s, err);
      if (e == EACCES)
        return burrow_fail_plain (err, EACCES,
                                  "load the seccomp filter: permission denied (no_new_privs is "
                                  "not set and the process lacks CAP_SYS_ADMIN)");
      return burrow_fail (err, e, "load the seccomp filter");
    }
  /* The listener fd comes close-on-exec: only the agent keeps it past execve. */
  if (s->has_notify)
    {
      if (notify_fd)
        *notify_fd = (int)r;
      else
        close ((int)r);
    }
  return 0;
}

int
burrow_seccomp_apply (const struct burrow_seccomp *s, int listener_fd, const char *payload,
                      struct burrow_error *err)
{
  int nfd = -1;
  if (s == NULL)
    return 0;
  if (burrow_seccomp_load (s, &nfd, err) < 0)
    return -1;
  if (nfd < 0)
    return 0;
  int r = burrow_seccomp_send_listener (listener_fd, nfd, payload ? payload : "{}", err);
  close (nfd);
  return r;
}

const char *
burrow_seccomp_action_name (size_t i)
{
  return i < N_ELEMENTS (action_names) ? action_names[i].name : NULL;
}

const char *
burrow_seccomp_operator_name (size_t i)
{
  return i < N_ELEMENTS (operator_names) ? operator_names[i].name : NULL;
}

const char *
burrow_seccomp_arch_name (size_t i, bool *supported)
{
  if (i >= N_ELEMENTS (arch_names))
    return NULL;
  /* Usable means libseccomp knows it and it can share the host's filter (same byte
     order: -EDOM otherwise), exactly what compiling a profile will accept. */
  uint32_t token = seccomp_arch_resolve_name (arch_names[i].scmp_name);
  *supported = false;
  if (token != 0)
    {
      scmp_filter_ctx c = seccomp_init (SCMP_ACT_ALLOW);
      int rc = c ? seccomp_arch_add (c, token) : -ENOMEM;
      seccomp_release (c);
      *supported = rc == 0 || rc == -EEXIST;
    }
  return arch_names[i].name;
}
