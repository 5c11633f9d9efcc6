/* test_seccomp.c: linux.seccomp: every name the compiler knows and every error it gives
   (naming the field), then filters really loaded in forked children: errno, kill, trap,
   log, trace, argument operators, a Docker-like profile, and a NOTIFY listener answered
   through the agent socket. */
#include "config.h"
#include "error.h"
#include "seccomp_filter.h"

#include "tap.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

static const char *const actions[] = {
  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};
static const char *const operators[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};
/* What libseccomp 2.5 knows; the rest of the spec's list only from 2.6 on. */
static const char *const archs_25[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
};
static const char *const archs_26[] = {
  "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",
  "SCMP_ARCH_SH",
  "SCMP_ARCH_SHEB",
};
static const char *const flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static char text[16384];

/* Compile a profile given as JSON text. */
static int
compile_text (const char *json, struct burrow_seccomp **out, struct burrow_error *err)
{
  cJSON *doc = cJSON_Parse (json);
  if (doc == NULL)
    {
      printf ("Bail out! test profile is not JSON: %s\n", json);
      exit (1);
    }
  burrow_error_clear (err);
  int r = burrow_seccomp_compile (doc, out, err);
  cJSON_Delete (doc);
  return r;
}

static bool
compiles (const char *json)
{
  struct burrow_error err;
  struct burrow_seccomp *s = NULL;
  int r = compile_text (json, &s, &err);
  if (r < 0)
    printf ("#   error: %s\n", err.msg);
  burrow_seccomp_free (s);
  return r == 0 && s != NULL;
}

/* The profile is refused, with a message containing fragment, and nothing comes out. */
static void
refused (const char *json, const char *fragment, const char *what)
{
  struct burrow_error err;
  struct burrow_seccomp *s = (struct burrow_seccomp *)&err; /* must become NULL */
  int r = compile_text (json, &s, &err);
  ok (r < 0 && s == NULL && err.errnum != 0, "refused: %s", what);
  like (err.msg, fragment, "  and the message names it: %s", what);
}

/* A profile with one rule on getpid. */
static const char *
one_rule (const char *default_action, const char *action, const char *extra)
{
  snprintf (text, sizeof text,
            "{\"defaultAction\": \"%s\", \"listenerPath\": \"/nonexistent/agent.sock\","
            " \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"%s\"%s}]}",
            default_action, action, extra);
  return text;
}

static void
test_names (void)
{
  int n_archs_ok = 0;
  for (size_t i = 0; i < N_ELEMENTS (actions); i++)
    {
      if (strcmp (actions[i], "SCMP_ACT_NOTIFY") != 0)
        {
          snprintf (text, sizeof text, "{\"defaultAction\": \"%s\"}", actions[i]);
          ok (compiles (text), "%s as defaultAction", actions[i]);
        }
      const char *def
          = strcmp (actions[i], "SCMP_ACT_ALLOW") == 0 ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW";
      ok (compiles (one_rule (def, actions[i], "")), "%s as a rule's action", actions[i]);
    }
  ok (compiles (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ", \"errnoRet\": 38")),
      "SCMP_ACT_ERRNO with errnoRet");
  ok (compiles (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_TRACE", ", \"errnoRet\": 7")),
      "SCMP_ACT_TRACE with errnoRet");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}"),
      "defaultErrnoRet with SCMP_ACT_ERRNO");

  for (size_t i = 0; i < N_ELEMENTS (operators); i++)
    {
      char extra[256];
      snprintf (extra, sizeof extra,
                ", \"args\": [{\"index\": 1, \"value\": 3, \"valueTwo\": 1, \"op\": \"%s\"}]",
                operators[i]);
      ok (compiles (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", extra)), "operator %s",
          operators[i]);
    }

  /* The host's byte order is the filter's: the others are known but refused, saying so. */
  for (size_t i = 0; i < N_ELEMENTS (archs_25); i++)
    {
      struct burrow_error err;
      struct burrow_seccomp *s = NULL;
      snprintf (text, sizeof text,
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"%s\"],"
                " \"syscalls\": [{\"names\": [\"getpid\", \"socketcall\"],"
                " \"action\": \"SCMP_ACT_ERRNO\"}]}",
                archs_25[i]);
      int r = compile_text (text, &s, &err);
      ok (r == 0 || (strstr (err.msg, "architectures[0]: ") && strstr (err.msg, "byte order")),
          "architecture %s: %s", archs_25[i], r == 0 ? "compiles" : "refused for its byte order");
      if (r == 0)
        n_archs_ok++;
      burrow_seccomp_free (s);
    }
  int want = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 10 : 9;
  ok (n_archs_ok == want, "the %d architectures of the host's byte order compile (%d did)", want,
      n_archs_ok);
  for (size_t i = 0; i < N_ELEMENTS (archs_26); i++)
    {
      struct burrow_error err;
      struct burrow_seccomp *s = NULL;
      snprintf (text, sizeof text,
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"%s\"]}",
                archs_26[i]);
      int r = compile_text (text, &s, &err);
      ok (r == 0 || strstr (err.msg, "is not supported by libseccomp") != NULL,
          "architecture %s: known (compiled, or not supported by this libseccomp)", archs_26[i]);
      if (r < 0)
        like (err.msg, "linux.seccomp.architectures[0]", "  and the message names the field");
      burrow_seccomp_free (s);
    }
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\":"
                " [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}"),
      "several architectures, the native one among them");

  for (size_t i = 0; i < N_ELEMENTS (flags); i++)
    {
      snprintf (text, sizeof text, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"%s\"]}",
                flags[i]);
      ok (compiles (text), "flag %s", flags[i]);
    }
}

