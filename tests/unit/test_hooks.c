/* test_hooks.c: hooks.c: the checks of config.json's `hooks` (each error naming its
   field), and running hooks: stdin, argv, env, fds, signals, failures, timeouts, order. */
#include "config.h"
#include "hooks.h"

#include "error.h"
#include "file_io.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char tmpdir[] = "/tmp/test_hooks.XXXXXX";
static char out_env[sizeof tmpdir + 8]; /* "OUT=<tmpdir>" */

/* ------------------------------------------------------------------ building configs */

static cJSON *
strings (const char *const *v)
{
  cJSON *a = cJSON_CreateArray ();
  for (; *v; v++)
    cJSON_AddItemToArray (a, cJSON_CreateString (*v));
  return a;
}

/* One hooks[] entry; args/env NULL: absent; timeout 0: absent. */
static cJSON *
hook (const char *path, const char *const *args, const char *const *env, int timeout)
{
  cJSON *h = cJSON_CreateObject ();
  cJSON_AddStringToObject (h, "path", path);
  if (args)
    cJSON_AddItemToObject (h, "args", strings (args));
  if (env)
    cJSON_AddItemToObject (h, "env", strings (env));
  if (timeout)
    cJSON_AddNumberToObject (h, "timeout", timeout);
  return h;
}

/* A /bin/sh -c SCRIPT hook, with OUT (the test directory) and PATH in its environment. */
static cJSON *
sh_hook (const char *script, int timeout)
{
  return hook ("/bin/sh", ARGS ("sh", "-c", script), ARGS (out_env, "PATH=/usr/bin:/bin"), timeout);
}

/* {"<kind>": [hooks...]}: a NULL-terminated list of entries. */
static cJSON *
hooks_of (const char *kind, ...)
{
  cJSON *o = cJSON_CreateObject (), *list = cJSON_AddArrayToObject (o, kind), *h;
  va_list ap;
  va_start (ap, kind);
  while ((h = va_arg (ap, cJSON *)) != NULL)
    cJSON_AddItemToArray (list, h);
  va_end (ap);
  return o;
}

static char *
path_in_tmp (const char *name)
{
  static char buf[4][256];
  static int next;
  char *p = buf[next++ % 4];
  snprintf (p, sizeof buf[0], "%s/%s", tmpdir, name);
  return p;
}

/* The content of a file in the test directory ("" when missing); caller frees. */
static char *
slurp (const char *name)
{
  struct burrow_error err;
  char *text = NULL;
  if (burrow_read_file (path_in_tmp (name), 0, &text, NULL, &err) < 0)
    return strdup ("");
  return text;
}

static void
write_file (const char *name, const char *text, mode_t mode)
{
  const char *path = path_in_tmp (name);
  FILE *f = fopen (path, "w");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0 || chmod (path, mode) < 0)
    {
      perror (path);
      exit (2);
    }
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ validation */

static void
valid (const char *text, const char *what)
{
  cJSON *j = cJSON_Parse (text);
  struct burrow_error err = { 0 };
  int r = burrow_hooks_validate (j, &err);
  ok (j && r == 0, "valid: %s%s%s", what, r ? ": " : "", r ? err.msg : "");
  cJSON_Delete (j);
}

static void
invalid (const char *text, const char *fragment)
{
  cJSON *j = cJSON_Parse (text);
  struct burrow_error err = { 0 };
  int r = burrow_hooks_validate (j, &err);
  ok (j && r < 0 && err.errnum == EINVAL, "refused (EINVAL): %s", text);
  like (err.msg, fragment, "  message names it: %s", fragment);
  cJSON_Delete (j);
}

