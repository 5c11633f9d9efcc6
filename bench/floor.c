/* floor.c: the kernel's floor for starting a container, the least a runtime must do to run
   /bin/true in one: clone3 into the namespaces, write the id maps, make the rootfs the
   root (bind, proc, pivot_root), set the hostname, exec, wait. No config parsing, no state, no cgroup.

   floor [-u] [-n] [-c] [-s ALLOWLIST] ROOTFS [CMD [ARG...]]    (CMD defaults to /bin/true)
     always new pid, mount, ipc and uts namespaces;
     -u  new user namespace, root in it mapped to the caller (the rootless case)
     -n  new network namespace
     -c  new cgroup namespace
     -s  load a seccomp allow-list (one syscall name per line, others fail with EPERM),
         compiled in the parent before clone as runtimes do, loaded in the child
   floor -e PID [CMD...]   the floor of `exec`: join the namespaces of PID that differ from
                           ours through a pidfd (one setns), fork, exec CMD, wait.
   floor -r CMD [ARG...]   become a child subreaper and exec CMD (so the benchmark shell
                           reaps the container processes it orphans; pid 1 may not).

   Exit status: the command's, or 125 with a message when a step fails. Build:
   gcc -O2 -o floor floor.c [-DFLOOR_SECCOMP -lseccomp] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#ifdef FLOOR_SECCOMP
#include <seccomp.h>
#endif

#define FAIL_STATUS 125

static void __attribute__ ((noreturn, format (printf, 1, 2)))
die (const char *fmt, ...)
{
  va_list ap;
  int saved = errno;
  va_start (ap, fmt);
  fputs ("floor: ", stderr);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, ": %s\n", strerror (saved));
  _exit (FAIL_STATUS);
}

static void
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    die ("open %s", path);
  if (write (fd, text, strlen (text)) != (ssize_t) strlen (text))
    die ("write %s", path);
  close (fd);
}

static int
wait_status (pid_t pid)
{
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      die ("waitpid");
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}

#ifdef FLOOR_SECCOMP
/* Compile the allow-list to BPF in the parent, as runtimes do (libseccomp's cost is part
   of starting a container with a filter); the child only loads the program. */
static struct sock_fprog *
seccomp_from_list (const char *path)
{
  char name[128];
  FILE *f = fopen (path, "re");
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  if (f == NULL || ctx == NULL)
    die ("seccomp allow-list %s", path);
  while (fscanf (f, "%127s", name) == 1)
    {
      int nr = seccomp_syscall_resolve_name (name);
      if (nr != __NR_SCMP_ERROR)
        seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
    }
  fclose (f);
  int fd = memfd_create ("bpf", MFD_CLOEXEC);
  if (fd < 0 || seccomp_export_bpf (ctx, fd) < 0)
    die ("compiling %s", path);
  seccomp_release (ctx);
  off_t len = lseek (fd, 0, SEEK_CUR);
  struct sock_fprog *prog = malloc (sizeof *prog);
  void *insns = malloc (len);
  if (prog == NULL || insns == NULL || pread (fd, insns, len, 0) != len)
    die ("reading the BPF of %s", path);
  close (fd);
  prog->len = len / sizeof (struct sock_filter);
  prog->filter = insns;
  return prog;
}
#endif