/* Errors of the top-level members. */
static void
test_errors (void)
{
  refused ("[]", "linux.seccomp: must be an object", "linux.seccomp not an object");
  refused ("{}", "linux.seccomp.defaultAction: is missing", "no defaultAction");
  refused ("{\"defaultAction\": 3}", "linux.seccomp.defaultAction: must be a string",
           "defaultAction a number");
  refused ("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
           "linux.seccomp.defaultAction: unknown action `SCMP_ACT_NOPE`", "unknown defaultAction");
  refused ("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "cannot be the default action",
           "SCMP_ACT_NOTIFY as defaultAction");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
           "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno",
           "defaultErrnoRet with SCMP_ACT_ALLOW (the spec wants an error)");
  refused ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}",
           "linux.seccomp.defaultErrnoRet: 70000 is out of range (0-65535)",
           "defaultErrnoRet beyond 16 bits");
  refused ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
           "linux.seccomp.defaultErrnoRet: must be an integer", "negative defaultErrnoRet");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": \"SCMP_ARCH_X86\"}",
           "linux.seccomp.architectures: must be an array", "architectures a string");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\":"
           " [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_Z80\"]}",
           "linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_Z80`",
           "unknown architecture");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}",
           "linux.seccomp.architectures[0]: unknown architecture `x86_64`",
           "libseccomp's own arch name is not the spec's");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\":"
           " [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_NOPE\"]}",
           "linux.seccomp.flags[1]: unknown flag `SECCOMP_FILTER_FLAG_NOPE`", "unknown flag");
  refused (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
      "linux.seccomp.flags[0]: unknown flag", "NEW_LISTENER is the runtime's, not a spec flag");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [4]}",
           "linux.seccomp.flags[0]: must be a string", "a flag that is a number");
}

/* Errors inside syscalls[] and the listener. */
static void
test_errors_syscalls (void)
{
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
           "linux.seccomp.syscalls: must be an array", "syscalls an object");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\"getpid\"]}",
           "linux.seccomp.syscalls[0]: must be an object", "syscalls[0] a string");
  refused (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_KILL\"}]}",
      "linux.seccomp.syscalls[0].names: is missing", "a rule without names");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"]}]}",
           "linux.seccomp.syscalls[0].action: is missing", "a rule without action");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\", 7],"
           " \"action\": \"SCMP_ACT_KILL\"}]}",
           "linux.seccomp.syscalls[0].names[1]: must be a syscall name", "a name that is a number");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"],"
           " \"action\": \"SCMP_ACT_KILL\"}]}",
           "linux.seccomp.syscalls[0].names[0]: must be a syscall name", "an empty name");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
           "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL\"},"
           "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_FOO\"}]}",
           "linux.seccomp.syscalls[1].action: unknown action `SCMP_ACT_FOO`",
           "unknown action in syscalls[1]");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_KILL", ", \"errnoRet\": 1"),
           "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno",
           "errnoRet with SCMP_ACT_KILL");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)", "index 6");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                     " {\"index\": -1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[1].index: must be an integer from 0 to 5", "index -1");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 1.5, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].index: must be an integer", "index 1.5");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].index: is missing", "no index");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 0, \"value\": -2, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].value: must be an integer", "negative value");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 0, \"value\": 1e300, \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].value: must be an integer", "value beyond 64 bits");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 0, \"value\": 1, \"valueTwo\": \"2\","
                     " \"op\": \"SCMP_CMP_EQ\"}]"),
           "linux.seccomp.syscalls[0].args[0].valueTwo: must be an integer", "valueTwo a string");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                     ", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                     " {\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]"),
           "linux.seccomp.syscalls[0].args[1].op: unknown operator `SCMP_CMP_FOO`",
           "unknown operator");
  refused (
      one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ", \"args\": [{\"index\": 0, \"value\": 1}]"),
      "linux.seccomp.syscalls[0].args[0].op: is missing", "no operator");
  refused (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ", \"args\": [3]"),
           "linux.seccomp.syscalls[0].args[0]: must be an object", "an arg that is a number");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"],"
           " \"action\": \"SCMP_ACT_NOTIFY\"}]}",
           "linux.seccomp.listenerPath: is missing", "SCMP_ACT_NOTIFY without listenerPath");
  refused (
      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\","
      " \"syscalls\": [{\"names\": [\"mkdir\", \"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
      "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for sendmsg",
      "SCMP_ACT_NOTIFY on sendmsg");
  char long_path[200];
  memset (long_path, 'a', sizeof long_path - 1);
  long_path[0] = '/';
  long_path[sizeof long_path - 1] = '\0';
  snprintf (text, sizeof text,
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"%s\","
            " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
            long_path);
  refused (text, "linux.seccomp.listenerPath: `/aaa", "listenerPath longer than sun_path");
  refused ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": 5}",
           "linux.seccomp.listenerPath: must be a string", "listenerPath a number");
}

