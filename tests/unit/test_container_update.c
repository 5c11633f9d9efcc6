/* test_container_update.c: runc's update flags as an OCI linux.resources object: sizes
   with units, -1, integers, strings, runc's swap fix-up, and the refusals. */
#include "config.h"
#include "burrow.h"

#include "tap.h"

#include <stdlib.h>

static char *
json_of (const struct burrow_update_opts *o, struct burrow_error *err)
{
  char *s = NULL;
  if (burrow_update_resources_json (o, &s, err) < 0)
    return NULL;
  return s;
}

int
main (void)
{
  struct burrow_error err = { 0 };
  struct burrow_update_opts o = { .memory = "64m", .memory_swap = "1.5g", .pids_limit = "-1",
                                  .cpu_quota = "-1", .cpu_period = "100000",
                                  .cpuset_cpus = "0-1", .cpu_shares = "512",
                                  .blkio_weight = "300", .memory_reservation = "512KiB" };
  char *s = json_of (&o, &err);
  is_str (s,
          "{\"blockIO\":{\"weight\":300},\"cpu\":{\"period\":100000,\"quota\":-1,"
          "\"shares\":512,\"cpus\":\"0-1\"},\"memory\":{\"limit\":67108864,"
          "\"reservation\":524288,\"swap\":1610612736},\"pids\":{\"limit\":-1}}",
          "flags become linux.resources, sizes in bytes");
  free (s);

  o = (struct burrow_update_opts){ .memory = "-1" };
  s = json_of (&o, &err);
  is_str (s, "{\"memory\":{\"limit\":-1,\"swap\":-1}}",
          "--memory -1 without --memory-swap: swap unlimited too (runc)");
  free (s);

  o = (struct burrow_update_opts){ .memory = "100", .kernel_memory = "10m",
                                   .l3_cache_schema = "L3:0=f" };
  s = json_of (&o, &err);
  is_str (s, "{\"memory\":{\"limit\":100}}", "a bare number is bytes; ignored flags left out");
  free (s);

  o = (struct burrow_update_opts){ 0 };
  s = json_of (&o, &err);
  is_str (s, "{}", "no flags: an empty object");
  free (s);

  const struct
  {
    struct burrow_update_opts o;
    const char *msg;
  } bad[] = {
    { { .memory = "lots" }, "--memory: `lots`" },
    { { .memory = "12q" }, "--memory: `12q`" },
    { { .memory = "-5" }, "--memory: `-5`" },
    { { .cpu_period = "-5" }, "--cpu-period: `-5`" },
    { { .pids_limit = "3x" }, "--pids-limit: `3x`" },
    { { .cpu_quota = "" }, "--cpu-quota: ``" },
    { { .resources = "/nonexistent.json", .memory = "1g" }, "cannot be combined" },
    { { .resources = "/nonexistent.json" }, "/nonexistent.json" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      err = (struct burrow_error){ 0 };
      s = json_of (&bad[i].o, &err);
      ok (s == NULL, "refused: %s", bad[i].msg);
      like (err.msg, bad[i].msg, "the message names it");
      free (s);
    }
  return tap_done ();
}
