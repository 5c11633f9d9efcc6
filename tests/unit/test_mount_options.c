/* test_mount_options.c: option words to flags, clears, propagation, mount_setattr
   attributes and the filesystem data string. */
#include "config.h"
#include "mount_options.h"

#include "tap.h"

#include <sys/mount.h>
#include <linux/mount.h>

#define N(a) (sizeof (a) / sizeof (a)[0])

static int
parse (char *const *opts, size_t n, bool is_bind, struct burrow_mount_opts *o,
       struct burrow_error *err)
{
  return burrow_mount_opts_parse (opts, n, is_bind, "/dst", o, err);
}

static void
test_flags (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;
  char *opts[] = { "defaults", "nosuid",     "nodev",    "noexec", "ro",     "sync",
                   "dirsync",  "nodiratime", "lazytime", "mand",   "remount" };

  ok (parse (opts, N (opts), false, &o, &err) == 0, "parse plain flags");
  ok (o.flags
          == (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_SYNCHRONOUS | MS_DIRSYNC
              | MS_NODIRATIME | MS_LAZYTIME | MS_MANDLOCK | MS_REMOUNT),
      "flags %#lx", o.flags);
  ok (o.clear == 0 && o.propagation == 0 && o.attr_set == 0 && o.attr_clr == 0 && !o.bind,
      "nothing else");
  ok (o.data == NULL, "no data");
  burrow_mount_opts_release (&o);

  char *none[] = { "defaults" };
  ok (parse (none, N (none), false, &o, &err) == 0 && o.flags == 0 && o.clear == 0,
      "defaults sets nothing");
  ok (parse (NULL, 0, false, &o, &err) == 0 && o.flags == 0 && o.data == NULL, "no options");
}

static void
test_clear (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;
  char *opts[] = { "ro",       "rw",    "suid",   "dev",        "exec",          "atime",
                   "diratime", "async", "nomand", "norelatime", "nostrictatime", "nolazytime" };

  ok (parse (opts, N (opts), false, &o, &err) == 0, "parse clearing words");
  ok (o.flags == 0, "nothing set (%#lx)", o.flags);
  ok (o.clear
          == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME
              | MS_SYNCHRONOUS | MS_MANDLOCK | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME),
      "clear %#lx", o.clear);

  char *again[] = { "rw", "ro" };
  ok (parse (again, N (again), false, &o, &err) == 0 && o.flags == MS_RDONLY && o.clear == 0,
      "the last of rw/ro wins");

  char *atime[] = { "noatime", "strictatime" };
  ok (parse (atime, N (atime), false, &o, &err) == 0 && o.flags == MS_STRICTATIME,
      "the last atime mode wins");
  char *rel[] = { "relatime" };
  ok (parse (rel, N (rel), false, &o, &err) == 0 && o.flags == MS_RELATIME, "relatime");
  char *noa[] = { "strictatime", "noatime" };
  ok (parse (noa, N (noa), false, &o, &err) == 0 && o.flags == MS_NOATIME, "noatime");
}

