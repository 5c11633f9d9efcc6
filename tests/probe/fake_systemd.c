/* fake_systemd.c: a stand-in for systemd's private D-Bus socket, for the tests of burrow's
   systemd cgroup manager on hosts without systemd. It serves the Manager calls burrow
   makes (Subscribe, StartTransientUnit, StopUnit, ResetFailedUnit, SetUnitProperties),
   logs each property it receives as NAME=VALUE, and does what systemd would with a scope:
   makes BASE/<unit> (a cgroup the caller may write), moves PIDs there, sends JobRemoved;
   on StopUnit kills what is in it and removes it.
   usage: fake_systemd SOCKET BASE_CGROUP LOG */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

static const char *base;
static FILE *log_file;
static unsigned job_id;
static char last_pids[256]; /* the PIDs property of the last StartTransientUnit */

static int
write_file (const char *dir, const char *file, const char *value)
{
  char p[4096];
  snprintf (p, sizeof p, "%s/%s", dir, file);
  int fd = open (p, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int r = write (fd, value, strlen (value)) < 0 ? -1 : 0;
  close (fd);
  return r;
}

/* One property: its name and its value printed the way the tests read it. */
static int
log_property (sd_bus_message *m)
{
  const char *name, *contents;
  char type;
  int r = sd_bus_message_read (m, "s", &name);
  if (r < 0 || (r = sd_bus_message_peek_type (m, &type, &contents)) < 0
      || (r = sd_bus_message_enter_container (m, 'v', contents)) < 0)
    return r;
  fprintf (log_file, "%s=", name);
  if (strcmp (contents, "s") == 0)
    {
      const char *s;
      r = sd_bus_message_read (m, "s", &s);
      fprintf (log_file, "%s", s);
    }
  else if (strcmp (contents, "b") == 0)
    {
      int b;
      r = sd_bus_message_read (m, "b", &b);
      fprintf (log_file, "%s", b ? "true" : "false");
    }
  else if (strcmp (contents, "t") == 0)
    {
      uint64_t t;
      r = sd_bus_message_read (m, "t", &t);
      fprintf (log_file, "%llu", (unsigned long long)t);
    }
  else if (strcmp (contents, "au") == 0)
    {
      uint32_t u;
      if ((r = sd_bus_message_enter_container (m, 'a', "u")) < 0)
        return r;
      last_pids[0] = '\0';
      while ((r = sd_bus_message_read (m, "u", &u)) > 0)
        {
          fprintf (log_file, "%u ", u);
          size_t l = strlen (last_pids);
          snprintf (last_pids + l, sizeof last_pids - l, "%u ", u);
        }
      if (r < 0 || (r = sd_bus_message_exit_container (m)) < 0)
        return r;
    }
  else if (strcmp (contents, "ay") == 0)
    {
      const void *p;
      size_t n;
      r = sd_bus_message_read_array (m, 'y', &p, &n);
      for (size_t i = 0; r >= 0 && i < n; i++)
        fprintf (log_file, "%02x", ((const unsigned char *)p)[i]);
    }
  else
    {
      fprintf (log_file, "(type %s)", contents);
      r = sd_bus_message_skip (m, contents);
    }
  fprintf (log_file, "\n");
  fflush (log_file);
  if (r < 0)
    return r;
  return sd_bus_message_exit_container (m);
}

/* The a(sv) of properties, logged. */
static int
read_properties (sd_bus_message *m)
{
  int r = sd_bus_message_enter_container (m, 'a', "(sv)");
  if (r < 0)
    return r;
  while ((r = sd_bus_message_enter_container (m, 'r', "sv")) > 0)
    {
      if ((r = log_property (m)) < 0 || (r = sd_bus_message_exit_container (m)) < 0)
        return r;
    }
  if (r < 0)
    return r;
  return sd_bus_message_exit_container (m);
}

static int
send_job_removed (sd_bus *bus, const char *unit, const char *result)
{
  char path[64];
  snprintf (path, sizeof path, "/org/freedesktop/systemd1/job/%u", job_id);
  return sd_bus_emit_signal (bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                             "JobRemoved", "uoss", job_id, path, unit, result);
}

static int
reply_job (sd_bus_message *m)
{
  char path[64];
  snprintf (path, sizeof path, "/org/freedesktop/systemd1/job/%u", ++job_id);
  return sd_bus_reply_method_return (m, "o", path);
}

static void
move_pids (const char *dir)
{
  for (char *p = strtok (last_pids, " "); p; p = strtok (NULL, " "))
    write_file (dir, "cgroup.procs", p);
}

static int
start_unit (sd_bus_message *m, void *data, sd_bus_error *e)
{
  const char *name, *mode;
  char dir[4096];
  int r = sd_bus_message_read (m, "ss", &name, &mode);
  if (r < 0)
    return r;
  fprintf (log_file, "StartTransientUnit %s %s\n", name, mode);
  snprintf (dir, sizeof dir, "%s/%s", base, name);
  if (mkdir (dir, 0755) < 0)
    return sd_bus_error_setf (e, "org.freedesktop.systemd1.UnitExists", "Unit %s exists", name);
  if ((r = read_properties (m)) < 0)
    return r;
  if ((r = sd_bus_message_skip (m, "a(sa(sv))")) < 0)
    return r;
  move_pids (dir);
  if ((r = reply_job (m)) < 0)
    return r;
  return send_job_removed (sd_bus_message_get_bus (m), name, "done");
}

static int
stop_unit (sd_bus_message *m, void *data, sd_bus_error *e)
{
  const char *name, *mode;
  char dir[4096];
  int r = sd_bus_message_read (m, "ss", &name, &mode);
  if (r < 0)
    return r;
  fprintf (log_file, "StopUnit %s %s\n", name, mode);
  fflush (log_file);
  snprintf (dir, sizeof dir, "%s/%s", base, name);
  if (access (dir, F_OK) < 0)
    return sd_bus_error_setf (e, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.",
                              name);
  write_file (dir, "cgroup.kill", "1");
  for (int i = 0; i < 500 && rmdir (dir) < 0 && errno == EBUSY; i++)
    {
      struct timespec ts = { 0, 10000000 };
      nanosleep (&ts, NULL);
    }
  if ((r = reply_job (m)) < 0)
    return r;
  return send_job_removed (sd_bus_message_get_bus (m), name, "done");
}

static int
reset_failed (sd_bus_message *m, void *data, sd_bus_error *e)
{
  const char *name;
  int r = sd_bus_message_read (m, "s", &name);
  if (r < 0)
    return r;
  fprintf (log_file, "ResetFailedUnit %s\n", name);
  fflush (log_file);
  return sd_bus_reply_method_return (m, "");
}

static int
set_properties (sd_bus_message *m, void *data, sd_bus_error *e)
{
  const char *name;
  int runtime;
  int r = sd_bus_message_read (m, "sb", &name, &runtime);
  if (r < 0)
    return r;
  fprintf (log_file, "SetUnitProperties %s\n", name);
  if ((r = read_properties (m)) < 0)
    return r;
  return sd_bus_reply_method_return (m, "");
}

static int
subscribe (sd_bus_message *m, void *data, sd_bus_error *e)
{
  return sd_bus_reply_method_return (m, "");
}

static const sd_bus_vtable manager[] = {
  SD_BUS_VTABLE_START (0),
  SD_BUS_METHOD ("Subscribe", "", "", subscribe, 0),
  SD_BUS_METHOD ("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", start_unit, 0),
  SD_BUS_METHOD ("StopUnit", "ss", "o", stop_unit, 0),
  SD_BUS_METHOD ("ResetFailedUnit", "s", "", reset_failed, 0),
  SD_BUS_METHOD ("SetUnitProperties", "sba(sv)", "", set_properties, 0),
  SD_BUS_SIGNAL ("JobRemoved", "uoss", 0),
  SD_BUS_VTABLE_END,
};

/* One client connection, served until it closes. */
static void
serve (int fd)
{
  sd_bus *bus = NULL;
  sd_id128_t id;
  sd_id128_randomize (&id);
  if (sd_bus_new (&bus) < 0 || sd_bus_set_fd (bus, fd, fd) < 0 || sd_bus_set_server (bus, 1, id) < 0
      || sd_bus_add_object_vtable (bus, NULL, "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", manager, NULL)
             < 0
      || sd_bus_start (bus) < 0)
    {
      fprintf (log_file, "serve: cannot start the connection\n");
      sd_bus_unref (bus);
      close (fd);
      return;
    }
  for (;;)
    {
      int r = sd_bus_process (bus, NULL);
      if (r < 0)
        break;
      if (r > 0)
        continue;
      if (sd_bus_wait (bus, UINT64_MAX) < 0)
        break;
    }
  sd_bus_flush_close_unref (bus);
}

int
main (int argc, char **argv)
{
  if (argc != 4)
    {
      fprintf (stderr, "usage: fake_systemd SOCKET BASE_CGROUP LOG\n");
      return 2;
    }
  base = argv[2];
  if ((log_file = fopen (argv[3], "ae")) == NULL)
    return 1;
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  snprintf (a.sun_path, sizeof a.sun_path, "%s", argv[1]);
  unlink (argv[1]);
  if (s < 0 || bind (s, (struct sockaddr *)&a, sizeof a) < 0 || listen (s, 8) < 0)
    {
      perror ("fake_systemd: listen");
      return 1;
    }
  fprintf (log_file, "listening\n");
  fflush (log_file);
  for (;;)
    {
      int c = accept4 (s, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0)
        serve (c);
    }
}