static void
test_validate (void)
{
  struct burrow_error err = { 0 };
  ok (burrow_hooks_validate (NULL, &err) == 0, "no hooks at all is fine");
  valid ("{}", "empty object");
  valid ("null", "null");
  valid ("{\"prestart\": [{\"path\": \"/bin/true\", \"args\": [\"true\", \"x\"], \"env\": "
         "[\"A=b\"], \"timeout\": 5}], \"createRuntime\": [], \"poststop\": null}",
         "every field, an empty list, a null list");
  valid ("{\"createRuntime\": [{\"path\": \"/x\"}], \"createContainer\": [{\"path\": \"/x\"}], "
         "\"startContainer\": [{\"path\": \"/x\"}], \"poststart\": [{\"path\": \"/x\"}]}",
         "all the other kinds");
  valid ("{\"poststop\": [{\"path\": \"/x\", \"args\": null, \"env\": null, \"timeout\": null, "
         "\"future\": 1}]}",
         "null optional fields and an unknown field in an entry");

  cJSON *j = cJSON_Parse ("{\"poststart\": [{\"path\": \"/bin/true\"}, {\"path\": \"rel/x\"}]}");
  ok (burrow_hooks_validate (j, &err) < 0, "a relative path is refused");
  is_str (err.msg, "hooks.poststart[1].path: `rel/x` is not absolute", "  the exact message");
  ok (err.errnum == EINVAL, "  errnum EINVAL");
  cJSON_Delete (j);

  invalid ("{\"prestart\": [{\"path\": \"\"}]}", "hooks.prestart[0].path: `` is not absolute");
  invalid ("{\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}", "hooks.prestart[0].timeout");
  invalid ("{\"prestart\": [{\"path\": \"/x\", \"timeout\": -3}]}", "got -3");
  invalid ("{\"prestart\": [{\"path\": \"/x\", \"timeout\": 1.5}]}", "hooks.prestart[0].timeout");
  invalid ("{\"prestart\": [{\"path\": \"/x\", \"timeout\": 1e12}]}", "hooks.prestart[0].timeout");
  invalid ("{\"prestart\": [{\"path\": \"/x\", \"timeout\": \"5\"}]}",
           "hooks.prestart[0].timeout: must be an integer");
  invalid ("{\"onStart\": [{\"path\": \"/x\"}]}", "hooks.onStart: unknown kind of hook");
  invalid ("{\"PostStop\": [{\"path\": \"/x\"}]}", "hooks.PostStop: unknown");
  invalid ("[]", "hooks: must be an object");
  invalid ("{\"poststop\": {}}", "hooks.poststop: must be an array");
  invalid ("{\"poststop\": [\"/bin/true\"]}", "hooks.poststop[0]: must be an object");
  invalid ("{\"createRuntime\": [{\"path\": \"/x\"}, {\"args\": [\"x\"]}]}",
           "hooks.createRuntime[1].path: required");
  invalid ("{\"createRuntime\": [{\"path\": 7}]}", "hooks.createRuntime[0].path: must be a string");
  invalid ("{\"createContainer\": [{\"path\": \"/x\", \"args\": \"x\"}]}",
           "hooks.createContainer[0].args: must be an array");
  invalid ("{\"createContainer\": [{\"path\": \"/x\", \"args\": [\"x\", 1]}]}",
           "hooks.createContainer[0].args[1]: must be a string");
  invalid ("{\"startContainer\": [{\"path\": \"/x\", \"env\": [null]}]}",
           "hooks.startContainer[0].env[0]: must be a string");
  invalid ("{\"startContainer\": [{\"path\": \"/x\", \"env\": {}}]}",
           "hooks.startContainer[0].env: must be an array");
}

static void
test_names_and_has (void)
{
  is_str (burrow_hook_kind_name (BURROW_HOOK_PRESTART), "prestart", "name of prestart");
  is_str (burrow_hook_kind_name (BURROW_HOOK_CREATE_RUNTIME), "createRuntime", "createRuntime");
  is_str (burrow_hook_kind_name (BURROW_HOOK_CREATE_CONTAINER), "createContainer",
          "createContainer");
  is_str (burrow_hook_kind_name (BURROW_HOOK_START_CONTAINER), "startContainer", "startContainer");
  is_str (burrow_hook_kind_name (BURROW_HOOK_POSTSTART), "poststart", "poststart");
  is_str (burrow_hook_kind_name (BURROW_HOOK_POSTSTOP), "poststop", "poststop");

  cJSON *j = cJSON_Parse ("{\"poststart\": [{\"path\": \"/x\"}], \"poststop\": []}");
  ok (burrow_hooks_has (j, BURROW_HOOK_POSTSTART), "has: a listed kind");
  ok (!burrow_hooks_has (j, BURROW_HOOK_POSTSTOP), "has: an empty list is none");
  ok (!burrow_hooks_has (j, BURROW_HOOK_PRESTART), "has: an absent kind");
  ok (!burrow_hooks_has (NULL, BURROW_HOOK_PRESTART), "has: no hooks at all");
  cJSON_Delete (j);
  struct burrow_error err = { 0 };
  ok (burrow_hooks_run (NULL, BURROW_HOOK_POSTSTOP, "{}", &err) == 0, "run: no hooks, nothing");
}