static void
test_accepted (void)
{
  struct burrow_error err;
  struct burrow_seccomp *s = (struct burrow_seccomp *)&err;
  ok (burrow_seccomp_compile (NULL, &s, &err) == 0 && s == NULL, "no linux.seccomp: no filter");
  cJSON *null = cJSON_CreateNull ();
  s = (struct burrow_seccomp *)&err;
  ok (burrow_seccomp_compile (null, &s, &err) == 0 && s == NULL, "linux.seccomp null: no filter");
  cJSON_Delete (null);
  int nfd = 7;
  ok (burrow_seccomp_load (NULL, &nfd, &err) == 0 && nfd == -1, "loading no filter does nothing");

  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                " [\"burrow_no_such_syscall\", \"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"),
      "an unknown syscall name is skipped");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"],"
                " \"action\": \"SCMP_ACT_ALLOW\"}]}"),
      "a rule with the default action is skipped");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\":"
                " [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"),
      "ERRNO(EPERM) under a default of ERRNO(1) is the same action, skipped");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [],"
                " \"action\": \"SCMP_ACT_KILL\"}]}"),
      "an empty names list adds nothing");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"],"
                " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1,"
                " \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"},"
                " {\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
      "conditions repeating an index compile");
  ok (compiles ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"],"
                " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0,"
                " \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
      "value 2^64-1 (UINT64_MAX as JSON writes it)");

  s = NULL;
  ok (compile_text (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ""), &s, &err) == 0
          && !burrow_seccomp_has_notify (s),
      "no NOTIFY rule: no listener");
  ok (burrow_seccomp_listener_connect (s, &err) == -1 && err.msg[0] == '\0',
      "listener_connect without NOTIFY: -1 and no error");
  ok (burrow_seccomp_listener_metadata (s) == NULL, "no metadata without a listener");
  burrow_seccomp_free (s);
  burrow_seccomp_free (NULL);
}

/* ---- filters loaded in children ---- */

/* Fork; the child (no core dumps) sets no_new_privs when nnp, loads s and exits with
   fn's result (100 when the load failed). Returns the wait status. */
static int
run_child (const struct burrow_seccomp *s, bool nnp, int (*fn) (long), long arg)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      struct rlimit no_core = { 0, 0 };
      struct burrow_error err;
      int nfd;
      setrlimit (RLIMIT_CORE, &no_core);
      if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (101);
      if (burrow_seccomp_load (s, &nfd, &err) < 0)
        {
          printf ("#   load: %s\n", err.msg);
          fflush (stdout);
          _exit (100);
        }
      _exit (fn (arg));
    }
  int status = -1;
  waitpid (pid, &status, 0);
  return status;
}

/* Compile, or bail out: the child tests need the filter. */
static struct burrow_seccomp *
must_compile (const char *json)
{
  struct burrow_error err;
  struct burrow_seccomp *s = NULL;
  if (compile_text (json, &s, &err) < 0)
    {
      printf ("Bail out! compile: %s\n", err.msg);
      exit (1);
    }
  return s;
}

/* 0 when syscall(nr, arg) fails with errno want. */
static int
expect_errno (long want)
{
  long r = syscall (SYS_getpid);
  return r == -1 && errno == want ? 0 : 1;
}

/* What a child needs besides the syscalls it tests: exiting, and what the sanitizers'
   runtime does on the way out. */
