/* subid.h: who may map which ids. Reads /etc/subuid and /etc/subgid, checks a config's
   uidMappings/gidMappings against them, and finds newuidmap/newgidmap. */
#ifndef BURROW_SUBID_H
#define BURROW_SUBID_H

#include "burrow.h"
#include "spec.h"

struct burrow_id_range
{
  uint32_t start;
  uint32_t count;
};

/* Parse the text of an /etc/subuid-style file and return the ranges of the user given by
   name or numeric id (a line's first field may be either). Malformed lines are skipped.
   *out is malloc'd (NULL when none). */
int burrow_subid_parse (const char *text, const char *user_name, uint32_t user_id,
                        struct burrow_id_range **out, size_t *n_out, struct burrow_error *err);

/* Read the ranges of `id` (its name looked up with getpwuid) from path
   ("/etc/subuid" or "/etc/subgid"). A missing file gives zero ranges. */
int burrow_subid_read (const char *path, uint32_t id, struct burrow_id_range **out, size_t *n_out,
                       struct burrow_error *err);

/* Parse the text of a /proc/PID/uid_map into mappings ("0 1000 1\n1 100000 65536\n"). */
int burrow_idmap_parse (const char *text, struct burrow_id_mapping **out, size_t *n_out,
                        struct burrow_error *err);

/* True when the mappings are only the caller's own id (one line, size 1, host_id == own):
   those are written directly, without the setuid helpers. */
bool burrow_idmap_is_single_own (const struct burrow_id_mapping *m, size_t n, uint32_t own_id);

/* May the caller (own_id, not privileged) use these mappings? Every host range must lie
   inside the own id (size 1) or a range of ranges[]. Errors name the mapping, the file and
   the fix ("add one with usermod --add-subuids FROM-TO USER"). what: "uid" or "gid". */
int burrow_idmap_check_allowed (const struct burrow_id_mapping *m, size_t n, uint32_t own_id,
                                const struct burrow_id_range *ranges, size_t n_ranges,
                                const char *what, struct burrow_error *err);

/* Find the helper ("newuidmap" or "newgidmap") in PATH, then /usr/bin, /bin, and check it
   can do its job: setuid root, or has file capabilities (security.capability xattr).
   *path_out is malloc'd. Errors say which is wrong and how to fix it (apt-get install
   uidmap; chmod u+s). */
int burrow_idmap_find_helper (const char *name, char **path_out, struct burrow_error *err);

#endif
