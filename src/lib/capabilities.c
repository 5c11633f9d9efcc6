/* capabilities.c: capability names, and the five sets applied in the init with raw
   capset/prctl calls (no libcap: the container's init should load as little as it can). */
#include "config.h"
#include "capabilities.h"

#include "error.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define LAST_KNOWN_CAP 40

static const char *const cap_names[LAST_KNOWN_CAP + 1] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

int
burrow_cap_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i <= LAST_KNOWN_CAP; i++)
    if (strcmp (name, cap_names[i]) == 0)
      return i;
  return -1;
}

const char *
burrow_cap_name (int cap)
{
  if (cap < 0 || cap > LAST_KNOWN_CAP)
    return NULL;
  return cap_names[cap];
}

int
burrow_cap_last_known (void)
{
  return LAST_KNOWN_CAP;
}

int
burrow_cap_last_kernel (void)
{
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  int last = -1;
  if (f == NULL)
    return LAST_KNOWN_CAP;
  if (fscanf (f, "%d", &last) != 1 || last < 0 || last > 63)
    last = LAST_KNOWN_CAP;
  fclose (f);
  return last;
}

/* For messages: a capability the name table lacks is still printed usefully. */
static const char *
cap_label (int cap, char *buf, size_t len)
{
  const char *name = burrow_cap_name (cap);
  if (name)
    return name;
  snprintf (buf, len, "capability %d", cap);
  return buf;
}

int
burrow_caps_prepare (const struct burrow_caps *caps, struct burrow_error *err)
{
  int last = burrow_cap_last_kernel ();
  char buf[32];

  for (int cap = 0; cap <= last; cap++)
    {
      if (caps->bounding & (1ULL << cap))
        continue;
      /* Dropping needs CAP_SETPCAP; skip what is already gone so a caller without it
         can still run with a bounding set that is a subset of its own. */
      int r = prctl (PR_CAPBSET_READ, cap, 0, 0, 0);
      if (r == 0 || (r < 0 && errno == EINVAL))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
        return burrow_fail_errno (err, "cannot drop %s from the bounding set",
                                  cap_label (cap, buf, sizeof buf));
    }
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return burrow_fail_errno (err, "cannot set PR_SET_KEEPCAPS");
  return 0;
}

static uint64_t
kernel_mask (void)
{
  int last = burrow_cap_last_kernel ();
  return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static int
first_cap (uint64_t mask)
{
  for (int i = 0; i < 64; i++)
    if (mask & (1ULL << i))
      return i;
  return -1;
}

static int
capget_current (struct __user_cap_data_struct data[2])
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  return (int)syscall (SYS_capget, &hdr, data);
}

/* capset says only EPERM; find the capability that caused it so the message can name it. */
static int
explain_capset_failure (uint64_t eff, uint64_t perm, uint64_t inh, int saved,
                        struct burrow_error *err)
{
  struct __user_cap_data_struct cur[2];
  char buf[32];
  int cap;

  if ((cap = first_cap (eff & ~perm)) >= 0)
    return burrow_fail (err, saved, "cannot set effective capability %s: not in the permitted set",
                        cap_label (cap, buf, sizeof buf));
  if (capget_current (cur) == 0)
    {
      uint64_t cur_perm = cur[0].permitted | ((uint64_t)cur[1].permitted << 32);
      uint64_t cur_inh = cur[0].inheritable | ((uint64_t)cur[1].inheritable << 32);
      if ((cap = first_cap (perm & ~cur_perm)) >= 0)
        return burrow_fail (err, saved, "cannot set permitted capability %s",
                            cap_label (cap, buf, sizeof buf));
      for (cap = 0; cap < 64; cap++)
        if ((inh & ~cur_inh & (1ULL << cap)) && prctl (PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
          return burrow_fail (err, saved,
                              "cannot set inheritable capability %s: not in the bounding set",
                              cap_label (cap, buf, sizeof buf));
    }
  return burrow_fail (err, saved,
                      "cannot set capabilities (effective %#llx, permitted %#llx, "
                      "inheritable %#llx)",
                      (unsigned long long)eff, (unsigned long long)perm, (unsigned long long)inh);
}

static int
set_ambient (uint64_t ambient, uint64_t mask, struct burrow_error *err)
{
  char buf[32];

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    {
      /* Kernels before 4.3 have no ambient set: fine unless one is asked for. */
      if (errno == EINVAL && ambient == 0)
        return 0;
      return burrow_fail_errno (err, "cannot clear the ambient capability set");
    }
  for (int cap = 0; cap < 64; cap++)
    {
      if (!(ambient & (1ULL << cap)))
        continue;
      if (!(mask & (1ULL << cap)))
        {
          burrow_log (BURROW_LOG_WARNING,
                      "ambient capability %s is unknown to this kernel: not raised",
                      cap_label (cap, buf, sizeof buf));
          continue;
        }
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
        return burrow_fail_errno (err, "cannot raise ambient capability %s",
                                  cap_label (cap, buf, sizeof buf));
    }
  return 0;
}

int
burrow_caps_apply (const struct burrow_caps *caps, struct burrow_error *err)
{
  uint64_t mask = kernel_mask ();
  uint64_t eff = caps->effective & mask;
  uint64_t perm = caps->permitted & mask;
  uint64_t inh = caps->inheritable & mask;
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2] = {
    { .effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh },
    { .effective = (uint32_t)(eff >> 32),
      .permitted = (uint32_t)(perm >> 32),
      .inheritable = (uint32_t)(inh >> 32) },
  };

  if ((caps->effective | caps->permitted | caps->inheritable) & ~mask)
    burrow_log (BURROW_LOG_DEBUG,
                "capabilities above %d are unknown to this kernel and are left out",
                burrow_cap_last_kernel ());
  if (syscall (SYS_capset, &hdr, data) < 0)
    return explain_capset_failure (eff, perm, inh, errno, err);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return burrow_fail_errno (err, "cannot clear PR_SET_KEEPCAPS");
  return set_ambient (caps->ambient, mask, err);
}

void
burrow_caps_limit_to_own_bounding (struct burrow_caps *caps)
{
  uint64_t asked
      = caps->bounding | caps->effective | caps->permitted | caps->inheritable | caps->ambient;
  uint64_t missing = 0;
  for (int c = 0; c <= burrow_cap_last_known (); c++)
    if ((asked & (1ULL << c)) && prctl (PR_CAPBSET_READ, c, 0, 0, 0) == 0)
      missing |= 1ULL << c;
  if (missing == 0)
    return;
  char names[1024] = "";
  size_t len = 0;
  for (int c = 0; c <= burrow_cap_last_known (); c++)
    if (missing & (1ULL << c))
      len += snprintf (names + len, len < sizeof names ? sizeof names - len : 0, "%s%s",
                       len ? ", " : "", burrow_cap_name (c));
  burrow_log (BURROW_LOG_WARNING,
              "process.capabilities: %s not in the runtime's own bounding set; the container "
              "runs without them",
              names);
  caps->bounding &= ~missing;
  caps->effective &= ~missing;
  caps->permitted &= ~missing;
  caps->inheritable &= ~missing;
  caps->ambient &= ~missing;
}
