/* cgroup_devices.c: device rules on cgroup v2, where they are an eBPF program
   (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the container's cgroup. The rules are the v1
   ones (linux.resources.devices, runc's default devices, linux.devices), assembled by hand
   as runc and crun do: the last matching rule decides, nothing matching is denied. */
#include "config.h"
#include "cgroup_internal.h"

#include "cleanup.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct dev_rule
{
  bool allow;
  char type;              /* 'a', 'c', 'b' */
  long long major, minor; /* -1: any */
  unsigned access;        /* BPF_DEVCG_ACC_* */
};

/* "c 1:3 rwm", "a *:* rwm" (the v1 file format) */
static int
parse_rule (const char *s, bool allow, struct dev_rule *r)
{
  char type, maj[24], min[24], acc[8];
  if (sscanf (s, "%c %23[^:]:%23s %7s", &type, maj, min, acc) != 4)
    return -1;
  r->allow = allow;
  r->type = type;
  r->major = strcmp (maj, "*") == 0 ? -1 : atoll (maj);
  r->minor = strcmp (min, "*") == 0 ? -1 : atoll (min);
  r->access = 0;
  for (const char *p = acc; *p; p++)
    r->access |= *p == 'r'   ? BPF_DEVCG_ACC_READ
                 : *p == 'w' ? BPF_DEVCG_ACC_WRITE
                 : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
                             : 0;
  return 0;
}

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}

#define ALL_ACCESS (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* One rule: each test jumps past the block when it does not match; a match returns. */
static size_t
rule_block (const struct dev_rule *r, struct bpf_insn *b)
{
  size_t n = 0;
  int16_t jumps[4];
  size_t nj = 0;
  if (r->type == 'c' || r->type == 'b')
    {
      jumps[nj++] = n;
      b[n++] = insn (BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
                     r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
    }
  if ((r->access & ALL_ACCESS) != ALL_ACCESS)
    {
      /* the access asked for must be within the rule's */
      b[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0);
      b[n++] = insn (BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, (int32_t)(~r->access & ALL_ACCESS));
      jumps[nj++] = n;
      b[n++] = insn (BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
    }
  if (r->major >= 0)
    {
      jumps[nj++] = n;
      b[n++] = insn (BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r->major);
    }
  if (r->minor >= 0)
    {
      jumps[nj++] = n;
      b[n++] = insn (BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r->minor);
    }
  b[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
  b[n++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  for (size_t j = 0; j < nj; j++)
    b[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
  return n;
}

/* The rules in order: linux.resources.devices, runc's defaults, linux.devices. */
static int
collect_rules (const cJSON *devices, const struct burrow_spec *spec, struct dev_rule **out,
               size_t *n, struct burrow_error *err)
{
  cJSON *res = cJSON_CreateObject ();
  cJSON_AddItemToObject (res, "devices",
                         devices ? cJSON_Duplicate (devices, 1) : cJSON_CreateArray ());
  struct burrow_cg_writes w;
  int r = burrow_cg_translate (res, 1, &w, err);
  cJSON_Delete (res);
  if (r < 0)
    return -1;
  size_t extra = spec ? spec->linux_.n_devices : 0;
  *out = calloc (w.n + extra + 1, sizeof **out);
  *n = 0;
  for (size_t i = 0; *out && i < w.n; i++)
    if (parse_rule (w.v[i].value, strcmp (w.v[i].file, "devices.allow") == 0, &(*out)[*n]) == 0)
      (*n)++;
  for (size_t i = 0; *out && i < extra; i++)
    {
      const struct burrow_device *d = &spec->linux_.devices[i];
      (*out)[(*n)++] = (struct dev_rule){ .allow = true,
                                          .type = d->type == 'b' ? 'b' : 'c',
                                          .major = d->major,
                                          .minor = d->minor,
                                          .access = ALL_ACCESS };
    }
  burrow_cg_writes_release (&w);
  return *out ? 0 : burrow_fail (err, ENOMEM, "device rules");
}

int
burrow_cg_devices_attach (const char *dir, const cJSON *devices, const struct burrow_spec *spec,
                          struct burrow_error *err)
{
  cleanup_free struct dev_rule *rules = NULL;
  size_t n;
  if (collect_rules (devices, spec, &rules, &n, err) < 0)
    return -1;
  /* 6 loads, at most 8 per rule, 2 at the end */
  cleanup_free struct bpf_insn *prog = calloc (6 + 8 * n + 2, sizeof *prog);
  if (prog == NULL)
    return burrow_fail (err, ENOMEM, "device rules");
  size_t len = 0;
  prog[len++] = insn (BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);      /* access_type */
  prog[len++] = insn (BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff); /* its device type */
  prog[len++] = insn (BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0);
  prog[len++] = insn (BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16); /* the access asked for */
  prog[len++] = insn (BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);  /* major */
  prog[len++] = insn (BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);  /* minor */
  /* The last matching rule decides: test them from the last. A rule matching every
     device ends the program (the verifier refuses unreachable code after it). */
  bool ended = false;
  for (size_t i = n; i-- > 0 && !ended;)
    {
      size_t k = rule_block (&rules[i], prog + len);
      ended = k == 2;
      len += k;
    }
  if (!ended)
    {
      prog[len++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
      prog[len++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }

  char log[4096] = "";
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)prog;
  attr.insn_cnt = len;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  attr.log_buf = (uint64_t)(uintptr_t)log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  cleanup_close int prog_fd = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (prog_fd < 0 && errno == ENOSPC)
    {
      /* the log did not fit: load again without it */
      attr.log_buf = 0;
      attr.log_size = 0;
      attr.log_level = 0;
      prog_fd = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    }
  if (prog_fd < 0)
    return burrow_fail (err, errno, "linux.resources.devices: load the device program%s%.200s",
                        log[0] ? ": " : "", log);
  cleanup_close int cg_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg_fd < 0)
    return burrow_fail_errno (err, "open cgroup `%s`", dir);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cg_fd;
  attr.attach_bpf_fd = prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0)
    return burrow_fail_errno (err, "linux.resources.devices: attach the device program to `%s`",
                              dir);
  return 0;
}
