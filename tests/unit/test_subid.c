/* test_subid.c: /etc/subuid parsing, uid_map parsing and the rootless mapping checks. */
#include "config.h"
#include "subid.h"

#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_subid_parse (void)
{
  struct burrow_error err = { 0 };
  struct burrow_id_range *r = NULL;
  size_t n = 99;
  const char *text = "# comment\n"
                     "alice:100000:65536\n"
                     "bob:200000:65536\n"
                     "1000:300000:10\n"
                     "alice:400000:5   \n"
                     "alice:bad:5\n"
                     "alice:5\n"
                     "alice:1:0\n"
                     "alice:-1:5\n"
                     "alice:4294967295:2\n"
                     "\n"
                     "alice:500000:7";

  ok (burrow_subid_parse (text, "alice", 1000, &r, &n, &err) == 0, "parse by name and id");
  ok (n == 4, "four ranges for alice/1000 (got %zu)", n);
  if (n == 4)
    {
      ok (r[0].start == 100000 && r[0].count == 65536, "by name");
      ok (r[1].start == 300000 && r[1].count == 10, "by numeric id");
      ok (r[2].start == 400000 && r[2].count == 5, "trailing blanks tolerated");
      ok (r[3].start == 500000 && r[3].count == 7, "last line without newline");
    }
  free (r);

  r = NULL;
  ok (burrow_subid_parse (text, NULL, 1000, &r, &n, &err) == 0 && n == 1 && r[0].start == 300000,
      "numeric id only when no name");
  free (r);

  r = (void *)1;
  ok (burrow_subid_parse (text, "carol", 4242, &r, &n, &err) == 0 && n == 0 && r == NULL,
      "no ranges for an unknown user");

  r = NULL;
  ok (burrow_subid_parse ("al:1:2\nalicex:3:4\n", "alice", 7, &r, &n, &err) == 0 && n == 0,
      "prefixes of the name do not match");
  free (r);
}

static void
test_subid_read (void)
{
  struct burrow_error err = { 0 };
  struct burrow_id_range *r = (void *)1;
  size_t n = 9;
  char path[] = "/tmp/burrow-subid-XXXXXX";
  int fd = mkstemp (path);
  const char *text = "4000123:100000:65536\nnobody-else:1:2\n";

  ok (burrow_subid_read ("/nonexistent/subuid", 1000, &r, &n, &err) == 0 && n == 0 && r == NULL,
      "a missing file gives zero ranges");
  ok (fd >= 0 && write (fd, text, strlen (text)) == (ssize_t)strlen (text), "temp file");
  close (fd);
  r = NULL;
  ok (burrow_subid_read (path, 4000123, &r, &n, &err) == 0 && n == 1 && r[0].start == 100000,
      "read by numeric id from a file");
  free (r);
  unlink (path);
}

static void
test_idmap_parse (void)
{
  struct burrow_error err = { 0 };
  struct burrow_id_mapping *m = NULL;
  size_t n = 0;

  ok (burrow_idmap_parse ("         0       1000          1\n         1     100000      65536\n",
                          &m, &n, &err)
          == 0,
      "parse a two-line uid_map");
  ok (n == 2 && m[0].container_id == 0 && m[0].host_id == 1000 && m[0].size == 1
          && m[1].container_id == 1 && m[1].host_id == 100000 && m[1].size == 65536,
      "values");
  free (m);

  m = NULL;
  ok (burrow_idmap_parse ("0 0 4294967295", &m, &n, &err) == 0 && n == 1
          && m[0].size == 4294967295u,
      "the initial namespace's map");
  free (m);

  m = NULL;
  ok (burrow_idmap_parse ("", &m, &n, &err) == 0 && n == 0, "empty map");
  free (m);

  m = NULL;
  ok (burrow_idmap_parse ("0 1000\n", &m, &n, &err) < 0, "two fields are an error");
  like (err.msg, "line 1", "message names the line: %s", err.msg);
  ok (burrow_idmap_parse ("0 0 1\n0 x 1\n", &m, &n, &err) < 0, "non-numeric is an error");
  like (err.msg, "line 2", "line 2");
  ok (burrow_idmap_parse ("0 0 1 7\n", &m, &n, &err) < 0, "trailing junk is an error");
  ok (burrow_idmap_parse ("0 0 4294967296\n", &m, &n, &err) < 0, "overflow is an error");
}

