/* subid.c: which host ids an unprivileged user may map (/etc/subuid, /etc/subgid), and
   whether the setuid helpers that write such maps are installed and usable. */
#include "config.h"
#include "subid.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* Strict decimal: the files are edited by hand, so "12ab" or "-1" must not pass. */
static bool
parse_u32 (const char *s, size_t len, uint32_t *out)
{
  uint64_t v = 0;
  if (len == 0 || len > 10)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (uint64_t)(s[i] - '0');
    }
  if (v > UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  return true;
}

static bool
owner_matches (const char *field, size_t len, const char *user_name, uint32_t user_id)
{
  uint32_t id;
  if (user_name && strlen (user_name) == len && memcmp (field, user_name, len) == 0)
    return true;
  return parse_u32 (field, len, &id) && id == user_id;
}

/* One "owner:start:count" line; false when it is malformed or belongs to someone else. */
static bool
parse_subid_line (const char *line, size_t len, const char *user_name, uint32_t user_id,
                  struct burrow_id_range *range)
{
  const char *c1 = memchr (line, ':', len);
  if (c1 == NULL)
    return false;
  const char *rest = c1 + 1;
  size_t rest_len = len - (size_t)(rest - line);
  const char *c2 = memchr (rest, ':', rest_len);
  if (c2 == NULL)
    return false;
  const char *count_s = c2 + 1;
  size_t count_len = len - (size_t)(count_s - line);

  if (!owner_matches (line, (size_t)(c1 - line), user_name, user_id))
    return false;
  if (!parse_u32 (rest, (size_t)(c2 - rest), &range->start)
      || !parse_u32 (count_s, count_len, &range->count) || range->count == 0)
    return false;
  return (uint64_t)range->start + range->count - 1 <= UINT32_MAX;
}

int
burrow_subid_parse (const char *text, const char *user_name, uint32_t user_id,
                    struct burrow_id_range **out, size_t *n_out, struct burrow_error *err)
{
  cleanup_free struct burrow_id_range *ranges = NULL;
  size_t n = 0, cap = 0;

  for (const char *line = text; *line;)
    {
      const char *nl = strchr (line, '\n');
      size_t len = nl ? (size_t)(nl - line) : strlen (line);
      size_t trimmed = len;
      while (
          trimmed > 0
          && (line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t' || line[trimmed - 1] == '\r'))
        trimmed--;
      struct burrow_id_range r;
      if (trimmed > 0 && line[0] != '#' && parse_subid_line (line, trimmed, user_name, user_id, &r))
        {
          if (n == cap)
            {
              size_t ncap = cap ? cap * 2 : 4;
              struct burrow_id_range *nr = realloc (ranges, ncap * sizeof *nr);
              if (nr == NULL)
                return burrow_fail_errno (err, "subordinate id ranges");
              ranges = nr;
              cap = ncap;
            }
          ranges[n++] = r;
        }
      line += len;
      if (*line == '\n')
        line++;
    }
  *out = steal_ptr (&ranges);
  *n_out = n;
  return 0;
}

int
burrow_subid_read (const char *path, uint32_t id, struct burrow_id_range **out, size_t *n_out,
                   struct burrow_error *err)
{
  cleanup_free char *text = NULL;
  struct passwd pw, *pwp = NULL;
  char pwbuf[4096];

  *out = NULL;
  *n_out = 0;
  if (burrow_read_file (path, 0, &text, NULL, err) < 0)
    {
      if (err->errnum == ENOENT)
        return 0;
      return -1;
    }
  /* A user without a passwd entry can still be listed by number. */
  if (getpwuid_r (id, &pw, pwbuf, sizeof pwbuf, &pwp) != 0)
    pwp = NULL;
  if (burrow_subid_parse (text, pwp ? pwp->pw_name : NULL, id, out, n_out, err) < 0)
    return burrow_error_prefix (err, "%s", path);
  return 0;
}

/* One "inside outside count" line of a /proc/PID/uid_map. */
static int
parse_idmap_line (const char *line, struct burrow_id_mapping *m)
{
  unsigned long long v[3];
  const char *p = line;
  for (int i = 0; i < 3; i++)
    {
      char *end;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p < '0' || *p > '9')
        return -1;
      errno = 0;
      v[i] = strtoull (p, &end, 10);
      if (errno != 0 || v[i] > UINT32_MAX)
        return -1;
      p = end;
    }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0' || v[2] == 0)
    return -1;
  m->container_id = (uint32_t)v[0];
  m->host_id = (uint32_t)v[1];
  m->size = (uint32_t)v[2];
  return 0;
}

int
burrow_idmap_parse (const char *text, struct burrow_id_mapping **out, size_t *n_out,
                    struct burrow_error *err)
{
  cleanup_free struct burrow_id_mapping *maps = NULL;
  size_t n = 0, cap = 0, lineno = 0;

