/* seccomp_agent.c: the seccomp notify listener handed to an agent at listenerPath, with
   runc's ContainerProcessState message. */
#include "config.h"
#include "seccomp_filter.h"
#include "seccomp_program.h"

#include "cleanup.h"
#include "error.h"
#include "terminal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
burrow_seccomp_listener_connect (const struct burrow_seccomp *s, struct burrow_error *err)
{
  burrow_error_clear (err);
  if (s == NULL || !s->has_notify)
    return -1;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  /* parse_listener checked the length */
  memcpy (addr.sun_path, s->listener_path, strlen (s->listener_path) + 1);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return burrow_fail_errno (err, "linux.seccomp.listenerPath: create a unix socket");
  int r;
  do
    r = connect (fd, (struct sockaddr *)&addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return burrow_fail_errno (
        err, "linux.seccomp.listenerPath: connect to the seccomp agent at `%s`", s->listener_path);
  return steal_fd (&fd);
}

int
burrow_seccomp_send_listener (int sock, int notify_fd, const char *state_json,
                              struct burrow_error *err)
{
  if (state_json == NULL || state_json[0] == '\0')
    return burrow_fail_plain (err, EINVAL, "send the seccomp listener fd: no state to send");
  size_t len = strlen (state_json);
  ssize_t r = burrow_fd_send (sock, notify_fd, state_json);
  if (r < 0)
    return burrow_fail_errno (err, "send the seccomp listener fd to the agent");
  /* A stream socket may take a long payload in parts; the fd went with the first. */
  for (size_t done = (size_t)r; done < len;)
    {
      r = send (sock, state_json + done, len - done, MSG_NOSIGNAL);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return burrow_fail_errno (err, "send the container state to the seccomp agent");
      done += (size_t)r;
    }
  return 0;
}

int
burrow_seccomp_process_state_json (pid_t pid, const char *metadata, const char *state_json,
                                   char **out, struct burrow_error *err)
{
  *out = NULL;
  cJSON *state = state_json ? cJSON_Parse (state_json) : NULL;
  if (state == NULL || !cJSON_IsObject (state))
    {
      cJSON_Delete (state);
      return burrow_fail_plain (err, EINVAL,
                                "seccomp agent message: the state is not a JSON object");
    }
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (state, "ociVersion");
  const char *version = cJSON_IsString (v) ? v->valuestring : "1.2.0";
  cJSON *o = cJSON_CreateObject ();
  cJSON *fds = cJSON_CreateArray ();
  bool ok = o && fds && cJSON_AddStringToObject (o, "ociVersion", version)
            && cJSON_AddItemToObject (o, "fds", fds);
  if (!ok)
    cJSON_Delete (fds);
  ok = ok && cJSON_AddItemToArray (fds, cJSON_CreateString ("seccompFd"))
       && cJSON_AddNumberToObject (o, "pid", (double)pid)
       && (metadata == NULL || metadata[0] == '\0'
           || cJSON_AddStringToObject (o, "metadata", metadata));
  if (ok && cJSON_AddItemToObject (o, "state", state))
    state = NULL;
  else
    ok = false;
  *out = ok ? cJSON_PrintUnformatted (o) : NULL;
  cJSON_Delete (state);
  cJSON_Delete (o);
  if (*out == NULL)
    return burrow_fail (err, ENOMEM, "seccomp agent message");
  return 0;
}