/* ------------------------------------------------------------------ running */

static const char *const state
    = "{\"ociVersion\": \"1.2.0\", \"id\": \"c1\", \"status\": \"creating\", \"pid\": 42, "
      "\"bundle\": \"/b\"}";

static int
run (cJSON *hooks, enum burrow_hook_kind kind, const char *stdin_text, struct burrow_error *err)
{
  burrow_error_clear (err);
  int r = burrow_hooks_run (hooks, kind, stdin_text, err);
  cJSON_Delete (hooks);
  return r;
}

static void
test_stdin_args_env (void)
{
  struct burrow_error err;
  setenv ("BURROW_HOOK_LEAK", "from-the-runtime", 1);

  cJSON *hooks = hooks_of (
      "createRuntime",
      hook ("/bin/sh",
            ARGS ("my-sh", "-c",
                  "cat > \"$OUT/stdin\"; tr '\\0' '\\n' < /proc/$$/cmdline > \"$OUT/cmdline\"; "
                  "env > \"$OUT/env\"",
                  "zero", "a b", "c"),
            ARGS (out_env, "FOO=bar baz", "PATH=/usr/bin:/bin"), 0),
      NULL);
  ok (run (hooks, BURROW_HOOK_CREATE_RUNTIME, state, &err) == 0, "a recording hook succeeds%s%s",
      err.msg[0] ? ": " : "", err.msg);
  char *t = slurp ("stdin");
  is_str (t, state, "the hook read the state JSON on stdin, all of it");
  free (t);
  t = slurp ("cmdline");
  ok (strncmp (t, "my-sh\n-c\ncat > ", 15) == 0, "argv is exactly `args`, argv[0] included");
  size_t tl = strlen (t), sl = strlen ("\nzero\na b\nc\n");
  ok (tl > sl && strcmp (t + tl - sl, "\nzero\na b\nc\n") == 0,
      "  and ends with the further args, spaces kept");
  free (t);
  t = slurp ("env");
  like (t, "FOO=bar baz\n", "the hook's env holds its `env`");
  ok (strstr (t, "BURROW_HOOK_LEAK") == NULL, "  and nothing of the runtime's environment");
  free (t);

  /* No `env`: runc's behaviour, the runtime's environment. No `args`: argv = {path}. The
     state JSON is the script /bin/sh reads from stdin here. */
  hooks = hooks_of ("poststop", hook ("/bin/sh", NULL, NULL, 0), NULL);
  char script[512];
  snprintf (script, sizeof script,
            "tr '\\0' '\\n' < /proc/$$/cmdline > %s/cmdline0; env > %s/env0\n", tmpdir, tmpdir);
  ok (run (hooks, BURROW_HOOK_POSTSTOP, script, &err) == 0, "a hook without args and env%s%s",
      err.msg[0] ? ": " : "", err.msg);
  t = slurp ("cmdline0");
  is_str (t, "/bin/sh\n", "  without `args`, argv is just the path");
  free (t);
  t = slurp ("env0");
  like (t, "BURROW_HOOK_LEAK=from-the-runtime", "  without `env`, the runtime's environment");
  free (t);

  hooks = hooks_of ("poststop",
                    hook ("/bin/sh",
                          ARGS ("sh", "-c",
                                "env > /dev/null; set > "
                                "/dev/null"),
                          (const char *const[]){ NULL }, 0),
                    NULL);
  ok (run (hooks, BURROW_HOOK_POSTSTOP, NULL, &err) == 0, "an empty `env` and no stdin are fine");
  unsetenv ("BURROW_HOOK_LEAK");
}