static const char runtime_names[]
    = "[\"exit_group\", \"exit\", \"getpid\", \"gettid\", \"sigaltstack\", \"mmap\","
      " \"munmap\", \"mprotect\", \"madvise\", \"write\", \"rt_sigaction\","
      " \"rt_sigprocmask\", \"futex\", \"sched_yield\", \"prctl\", \"clone\", \"wait4\","
      " \"ptrace\", \"waitpid\", \"open\", \"openat\", \"read\", \"close\", \"getdents64\","
      " \"readlink\", \"lseek\", \"fstat\", \"newfstatat\", \"pread64\", \"process_vm_readv\"]";

static int
expect_errno_getppid (long want)
{
  long r = syscall (SYS_getppid);
  return r == -1 && errno == want ? 0 : 1;
}

static int
call_getppid (long unused)
{
  return syscall (SYS_getppid) > 0 ? 0 : 1;
}

static int
call_getpid (long unused)
{
  long r = syscall (SYS_getpid);
  return r > 0 ? 0 : 1;
}

static volatile sig_atomic_t trapped_nr = -1;
static volatile sig_atomic_t trapped_code = -1;

static void
on_sigsys (int sig, siginfo_t *si, void *ctx)
{
  trapped_nr = si->si_syscall;
  trapped_code = si->si_code;
}

static int
trap_getpid (long unused)
{
  struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
  if (sigaction (SIGSYS, &sa, NULL) < 0)
    return 2;
  syscall (SYS_getpid);
  return trapped_nr == SYS_getpid && trapped_code == 1 /* SYS_SECCOMP */ ? 0 : 1;
}

static bool
killed_by_sigsys (int status)
{
  return WIFSIGNALED (status) && WTERMSIG (status) == SIGSYS;
}

static void
test_actions (void)
{
  struct burrow_seccomp *s;

  s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ", \"errnoRet\": 38"));
  int st = run_child (s, true, expect_errno, 38);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
      "ERRNO with errnoRet 38: getpid fails with errno 38");
  burrow_seccomp_free (s);

  s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ""));
  st = run_child (s, true, expect_errno, EPERM);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "ERRNO without errnoRet: EPERM");
  burrow_seccomp_free (s);

  snprintf (text, sizeof text,
            "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
            " \"syscalls\": [{\"names\": %s, \"action\": \"SCMP_ACT_ALLOW\"}]}",
            runtime_names);
  s = must_compile (text);
  st = run_child (s, true, expect_errno_getppid, 38);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "defaultErrnoRet 38 applies to the default action");
  burrow_seccomp_free (s);

  const char *kills[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS" };
  for (size_t i = 0; i < N_ELEMENTS (kills); i++)
    {
      s = must_compile (one_rule ("SCMP_ACT_ALLOW", kills[i], ""));
      st = run_child (s, true, call_getpid, 0);
      ok (killed_by_sigsys (st), "%s: the child dies of SIGSYS (status %#x)", kills[i], st);
      burrow_seccomp_free (s);
    }

  s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_TRAP", ""));
  st = run_child (s, true, trap_getpid, 0);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
      "TRAP: a SIGSYS handler sees SYS_SECCOMP for getpid");
  st = run_child (s, true, call_getpid, 0);
  ok (killed_by_sigsys (st), "TRAP without a handler: the child dies of SIGSYS");
  burrow_seccomp_free (s);

  s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG", ""));
  st = run_child (s, true, call_getpid, 0);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "LOG: getpid still works");
  burrow_seccomp_free (s);

  /* with no tracer attached the kernel fails the syscall with ENOSYS */
  s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_TRACE", ", \"errnoRet\": 7"));
  st = run_child (s, true, expect_errno, ENOSYS);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "TRACE without a tracer: ENOSYS");
  burrow_seccomp_free (s);

  snprintf (text, sizeof text,
            "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [{\"names\": %s,"
            " \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"getppid\"], \"action\": "
            "\"SCMP_ACT_ALLOW\"}]}",
            runtime_names);
  s = must_compile (text);
  st = run_child (s, true, call_getppid, 0);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "ALLOW rules under a KILL_PROCESS default");
  burrow_seccomp_free (s);

  s = must_compile ("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
                    " [\"burrow_no_such_syscall\", \"getpid\"], \"action\": \"SCMP_ACT_ERRNO\","
                    " \"errnoRet\": 38}]}");
  st = run_child (s, true, expect_errno, 38);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "the names after an unknown one still get rules");
  burrow_seccomp_free (s);
}

/* Bit i set when syscall(getpid, probes[i], probes2[i]) failed with errno 38. */
struct probe_set
{
  long a0[4];
  long a1[4];
  size_t n;
};

static int
blocked_mask (long arg)
{
  const struct probe_set *p = (const struct probe_set *)arg;
  int mask = 0;
  for (size_t i = 0; i < p->n; i++)
    {
      errno = 0;
      long r = syscall (SYS_getpid, p->a0[i], p->a1[i]);
      if (r == -1 && errno == 38)
        mask |= 1 << i;
    }
  return mask;
}

