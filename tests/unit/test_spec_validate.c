/* test_spec_validate.c: each semantic check of spec_validate.c, on configs parsed into a
   temporary bundle, for root and for rootless callers. */
#include "config.h"
#include "spec.h"

#include "subid.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* An id no host gives subordinate ranges to, so the denied paths are deterministic. */
#define ROOTLESS_ID 4000123

static char bundle[64];

/* The parts of a config a test changes; NULL means the passing default. */
struct cfg
{
  const char *version;
  const char *process; /* the members of "process", or "-" for no process at all */
  const char *root;
  const char *top;    /* more top-level members, each followed by a comma */
  const char *linux_; /* the members of "linux" */
};

static const char *const default_process
    = "\"args\": [\"/bin/sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}";

static char *
config_text (const struct cfg *c)
{
  char *text = NULL, *process = NULL;
  const char *p = c->process ? c->process : default_process;
  if (strcmp (p, "-") == 0)
    process = strdup ("");
  else if (asprintf (&process, "\"process\": {%s},", p) < 0)
    process = NULL;
  if (process == NULL)
    abort ();
  if (asprintf (&text,
                "{\"ociVersion\": \"%s\", %s \"root\": {\"path\": \"%s\"}, %s"
                " \"linux\": {%s}}",
                c->version ? c->version : "1.0.2", process, c->root ? c->root : "rootfs",
                c->top ? c->top : "",
                c->linux_ ? c->linux_ : "\"namespaces\": [{\"type\": \"mount\"}]")
      < 0)
    abort ();
  free (process);
  return text;
}

static struct burrow_context
make_ctx (uid_t uid, gid_t gid)
{
  struct burrow_context ctx = { 0 };
  ctx.probed = true;
  ctx.euid = uid;
  ctx.egid = gid;
  ctx.rootless = uid != 0;
  return ctx;
}

/* Parse and validate; the spec is handed back when spec_out is given. A parse failure
   returns -2 so a test can tell the loader refused the config before validation ran. */
static int
run (struct cfg c, uid_t uid, struct burrow_error *err, struct burrow_spec **spec_out)
{
  struct burrow_context ctx = make_ctx (uid, uid);
  struct burrow_spec *spec = NULL;
  char *text = config_text (&c);
  int r;

  err->errnum = 0;
  err->msg[0] = '\0';
  if (burrow_spec_parse (text, bundle, &spec, err) < 0)
    {
      printf ("# parse failed: %s\n", err->msg);
      free (text);
      return -2;
    }
  free (text);
  r = burrow_spec_validate (&ctx, spec, err);
  if (spec_out)
    *spec_out = spec;
  else
    burrow_spec_free (spec);
  return r;
}

static int
root_run (struct cfg c, struct burrow_error *err)
{
  return run (c, 0, err, NULL);
}

static int
rootless_run (struct cfg c, struct burrow_error *err)
{
  return run (c, ROOTLESS_ID, err, NULL);
}

static void
expect_ok (int r, const struct burrow_error *err, const char *what)
{
  ok (r == 0, "%s", what);
  if (r != 0)
    printf ("#   error: %s\n", err->msg);
}

static void
expect_fail (int r, const struct burrow_error *err, const char *fragment, const char *what)
{
  ok (r == -1, "%s is refused by validation (r=%d)", what, r);
  like (err->msg, fragment, "%s: %s", what, err->msg);
}

static void
test_id (void)
{
  struct burrow_error err = { 0 };
  char long_id[1100];

  ok (burrow_id_validate ("mybox", &err) == 0, "plain id");
  ok (burrow_id_validate ("a.b_c+d-1", &err) == 0, "all allowed punctuation");
  ok (burrow_id_validate ("...", &err) == 0, "three dots are a name");
  ok (burrow_id_validate ("a/b", &err) < 0, "slash refused");
  like (err.msg, "invalid container id `a/b`: ", "message: %s", err.msg);
  ok (burrow_id_validate ("", &err) < 0, "empty refused");
  like (err.msg, "invalid container id ``", "empty message");
  ok (burrow_id_validate (".", &err) < 0 && burrow_id_validate ("..", &err) < 0,
      ". and .. refused");
  like (err.msg, "invalid container id `..`", ".. message");
  ok (burrow_id_validate ("a b", &err) < 0, "space refused");
  ok (burrow_id_validate ("caf\xc3\xa9", &err) < 0, "non-ASCII refused");
  ok (burrow_id_validate ("x:y", &err) < 0, "colon refused");
  memset (long_id, 'a', 1024);
  long_id[1024] = '\0';
  ok (burrow_id_validate (long_id, &err) == 0, "1024 bytes accepted");
  long_id[1024] = 'a';
  long_id[1025] = '\0';
  ok (burrow_id_validate (long_id, &err) < 0, "1025 bytes refused");
  like (err.msg, "longer than 1024 bytes", "length message");
}