/* The child: wait for the maps, then the root filesystem, then exec. */
static void __attribute__ ((noreturn))
child (int sync_fd, const char *rootfs, char **argv, const struct sock_fprog *filter)
{
  char c, proc[4096];
  if (read (sync_fd, &c, 1) != 1)
    die ("waiting for the parent");
  close (sync_fd);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die ("make / private");
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    die ("bind %s", rootfs);
  snprintf (proc, sizeof proc, "%s/proc", rootfs);
  if (mount ("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    die ("mount %s", proc);
  if (chdir (rootfs) < 0)
    die ("chdir %s", rootfs);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("detach the old root");
  if (chdir ("/") < 0)
    die ("chdir /");
  if (sethostname ("floor", 5) < 0)
    die ("sethostname");
  if (filter != NULL
      && (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) < 0))
    die ("loading the seccomp filter");
  execv (argv[0], argv);
  die ("exec %s", argv[0]);
}

static int
run_container (uint64_t flags, const char *rootfs, char **argv, const char *allowlist)
{
  int sync[2];
  struct sock_fprog *filter = NULL;
  char map[64];
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  if (allowlist != NULL)
    {
#ifdef FLOOR_SECCOMP
      filter = seccomp_from_list (allowlist);
#else
      errno = ENOSYS;
      die ("built without libseccomp, cannot load %s", allowlist);
#endif
    }
  if (pipe2 (sync, O_CLOEXEC) < 0)
    die ("pipe");
  struct clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
  pid_t pid = syscall (SYS_clone3, &ca, sizeof ca);
  if (pid < 0)
    die ("clone3");
  if (pid == 0)
    {
      close (sync[1]);
      child (sync[0], rootfs, argv, filter);
    }
  close (sync[0]);
  if (flags & CLONE_NEWUSER)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
      write_file (path, "deny");
      snprintf (path, sizeof path, "/proc/%d/uid_map", pid);
      snprintf (map, sizeof map, "0 %u 1", (unsigned) uid);
      write_file (path, map);
      snprintf (path, sizeof path, "/proc/%d/gid_map", pid);
      snprintf (map, sizeof map, "0 %u 1", (unsigned) gid);
      write_file (path, map);
    }
  if (write (sync[1], "x", 1) != 1)
    die ("releasing the child");
  close (sync[1]);
  return wait_status (pid);
}

static int
exec_in (pid_t target, char **argv)
{
  int pidfd = syscall (SYS_pidfd_open, target, 0);
  if (pidfd < 0)
    die ("pidfd_open %d", target);
  /* Join the namespaces the target does not share with us (joining one's own user
     namespace is refused, and a shared net or cgroup namespace owned by the host's user
     namespace would need CAP_SYS_ADMIN there): what a runtime's exec joins. */
  static const struct { const char *name; int flag; } kinds[] = {
    { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
    { "cgroup", CLONE_NEWCGROUP },
  };
  int flags = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      char self[64], other[64];
      struct stat a, b;
      snprintf (other, sizeof other, "/proc/%d/ns/%s", target, kinds[i].name);
      snprintf (self, sizeof self, "/proc/self/ns/%s", kinds[i].name);
      if (stat (other, &a) < 0 || stat (self, &b) < 0)
        die ("stat %s", other);
      if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
        flags |= kinds[i].flag;
    }
  if (setns (pidfd, flags) < 0)
    die ("setns into %d", target);
  pid_t pid = fork ();
  if (pid < 0)
    die ("fork");
  if (pid == 0)
    {
      execv (argv[0], argv);
      die ("exec %s", argv[0]);
    }
  return wait_status (pid);
}

int
main (int argc, char **argv)
{
  uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  const char *allowlist = NULL;
  pid_t exec_target = 0;
  static char *default_cmd[] = { "/bin/true", NULL };
  int opt;

  while ((opt = getopt (argc, argv, "+uncs:e:r")) != -1)
    switch (opt)
      {
      case 'u': flags |= CLONE_NEWUSER; break;
      case 'n': flags |= CLONE_NEWNET; break;
      case 'c': flags |= CLONE_NEWCGROUP; break;
      case 's': allowlist = optarg; break;
      case 'e': exec_target = atoi (optarg); break;
      case 'r':
        if (optind >= argc)
          {
            fputs ("floor: -r needs a command\n", stderr);
            return 2;
          }
        if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
          die ("PR_SET_CHILD_SUBREAPER");
        execvp (argv[optind], argv + optind);
        die ("exec %s", argv[optind]);
      default:
        fputs ("usage: floor [-u] [-n] [-c] [-s ALLOWLIST] ROOTFS [CMD...] | -e PID [CMD...] | -r CMD...\n",
               stderr);
        return 2;
      }
  if (exec_target > 0)
    return exec_in (exec_target, optind < argc ? argv + optind : default_cmd);
  if (optind >= argc)
    {
      fputs ("floor: ROOTFS missing\n", stderr);
      return 2;
    }
  const char *rootfs = argv[optind++];
  return run_container (flags, rootfs, optind < argc ? argv + optind : default_cmd, allowlist);
}