static int
mask_for (const char *args_json, const struct probe_set *p)
{
  char extra[512];
  snprintf (extra, sizeof extra, ", \"errnoRet\": 38, \"args\": %s", args_json);
  struct burrow_seccomp *s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", extra));
  int st = run_child (s, true, blocked_mask, (long)p);
  burrow_seccomp_free (s);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static void
test_operators (void)
{
  /* arg0 is 4, 5, 6 against the value 5: bit 0 for 4, bit 1 for 5, bit 2 for 6 */
  static const struct probe_set around5 = { { 4, 5, 6 }, { 0, 0, 0 }, 3 };
  static const struct
  {
    const char *op;
    int mask;
  } cases[] = {
    { "SCMP_CMP_NE", 5 }, { "SCMP_CMP_LT", 1 }, { "SCMP_CMP_LE", 3 },
    { "SCMP_CMP_EQ", 2 }, { "SCMP_CMP_GE", 6 }, { "SCMP_CMP_GT", 4 },
  };
  for (size_t i = 0; i < N_ELEMENTS (cases); i++)
    {
      char args[128];
      snprintf (args, sizeof args, "[{\"index\": 0, \"value\": 5, \"op\": \"%s\"}]", cases[i].op);
      int m = mask_for (args, &around5);
      ok (m == cases[i].mask, "%s 5 blocks exactly what it should (mask %d, want %d)", cases[i].op,
          m, cases[i].mask);
    }
  static const struct probe_set masked = { { 0x5f, 0x4f, 0x50, 0x150 }, { 0 }, 4 };
  int m = mask_for (
      "[{\"index\": 0, \"value\": 240, \"valueTwo\": 80, \"op\": \"SCMP_CMP_MASKED_EQ\"}]",
      &masked);
  ok (m == 0xd, "MASKED_EQ: (arg & value) == valueTwo (mask %d, want 13)", m);

  static const struct probe_set wide = { { 5, 0x100000005L }, { 0 }, 2 };
  m = mask_for ("[{\"index\": 0, \"value\": 4294967301, \"op\": \"SCMP_CMP_EQ\"}]", &wide);
  ok (m == 2, "EQ on a 64-bit value compares all 64 bits (mask %d, want 2)", m);

  static const struct probe_set two_args = { { 5, 5, 6, 6 }, { 9, 8, 9, 8 }, 4 };
  m = mask_for ("[{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_EQ\"},"
                " {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]",
                &two_args);
  ok (m == 1, "conditions on different args all must match (mask %d, want 1)", m);

  static const struct probe_set same_arg = { { 5, 6, 7, 8 }, { 0 }, 4 };
  m = mask_for ("[{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_EQ\"},"
                " {\"index\": 0, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"}]",
                &same_arg);
  ok (m == 5, "conditions repeating an index are separate rules, any may match (mask %d, want 5)",
      m);
}

static void
test_flags (void)
{
  for (size_t i = 0; i < N_ELEMENTS (flags); i++)
    {
      snprintf (text, sizeof text,
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"%s\"], \"syscalls\":"
                " [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}",
                flags[i]);
      struct burrow_seccomp *s = must_compile (text);
      int st = run_child (s, true, expect_errno, 38);
      ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "loads with %s and the rule works", flags[i]);
      burrow_seccomp_free (s);
    }
}

/* Without no_new_privs an unprivileged process may not load a filter. */
static int
drop_privileges_and_load (long arg)
{
  const struct burrow_seccomp *s = (const struct burrow_seccomp *)arg;
  struct burrow_error err;
  int nfd;
  if (setresgid (65534, 65534, 65534) < 0 || setresuid (65534, 65534, 65534) < 0)
    return 10;
  if (burrow_seccomp_load (s, &nfd, &err) == 0)
    return 11;
  if (err.errnum != EACCES || strstr (err.msg, "no_new_privs") == NULL)
    {
      printf ("#   load: %s\n", err.msg);
      return 12;
    }
  return 0;
}

static void
test_load_denied (void)
{
  if (geteuid () != 0)
    {
      ok (1, "# SKIP needs root to drop privileges in a child");
      return;
    }
  struct burrow_seccomp *s = must_compile (one_rule ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ""));
  int st = run_child (NULL, false, drop_privileges_and_load, (long)s);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
      "an unprivileged load without no_new_privs fails with EACCES, saying why (status %d)",
      WIFEXITED (st) ? WEXITSTATUS (st) : -1);
  burrow_seccomp_free (s);
}