static void
test_failures (void)
{
  struct burrow_error err;
  ok (run (hooks_of ("createRuntime", hook ("/bin/false", NULL, NULL, 0), NULL),
           BURROW_HOOK_CREATE_RUNTIME, state, &err)
          < 0,
      "/bin/false fails");
  is_str (err.msg, "hooks.createRuntime[0] `/bin/false`: exit status 1", "  the exact message");

  ok (run (hooks_of ("prestart",
                     sh_hook ("echo first >&2; echo 'last words' >&2; echo out; exit 3", 0), NULL),
           BURROW_HOOK_PRESTART, state, &err)
          < 0,
      "a hook exiting 3 fails");
  like (err.msg, "hooks.prestart[0] `/bin/sh`: exit status 3: last words",
        "  with the last line of its stderr");
  ok (strstr (err.msg, "out") == NULL && strchr (err.msg, '\n') == NULL, "  no stdout, one line");

  ok (run (hooks_of ("prestart", sh_hook ("printf 'a\\tb\\033[1m\\n\\n' >&2; exit 1", 0), NULL),
           BURROW_HOOK_PRESTART, state, &err)
          < 0,
      "a hook writing control characters fails");
  like (err.msg, "exit status 1: a?b?[1m", "  they are made printable");

  ok (run (hooks_of ("poststart", sh_hook ("kill -TERM $$", 0), NULL), BURROW_HOOK_POSTSTART, state,
           &err)
          < 0,
      "a hook killed by a signal fails");
  like (err.msg, "hooks.poststart[0] `/bin/sh`: killed by signal 15 (SIGTERM)", "  naming it");

  ok (run (hooks_of ("startContainer", hook ("/nonexistent/hook", NULL, NULL, 0), NULL),
           BURROW_HOOK_START_CONTAINER, state, &err)
          < 0,
      "a missing program fails");
  is_str (err.msg,
          "hooks.startContainer[0] `/nonexistent/hook`: cannot execute: No such file or "
          "directory",
          "  with the errno of execve");
  ok (err.errnum == ENOENT, "  errnum ENOENT");

  write_file ("not-exec", "#!/bin/sh\nexit 0\n", 0644);
  /* Without any x bit, EACCES even for root. */
  ok (run (hooks_of ("startContainer", hook (path_in_tmp ("not-exec"), NULL, NULL, 0), NULL),
           BURROW_HOOK_START_CONTAINER, state, &err)
              < 0
          && err.errnum == EACCES,
      "a file without x permission: EACCES (%s)", err.msg);

  cJSON *bad = cJSON_Parse ("{\"prestart\": [{\"path\": \"rel\"}]}");
  ok (run (bad, BURROW_HOOK_PRESTART, state, &err) < 0 && err.errnum == EINVAL,
      "run checks its entries too");
  like (err.msg, "hooks.prestart[0].path: `rel` is not absolute", "  same message");
}