  for (const char *line = text; *line;)
    {
      const char *nl = strchr (line, '\n');
      size_t len = nl ? (size_t)(nl - line) : strlen (line);
      char buf[128];
      lineno++;
      if (len >= sizeof buf)
        return burrow_fail (err, 0, "id map line %zu is too long", lineno);
      memcpy (buf, line, len);
      buf[len] = '\0';
      line += len;
      if (*line == '\n')
        line++;
      if (buf[strspn (buf, " \t")] == '\0')
        continue;
      if (n == cap)
        {
          size_t ncap = cap ? cap * 2 : 4;
          struct burrow_id_mapping *nm = realloc (maps, ncap * sizeof *nm);
          if (nm == NULL)
            return burrow_fail_errno (err, "id map");
          maps = nm;
          cap = ncap;
        }
      if (parse_idmap_line (buf, &maps[n]) < 0)
        return burrow_fail (err, 0, "id map line %zu: invalid mapping `%s`", lineno, buf);
      n++;
    }
  *out = steal_ptr (&maps);
  *n_out = n;
  return 0;
}

bool
burrow_idmap_is_single_own (const struct burrow_id_mapping *m, size_t n, uint32_t own_id)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == own_id;
}

/* Like newuidmap: the own id only as a mapping of exactly one id; otherwise the host
   range must be covered by subordinate ranges, which may be adjacent entries. */
static bool
host_range_allowed (const struct burrow_id_mapping *m, uint32_t own_id,
                    const struct burrow_id_range *ranges, size_t n_ranges)
{
  if (m->size == 1 && m->host_id == own_id)
    return true;
  uint64_t start = m->host_id, end = (uint64_t)m->host_id + m->size;
  while (start < end)
    {
      uint64_t next = start;
      for (size_t i = 0; i < n_ranges; i++)
        {
          uint64_t rs = ranges[i].start, re = rs + ranges[i].count;
          if (rs <= start && start < re && re > next)
            next = re;
        }
      if (next == start)
        return false;
      start = next;
    }
  return true;
}

/* The login the subordinate files are keyed by: the uid's own name for uid maps; for gid
   maps /etc/subgid is still keyed by the user (as newgidmap reads it), not the group. */
static void
describe_owner (const char *what, uint32_t own_id, char *name, size_t name_len, char *who,
                size_t who_len)
{
  struct passwd pw, *pwp = NULL;
  char pwbuf[4096];
  uid_t user = strcmp (what, "uid") == 0 ? own_id : geteuid ();

  if (getpwuid_r (user, &pw, pwbuf, sizeof pwbuf, &pwp) != 0 || pwp == NULL)
    snprintf (name, name_len, "%u", (unsigned)user);
  else
    snprintf (name, name_len, "%s", pwp->pw_name);
  snprintf (who, who_len, "%s %u (user %s)", what, (unsigned)own_id, name);
}

int
burrow_idmap_check_allowed (const struct burrow_id_mapping *m, size_t n, uint32_t own_id,
                            const struct burrow_id_range *ranges, size_t n_ranges, const char *what,
                            struct burrow_error *err)
{
  for (size_t i = 0; i < n; i++)
    {
      if (host_range_allowed (&m[i], own_id, ranges, n_ranges))
        continue;

      char name[256], who[320];
      uint64_t last = (uint64_t)m[i].host_id + m[i].size - (m[i].size ? 1 : 0);
      describe_owner (what, own_id, name, sizeof name, who, sizeof who);
      return burrow_fail (err, 0,
                          "linux.%sMappings: host ids %u-%llu are not delegated to %s in "
                          "/etc/sub%s; add them with `usermod --add-sub%ss %u-%llu %s`",
                          what, (unsigned)m[i].host_id, (unsigned long long)last, who, what, what,
                          (unsigned)m[i].host_id, (unsigned long long)last, name);
    }
  return 0;
}

/* A helper that is neither setuid root nor capable would fail later with a bare EPERM
   from the kernel; say so now, with the fix. */
static int
check_helper (const char *name, const char *path, struct burrow_error *err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return burrow_fail_errno (err, "%s at %s", name, path);
  if (st.st_uid == 0 && (st.st_mode & S_ISUID))
    return 0;
  if (getxattr (path, "security.capability", NULL, 0) > 0)
    return 0;
  burrow_fail (err, 0,
               "%s at %s is neither setuid root nor has file capabilities: run "
               "`chmod u+s %s` as root",
               name, path, path);
  err->errnum = EPERM;
  return -1;
}

static char *
find_in_dir (const char *dir, size_t dir_len, const char *name)
{
  char *path = NULL;
  struct stat st;
  if (dir_len == 0)
    return NULL;
  if (asprintf (&path, "%.*s/%s", (int)dir_len, dir, name) < 0)
    return NULL;
  if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
    return path;
  free (path);
  return NULL;
}

int
burrow_idmap_find_helper (const char *name, char **path_out, struct burrow_error *err)
{
  const char *env_path = getenv ("PATH");
  static const char *const fallback[] = { "/usr/bin", "/bin" };
  cleanup_free char *found = NULL;

  for (const char *p = env_path; p && *p && found == NULL;)
    {
      const char *colon = strchrnul (p, ':');
      /* Relative PATH entries would make the check depend on the cwd: skip them. */
      if (*p == '/')
        found = find_in_dir (p, (size_t)(colon - p), name);
      p = *colon ? colon + 1 : colon;
    }
  for (size_t i = 0; found == NULL && i < sizeof fallback / sizeof fallback[0]; i++)
    found = find_in_dir (fallback[i], strlen (fallback[i]), name);
  if (found == NULL)
    {
      burrow_fail (err, 0, "%s not found: install the Debian package uidmap", name);
      err->errnum = ENOENT;
      return -1;
    }
  if (check_helper (name, found, err) < 0)
    return -1;
  *path_out = steal_ptr (&found);
  return 0;
}