/* A Docker-like default-deny profile. */
static const char *const docker_like_allowed[] = {
  "accept",
  "accept4",
  "access",
  "alarm",
  "bind",
  "brk",
  "capget",
  "capset",
  "chdir",
  "chmod",
  "chown",
  "clock_getres",
  "clock_gettime",
  "clock_nanosleep",
  "close",
  "close_range",
  "connect",
  "copy_file_range",
  "creat",
  "dup",
  "dup2",
  "dup3",
  "epoll_create",
  "epoll_create1",
  "epoll_ctl",
  "epoll_pwait",
  "epoll_wait",
  "eventfd",
  "eventfd2",
  "execve",
  "execveat",
  "exit",
  "exit_group",
  "faccessat",
  "faccessat2",
  "fadvise64",
  "fallocate",
  "fchdir",
  "fchmod",
  "fchmodat",
  "fchown",
  "fchownat",
  "fcntl",
  "fcntl64",
  "fdatasync",
  "flock",
  "fork",
  "fstat",
  "fstat64",
  "fstatfs",
  "fsync",
  "ftruncate",
  "futex",
  "getcwd",
  "getdents",
  "getdents64",
  "getegid",
  "geteuid",
  "getgid",
  "getgroups",
  "getpgid",
  "getpgrp",
  "getpid",
  "getppid",
  "getpriority",
  "getrandom",
  "getresgid",
  "getresuid",
  "getrlimit",
  "getrusage",
  "getsid",
  "getsockname",
  "getsockopt",
  "gettid",
  "gettimeofday",
  "getuid",
  "ioctl",
  "kill",
  "lchown",
  "link",
  "linkat",
  "listen",
  "lseek",
  "_llseek",
  "lstat",
  "lstat64",
  "madvise",
  "membarrier",
  "mkdir",
  "mkdirat",
  "mmap",
  "mmap2",
  "mprotect",
  "mremap",
  "munmap",
  "nanosleep",
  "newfstatat",
  "open",
  "openat",
  "openat2",
  "pause",
  "pipe",
  "pipe2",
  "poll",
  "ppoll",
  "prctl",
  "pread64",
  "preadv",
  "prlimit64",
  "pselect6",
  "pwrite64",
  "read",
  "readlink",
  "readlinkat",
  "readv",
  "recvfrom",
  "recvmsg",
  "rename",
  "renameat",
  "renameat2",
  "restart_syscall",
  "rmdir",
  "rseq",
  "rt_sigaction",
  "rt_sigpending",
  "rt_sigprocmask",
  "rt_sigqueueinfo",
  "rt_sigreturn",
  "rt_sigsuspend",
  "rt_sigtimedwait",
  "sched_getaffinity",
  "sched_yield",
  "select",
  "sendfile",
  "sendmsg",
  "sendto",
  "set_robust_list",
  "set_tid_address",
  "setgid",
  "setgroups",
  "setitimer",
  "setpgid",
  "setsid",
  "setsockopt",
  "setuid",
  "shutdown",
  "sigaltstack",
  "sigreturn",
  "socket",
  "socketcall",
  "socketpair",
  "stat",
  "stat64",
  "statfs",
  "statx",
  "symlink",
  "symlinkat",
  "sysinfo",
  "tgkill",
  "time",
  "timer_create",
  "timer_delete",
  "times",
  "tkill",
  "truncate",
  "umask",
  "uname",
  "unlink",
  "unlinkat",
  "utimensat",
  "vfork",
  "wait4",
  "waitid",
  "waitpid",
  "write",
  "writev",
  "burrow_syscall_from_the_future",
  "get_robust_list",
  "getitimer",
};

static char *
docker_like_profile (void)
{
  cJSON *p = cJSON_CreateObject ();
  cJSON_AddStringToObject (p, "defaultAction", "SCMP_ACT_ERRNO");
  cJSON_AddNumberToObject (p, "defaultErrnoRet", 1);
  const char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
  cJSON_AddItemToObject (p, "architectures", cJSON_CreateStringArray (archs, 3));
  cJSON *calls = cJSON_AddArrayToObject (p, "syscalls");
  cJSON *allow = cJSON_CreateObject ();
  cJSON_AddItemToObject (
      allow, "names",
      cJSON_CreateStringArray (docker_like_allowed, (int)N_ELEMENTS (docker_like_allowed)));
  cJSON_AddStringToObject (allow, "action", "SCMP_ACT_ALLOW");
  cJSON_AddItemToArray (calls, allow);
  /* personality: a few values only, each its own entry, as Docker writes them */
  const double personas[] = { 0, 8, 131072, 131080, 4294967295.0 };
  for (size_t i = 0; i < N_ELEMENTS (personas); i++)
    {
      snprintf (text, sizeof text,
                "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\":"
                " [{\"index\": 0, \"value\": %.0f, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]}",
                personas[i]);
      cJSON_AddItemToArray (calls, cJSON_Parse (text));
    }
  /* clone without namespace flags */
  cJSON_AddItemToArray (calls,
                        cJSON_Parse ("{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\","
                                     " \"args\": [{\"index\": 0, \"value\": 2114060288,"
                                     " \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"));
  cJSON_AddItemToArray (calls,
                        cJSON_Parse ("{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\","
                                     " \"errnoRet\": 38}"));
  char *out = cJSON_PrintUnformatted (p);
  cJSON_Delete (p);
  return out;
}