static void
test_basics (void)
{
  struct burrow_error err = { 0 };

  expect_ok (root_run ((struct cfg){ 0 }, &err), &err, "the default config passes");
  expect_ok (root_run ((struct cfg){ .version = "1.1.0" }, &err), &err, "ociVersion 1.1.0");
  expect_ok (root_run ((struct cfg){ .version = "1.0.2-dev" }, &err), &err, "1.0.2-dev");
  expect_fail (root_run ((struct cfg){ .version = "2.0.0" }, &err), &err,
               "unsupported ociVersion `2.0.0`: burrow supports 1.x", "ociVersion 2.0.0");
  expect_fail (root_run ((struct cfg){ .version = "10.0.0" }, &err), &err,
               "unsupported ociVersion `10.0.0`", "ociVersion 10.0.0");
  expect_fail (root_run ((struct cfg){ .version = "0.9" }, &err), &err,
               "unsupported ociVersion `0.9`", "ociVersion 0.9");

  int r = root_run ((struct cfg){ .process = "-" }, &err);
  ok (r < 0, "no process is refused (r=%d)", r);
  like (err.msg, "process", "no process: message");
  r = root_run ((struct cfg){ .process = "\"args\": [], \"cwd\": \"/\"" }, &err);
  ok (r < 0, "empty args refused (r=%d)", r);
  like (err.msg, "process.args", "empty args: message");
  expect_fail (root_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"tmp\"" }, &err),
               &err, "process.cwd `tmp` must be an absolute path", "relative cwd");
}

static void
test_root (void)
{
  struct burrow_error err = { 0 };
  char abs_root[128];

  expect_ok (root_run ((struct cfg){ .root = "./rootfs" }, &err), &err, "root.path ./rootfs");
  expect_ok (root_run ((struct cfg){ .root = "sub/../rootfs" }, &err), &err,
             "root.path sub/../rootfs stays inside");
  snprintf (abs_root, sizeof abs_root, "%s/rootfs", bundle);
  expect_ok (root_run ((struct cfg){ .root = abs_root }, &err), &err, "absolute root.path");
  expect_fail (root_run ((struct cfg){ .root = "../rootfs" }, &err), &err,
               "root.path `../rootfs` is outside the bundle", "root.path ../rootfs");
  expect_fail (root_run ((struct cfg){ .root = "a/../../x" }, &err), &err,
               "root.path `a/../../x` is outside the bundle", "root.path a/../../x");
  expect_fail (root_run ((struct cfg){ .root = "missing" }, &err), &err,
               "No such file or directory", "missing rootfs");
  like (err.msg, "root.path `missing`", "missing rootfs names the field");
  expect_fail (root_run ((struct cfg){ .root = "afile" }, &err), &err, "Not a directory",
               "rootfs that is a file");
}

static void
test_uts (void)
{
  struct burrow_error err = { 0 };

  expect_fail (root_run ((struct cfg){ .top = "\"hostname\": \"box\"," }, &err), &err,
               "hostname requires a UTS namespace: add {\"type\": \"uts\"} to linux.namespaces",
               "hostname without UTS");
  expect_fail (root_run ((struct cfg){ .top = "\"domainname\": \"example.org\"," }, &err), &err,
               "domainname requires a UTS namespace", "domainname without UTS");
  expect_ok (root_run ((struct cfg){ .top = "\"hostname\": \"box\",",
                                     .linux_ = "\"namespaces\": [{\"type\": \"uts\"}]" },
                       &err),
             &err, "hostname with UTS");
}

