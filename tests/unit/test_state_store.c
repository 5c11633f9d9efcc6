/* test_state_store.c: state.json round trip, claiming ids, locking, removal. */
#include "config.h"

#include "../../src/lib/container.h"
#include "../../src/lib/state_store.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_round_trip (void)
{
  struct burrow_state st = {
    .oci_version = "1.2.0",
    .id = "abc",
    .pid = 42,
    .pid_start = 123456789ULL,
    .bundle = "/b",
    .rootfs = "/b/rootfs",
    .created = "2026-11-23T09:00:00.000000001Z",
    .owner = "alice",
    .annotations_json = "{\"k\":\"v\"}",
    .rootless = true,
    .pid_ns = true,
  };
  char *text = burrow_state_serialize (&st);
  struct burrow_state back;
  struct burrow_error err = { 0 };
  ok (text && burrow_state_parse (text, &back, &err) == 0, "serialized state parses back");
  is_str (back.id, "abc", "id kept");
  ok (back.pid == 42 && back.pid_start == 123456789ULL, "pid and start time kept");
  is_str (back.annotations_json, "{\"k\":\"v\"}", "annotations kept");
  ok (back.rootless && back.pid_ns, "flags kept");
  burrow_state_release (&back);
  free (text);

  ok (burrow_state_parse ("[1]", &back, &err) < 0, "an array is not a state");
  like (err.msg, "not a JSON object", "error says why");
  ok (burrow_state_parse ("{\"id\":\"x\"}", &back, &err) < 0, "a state without pid is refused");
}

static void
test_claim (void)
{
  char root[] = "/tmp/burrow-state-test.XXXXXX";
  ok (mkdtemp (root) != NULL, "temp root");
  char sub[256];
  snprintf (sub, sizeof sub, "%s/nested/root", root);
  struct burrow_context ctx = { .state_root = sub };
  struct burrow_error err = { 0 };
  struct burrow_state_dir d, d2;

  ok (burrow_state_claim (&ctx, "c1", &d, &err) == 0, "claim creates the root and the id");
  struct stat sb;
  ok (stat (sub, &sb) == 0 && (sb.st_mode & 0777) == 0700, "state root is 0700");
  ok (burrow_state_claim (&ctx, "c1", &d2, &err) < 0 && err.errnum == EEXIST,
      "a second claim of the same id fails");
  like (err.msg, "already exists", "error says the id exists");
  burrow_state_dir_close (&d2);

  struct burrow_state st = { .id = "c1", .pid = getpid (), .bundle = "/b" };
  burrow_pid_start_time (getpid (), &st.pid_start);
  ok (burrow_state_write (&d, &st, &err) == 0, "state written");
  struct burrow_state back;
  ok (burrow_state_read (&d, &back, &err) == 0 && back.pid == getpid (), "state read back");
  ok (burrow_container_status (&d, &back) == BURROW_STATUS_RUNNING,
      "a live pid with matching start time and no fifo is running");
  back.pid_start++;
  ok (burrow_container_status (&d, &back) == BURROW_STATUS_STOPPED,
      "a start time mismatch (reused pid) is stopped");
  burrow_state_release (&back);
  burrow_state_dir_close (&d);

  ok (burrow_state_open (&ctx, "nope", true, &d, &err) < 0 && err.errnum == ENOENT,
      "opening an unknown id fails");
  like (err.msg, "does not exist", "error says it does not exist");
  burrow_state_dir_close (&d);

  ok (burrow_state_open (&ctx, "c1", true, &d, &err) == 0, "open and lock an existing id");
  ok (burrow_state_dir_remove (&d, &err) == 0, "remove it");
  ok (stat (sub, &sb) == 0, "root stays");
  snprintf (sub + strlen (sub), sizeof sub - strlen (sub), "/c1");
  ok (stat (sub, &sb) < 0 && errno == ENOENT, "the container directory is gone");

  char cmd[300];
  snprintf (cmd, sizeof cmd, "rm -rf %s", root);
  ok (system (cmd) == 0, "cleanup");
}

static void
test_time (void)
{
  char *t = burrow_now_rfc3339 ();
  ok (t && strlen (t) == 30 && t[10] == 'T' && t[29] == 'Z', "RFC 3339 with nanoseconds: %s",
      t ? t : "(null)");
  free (t);
  unsigned long long s;
  ok (burrow_pid_start_time (getpid (), &s) == 0 && s > 0, "own start time is readable");
  ok (burrow_pid_start_time (0x3fffffff, &s) < 0, "a missing pid has no start time");
}

int
main (void)
{
  test_round_trip ();
  test_claim ();
  test_time ();
  return tap_done ();
}