static int
docker_like_child (long unused)
{
  if (syscall (SYS_getpid) <= 0)
    return 1;
  errno = 0;
  if (syscall (SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
    return 2; /* clone3: ERRNO(38), so glibc falls back to clone */
  if (syscall (SYS_personality, 0xffffffffUL) < 0)
    return 3;
  errno = 0;
  if (syscall (SYS_personality, 1UL) != -1 || errno != EPERM)
    return 4;
  errno = 0;
  if (syscall (SYS_unshare, 0x20000) != -1 || errno != EPERM)
    return 5; /* not listed: the default ERRNO(1) */
  errno = 0;
  long r = syscall (SYS_clone, 0x04000000L | SIGCHLD, 0L, 0L, 0L, 0L); /* CLONE_NEWUTS */
  if (r == 0)
    _exit (0);
  if (r != -1 || errno != EPERM)
    return 6;
  pid_t pid = fork ();
  if (pid == 0)
    _exit (0);
  int st;
  if (pid < 0 || waitpid (pid, &st, 0) != pid || !WIFEXITED (st))
    return 7;
  return 0;
}

static void
test_docker_like (void)
{
  char *json = docker_like_profile ();
  struct burrow_error err;
  struct burrow_seccomp *s = NULL;
  ok (compile_text (json, &s, &err) == 0 && s != NULL,
      "a Docker-like profile compiles (%zu names, 3 architectures)",
      N_ELEMENTS (docker_like_allowed));
  if (s)
    {
      int st = run_child (s, true, docker_like_child, 0);
      ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
          "in it: allowed calls work, clone3 ENOSYS, personality and clone by argument, the "
          "rest EPERM (status %d)",
          WIFEXITED (st) ? WEXITSTATUS (st) : -WTERMSIG (st));
    }
  burrow_seccomp_free (s);
  free (json);
}

/* ---- NOTIFY ---- */

static const char state_json[] = "{\"ociVersion\":\"1.2.0\",\"id\":\"box\",\"status\":\"creating\","
                                 "\"pid\":4242,\"bundle\":\"/b\"}";

/* The child: load, send the listener fd with the agent message, then mkdir, which the
   agent answers with EXDEV. */
static void
notify_child (const struct burrow_seccomp *s, int sock)
{
  struct burrow_error err;
  char *payload = NULL;
  int nfd;
  if (burrow_seccomp_process_state_json (getpid (), burrow_seccomp_listener_metadata (s),
                                         state_json, &payload, &err)
      < 0)
    _exit (20);
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || burrow_seccomp_load (s, &nfd, &err) < 0)
    _exit (21);
  if (nfd < 0)
    _exit (22);
  if (burrow_seccomp_send_listener (sock, nfd, payload, &err) < 0)
    _exit (23);
  close (nfd);
  free (payload);
  errno = 0;
  long r = syscall (SYS_mkdir, "/burrow-notify-test", 0700);
  _exit (r == -1 && errno == EXDEV ? 0 : 24);
}

/* Agent side: one message with one fd; the payload is returned NUL-terminated. */
static int
recv_listener (int conn, char *payload, size_t size)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = payload, .iov_len = size - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct pollfd pfd = { .fd = conn, .events = POLLIN };
  if (poll (&pfd, 1, 5000) != 1)
    return -1;
  ssize_t n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (n <= 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    return -1;
  payload[n] = '\0';
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

static void
check_payload (const char *payload, pid_t child)
{
  cJSON *m = cJSON_Parse (payload);
  const cJSON *fds = cJSON_GetObjectItem (m, "fds");
  const cJSON *state = cJSON_GetObjectItem (m, "state");
  ok (m != NULL, "the agent message is JSON");
  is_str (cJSON_GetStringValue (cJSON_GetObjectItem (m, "ociVersion")), "1.2.0",
          "  ociVersion from the state");
  is_str (cJSON_GetStringValue (cJSON_GetArrayItem (fds, 0)), "seccompFd", "  fds = [seccompFd]");
  ok (cJSON_GetArraySize (fds) == 1, "  one fd name");
  ok (cJSON_GetNumberValue (cJSON_GetObjectItem (m, "pid")) == child, "  pid");
  is_str (cJSON_GetStringValue (cJSON_GetObjectItem (m, "metadata")), "mkdir-agent", "  metadata");
  is_str (cJSON_GetStringValue (cJSON_GetObjectItem (state, "id")), "box", "  state.id");
  is_str (cJSON_GetStringValue (cJSON_GetObjectItem (state, "status")), "creating",
          "  state.status");
  cJSON_Delete (m);
}

/* Receive the child's mkdir on the listener and answer EXDEV. */
static void
answer_mkdir (int nfd, pid_t child)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset (&req, 0, sizeof req);
  struct pollfd pfd = { .fd = nfd, .events = POLLIN };
  bool got = poll (&pfd, 1, 5000) == 1 && ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0;
  ok (got, "SECCOMP_IOCTL_NOTIF_RECV gets a notification");
  ok (got && req.data.nr == SYS_mkdir && req.data.args[1] == 0700 && req.pid == (__u32)child,
      "  for the child's mkdir(_, 0700)");
  if (!got)
    return;
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -EXDEV;
  ok (ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0, "SECCOMP_IOCTL_NOTIF_SEND answers it");
}

