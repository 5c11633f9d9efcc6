/* network.h: the runtime's side of user-mode networking: which containers want it
   (annotations under run.burrow.network), starting burrow-slirp for them during create,
   stopping it at delete, and talking to its API socket (`burrow port`). */
#ifndef BURROW_NETWORK_H
#define BURROW_NETWORK_H

#include "burrow.h"
#include "spec.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>

#define BURROW_ANN_NETWORK "run.burrow.network"
#define BURROW_ANN_PUBLISH "run.burrow.network.publish"
#define BURROW_ANN_HOST_LOOPBACK "run.burrow.network.allow-host-loopback"
#define BURROW_ANN_IPV6 "run.burrow.network.ipv6"
#define BURROW_ANN_MTU "run.burrow.network.mtu"
#define BURROW_ANN_HOSTFWD "run.burrow.network.hostfwd"
#define BURROW_SLIRP_HELPER "burrow-slirp"
#define BURROW_SLIRP_SOCKET "slirp.sock"
#define BURROW_SLIRP_LOG "slirp.log"

/* One published port: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]; an IPv6 host
   address goes in brackets ([::1]:8080:80). */
struct burrow_publish
{
  bool udp;
  char host_addr[64]; /* "0.0.0.0" when not given */
  int host_port;
  int guest_port;
};
int burrow_publish_parse (const char *text, struct burrow_publish *p, struct burrow_error *err);

/* What a container asked for, and (once started) its helper. */
struct burrow_network
{
  bool enabled;
  bool allow_host_loopback;
  bool ipv6;
  bool hostfwd_slirp; /* published TCP through libslirp rather than spliced */
  unsigned int mtu;
  struct burrow_publish *publish;
  size_t n_publish;
  /* set by burrow_network_start */
  pid_t pid;
  unsigned long long pid_start;
  char *api_socket;
  char *state_path; /* the container's state directory */
  int ready_fd;
};

/* Read the annotations and check them against the namespaces (a new network namespace
   is needed), before anything is created. net->enabled false: no network asked for. */
int burrow_network_plan (const struct burrow_spec *spec, struct burrow_network *net,
                         struct burrow_error *err);
/* burrow_network_plan, only to refuse bad annotations early. */
int burrow_network_check (const struct burrow_spec *spec, struct burrow_error *err);
/* Start the helper for the init `pid` (its namespaces exist, id maps written); does not
   wait. Its output goes to <state>/slirp.log. */
int burrow_network_start (struct burrow_network *net, pid_t pid, struct burrow_error *err);
/* Wait for the helper's ready fd, then publish the ports; a helper that failed is
   reaped and its message becomes the error. Does nothing when already ready. */
int burrow_network_wait_ready (struct burrow_network *net, struct burrow_error *err);
/* Stop a started helper (create failed after starting it). */
void burrow_network_abort (struct burrow_network *net);
void burrow_network_release (struct burrow_network *net);

/* The "network" object of state.json (caller frees), and stopping what it names. */
char *burrow_network_state_json (const struct burrow_network *net);
void burrow_network_stop_recorded (const char *network_json);

/* network_api.c: one request to a helper's API socket; *reply is the parsed answer. */
int burrow_slirp_api_call (const char *socket_path, const cJSON *request, cJSON **reply,
                           struct burrow_error *err);
/* Ask for one forward; *id gets its id. */
int burrow_slirp_api_add (const char *socket_path, const struct burrow_publish *p, int *id,
                          struct burrow_error *err);

#endif
