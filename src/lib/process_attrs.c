/* process_attrs.c: the per-process settings of process{} applied by the init. */
#include "config.h"
#include "process_attrs.h"

#include "cleanup.h"
#include "error.h"
#include "file_io.h"
#include "path_in_rootfs.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
burrow_set_rlimits (const struct burrow_process *p, struct burrow_error *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct burrow_rlimit *r = &p->rlimits[i];
      struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };
      if (setrlimit (r->resource, &lim) < 0)
        return burrow_fail_errno (err, "set %s to soft %llu, hard %llu", r->name,
                                  (unsigned long long)r->soft, (unsigned long long)r->hard);
    }
  return 0;
}

int
burrow_set_identity (const struct burrow_process *p, bool setgroups_allowed,
                     struct burrow_error *err)
{
  const struct burrow_user *u = &p->user;
  if (setgroups_allowed)
    {
      gid_t *groups = calloc (u->n_additional_gids + 1, sizeof *groups);
      if (groups == NULL)
        return burrow_fail_errno (err, "setgroups");
      for (size_t i = 0; i < u->n_additional_gids; i++)
        groups[i] = u->additional_gids[i];
      int r = setgroups (u->n_additional_gids, groups);
      free (groups);
      if (r < 0)
        return burrow_fail_errno (err, "setgroups (process.user.additionalGids)");
    }
  else if (u->n_additional_gids > 0)
    return burrow_fail_plain (err, EPERM,
                              "process.user.additionalGids: setgroups is denied in this "
                              "user namespace");
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return burrow_fail_errno (err, "setresgid %u (process.user.gid)", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return burrow_fail_errno (err, "setresuid %u (process.user.uid)", u->uid);
  return 0;
}

int
burrow_set_hostname (const struct burrow_spec *spec, struct burrow_error *err)
{
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return burrow_fail_errno (err, "set hostname `%s`", spec->hostname);
  if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return burrow_fail_errno (err, "set domainname `%s`", spec->domainname);
  return 0;
}

int
burrow_set_process_misc (const struct burrow_process *p, struct burrow_error *err)
{
  if (p->has_oom_score_adj)
    {
      char v[16];
      snprintf (v, sizeof v, "%d", p->oom_score_adj);
      if (burrow_write_proc ("/proc/self/oom_score_adj", v, err) < 0)
        return burrow_error_prefix (err, "process.oomScoreAdj");
    }
  if (p->user.has_umask)
    umask (p->user.umask);
  return 0;
}

int
burrow_chdir_in_root (const char *cwd, struct burrow_error *err)
{
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return burrow_fail_errno (err, "open /");
  cleanup_close int fd = burrow_open_in_root (root, cwd, O_DIRECTORY, err);
  if (fd < 0)
    return burrow_error_prefix (err, "process.cwd");
  if (fchdir (fd) < 0)
    return burrow_fail_errno (err, "chdir to `%s` (process.cwd)", cwd);
  return 0;
}

static bool
is_executable_file (const char *path, int *errnum)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      *errnum = errno;
      return false;
    }
  if (!S_ISREG (st.st_mode) || !(st.st_mode & 0111))
    {
      *errnum = S_ISDIR (st.st_mode) ? EISDIR : EACCES;
      return false;
    }
  return true;
}

int
burrow_find_executable (const struct burrow_process *p, char **path_out, struct burrow_error *err)
{
  const char *arg0 = p->args[0];
  int errnum = 0;
  if (strchr (arg0, '/'))
    {
      if (!is_executable_file (arg0, &errnum))
        return burrow_fail (err, errnum, "exec `%s`", arg0);
      *path_out = strdup (arg0);
      return 0;
    }
  const char *path = DEFAULT_PATH;
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], "PATH=", 5) == 0)
      path = p->env[i] + 5;

  cleanup_free char *dirs = strdup (path);
  if (dirs == NULL)
    return burrow_fail_errno (err, "exec `%s`", arg0);
  int first_errnum = ENOENT;
  char *save = NULL;
  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *cand = NULL;
      if (asprintf (&cand, "%s/%s", *d ? d : ".", arg0) < 0)
        return burrow_fail_errno (err, "exec `%s`", arg0);
      if (is_executable_file (cand, &errnum))
        {
          *path_out = steal_ptr (&cand);
          return 0;
        }
      if (errnum != ENOENT && errnum != ENOTDIR && first_errnum == ENOENT)
        first_errnum = errnum;
    }
  return burrow_fail (err, first_errnum, "exec `%s`: not found in $PATH (%s)", arg0, path);
}