static void
test_mounts (void)
{
  struct burrow_error err = { 0 };

  expect_ok (root_run ((struct cfg){ .top = "\"mounts\": [{\"destination\": \"/dev\", \"type\": "
                                            "\"tmpfs\", \"source\": \"tmpfs\", \"options\": "
                                            "[\"nosuid\", \"mode=755\", \"size=65536k\"]}]," },
                       &err),
             &err, "tmpfs with data options");
  expect_fail (root_run ((struct cfg){ .top = "\"mounts\": [{\"destination\": \"proc\", "
                                              "\"type\": \"proc\", \"source\": \"proc\"}]," },
                         &err),
               &err, "mounts[0].destination `proc` must be an absolute path",
               "relative destination");
  expect_fail (root_run ((struct cfg){ .top = "\"mounts\": [{\"destination\": \"/proc\", "
                                              "\"type\": \"proc\", \"source\": \"proc\"}, "
                                              "{\"destination\": \"/x\", \"source\": \"/tmp\", "
                                              "\"options\": [\"rbind\", \"mode=755\"]}]," },
                         &err),
               &err, "mounts[1]: unknown mount option `mode=755` for bind mount `/x`",
               "unknown option on an rbind");
  expect_fail (root_run ((struct cfg){ .top = "\"mounts\": [{\"destination\": \"/x\", \"type\": "
                                              "\"bind\", \"source\": \"/tmp\", \"options\": "
                                              "[\"size=1k\"]}]," },
                         &err),
               &err, "mounts[0]: unknown mount option `size=1k`", "unknown option on type bind");

  expect_ok (root_run ((struct cfg){ .linux_ = "\"rootfsPropagation\": \"rslave\"" }, &err), &err,
             "rootfsPropagation rslave");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"rootfsPropagation\": \"sideways\"" }, &err),
               &err, "linux.rootfsPropagation `sideways` is not one of", "bad propagation");
}

static void
test_namespaces (void)
{
  struct burrow_error err = { 0 };

  expect_ok (root_run ((struct cfg){ .linux_ = "\"namespaces\": [{\"type\": \"network\", "
                                               "\"path\": \"/proc/self/ns/net\"}]" },
                       &err),
             &err, "joining an existing namespace");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"namespaces\": [{\"type\": \"network\", "
                                                 "\"path\": \"/nonexistent/ns/net\"}]" },
                         &err),
               &err, "`/nonexistent/ns/net` of the network namespace: No such file",
               "a namespace path that does not exist");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"uidMappings\": [{\"containerID\": 0, "
                                                 "\"hostID\": 1000, \"size\": 1}]" },
                         &err),
               &err,
               "linux.uidMappings requires a user namespace: add {\"type\": \"user\"} to "
               "linux.namespaces",
               "root: mappings without a user namespace");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"namespaces\": [{\"type\": \"user\"}]" }, &err),
               &err, "linux.uidMappings is empty", "a new user namespace without mappings");
}

#define USERNS "\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"mount\"}]"
#define MAP(c, h, s) "{\"containerID\": " #c ", \"hostID\": " #h ", \"size\": " #s "}"
#define GIDMAP_BIG "\"gidMappings\": [" MAP (0, 100000, 65536) "]"

static void
test_mappings (void)
{
  struct burrow_error err = { 0 };

  expect_ok (root_run ((struct cfg){ .linux_ = USERNS ", \"uidMappings\": [" MAP (
                                         0, 100000, 65536) "], " GIDMAP_BIG },
                       &err),
             &err, "root: a subordinate-style mapping");
  expect_fail (
      root_run ((struct cfg){ .linux_ = USERNS ", \"uidMappings\": [" MAP (0, 100000, 10) ", " MAP (
                                  5, 200000, 10) "], " GIDMAP_BIG },
                &err),
      &err, "linux.uidMappings[1]: container ids 5-14 overlap linux.uidMappings[0]",
      "container-side overlap");
  expect_fail (
      root_run ((struct cfg){ .linux_ = USERNS ", \"uidMappings\": [" MAP (0, 100000, 10) ", " MAP (
                                  10, 100009, 10) "], " GIDMAP_BIG },
                &err),
      &err, "linux.uidMappings[1]: host ids 100009-100018 overlap", "host-side overlap");
  expect_fail (root_run ((struct cfg){ .linux_ = USERNS
                                       ", \"uidMappings\": [" MAP (0, 100000, 0) "], " GIDMAP_BIG },
                         &err),
               &err, "linux.uidMappings[0].size must be greater than 0", "size 0");

  /* 341 one-id lines: one more than the kernel takes. */
  size_t cap = 341 * 64 + 256, len = 0;
  char *many = malloc (cap);
  len += snprintf (many + len, cap - len, USERNS ", " GIDMAP_BIG ", \"uidMappings\": [");
  for (int i = 0; i < 341; i++)
    len += snprintf (many + len, cap - len, "%s{\"containerID\": %d, \"hostID\": %d, \"size\": 1}",
                     i ? ", " : "", i, 100000 + i);
  snprintf (many + len, cap - len, "]");
  expect_fail (root_run ((struct cfg){ .linux_ = many }, &err), &err, "at most 340",
               "341 mapping lines");
  free (many);

  expect_fail (root_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": "
                                                  "{\"uid\": 1000, \"gid\": 0}",
                                       .linux_ = USERNS ", \"uidMappings\": [" MAP (
                                           0, 100000, 1000) "], " GIDMAP_BIG },
                         &err),
               &err, "process.user.uid 1000 is not mapped by linux.uidMappings", "unmapped uid");
  expect_fail (root_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": "
                                                  "{\"uid\": 0, \"gid\": 70000}",
                                       .linux_ = USERNS ", \"uidMappings\": [" MAP (
                                           0, 100000, 1000) "], " GIDMAP_BIG },
                         &err),
               &err, "process.user.gid 70000 is not mapped by linux.gidMappings", "unmapped gid");
  expect_fail (root_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": "
                                                  "{\"uid\": 0, \"gid\": 0, \"additionalGids\": "
                                                  "[5, 70000]}",
                                       .linux_ = USERNS ", \"uidMappings\": [" MAP (
                                           0, 100000, 1000) "], " GIDMAP_BIG },
                         &err),
               &err, "process.user.additionalGids[1] 70000 is not mapped by linux.gidMappings",
               "unmapped additional gid");
}

