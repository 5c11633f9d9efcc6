/* spec.h: config.json as burrow's own structs. spec_load.c fills them (type checks,
   naming the JSON field on error), spec_validate.c checks their meaning before any
   process exists. Parts owned by later stages (hooks, seccomp, resources) stay as
   cJSON nodes borrowed from `json`, parsed by their own files. */
#ifndef BURROW_SPEC_H
#define BURROW_SPEC_H

#include "burrow.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct burrow_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct burrow_mount
{
  char *destination; /* absolute, inside the container */
  char *type;        /* may be NULL (bind when options say so) */
  char *source;      /* may be NULL */
  char **options;    /* NULL-terminated, never NULL itself */
  size_t n_options;
  struct burrow_id_mapping *uid_mappings; /* idmapped mount: mounts[].uidMappings */
  size_t n_uid_mappings;
  struct burrow_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct burrow_rlimit
{
  int resource;     /* RLIMIT_* */
  const char *name; /* "RLIMIT_NOFILE": static, not owned */
  uint64_t soft;
  uint64_t hard;
};

/* Capability sets as bit masks (bit N = capability N). */
struct burrow_caps
{
  uint64_t bounding;
  uint64_t effective;
  uint64_t inheritable;
  uint64_t permitted;
  uint64_t ambient;
};

struct burrow_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  mode_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
};

struct burrow_process
{
  bool terminal;
  bool has_console_size;
  unsigned int console_height;
  unsigned int console_width;
  struct burrow_user user;
  char **args; /* NULL-terminated */
  size_t n_args;
  char **env; /* NULL-terminated, never NULL itself */
  size_t n_env;
  char *cwd;     /* absolute */
  bool has_caps; /* false: no "capabilities" object (all sets empty) */
  struct burrow_caps caps;
  struct burrow_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *apparmor_profile;
  char *selinux_label;
  /* borrowed from spec->json, parsed by scheduling.c */
  const cJSON *scheduler;
  const cJSON *io_priority;
  const cJSON *exec_cpu_affinity;
};

/* linux.namespaces[] */
enum burrow_ns_type
{
  BURROW_NS_PID = 0,
  BURROW_NS_NETWORK,
  BURROW_NS_MOUNT,
  BURROW_NS_IPC,
  BURROW_NS_UTS,
  BURROW_NS_USER,
  BURROW_NS_CGROUP,
  BURROW_NS_TIME,
  BURROW_NS_COUNT
};

struct burrow_namespace
{
  bool present; /* listed in the config */
  char *path;   /* join this one instead of creating; NULL: new */
};

struct burrow_device
{
  char *path;
  char type; /* 'c', 'b', 'u', 'p' */
  int64_t major;
  int64_t minor;
  bool has_file_mode;
  mode_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct burrow_kv
{
  char *key;
  char *value;
};

struct burrow_linux
{
  struct burrow_namespace namespaces[BURROW_NS_COUNT];
  struct burrow_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct burrow_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct burrow_device *devices;
  size_t n_devices;
  struct burrow_kv *sysctl;
  size_t n_sysctl;
  char **masked_paths; /* NULL-terminated, never NULL itself */
  size_t n_masked_paths;
  char **readonly_paths; /* NULL-terminated, never NULL itself */
  size_t n_readonly_paths;
  char *rootfs_propagation; /* NULL: rprivate */
  char *cgroups_path;
  char *mount_label;
  /* borrowed from spec->json, parsed by their own files */
  const cJSON *resources;
  const cJSON *seccomp;
  const cJSON *time_offsets;
  const cJSON *personality;
};

struct burrow_spec
{
  cJSON *json; /* the whole document, owned */
  char *oci_version;
  char *bundle;    /* absolute path of the bundle directory */
  char *root_path; /* as written in the config */
  char *rootfs;    /* absolute path of the root filesystem */
  bool root_readonly;
  char *hostname;
  char *domainname;
  struct burrow_process process;
  bool has_process;
  struct burrow_mount *mounts;
  size_t n_mounts;
  struct burrow_linux linux_;
  struct burrow_kv *annotations;
  size_t n_annotations;
  const cJSON *hooks; /* borrowed from json */
};

/* spec_load.c: read <bundle>/config.json. bundle NULL: the current directory. */
int burrow_spec_load (const char *bundle, struct burrow_spec **out, struct burrow_error *err);
/* Parse a config from memory; bundle must be absolute (used for root.path). */
int burrow_spec_parse (const char *text, const char *bundle, struct burrow_spec **out,
                       struct burrow_error *err);
void burrow_spec_free (struct burrow_spec *spec);
/* A process object on its own (exec --process); the borrowed cJSON members point into proc. */
int burrow_process_parse (const cJSON *proc, struct burrow_process *out, struct burrow_error *err);
void burrow_process_release (struct burrow_process *p);
const char *burrow_ns_name (enum burrow_ns_type t); /* "pid", "network", ... */
int burrow_ns_clone_flag (enum burrow_ns_type t);   /* CLONE_NEWPID, ... */

/* spec_validate.c: every semantic check, before any process is created. ctx gives the
   caller's ids and rootless mode (for id-map checks). */
int burrow_spec_validate (struct burrow_context *ctx, struct burrow_spec *spec,
                          struct burrow_error *err);
/* A container id runc would accept: [A-Za-z0-9_.+-], not "." or "..", at most 1024 bytes. */
int burrow_id_validate (const char *id, struct burrow_error *err);

#endif