int
burrow_personality_parse (const struct burrow_spec *spec, long *out, struct burrow_error *err)
{
  *out = -1;
  const cJSON *p = spec->linux_.personality;
  if (p == NULL)
    return 0;
  const cJSON *domain = cJSON_GetObjectItemCaseSensitive (p, "domain");
  const cJSON *flags = cJSON_GetObjectItemCaseSensitive (p, "flags");
  if (!cJSON_IsString (domain))
    return burrow_fail_plain (err, EINVAL, "linux.personality.domain must be a string");
  if (strcmp (domain->valuestring, "LINUX") == 0)
    *out = PER_LINUX;
  else if (strcmp (domain->valuestring, "LINUX32") == 0)
    *out = PER_LINUX32;
  else
    return burrow_fail_plain (err, EINVAL,
                              "linux.personality.domain: unknown domain `%s` "
                              "(LINUX or LINUX32)",
                              domain->valuestring);
  /* The runtime-spec defines no flag names yet; any given is an error, not ignored. */
  if (flags && cJSON_GetArraySize (flags) > 0)
    return burrow_fail_plain (err, EINVAL, "linux.personality.flags: no flags are supported");
  return 0;
}

int
burrow_personality_apply (long persona, struct burrow_error *err)
{
  if (persona >= 0 && personality (persona) < 0)
    return burrow_fail_errno (err, "linux.personality");
  return 0;
}

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* PT_INTERP of an ELF file (the loader the kernel maps, resolved like a path given by
   the exec'ing process, so "/proc/self/exe" there is the runtime), or "" when none. */
static void
elf_interpreter (int fd, char *out, size_t size)
{
  Elf64_Ehdr eh;
  out[0] = '\0';
  if (pread (fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp (eh.e_ident, ELFMAG, SELFMAG))
    return;
  bool is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  const Elf32_Ehdr *eh32 = (const Elf32_Ehdr *)&eh;
  uint64_t phoff = is64 ? eh.e_phoff : eh32->e_phoff;
  unsigned phnum = is64 ? eh.e_phnum : eh32->e_phnum;
  size_t phsize = is64 ? sizeof (Elf64_Phdr) : sizeof (Elf32_Phdr);
  for (unsigned i = 0; i < phnum && i < 256; i++)
    {
      Elf64_Phdr ph;
      Elf32_Phdr *ph32 = (Elf32_Phdr *)&ph;
      if (pread (fd, &ph, phsize, phoff + i * phsize) != (ssize_t)phsize)
        return;
      uint32_t type = is64 ? ph.p_type : ph32->p_type;
      if (type != PT_INTERP)
        continue;
      uint64_t off = is64 ? ph.p_offset : ph32->p_offset;
      uint64_t len = is64 ? ph.p_filesz : ph32->p_filesz;
      if (len >= size)
        len = size - 1;
      ssize_t n = pread (fd, out, len, off);
      out[n > 0 ? n : 0] = '\0';
      return;
    }
}

/* The interpreter of a #! script or an ELF file, or "" when the file has none. */
static int
read_interpreter (const char *path, char *out, size_t size)
{
  char buf[256];
  out[0] = '\0';
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return -1;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n >= SELFMAG && memcmp (buf, ELFMAG, SELFMAG) == 0)
    {
      elf_interpreter (fd, out, size);
      return 0;
    }
  if (n < 2 || buf[0] != '#' || buf[1] != '!')
    return 0;
  buf[n] = '\0';
  char *p = buf + 2;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t len = strcspn (p, " \t\n");
  if (len >= size)
    len = size - 1;
  memcpy (out, p, len);
  out[len] = '\0';
  return 0;
}

int
burrow_check_not_self (const char *exe, int self_fd, struct burrow_error *err)
{
  struct stat self, st;
  if (self_fd < 0 || fstat (self_fd, &self) < 0)
    return 0;
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s", exe);
  for (int depth = 0; depth < 5 && path[0]; depth++)
    {
      if (stat (path, &st) == 0 && same_file (&st, &self))
        return burrow_fail_plain (err, EPERM,
                                  "exec `%s`: refusing to run the runtime's own binary inside "
                                  "the container (via `%s`; see CVE-2019-5736)",
                                  exe, path);
      char interp[PATH_MAX];
      if (read_interpreter (path, interp, sizeof interp) < 0)
        return 0;
      memcpy (path, interp, sizeof path);
    }
  return 0;
}

/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: walk our fd table instead. */
static int
mark_cloexec_from (unsigned int first)
{
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      int fd = atoi (de->d_name);
      if (de->d_name[0] != '.' && fd >= (int)first && fd != dirfd (d))
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  closedir (d);
  return 0;
}

int
burrow_prepare_exec_fds (unsigned int preserve_fds, struct burrow_error *err)
{
  unsigned int first = 3 + preserve_fds;
  for (unsigned int fd = 3; fd < first; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  /* Everything of ours above the preserved range closes at execve; what must tell the
     runtime whether execve worked (exec fifo, sync socket) stays open until then. */
  if (syscall (SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0
      && mark_cloexec_from (first) < 0)
    return burrow_fail_errno (err, "mark fds close-on-exec");
  return 0;
}

int
burrow_move_fd_above (int fd, int min)
{
  if (fd < 0 || fd >= min)
    return fd;
  int n = fcntl (fd, F_DUPFD_CLOEXEC, min);
  close (fd);
  return n;
}