static void
test_devices (void)
{
  struct burrow_error err = { 0 };

  expect_ok (root_run ((struct cfg){ .linux_ = "\"devices\": [{\"path\": \"/dev/fuse\", \"type\": "
                                               "\"c\", \"major\": 10, \"minor\": 229}]" },
                       &err),
             &err, "a character device under /dev");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"devices\": [{\"path\": \"/etc/fuse\", "
                                                 "\"type\": \"c\", \"major\": 10, \"minor\": "
                                                 "229}]" },
                         &err),
               &err, "linux.devices[0].path `/etc/fuse` must be an absolute path under /dev",
               "device outside /dev");
  expect_fail (root_run ((struct cfg){ .linux_ = "\"devices\": [{\"path\": \"/dev/../etc/x\", "
                                                 "\"type\": \"c\", \"major\": 1, \"minor\": 3}]" },
                         &err),
               &err, "linux.devices[0].path `/dev/../etc/x`", "device escaping /dev");
  int r = root_run ((struct cfg){ .linux_ = "\"devices\": [{\"path\": \"/dev/x\", \"type\": "
                                            "\"x\", \"major\": 1, \"minor\": 3}]" },
                    &err);
  ok (r < 0, "device type x refused (r=%d)", r);
  like (err.msg, "linux.devices[0].type", "device type: message");
}

static void
test_rootless (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *spec = NULL;
  char own[64];

  int r = run ((struct cfg){ 0 }, ROOTLESS_ID, &err, &spec);
  expect_ok (r, &err, "rootless: a config without a user namespace passes");
  if (r == 0)
    {
      const struct burrow_linux *l = &spec->linux_;
      ok (l->namespaces[BURROW_NS_USER].present && l->namespaces[BURROW_NS_USER].path == NULL,
          "a user namespace was added");
      ok (l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0
              && l->uid_mappings[0].host_id == ROOTLESS_ID && l->uid_mappings[0].size == 1,
          "own uid mapped to 0");
      ok (l->n_gid_mappings == 1 && l->gid_mappings[0].host_id == ROOTLESS_ID,
          "own gid mapped to 0");
    }
  burrow_spec_free (spec);

  snprintf (own, sizeof own, MAP (0, % d, 1), ROOTLESS_ID);
  char single[512];
  snprintf (single, sizeof single, USERNS ", \"uidMappings\": [%s], \"gidMappings\": [%s]", own,
            own);
  expect_ok (rootless_run ((struct cfg){ .linux_ = single }, &err), &err,
             "rootless: single own mappings");

  char denied[512];
  snprintf (denied, sizeof denied,
            USERNS ", \"uidMappings\": [" MAP (0, 100000, 65536) "], \"gidMappings\": [%s]", own);
  expect_fail (rootless_run ((struct cfg){ .linux_ = denied }, &err), &err,
               "linux.uidMappings: host ids 100000-165535 are not delegated to uid 4000123",
               "rootless: a range not in /etc/subuid");
  like (err.msg, "add them with `usermod --add-subuids 100000-165535 ", "the fix is named");

  snprintf (denied, sizeof denied, USERNS ", \"uidMappings\": [%s], " GIDMAP_BIG, own);
  expect_fail (rootless_run ((struct cfg){ .linux_ = denied }, &err), &err,
               "linux.gidMappings: host ids 100000-165535 are not delegated",
               "rootless: a range not in /etc/subgid");

  expect_fail (rootless_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"/\", "
                                                      "\"user\": {\"uid\": 0, \"gid\": 0, "
                                                      "\"additionalGids\": [0]}",
                                           .linux_ = single },
                             &err),
               &err, "setgroups is denied", "rootless: additionalGids with a single gid map");
  like (err.msg, "/etc/subgid", "the setgroups message points at /etc/subgid");

  expect_fail (rootless_run ((struct cfg){ .process = "\"args\": [\"sh\"], \"cwd\": \"/\", "
                                                      "\"user\": {\"uid\": 1, \"gid\": 0}" },
                             &err),
               &err, "process.user.uid 1 is not mapped by linux.uidMappings",
               "rootless: a user the added namespace does not map");
}

