/* spec_json.c: the typed JSON getters of spec_json.h. */
#include "config.h"
#include "spec_json.h"

#include "error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bad config carries EINVAL for callers, but its message stays free of strerror text. */
static int __attribute__ ((format (printf, 3, 0)))
spec_invalid_v (struct burrow_error *err, const char *prefix, const char *fmt, va_list ap)
{
  int n = snprintf (err->msg, sizeof err->msg, "%s", prefix);
  vsnprintf (err->msg + n, sizeof err->msg - n, fmt, ap);
  err->errnum = EINVAL;
  return -1;
}

int __attribute__ ((format (printf, 2, 3)))
spec_invalid (struct burrow_error *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  spec_invalid_v (err, "", fmt, ap);
  va_end (ap);
  return -1;
}

/* "config.json: `process.args[2]` must be a string" */
int __attribute__ ((format (printf, 3, 4)))
spec_field_error (struct burrow_error *err, const char *path, const char *fmt, ...)
{
  char prefix[SPEC_FIELD_MAX + 32];
  va_list ap;
  snprintf (prefix, sizeof prefix, "config.json: `%s` ", path);
  va_start (ap, fmt);
  spec_invalid_v (err, prefix, fmt, ap);
  va_end (ap);
  return -1;
}

int
spec_no_memory (struct burrow_error *err)
{
  return burrow_fail (err, ENOMEM, "config.json");
}

/* Field paths only end up in messages, where a truncated one still says enough. */
static const char *__attribute__ ((format (printf, 2, 3)))
spec_field_path (char *buf, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, SPEC_FIELD_MAX, fmt, ap);
  va_end (ap);
  return buf;
}

const char *
spec_join_key (char *buf, const char *parent, const char *key)
{
  return spec_field_path (buf, "%s%s%s", parent, parent[0] ? "." : "", key);
}

const char *
spec_join_index (char *buf, const char *parent, size_t i)
{
  return spec_field_path (buf, "%s[%zu]", parent, i);
}

/* ---- values, each checked against the C type it lands in ---- */

/* cJSON keeps numbers as doubles: every double of magnitude 2^53 or more is integral,
   below that a cast round-trip tells 1.5 from 1. */
static bool
spec_is_integral (double d)
{
  if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
    return true;
  return d == (double)(int64_t)d;
}

int
spec_want_uint (const cJSON *item, const char *path, uint64_t max, uint64_t *out,
                struct burrow_error *err)
{
  /* 2^64 as a double: 18446744073709551615 (RLIM_INFINITY as configs write it) rounds up
     to it, so it stands for UINT64_MAX rather than being out of range. */
  const double two64 = 18446744073709551616.0;
  double d = cJSON_IsNumber (item) ? item->valuedouble : -1;
  bool fits = cJSON_IsNumber (item) && spec_is_integral (d) && d >= 0
              && (max == UINT64_MAX ? d <= two64 : d <= (double)max);
  if (!fits)
    return spec_field_error (err, path, "must be an integer between 0 and %llu",
                             (unsigned long long)max);
  *out = d >= two64 ? UINT64_MAX : (uint64_t)d;
  return 0;
}

static int
spec_want_int (const cJSON *item, const char *path, int64_t min, int64_t max, int64_t *out,
               struct burrow_error *err)
{
  /* (double) INT64_MAX rounds up to 2^63, which must stay out of range. */
  double d = cJSON_IsNumber (item) ? item->valuedouble : 0.5;
  double hi = (double)max;
  bool fits = cJSON_IsNumber (item) && spec_is_integral (d) && d >= (double)min
              && (max == INT64_MAX ? d < hi : d <= hi);
  if (!fits)
    return spec_field_error (err, path, "must be an integer between %lld and %lld", (long long)min,
                             (long long)max);
  *out = (int64_t)d;
  return 0;
}

static int
spec_want_string (const cJSON *item, const char *path, char **out, struct burrow_error *err)
{
  if (!cJSON_IsString (item) || item->valuestring == NULL)
    return spec_field_error (err, path, "must be a string");
  char *s = strdup (item->valuestring);
  if (s == NULL)
    return spec_no_memory (err);
  free (*out);
  *out = s;
  return 0;
}

/* ---- members of an object ---- */

/* JSON null counts as absent, as it does for runc's decoder. */
static const cJSON *
spec_member (const cJSON *obj, const char *key)
{
  const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive (obj, key) : NULL;
  return v && !cJSON_IsNull (v) ? v : NULL;
}

int
spec_get_string (const cJSON *obj, const char *parent, const char *key, bool required, char **out,
                 struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX];
  const cJSON *v = spec_member (obj, key);
  if (v == NULL)
    return required ? spec_field_error (err, spec_join_key (path, parent, key), "is missing") : 0;
  return spec_want_string (v, spec_join_key (path, parent, key), out, err);
}

int
spec_get_bool (const cJSON *obj, const char *parent, const char *key, bool *out,
               struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX];
  const cJSON *v = spec_member (obj, key);
  if (v == NULL)
    return 0;
  if (!cJSON_IsBool (v))
    return spec_field_error (err, spec_join_key (path, parent, key), "must be true or false");
  *out = cJSON_IsTrue (v);
  return 0;
}

