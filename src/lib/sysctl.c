/* sysctl.c: namespaced sysctls. A key outside the container's namespaces would change the
   host, so it is refused before anything runs. */
#include "config.h"
#include "sysctl.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const ipc_keys[] = {
  "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",      "kernel.sem",
  "kernel.shmall",      "kernel.shmmax",      "kernel.shmmni",      "kernel.shm_rmid_forced",
  "kernel.auto_msgmni", "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id",
};

/* The namespace a key is scoped by, or -1 when it is global. */
static int
key_namespace (const char *key)
{
  for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp (key, ipc_keys[i]) == 0)
      return BURROW_NS_IPC;
  if (strncmp (key, "fs.mqueue.", 10) == 0 || strncmp (key, "fs/mqueue/", 10) == 0)
    return BURROW_NS_IPC;
  if (strncmp (key, "net.", 4) == 0 || strncmp (key, "net/", 4) == 0)
    return BURROW_NS_NETWORK;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return BURROW_NS_UTS;
  return -1;
}

int
burrow_sysctl_validate (const struct burrow_spec *spec, struct burrow_error *err)
{
  for (size_t i = 0; i < spec->linux_.n_sysctl; i++)
    {
      const char *key = spec->linux_.sysctl[i].key;
      if (strstr (key, "..") || key[0] == '.' || key[0] == '/')
        return burrow_fail_plain (err, EINVAL, "linux.sysctl: invalid key `%s`", key);
      int ns = key_namespace (key);
      if (ns < 0)
        return burrow_fail_plain (err, EINVAL,
                                  "linux.sysctl: `%s` is not namespaced: setting it would "
                                  "change the host",
                                  key);
      if (!spec->linux_.namespaces[ns].present)
        return burrow_fail_plain (err, EINVAL,
                                  "linux.sysctl: `%s` needs a %s namespace: add {\"type\": "
                                  "\"%s\"} to linux.namespaces",
                                  key, burrow_ns_name (ns), burrow_ns_name (ns));
    }
  return 0;
}

/* "net.ipv4.ip_forward" -> "net/ipv4/ip_forward"; a key already in slash form (needed for
   interface names with dots, "net/ipv4/conf/eth0.1/forwarding") is kept as it is. */
static void
key_to_path (const char *key, char *out, size_t size)
{
  snprintf (out, size, "%s", key);
  if (strchr (out, '/'))
    return;
  for (char *p = out; *p; p++)
    if (*p == '.')
      *p = '/';
}

int
burrow_sysctl_apply (const struct burrow_spec *spec, struct burrow_error *err)
{
  if (spec->linux_.n_sysctl == 0)
    return 0;
  cleanup_close int dir = open ("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sf;
  if (dir < 0 || fstatfs (dir, &sf) < 0)
    return burrow_fail_errno (err, "linux.sysctl: open /proc/sys in the container");
  if (sf.f_type != PROC_SUPER_MAGIC)
    return burrow_fail_plain (err, EPERM, "linux.sysctl: /proc/sys in the container is not procfs");
  for (size_t i = 0; i < spec->linux_.n_sysctl; i++)
    {
      const struct burrow_kv *kv = &spec->linux_.sysctl[i];
      char rel[512];
      key_to_path (kv->key, rel, sizeof rel);
      struct open_how how
          = { .flags = O_WRONLY | O_CLOEXEC,
              .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
      cleanup_close int fd = syscall (SYS_openat2, dir, rel, &how, sizeof how);
      if (fd < 0)
        return burrow_fail_errno (err, "linux.sysctl: open `%s`", kv->key);
      if (burrow_write_all (fd, kv->value, strlen (kv->value)) < 0)
        return burrow_fail_errno (err, "linux.sysctl: set `%s` to `%s`", kv->key, kv->value);
    }
  return 0;
}