static int
write_text (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  close (fd);
  return n == (ssize_t)strlen (text) ? 0 : -1;
}

/* In a private mount namespace, our own /etc/subuid and /etc/subgid: the allowed path
   of a subordinate range, without touching the host's files. */
static int
child_subordinate_allowed (void)
{
  struct burrow_error err = { 0 };
  char sub[128], map[512];

  snprintf (sub, sizeof sub, "%s/subid", bundle);
  snprintf (map, sizeof map, "%d:100000:65536\n", ROOTLESS_ID);
  if (write_text (sub, map) < 0 || unshare (CLONE_NEWNS) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount (sub, "/etc/subuid", NULL, MS_BIND, NULL) < 0
      || mount (sub, "/etc/subgid", NULL, MS_BIND, NULL) < 0)
    return 2;
  snprintf (
      map, sizeof map,
      USERNS ", \"uidMappings\": [" MAP (0, % d, 1) ", " MAP (
          1, 100000, 65536) "], \"gidMappings\": [" MAP (0, % d, 1) ", " MAP (1, 100000, 65536) "]",
      ROOTLESS_ID, ROOTLESS_ID);
  if (rootless_run ((struct cfg){ .linux_ = map }, &err) < 0)
    {
      printf ("# %s\n", err.msg);
      return 1;
    }
  snprintf (map, sizeof map,
            USERNS ", \"uidMappings\": [" MAP (0, 100000,
                                               65537) "], \"gidMappings\": [" MAP (0, % d, 1) "]",
            ROOTLESS_ID);
  if (rootless_run ((struct cfg){ .linux_ = map }, &err) == 0)
    return 3;
  return 0;
}

static void
test_rootless_subordinate (void)
{
  struct burrow_error err = { 0 };
  char *uidmap = NULL, *gidmap = NULL;
  struct stat st;
  bool usable = geteuid () == 0 && stat ("/etc/subuid", &st) == 0 && stat ("/etc/subgid", &st) == 0
                && burrow_idmap_find_helper ("newuidmap", &uidmap, &err) == 0
                && burrow_idmap_find_helper ("newgidmap", &gidmap, &err) == 0;

  free (uidmap);
  free (gidmap);
  if (!usable)
    {
      ok (1, "# SKIP subordinate ranges: needs root, /etc/subuid, /etc/subgid and the "
             "uidmap helpers");
      return;
    }
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (child_subordinate_allowed ());
  int status = 0;
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "rootless: ranges delegated in /etc/subuid and /etc/subgid pass, one id more does not "
      "(status %d)",
      WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}

static int
setup_bundle (void)
{
  char path[128];
  snprintf (bundle, sizeof bundle, "/tmp/burrow-validate-XXXXXX");
  if (mkdtemp (bundle) == NULL)
    return -1;
  snprintf (path, sizeof path, "%s/rootfs", bundle);
  if (mkdir (path, 0755) < 0)
    return -1;
  snprintf (path, sizeof path, "%s/sub", bundle);
  if (mkdir (path, 0755) < 0)
    return -1;
  snprintf (path, sizeof path, "%s/afile", bundle);
  return write_text (path, "not a directory\n");
}

static void
remove_bundle (void)
{
  char path[128];
  const char *names[] = { "rootfs", "sub", "afile", "subid" };
  for (size_t i = 0; i < 4; i++)
    {
      snprintf (path, sizeof path, "%s/%s", bundle, names[i]);
      if (unlink (path) < 0)
        rmdir (path);
    }
  rmdir (bundle);
}

int
main (void)
{
  if (setup_bundle () < 0)
    {
      printf ("1..0 # SKIP cannot create a bundle in /tmp\n");
      return 77;
    }
  test_id ();
  test_basics ();
  test_root ();
  test_uts ();
  test_mounts ();
  test_namespaces ();
  test_mappings ();
  test_devices ();
  test_rootless ();
  test_rootless_subordinate ();
  remove_bundle ();
  return tap_done ();
}