static bool
process_gone (pid_t pid)
{
  char path[64], buf[512];
  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  for (int i = 0; i < 100; i++)
    {
      FILE *f = fopen (path, "r");
      if (f == NULL)
        return true;
      size_t n = fread (buf, 1, sizeof buf - 1, f);
      fclose (f);
      buf[n] = '\0';
      char *p = strrchr (buf, ')');
      if (p && (p[2] == 'Z' || p[2] == 'X'))
        return true;
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  return false;
}

static void
test_timeout (void)
{
  struct burrow_error err;
  double t0 = now ();
  ok (run (hooks_of ("createContainer", sh_hook ("sleep 30 & echo $! > \"$OUT/sleeper\"; wait", 1),
                     NULL),
           BURROW_HOOK_CREATE_CONTAINER, state, &err)
          < 0,
      "a hook running past its timeout fails");
  double elapsed = now () - t0;
  ok (elapsed >= 0.95 && elapsed < 1.5, "  killed after its timeout of 1 s (%.3f s)", elapsed);
  is_str (err.msg,
          "hooks.createContainer[0] `/bin/sh`: still running after its timeout of 1 s: "
          "killed",
          "  the message names the hook and the timeout");
  ok (err.errnum == ETIMEDOUT, "  errnum ETIMEDOUT");
  char *t = slurp ("sleeper");
  pid_t sleeper = atoi (t);
  free (t);
  ok (sleeper > 0 && process_gone (sleeper), "  what the hook started is killed too (pid %d)",
      (int)sleeper);

  /* A hook that does not read stdin, with more stdin than a pipe holds. */
  size_t big = 1 << 20;
  char *lots = malloc (big + 1);
  memset (lots, 'x', big);
  lots[big] = '\0';
  t0 = now ();
  ok (run (hooks_of ("createContainer", sh_hook ("sleep 5", 1), NULL), BURROW_HOOK_CREATE_CONTAINER,
           lots, &err)
          < 0,
      "a hook ignoring 1 MiB of stdin still times out");
  elapsed = now () - t0;
  ok (elapsed < 1.5, "  within its timeout (%.3f s)", elapsed);

  t0 = now ();
  ok (run (
          hooks_of ("poststart", sh_hook ("sleep 0.3", 0), hook ("/bin/true", NULL, NULL, 5), NULL),
          BURROW_HOOK_POSTSTART, lots, &err)
          == 0,
      "hooks exiting 0 without reading 1 MiB of stdin succeed (no SIGPIPE for us)%s%s",
      err.msg[0] ? ": " : "", err.msg);
  elapsed = now () - t0;
  ok (elapsed < 1.0, "  without waiting for anything else (%.3f s)", elapsed);
  sigset_t pending, mask;
  sigpending (&pending);
  ok (!sigismember (&pending, SIGPIPE), "  no SIGPIPE left pending");
  sigprocmask (SIG_SETMASK, NULL, &mask);
  ok (!sigismember (&mask, SIGPIPE), "  SIGPIPE unblocked again");
  free (lots);

  t0 = now ();
  ok (run (hooks_of ("poststart",
                     sh_hook ("head -c 3000000 /dev/zero; head -c 300000 /dev/zero >&2", 10), NULL),
           BURROW_HOOK_POSTSTART, state, &err)
          == 0,
      "a hook writing megabytes on stdout and stderr does not block%s%s", err.msg[0] ? ": " : "",
      err.msg);
}

static void
test_order (void)
{
  struct burrow_error err;
  ok (run (hooks_of ("poststart", sh_hook ("echo 0 >> \"$OUT/order\"", 0),
                     sh_hook ("echo 1 >> \"$OUT/order\"", 0),
                     sh_hook ("echo 2 >> \"$OUT/order\"", 0), NULL),
           BURROW_HOOK_POSTSTART, state, &err)
          == 0,
      "three hooks succeed");
  char *t = slurp ("order");
  is_str (t, "0\n1\n2\n", "  in the listed order");
  free (t);

  ok (run (hooks_of ("createRuntime", sh_hook ("echo a >> \"$OUT/order2\"", 0),
                     hook ("/bin/false", NULL, NULL, 0), sh_hook ("echo c >> \"$OUT/order2\"", 0),
                     NULL),
           BURROW_HOOK_CREATE_RUNTIME, state, &err)
          < 0,
      "the second of three fails");
  like (err.msg, "hooks.createRuntime[1] `/bin/false`", "  the error names index and path");
  t = slurp ("order2");
  is_str (t, "a\n", "  the third did not run");
  free (t);

  /* Only the kind asked for runs. */
  cJSON *j = hooks_of ("poststop", sh_hook ("echo stop >> \"$OUT/order3\"", 0), NULL);
  cJSON_AddItemToObject (j, "poststart",
                         strings (ARGS ("not an object, never looked at by a poststop run")));
  ok (run (j, BURROW_HOOK_POSTSTOP, state, &err) == 0, "a run of one kind ignores the others");

  /* poststop: every hook runs, each failure a warning in the log. */
  struct burrow_error lerr;
  const char *log = path_in_tmp ("log");
  burrow_log_open (log, false, false, &lerr);
  j = hooks_of ("poststop", hook ("/bin/false", NULL, NULL, 0),
                sh_hook ("echo z >> \"$OUT/order4\"; exit 2", 0),
                sh_hook ("echo y >> \"$OUT/order4\"", 0), NULL);
  int failed = burrow_hooks_run_warn (j, BURROW_HOOK_POSTSTOP, state);
  cJSON_Delete (j);
  burrow_log_open (NULL, false, false, &lerr);
  ok (failed == 2, "run_warn: two of three failed (%d)", failed);
  t = slurp ("order4");
  is_str (t, "z\ny\n", "  the others still ran");
  free (t);
  t = slurp ("log");
  like (t, "hooks.poststop[0] `/bin/false`: exit status 1", "  a warning for the first");
  like (t, "hooks.poststop[1] `/bin/sh`: exit status 2", "  and for the second");
  like (t, "warning", "  at warning level");
  free (t);
}

static void
test_process_hygiene (void)
{
  struct burrow_error err;

  /* A leaked fd would show up in the listing: only 0-2 and ls's own directory fd. */
  int leak = open ("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
  int leak2 = fcntl (leak, F_DUPFD, 20);
  ok (run (hooks_of ("prestart", sh_hook ("ls /proc/self/fd > \"$OUT/fds\"", 0), NULL),
           BURROW_HOOK_PRESTART, state, &err)
          == 0,
      "a hook listing its fds");
  char *t = slurp ("fds");
  is_str (t, "0\n1\n2\n3\n", "  only stdin, stdout, stderr (and ls's directory)");
  free (t);
  close (leak);
  close (leak2);

  /* Signals: the runtime blocks and ignores some; the hook gets none of that. */
  sigset_t usr1, old;
  sigemptyset (&usr1);
  sigaddset (&usr1, SIGUSR1);
  sigprocmask (SIG_BLOCK, &usr1, &old);
  signal (SIGINT, SIG_IGN);
  ok (run (hooks_of ("prestart",
                     sh_hook ("exec grep -E '^Sig(Blk|Ign)' /proc/self/status > \"$OUT/sig\"", 0),
                     NULL),
           BURROW_HOOK_PRESTART, state, &err)
          == 0,
      "a hook reading its signal state");
  t = slurp ("sig");
  is_str (t, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n",
          "  nothing blocked, nothing ignored");
  free (t);
  signal (SIGINT, SIG_DFL);
  sigprocmask (SIG_SETMASK, &old, NULL);

  ok (run (hooks_of ("prestart",
                     sh_hook ("echo $$ $(cut -d' ' -f5 /proc/$$/stat) > \"$OUT/pgid\"", 0), NULL),
           BURROW_HOOK_PRESTART, state, &err)
          == 0,
      "a hook reading its process group");
  t = slurp ("pgid");
  int pid = 0, pgid = -1;
  sscanf (t, "%d %d", &pid, &pgid);
  ok (pid > 0 && pid == pgid, "  it leads its own group (%d, %d)", pid, pgid);
  free (t);

  /* SIGCHLD ignored by whoever started the runtime: the status is not lost. */
  signal (SIGCHLD, SIG_IGN);
  ok (run (hooks_of ("prestart", hook ("/bin/false", NULL, NULL, 0), NULL), BURROW_HOOK_PRESTART,
           state, &err)
          < 0,
      "with SIGCHLD ignored, a failing hook still fails");
  like (err.msg, "exit status 1", "  with its exit status");
  struct sigaction sa;
  sigaction (SIGCHLD, NULL, &sa);
  ok (sa.sa_handler == SIG_IGN, "  SIGCHLD is ignored again afterwards");
  signal (SIGCHLD, SIG_DFL);

  /* The runtime's own fd 0 closed: the pipes may land on 0-2. */
  int saved = dup (0);
  close (0);
  ok (run (hooks_of ("prestart", sh_hook ("cat > \"$OUT/stdin2\"", 0), NULL), BURROW_HOOK_PRESTART,
           state, &err)
          == 0,
      "with fd 0 closed in the runtime%s%s", err.msg[0] ? ": " : "", err.msg);
  dup2 (saved, 0);
  close (saved);
  t = slurp ("stdin2");
  is_str (t, state, "  the hook still gets the state JSON on stdin");
  free (t);
}

static int
count_fds (void)
{
  int n = 0;
  char path[32];
  for (int fd = 0; fd < 1024; fd++)
    {
      snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
      n += access (path, F_OK) == 0;
    }
  return n;
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      return 2;
    }
  snprintf (out_env, sizeof out_env, "OUT=%s", tmpdir);

  int fds_before = count_fds ();
  test_validate ();
  test_names_and_has ();
  test_stdin_args_env ();
  test_failures ();
  test_timeout ();
  test_order ();
  test_process_hygiene ();
  int fds_after = count_fds ();
  ok (fds_after == fds_before, "no fd leaked by any run (%d before, %d after)", fds_before,
      fds_after);

  struct burrow_error err;
  burrow_remove_tree (tmpdir, &err);
  return tap_done ();
}