/* An unsigned member; *present (when given) says whether it was there. */
int
spec_get_uint (const cJSON *obj, const char *parent, const char *key, bool required, uint64_t max,
               uint64_t *out, bool *present, struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX];
  const cJSON *v = spec_member (obj, key);
  if (present)
    *present = v != NULL;
  if (v == NULL)
    return required ? spec_field_error (err, spec_join_key (path, parent, key), "is missing") : 0;
  return spec_want_uint (v, spec_join_key (path, parent, key), max, out, err);
}

int
spec_get_u32 (const cJSON *obj, const char *parent, const char *key, bool required, uint32_t *out,
              bool *present, struct burrow_error *err)
{
  uint64_t v = *out;
  if (spec_get_uint (obj, parent, key, required, UINT32_MAX, &v, present, err) < 0)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

/* An optional signed member; *present says whether it was there. */
int
spec_get_int (const cJSON *obj, const char *parent, const char *key, int64_t min, int64_t max,
              int64_t *out, bool *present, struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX];
  const cJSON *v = spec_member (obj, key);
  *present = v != NULL;
  return v ? spec_want_int (v, spec_join_key (path, parent, key), min, max, out, err) : 0;
}

static int
spec_get_typed (const cJSON *obj, const char *parent, const char *key, bool required, bool array,
                const cJSON **out, struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX];
  const cJSON *v = spec_member (obj, key);
  *out = NULL;
  if (v == NULL)
    return required ? spec_field_error (err, spec_join_key (path, parent, key), "is missing") : 0;
  if (array && !cJSON_IsArray (v))
    return spec_field_error (err, spec_join_key (path, parent, key), "must be an array");
  if (!array && !cJSON_IsObject (v))
    return spec_field_error (err, spec_join_key (path, parent, key), "must be an object");
  *out = v;
  return 0;
}

int
spec_get_object (const cJSON *obj, const char *parent, const char *key, bool required,
                 const cJSON **out, struct burrow_error *err)
{
  return spec_get_typed (obj, parent, key, required, false, out, err);
}

int
spec_get_array (const cJSON *obj, const char *parent, const char *key, const cJSON **out,
                struct burrow_error *err)
{
  return spec_get_typed (obj, parent, key, false, true, out, err);
}

/* An array of strings as a NULL-terminated vector, empty (never NULL) when absent. */
int
spec_get_strv (const cJSON *obj, const char *parent, const char *key, char ***out, size_t *n_out,
               struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX], item_path[SPEC_FIELD_MAX];
  const cJSON *arr, *it;
  size_t i = 0;
  if (spec_get_array (obj, parent, key, &arr, err) < 0)
    return -1;
  size_t n = arr ? (size_t)cJSON_GetArraySize (arr) : 0;
  *out = calloc (n + 1, sizeof (char *));
  if (*out == NULL)
    return spec_no_memory (err);
  *n_out = n;
  spec_join_key (path, parent, key);
  cJSON_ArrayForEach (it, arr)
  {
    if (spec_want_string (it, spec_join_index (item_path, path, i), &(*out)[i], err) < 0)
      return -1;
    i++;
  }
  return 0;
}

/* An object whose members are all strings (annotations, sysctl). */
int
spec_get_string_map (const cJSON *obj, const char *parent, const char *key, struct burrow_kv **out,
                     size_t *n_out, struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX], item_path[SPEC_FIELD_MAX];
  const cJSON *map, *it;
  size_t i = 0;
  if (spec_get_object (obj, parent, key, false, &map, err) < 0)
    return -1;
  if (map == NULL)
    return 0;
  size_t n = (size_t)cJSON_GetArraySize (map);
  *out = calloc (n ? n : 1, sizeof **out);
  if (*out == NULL)
    return spec_no_memory (err);
  *n_out = n;
  spec_join_key (path, parent, key);
  cJSON_ArrayForEach (it, map)
  {
    /* Keys may hold dots themselves (sysctl names), so they are quoted. */
    if (spec_want_string (it, spec_field_path (item_path, "%s[\"%s\"]", path, it->string),
                          &(*out)[i].value, err)
        < 0)
      return -1;
    (*out)[i].key = strdup (it->string);
    if ((*out)[i].key == NULL)
      return spec_no_memory (err);
    i++;
  }
  return 0;
}

/* An array of objects into a calloc'd array of elem_size entries (none when elem_size is 0).
   The count grows as entries are started, so a failure halfway still frees cleanly. */
int
spec_get_object_array (const cJSON *obj, const char *parent, const char *key, size_t elem_size,
                       void **out, size_t *n_out, spec_item_parser fn, void *data,
                       struct burrow_error *err)
{
  char path[SPEC_FIELD_MAX], item_path[SPEC_FIELD_MAX];
  const cJSON *arr, *it;
  size_t i = 0;
  if (spec_get_array (obj, parent, key, &arr, err) < 0)
    return -1;
  if (arr == NULL || cJSON_GetArraySize (arr) == 0)
    return 0;
  if (elem_size && (*out = calloc (cJSON_GetArraySize (arr), elem_size)) == NULL)
    return spec_no_memory (err);
  spec_join_key (path, parent, key);
  cJSON_ArrayForEach (it, arr)
  {
    spec_join_index (item_path, path, i);
    if (!cJSON_IsObject (it))
      return spec_field_error (err, item_path, "must be an object");
    if (n_out)
      *n_out = i + 1;
    if (fn (it, item_path, elem_size ? (char *)*out + i * elem_size : NULL, data, err) < 0)
      return -1;
    i++;
  }
  return 0;
}