static void
test_notify (void)
{
  char dir[] = "/tmp/burrow-seccomp-XXXXXX";
  char path[sizeof dir + 16];
  struct burrow_error err;
  if (mkdtemp (dir) == NULL)
    {
      printf ("Bail out! mkdtemp\n");
      exit (1);
    }
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  snprintf (text, sizeof text,
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"%s\","
            " \"listenerMetadata\": \"mkdir-agent\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\","
            " \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], \"syscalls\": [{\"names\": [\"mkdir\"],"
            " \"action\": \"SCMP_ACT_NOTIFY\"}]}",
            path);
  struct burrow_seccomp *s = must_compile (text);
  ok (burrow_seccomp_has_notify (s), "a NOTIFY rule: has_notify");
  is_str (burrow_seccomp_listener_metadata (s), "mkdir-agent", "listenerMetadata kept");

  int c = burrow_seccomp_listener_connect (s, &err);
  ok (c < 0 && err.errnum == ENOENT, "connect with no agent fails");
  like (err.msg, path, "  naming listenerPath");
  like (err.msg, "linux.seccomp.listenerPath", "  and the field");

  int agent = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  strcpy (addr.sun_path, path);
  if (agent < 0 || bind (agent, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (agent, 1) < 0)
    {
      printf ("Bail out! agent socket\n");
      exit (1);
    }
  int sock = burrow_seccomp_listener_connect (s, &err);
  ok (sock >= 0, "the runtime connects to the agent");
  int conn = accept4 (agent, NULL, NULL, SOCK_CLOEXEC);
  fflush (stdout);
  pid_t child = fork ();
  if (child == 0)
    notify_child (s, sock);
  close (sock);

  char payload[4096];
  int nfd = recv_listener (conn, payload, sizeof payload);
  ok (nfd >= 0, "the agent receives the listener fd over SCM_RIGHTS");
  if (nfd >= 0)
    {
      check_payload (payload, child);
      answer_mkdir (nfd, child);
      close (nfd);
    }
  else
    kill (child, SIGKILL);
  int st;
  waitpid (child, &st, 0);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
      "the child's mkdir got the agent's EXDEV (status %d)",
      WIFEXITED (st) ? WEXITSTATUS (st) : -WTERMSIG (st));
  close (conn);
  close (agent);
  unlink (path);
  rmdir (dir);
  burrow_seccomp_free (s);
}

static void
test_state_json (void)
{
  struct burrow_error err;
  char *out = NULL;
  ok (burrow_seccomp_process_state_json (77, NULL, "{\"ociVersion\":\"1.0.2\",\"id\":\"x\"}", &out,
                                         &err)
          == 0,
      "process state JSON without metadata");
  cJSON *m = cJSON_Parse (out);
  ok (m && cJSON_GetObjectItem (m, "metadata") == NULL, "  has no metadata member");
  is_str (cJSON_GetStringValue (cJSON_GetObjectItem (m, "ociVersion")), "1.0.2",
          "  takes ociVersion from the state");
  cJSON_Delete (m);
  free (out);
  out = (char *)&err;
  ok (burrow_seccomp_process_state_json (77, "m", "not json", &out, &err) < 0 && out == NULL,
      "a state that is not JSON is refused");
  ok (burrow_seccomp_send_listener (-1, 0, "", &err) < 0, "sending an empty message is refused");
}

int
main (void)
{
  test_names ();
  test_errors ();
  test_errors_syscalls ();
  test_accepted ();
  test_actions ();
  test_operators ();
  test_flags ();
  test_load_denied ();
  test_docker_like ();
  test_notify ();
  test_state_json ();
  return tap_done ();
}