static void
test_bind_and_propagation (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;

  char *bind[] = { "bind", "ro" };
  ok (parse (bind, N (bind), false, &o, &err) == 0 && o.bind && o.flags == (MS_BIND | MS_RDONLY),
      "bind");
  char *rbind[] = { "rbind", "rprivate" };
  ok (parse (rbind, N (rbind), false, &o, &err) == 0 && o.bind && o.flags == (MS_BIND | MS_REC)
          && o.propagation == (MS_PRIVATE | MS_REC),
      "rbind, rprivate");
  char *typed[] = { "nosuid" };
  ok (parse (typed, N (typed), true, &o, &err) == 0 && o.bind && o.flags == (MS_BIND | MS_NOSUID),
      "type bind without a bind option is still a bind");

  struct
  {
    char *word;
    unsigned long want;
  } props[] = {
    { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
    { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  int bad = 0;
  for (size_t i = 0; i < N (props); i++)
    if (parse (&props[i].word, 1, false, &o, &err) < 0 || o.propagation != props[i].want
        || o.flags != 0)
      bad++;
  ok (bad == 0, "all eight propagation words");
  char *two[] = { "shared", "rslave" };
  ok (parse (two, N (two), false, &o, &err) == 0 && o.propagation == (MS_SLAVE | MS_REC),
      "the last propagation wins");

  char *idmap[] = { "bind", "idmap" };
  ok (parse (idmap, N (idmap), false, &o, &err) == 0 && o.idmap && !o.ridmap, "idmap");
  char *ridmap[] = { "rbind", "ridmap", "tmpcopyup" };
  ok (parse (ridmap, N (ridmap), false, &o, &err) == 0 && o.idmap && o.ridmap,
      "ridmap, tmpcopyup ignored");
}

static void
test_recursive (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;

  char *set[] = { "rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rnodiratime" };
  ok (parse (set, N (set), false, &o, &err) == 0, "parse recursive set");
  ok (o.attr_set
          == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
              | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME),
      "attr_set %#llx", (unsigned long long)o.attr_set);
  ok (o.attr_clr == 0, "attr_clr empty");
  ok (o.flags == (MS_BIND | MS_REC), "no MS_* from recursive words");

  char *clr[] = { "rbind", "rrw", "rsuid", "rdev", "rexec", "rsymfollow", "rdiratime" };
  ok (parse (clr, N (clr), false, &o, &err) == 0 && o.attr_set == 0
          && o.attr_clr
                 == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                     | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME),
      "recursive clears");

  char *both[] = { "rbind", "rro", "rrw" };
  ok (parse (both, N (both), false, &o, &err) == 0 && o.attr_set == 0
          && o.attr_clr == MOUNT_ATTR_RDONLY,
      "the last of rro/rrw wins");

  char *noatime[] = { "rbind", "rnoatime" };
  ok (parse (noatime, N (noatime), false, &o, &err) == 0 && o.attr_set == MOUNT_ATTR_NOATIME
          && o.attr_clr == MOUNT_ATTR__ATIME,
      "rnoatime sets the value and clears the atime field");
  char *strict[] = { "rbind", "rnoatime", "rstrictatime" };
  ok (parse (strict, N (strict), false, &o, &err) == 0 && o.attr_set == MOUNT_ATTR_STRICTATIME
          && o.attr_clr == MOUNT_ATTR__ATIME,
      "rstrictatime replaces rnoatime");
  char *rel[] = { "rbind", "rnoatime", "rrelatime" };
  ok (parse (rel, N (rel), false, &o, &err) == 0 && o.attr_set == MOUNT_ATTR_RELATIME
          && o.attr_clr == MOUNT_ATTR__ATIME,
      "rrelatime");
  char *ratime[] = { "rbind", "rnoatime", "ratime" };
  ok (parse (ratime, N (ratime), false, &o, &err) == 0
          && (o.attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME
          && o.attr_clr == MOUNT_ATTR__ATIME,
      "ratime goes back to relatime");
}

static void
test_data (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;

  char *tmpfs[] = { "nosuid", "mode=755", "strictatime", "size=65536k" };
  ok (parse (tmpfs, N (tmpfs), false, &o, &err) == 0, "tmpfs options");
  is_str (o.data, "mode=755,size=65536k", "data joined in order");
  ok (o.flags == (MS_NOSUID | MS_STRICTATIME), "flags beside data");
  burrow_mount_opts_release (&o);
  ok (o.data == NULL, "release clears data");

  char *devpts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" };
  ok (parse (devpts, N (devpts), false, &o, &err) == 0, "devpts options");
  is_str (o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts data");
  burrow_mount_opts_release (&o);
}

static void
test_bind_unknown (void)
{
  struct burrow_error err = { 0 };
  struct burrow_mount_opts o;

  char *opts[] = { "ro", "mode=755", "rbind" };
  ok (parse (opts, N (opts), false, &o, &err) < 0, "unknown option on a bind mount");
  is_str (err.msg, "unknown mount option `mode=755` for bind mount `/dst`", "message");
  char *typed[] = { "nosuid", "size=1k" };
  ok (parse (typed, N (typed), true, &o, &err) < 0, "unknown option on type bind");
  like (err.msg, "`size=1k`", "names the option");
}

int
main (void)
{
  test_flags ();
  test_clear ();
  test_bind_and_propagation ();
  test_recursive ();
  test_data ();
  test_bind_unknown ();
  return tap_done ();
}
