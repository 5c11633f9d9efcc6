/* idmap.c: uidmapping=/gidmapping= (fuse-overlayfs' syntax and field order: HOST:CONTAINER:
   COUNT, the id on disk first) and squash_to_*: ids stored on disk are host ids, ids the
   kernel sees are container ids. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OVL_OVERFLOW_ID 65534

static int
parse_u32 (const char **s, uint32_t *out)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (*s, &end, 10);
  if (errno || end == *s || v > UINT32_MAX || (**s < '0' || **s > '9'))
    return -1;
  *out = (uint32_t)v;
  *s = end;
  return 0;
}

/* "H:C:N[:H:C:N...]" (host, container, count, as fuse-overlayfs reads them); appends to
   *out. */
int
ovl_parse_idmap (const char *spec, struct ovl_idmap **out, size_t *n)
{
  const char *p = spec;
  while (*p)
    {
      struct ovl_idmap m;
      if (parse_u32 (&p, &m.host) < 0 || *p++ != ':' || parse_u32 (&p, &m.container) < 0
          || *p++ != ':' || parse_u32 (&p, &m.count) < 0 || m.count == 0)
        return -1;
      if (*p == ':')
        {
          p++;
          if (!*p)
            return -1;
        }
      else if (*p)
        return -1;
      struct ovl_idmap *grown = realloc (*out, (*n + 1) * sizeof **out);
      if (!grown)
        return -1;
      *out = grown;
      (*out)[(*n)++] = m;
    }
  return *n ? 0 : -1;
}

static uint32_t
map_id (const struct ovl_idmap *m, size_t n, uint32_t id, bool to_container)
{
  if (n == 0)
    return id;
  for (size_t i = 0; i < n; i++)
    {
      uint32_t from = to_container ? m[i].host : m[i].container;
      uint32_t to = to_container ? m[i].container : m[i].host;
      if (id >= from && id - from < m[i].count)
        return to + (id - from);
    }
  return OVL_OVERFLOW_ID;
}

uid_t
ovl_uid_to_container (const struct ovl_fs *fs, uid_t host)
{
  if (fs->opt.squash_uid >= 0)
    return (uid_t)fs->opt.squash_uid;
  return map_id (fs->opt.uidmap, fs->opt.n_uidmap, host, true);
}

gid_t
ovl_gid_to_container (const struct ovl_fs *fs, gid_t host)
{
  if (fs->opt.squash_gid >= 0)
    return (gid_t)fs->opt.squash_gid;
  return map_id (fs->opt.gidmap, fs->opt.n_gidmap, host, true);
}

uid_t
ovl_uid_to_host (const struct ovl_fs *fs, uid_t container)
{
  return map_id (fs->opt.uidmap, fs->opt.n_uidmap, container, false);
}

gid_t
ovl_gid_to_host (const struct ovl_fs *fs, gid_t container)
{
  return map_id (fs->opt.gidmap, fs->opt.n_gidmap, container, false);
}