static void
test_single_own (void)
{
  struct burrow_id_mapping own = { 0, 1000, 1 };
  struct burrow_id_mapping two[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
  struct burrow_id_mapping big = { 0, 1000, 2 };

  ok (burrow_idmap_is_single_own (&own, 1, 1000), "own id, size 1");
  ok (!burrow_idmap_is_single_own (&own, 1, 1001), "someone else's id");
  ok (!burrow_idmap_is_single_own (two, 2, 1000), "two lines");
  ok (!burrow_idmap_is_single_own (&big, 1, 1000), "size 2");
  ok (!burrow_idmap_is_single_own (NULL, 0, 1000), "no lines");
}

static void
test_check_allowed (void)
{
  struct burrow_error err = { 0 };
  struct burrow_id_range ranges[] = { { 100000, 65536 }, { 165536, 100 } };
  struct burrow_id_mapping ok_maps[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
  struct burrow_id_mapping span[] = { { 0, 165000, 600 } };
  struct burrow_id_mapping bad[] = { { 0, 1000, 1 }, { 1, 200000, 10 } };
  struct burrow_id_mapping own_big[] = { { 0, 1000, 2 } };

  ok (burrow_idmap_check_allowed (ok_maps, 2, 1000, ranges, 2, "uid", &err) == 0,
      "own id plus a subordinate range");
  ok (burrow_idmap_check_allowed (span, 1, 1000, ranges, 2, "uid", &err) == 0,
      "a range spanning two adjacent entries");
  ok (burrow_idmap_check_allowed (bad, 2, 1000, ranges, 2, "uid", &err) < 0,
      "a range that is not delegated");
  like (err.msg, "linux.uidMappings: host ids 200000-200009 are not delegated to uid 1000",
        "message: %s", err.msg);
  like (err.msg, "in /etc/subuid; add them with `usermod --add-subuids 200000-200009 ", "fix");
  ok (burrow_idmap_check_allowed (own_big, 1, 1000, NULL, 0, "uid", &err) < 0,
      "own id only with size 1");
  ok (burrow_idmap_check_allowed (span, 1, 1000, NULL, 0, "gid", &err) < 0, "gid denied");
  like (err.msg, "linux.gidMappings: host ids 165000-165599", "gid message: %s", err.msg);
  like (err.msg, "/etc/subgid; add them with `usermod --add-subgids 165000-165599 ", "gid fix");

  /* uid 0 always has a passwd entry, so the user's name shows up. */
  struct burrow_id_mapping root_bad[] = { { 0, 5, 1 } };
  ok (burrow_idmap_check_allowed (root_bad, 1, 0, NULL, 0, "uid", &err) < 0, "denied for 0");
  like (err.msg, "uid 0 (user root)", "user name in message: %s", err.msg);
  like (err.msg, "5-5 root`", "user name in the fix");
}

static void
test_find_helper (void)
{
  struct burrow_error err = { 0 };
  char *path = NULL;
  char *saved = getenv ("PATH") ? strdup (getenv ("PATH")) : NULL;

  ok (burrow_idmap_find_helper ("burrow-no-such-helper", &path, &err) < 0, "missing helper");
  is_str (err.msg, "burrow-no-such-helper not found: install the Debian package uidmap",
          "missing message");
  ok (err.errnum == ENOENT, "ENOENT");

  /* /bin/sh exists and is not setuid: the "neither" message. */
  setenv ("PATH", "/bin:/usr/bin", 1);
  ok (burrow_idmap_find_helper ("sh", &path, &err) < 0, "sh is not setuid");
  like (err.msg, "is neither setuid root nor has file capabilities: run `chmod u+s ", "message: %s",
        err.msg);
  if (saved)
    setenv ("PATH", saved, 1);
  free (saved);

  if (access ("/usr/bin/newuidmap", X_OK) == 0)
    {
      path = NULL;
      int r = burrow_idmap_find_helper ("newuidmap", &path, &err);
      ok (r == 0 || strstr (err.msg, "neither setuid"), "newuidmap found (%s)",
          r == 0 ? path : err.msg);
      free (path);
    }
}

int
main (void)
{
  test_subid_parse ();
  test_subid_read ();
  test_idmap_parse ();
  test_single_own ();
  test_check_allowed ();
  test_find_helper ();
  return tap_done ();
}
