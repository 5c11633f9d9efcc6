/* spec_json.h: typed access to config.json's JSON for the spec parsers: each getter checks
   presence and type and names the field's path in its error ("process.args[2]"). */
#ifndef BURROW_SPEC_JSON_H
#define BURROW_SPEC_JSON_H

#include "burrow.h"
#include "spec.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define SPEC_FIELD_MAX 512

typedef int (*spec_item_parser) (const cJSON *item, const char *path, void *elem, void *data,
                                 struct burrow_error *err);

int __attribute__ ((format (printf, 2, 3)))
spec_invalid (struct burrow_error *err, const char *fmt, ...);
int __attribute__ ((format (printf, 3, 4)))
spec_field_error (struct burrow_error *err, const char *path, const char *fmt, ...);
int spec_no_memory (struct burrow_error *err);
const char *spec_join_key (char *buf, const char *parent, const char *key);
const char *spec_join_index (char *buf, const char *parent, size_t i);
int spec_want_uint (const cJSON *item, const char *path, uint64_t max, uint64_t *out,
                    struct burrow_error *err);
int spec_get_string (const cJSON *obj, const char *parent, const char *key, bool required,
                     char **out, struct burrow_error *err);
int spec_get_bool (const cJSON *obj, const char *parent, const char *key, bool *out,
                   struct burrow_error *err);
int spec_get_uint (const cJSON *obj, const char *parent, const char *key, bool required,
                   uint64_t max, uint64_t *out, bool *present, struct burrow_error *err);
int spec_get_u32 (const cJSON *obj, const char *parent, const char *key, bool required,
                  uint32_t *out, bool *present, struct burrow_error *err);
int spec_get_int (const cJSON *obj, const char *parent, const char *key, int64_t min, int64_t max,
                  int64_t *out, bool *present, struct burrow_error *err);
int spec_get_object (const cJSON *obj, const char *parent, const char *key, bool required,
                     const cJSON **out, struct burrow_error *err);
int spec_get_array (const cJSON *obj, const char *parent, const char *key, const cJSON **out,
                    struct burrow_error *err);
int spec_get_strv (const cJSON *obj, const char *parent, const char *key, char ***out,
                   size_t *n_out, struct burrow_error *err);
int spec_get_string_map (const cJSON *obj, const char *parent, const char *key,
                         struct burrow_kv **out, size_t *n_out, struct burrow_error *err);
int spec_get_object_array (const cJSON *obj, const char *parent, const char *key, size_t elem_size,
                           void **out, size_t *n_out, spec_item_parser fn, void *data,
                           struct burrow_error *err);

/* The struct array and its count from their fields, so callers cannot mismatch them. */
#define GET_STRUCT_ARRAY(obj, parent, key, array, count, fn, data, err)                            \
  spec_get_object_array (obj, parent, key, sizeof *(array), (void **)&(array), &(count), fn, data, \
                         err)

#endif
