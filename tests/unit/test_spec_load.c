/* test_spec_load.c: config.json into struct burrow_spec (every field, the type errors and
   their field paths, bundles on disk) and the default specs of spec_default.c. */
#include "config.h"
#include "spec.h"

#include "capabilities.h"
#include "tap.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const full_config
    = "{\n"
      "  \"ociVersion\": \"1.2.0\",\n"
      "  \"process\": {\n"
      "    \"terminal\": true,\n"
      "    \"consoleSize\": {\"height\": 24, \"width\": 80},\n"
      "    \"user\": {\"uid\": 1000, \"gid\": 1001, \"umask\": 18,\n"
      "             \"additionalGids\": [5, 4294967295]},\n"
      "    \"args\": [\"/bin/sh\", \"-c\", \"echo hi\"],\n"
      "    \"env\": [\"PATH=/bin\", \"TERM=xterm\"],\n"
      "    \"cwd\": \"/work\",\n"
      "    \"capabilities\": {\n"
      "      \"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"],\n"
      "      \"effective\": [\"CAP_KILL\"],\n"
      "      \"inheritable\": [],\n"
      "      \"permitted\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
      "      \"ambient\": [\"CAP_NET_BIND_SERVICE\"]\n"
      "    },\n"
      "    \"rlimits\": [\n"
      "      {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096},\n"
      "      {\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615,\n"
      "       \"hard\": 18446744073709551615}\n"
      "    ],\n"
      "    \"noNewPrivileges\": true,\n"
      "    \"oomScoreAdj\": -500,\n"
      "    \"apparmorProfile\": \"burrow-default\",\n"
      "    \"selinuxLabel\": \"system_u:system_r:container_t:s0\"\n"
      "  },\n"
      "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
      "  \"hostname\": \"box\",\n"
      "  \"domainname\": \"example.org\",\n"
      "  \"mounts\": [\n"
      "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
      "    {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\",\n"
      "     \"options\": [\"rbind\", \"ro\"]}\n"
      "  ],\n"
      "  \"annotations\": {\"org.example.key\": \"value\", \"b\": \"\"},\n"
      "  \"hooks\": {\"poststart\": [{\"path\": \"/bin/true\"}]},\n"
      "  \"linux\": {\n"
      "    \"namespaces\": [\n"
      "      {\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"},\n"
      "      {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},\n"
      "      {\"type\": \"user\"}, {\"type\": \"cgroup\"}, {\"type\": \"time\"}\n"
      "    ],\n"
      "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
      "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 1},\n"
      "                    {\"containerID\": 1, \"hostID\": 4294967295, \"size\": 1}],\n"
      "    \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10,\n"
      "                 \"minor\": 229, \"fileMode\": 438, \"uid\": 0, \"gid\": 0},\n"
      "                {\"path\": \"/dev/null\", \"type\": \"c\"}],\n"
      "    \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},\n"
      "    \"maskedPaths\": [\"/proc/kcore\"],\n"
      "    \"readonlyPaths\": [\"/proc/sys\", \"/proc/bus\"],\n"
      "    \"rootfsPropagation\": \"rslave\",\n"
      "    \"cgroupsPath\": \"/burrow/box\",\n"
      "    \"mountLabel\": \"system_u:object_r:container_file_t:s0\",\n"
      "    \"resources\": {\"pids\": {\"limit\": 100}},\n"
      "    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"},\n"
      "    \"timeOffsets\": {\"monotonic\": {\"secs\": 1, \"nanosecs\": 0}}\n"
      "  }\n"
      "}\n";

static uint64_t
cap_bit (const char *name)
{
  return 1ULL << burrow_cap_from_name (name);
}

static void
check_full_process (const struct burrow_spec *s)
{
  const struct burrow_process *p = &s->process;
  ok (s->has_process && p->terminal, "process.terminal");
  ok (p->has_console_size && p->console_height == 24 && p->console_width == 80,
      "process.consoleSize");
  ok (p->user.uid == 1000 && p->user.gid == 1001, "process.user uid and gid");
  ok (p->user.has_umask && p->user.umask == 022, "process.user.umask");
  ok (p->user.n_additional_gids == 2 && p->user.additional_gids[0] == 5
          && p->user.additional_gids[1] == UINT32_MAX,
      "process.user.additionalGids");
  ok (p->n_args == 3 && p->args[3] == NULL, "process.args: 3, NULL-terminated");
  is_str (p->args[2], "echo hi", "process.args[2]");
  ok (p->n_env == 2 && p->env[2] == NULL, "process.env: 2, NULL-terminated");
  is_str (p->env[1], "TERM=xterm", "process.env[1]");
  is_str (p->cwd, "/work", "process.cwd");
  ok (p->has_caps, "process.capabilities present");
  ok (p->caps.bounding == (cap_bit ("CAP_CHOWN") | cap_bit ("CAP_KILL")), "bounding set");
  ok (p->caps.effective == cap_bit ("CAP_KILL"), "effective set");
  ok (p->caps.inheritable == 0, "inheritable set empty");
  ok (p->caps.permitted == (cap_bit ("CAP_KILL") | cap_bit ("CAP_NET_BIND_SERVICE")),
      "permitted set");
  ok (p->caps.ambient == cap_bit ("CAP_NET_BIND_SERVICE"), "ambient set");
  ok (p->n_rlimits == 2, "two rlimits");
  ok (p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024
          && p->rlimits[0].hard == 4096,
      "RLIMIT_NOFILE 1024/4096");
  is_str (p->rlimits[0].name, "RLIMIT_NOFILE", "rlimit name");
  ok (p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].soft == UINT64_MAX
          && p->rlimits[1].hard == UINT64_MAX,
      "18446744073709551615 is RLIM_INFINITY");
  ok (p->no_new_privileges, "process.noNewPrivileges");
  ok (p->has_oom_score_adj && p->oom_score_adj == -500, "process.oomScoreAdj");
  is_str (p->apparmor_profile, "burrow-default", "process.apparmorProfile");
  is_str (p->selinux_label, "system_u:system_r:container_t:s0", "process.selinuxLabel");
}

static void
check_full_linux (const struct burrow_spec *s)
{
  const struct burrow_linux *l = &s->linux_;
  bool all = true;
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    all = all && l->namespaces[t].present;
  ok (all, "all eight namespace types");
  is_str (l->namespaces[BURROW_NS_NETWORK].path, "/proc/1/ns/net", "network namespace path");
  ok (l->namespaces[BURROW_NS_PID].path == NULL, "pid namespace: new");
  ok (l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0
          && l->uid_mappings[0].host_id == 100000 && l->uid_mappings[0].size == 65536,
      "linux.uidMappings");
  ok (l->n_gid_mappings == 2 && l->gid_mappings[1].container_id == 1
          && l->gid_mappings[1].host_id == UINT32_MAX && l->gid_mappings[1].size == 1,
      "linux.gidMappings");
  ok (l->n_devices == 2, "two devices");
  is_str (l->devices[0].path, "/dev/fuse", "device path");
  ok (l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229,
      "device type, major, minor");
  ok (l->devices[0].has_file_mode && l->devices[0].file_mode == 0666 && l->devices[0].has_uid
          && l->devices[0].uid == 0 && l->devices[0].has_gid,
      "device fileMode, uid, gid");
  ok (!l->devices[1].has_file_mode && !l->devices[1].has_uid && !l->devices[1].has_gid,
      "device without fileMode, uid, gid");
  ok (l->n_sysctl == 1, "one sysctl");
  is_str (l->sysctl[0].key, "net.ipv4.ip_forward", "sysctl key");
  is_str (l->sysctl[0].value, "1", "sysctl value");
  ok (l->n_masked_paths == 1 && l->masked_paths[1] == NULL, "linux.maskedPaths");
  is_str (l->masked_paths[0], "/proc/kcore", "linux.maskedPaths[0]");
  ok (l->n_readonly_paths == 2 && l->readonly_paths[2] == NULL, "linux.readonlyPaths");
  is_str (l->readonly_paths[1], "/proc/bus", "linux.readonlyPaths[1]");
  is_str (l->rootfs_propagation, "rslave", "linux.rootfsPropagation");
  is_str (l->cgroups_path, "/burrow/box", "linux.cgroupsPath");
  is_str (l->mount_label, "system_u:object_r:container_file_t:s0", "linux.mountLabel");
  ok (l->resources && cJSON_GetObjectItem (l->resources, "pids"), "linux.resources borrowed");
  ok (l->seccomp && cJSON_GetObjectItem (l->seccomp, "defaultAction"), "linux.seccomp borrowed");
  ok (l->time_offsets && cJSON_GetObjectItem (l->time_offsets, "monotonic"),
      "linux.timeOffsets borrowed");
}

static void
test_full (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  int r = burrow_spec_parse (full_config, "/tmp", &s, &err);
  ok (r == 0, "the full config parses (%s)", err.msg);
  if (r < 0)
    return;
  ok (s->json != NULL, "the document is kept");
  is_str (s->oci_version, "1.2.0", "ociVersion");
  is_str (s->bundle, "/tmp", "bundle");
  is_str (s->root_path, "rootfs", "root.path as written");
  is_str (s->rootfs, "/tmp/rootfs", "rootfs made absolute");
  ok (s->root_readonly, "root.readonly");
  is_str (s->hostname, "box", "hostname");
  is_str (s->domainname, "example.org", "domainname");
  check_full_process (s);
  ok (s->n_mounts == 2, "two mounts");
  is_str (s->mounts[0].destination, "/proc", "mounts[0].destination");
  ok (s->mounts[0].options && s->mounts[0].n_options == 0 && s->mounts[0].options[0] == NULL,
      "mounts[0].options: empty, not NULL");
  is_str (s->mounts[1].type, "bind", "mounts[1].type");
  is_str (s->mounts[1].source, "/srv/data", "mounts[1].source");
  ok (s->mounts[1].n_options == 2 && s->mounts[1].options[2] == NULL, "mounts[1].options");
  is_str (s->mounts[1].options[1], "ro", "mounts[1].options[1]");
  ok (s->n_annotations == 2, "two annotations");
  is_str (s->annotations[0].key, "org.example.key", "annotation key");
  is_str (s->annotations[0].value, "value", "annotation value");
  ok (s->hooks && cJSON_GetObjectItem (s->hooks, "poststart"), "hooks borrowed");
  check_full_linux (s);
  burrow_spec_free (s);
}

static int
parse_members (const char *members, struct burrow_spec **out, struct burrow_error *err)
{
  char *text = NULL;
  if (asprintf (&text, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}%s%s}",
                members[0] ? ", " : "", members)
      < 0)
    abort ();
  struct burrow_spec *s = NULL;
  int r = burrow_spec_parse (text, "/tmp", &s, err);
  free (text);
  if (out)
    *out = s;
  else
    burrow_spec_free (s);
  return r;
}

static void
expect_error (const char *members, const char *fragment)
{
  struct burrow_error err = { 0 };
  int r = parse_members (members, NULL, &err);
  ok (r < 0 && err.errnum == EINVAL, "refused: %s", members);
  like (err.msg, fragment, "  message names the problem");
}

static void
test_minimal (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  int r = parse_members ("", &s, &err);
  ok (r == 0, "a config with only ociVersion and root parses (%s)", err.msg);
  if (r < 0)
    return;
  ok (!s->has_process, "no process");
  ok (s->process.env && s->process.env[0] == NULL, "process.env is never NULL");
  ok (s->linux_.masked_paths && s->linux_.n_masked_paths == 0, "maskedPaths never NULL");
  ok (s->linux_.readonly_paths && s->linux_.readonly_paths[0] == NULL, "readonlyPaths never NULL");
  ok (s->n_mounts == 0 && s->hooks == NULL && s->linux_.resources == NULL, "nothing else");
  ok (!s->root_readonly, "root.readonly defaults to false");
  burrow_spec_free (s);

  r = parse_members ("\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, \"linux\": null", &s,
                     &err);
  ok (r == 0 && s->has_process && s->process.env[0] == NULL && !s->process.has_caps
          && s->process.args[1] == NULL,
      "a process without env or capabilities; null linux counts as absent");
  burrow_spec_free (s);

  r = burrow_spec_parse ("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/abs/root\"}}", "/tmp",
                         &s, &err);
  ok (r == 0, "an absolute root.path (%s)", err.msg);
  if (r == 0)
    is_str (s->rootfs, "/abs/root", "absolute root.path is kept as is");
  burrow_spec_free (s);
  burrow_spec_free (NULL);
  ok (1, "burrow_spec_free (NULL)");
}

static void
test_type_errors (void)
{
  expect_error ("\"process\": {\"args\": [\"a\", \"b\", 3]}",
                "config.json: `process.args[2]` must be a string");
  expect_error ("\"process\": {\"args\": \"sh\"}", "`process.args` must be an array");
  expect_error ("\"process\": []", "`process` must be an object");
  expect_error ("\"process\": {\"terminal\": \"yes\"}", "`process.terminal` must be true or false");
  expect_error ("\"process\": {\"cwd\": 7}", "`process.cwd` must be a string");
  expect_error ("\"process\": {\"env\": [null]}", "`process.env[0]` must be a string");
  expect_error ("\"process\": {\"user\": {\"uid\": \"0\"}}",
                "`process.user.uid` must be an integer");
  expect_error ("\"process\": {\"consoleSize\": {\"height\": 1}}",
                "`process.consoleSize.width` is missing");
  expect_error ("\"process\": {\"capabilities\": {\"bounding\": [\"CAP_KILL\", 1]}}",
                "`process.capabilities.bounding[1]` must be a string");
  expect_error ("\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1}]}",
                "`process.rlimits[0].hard` is missing");
  expect_error ("\"process\": {\"apparmorProfile\": false}",
                "`process.apparmorProfile` must be a string");
  expect_error ("\"hostname\": 1", "`hostname` must be a string");
  expect_error ("\"mounts\": [{\"type\": \"tmpfs\"}]", "`mounts[0].destination` is missing");
  expect_error ("\"mounts\": [{\"destination\": \"/a\"}, 5]", "`mounts[1]` must be an object");
  expect_error ("\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", {}]}]",
                "`mounts[0].options[1]` must be a string");
  expect_error ("\"annotations\": {\"a.b\": 1}", "`annotations[\"a.b\"]` must be a string");
  expect_error ("\"hooks\": []", "`hooks` must be an object");
  expect_error ("\"linux\": {\"namespaces\": [{\"path\": \"/x\"}]}",
                "`linux.namespaces[0].type` is missing");
  expect_error ("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1}]}",
                "`linux.uidMappings[0].size` is missing");
  expect_error ("\"linux\": {\"sysctl\": {\"kernel.x\": 1}}",
                "`linux.sysctl[\"kernel.x\"]` must be a string");
  expect_error ("\"linux\": {\"maskedPaths\": [1]}", "`linux.maskedPaths[0]` must be a string");
  expect_error ("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"char\"}]}",
                "`linux.devices[0].type` must be one character");
  expect_error ("\"linux\": {\"seccomp\": \"none\"}", "`linux.seccomp` must be an object");
  expect_error ("\"linux\": {\"resources\": 1}", "`linux.resources` must be an object");
  expect_error ("\"linux\": \"x\"", "`linux` must be an object");

  struct burrow_error err = { 0 };
  ok (burrow_spec_parse ("{\"root\": {\"path\": \"r\"}}", "/tmp", &(struct burrow_spec *){ 0 },
                         &err)
          < 0,
      "ociVersion missing");
  like (err.msg, "config.json: `ociVersion` is missing", "  message");
  ok (burrow_spec_parse ("{\"ociVersion\": \"1.0.0\"}", "/tmp", &(struct burrow_spec *){ 0 }, &err)
          < 0,
      "root missing");
  like (err.msg, "`root` is missing", "  message");
  ok (burrow_spec_parse ("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": 1}}", "/tmp",
                         &(struct burrow_spec *){ 0 }, &err)
          < 0,
      "root.path not a string");
  like (err.msg, "`root.path` must be a string", "  message");
  ok (burrow_spec_parse ("[1, 2]", "/tmp", &(struct burrow_spec *){ 0 }, &err) < 0,
      "top level array");
  like (err.msg, "must be a JSON object", "  message");
  ok (burrow_spec_parse ("{}", "relative", &(struct burrow_spec *){ 0 }, &err) < 0,
      "relative bundle refused");
}

static void
test_numbers (void)
{
  expect_error ("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 4294967296, "
                "\"size\": 1}]}",
                "config.json: `linux.uidMappings[0].hostID` must be an integer between 0 and "
                "4294967295");
  expect_error ("\"linux\": {\"gidMappings\": [{\"containerID\": -1, \"hostID\": 0, "
                "\"size\": 1}]}",
                "`linux.gidMappings[0].containerID` must be an integer between 0 and 4294967295");
  expect_error ("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, "
                "\"size\": 1.5}]}",
                "`linux.uidMappings[0].size` must be an integer");
  expect_error ("\"process\": {\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [1, -3]}}",
                "`process.user.additionalGids[1]` must be an integer between 0 and 4294967295");
  expect_error ("\"process\": {\"oomScoreAdj\": 2147483648}",
                "`process.oomScoreAdj` must be an integer between -2147483648 and 2147483647");
  expect_error ("\"process\": {\"oomScoreAdj\": 0.25}", "`process.oomScoreAdj` must be an integer");
  expect_error ("\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": -1, "
                "\"hard\": 1}]}",
                "`process.rlimits[0].soft` must be an integer between 0 and 18446744073709551615");
  expect_error ("\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1e30, "
                "\"hard\": 1}]}",
                "`process.rlimits[0].soft` must be an integer");
  expect_error ("\"process\": {\"consoleSize\": {\"height\": 1, \"width\": 4294967296}}",
                "`process.consoleSize.width` must be an integer between 0 and 4294967295");
  expect_error ("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", "
                "\"major\": 1.5}]}",
                "`linux.devices[0].major` must be an integer");
  expect_error ("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", "
                "\"fileMode\": -1}]}",
                "`linux.devices[0].fileMode` must be an integer between 0 and 4294967295");

  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  int r = parse_members ("\"process\": {\"oomScoreAdj\": -1000, \"user\": {\"uid\": 4294967295, "
                         "\"gid\": 0}}, \"linux\": {\"devices\": [{\"path\": \"/dev/x\", "
                         "\"type\": \"b\", \"major\": -1, \"minor\": 1e3}]}",
                         &s, &err);
  ok (r == 0, "edge values accepted (%s)", err.msg);
  if (r == 0)
    ok (s->process.oom_score_adj == -1000 && s->process.user.uid == UINT32_MAX
            && s->linux_.devices[0].major == -1 && s->linux_.devices[0].minor == 1000,
        "  -1000, 4294967295, -1 and 1e3 kept");
  burrow_spec_free (s);
}

static void
test_invalid_json (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  /* The commonest slip: a missing comma, reported where the next member starts. */
  const char *text = "{\n  \"ociVersion\": \"1.0.0\"\n  \"root\": {}\n}\n";
  ok (burrow_spec_parse (text, "/tmp", &s, &err) < 0 && s == NULL, "invalid JSON refused");
  like (err.msg, "config.json is not valid JSON (line 3, column 3)", "  line and column");
  ok (err.errnum == EINVAL && strstr (err.msg, "Invalid argument") == NULL,
      "  EINVAL, without strerror text");
  ok (burrow_spec_parse ("", "/tmp", &s, &err) < 0, "empty text refused");
  like (err.msg, "(line 1, column 1)", "  at line 1, column 1");
  ok (burrow_spec_parse ("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}} x", "/tmp", &s, &err)
          < 0,
      "trailing garbage refused");
  like (err.msg, "(line 1, column 44)", "  at the garbage");
}

static void
test_namespaces_and_rlimits (void)
{
  expect_error ("\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"net\"}]}",
                "`linux.namespaces[1].type` is an unknown namespace type `net`");
  expect_error ("\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}, "
                "{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}]}",
                "`linux.namespaces[2].type` lists the pid namespace twice");
  expect_error ("\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, "
                "\"hard\": 1}]}",
                "`process.rlimits[0].type` is an unknown rlimit type `RLIMIT_BOGUS`");
  expect_error ("\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1, "
                "\"hard\": 1}, {\"type\": \"RLIMIT_CPU\", \"soft\": 2, \"hard\": 2}]}",
                "`process.rlimits[1].type` RLIMIT_CPU is listed twice");

  static const char *const names[]
      = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
  static const int flags[] = { CLONE_NEWPID, CLONE_NEWNET,  CLONE_NEWNS,     CLONE_NEWIPC,
                               CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP, 0x80 };
  bool all = true;
  for (int t = 0; t < BURROW_NS_COUNT; t++)
    all = all && strcmp (burrow_ns_name (t), names[t]) == 0 && burrow_ns_clone_flag (t) == flags[t];
  ok (all, "burrow_ns_name and burrow_ns_clone_flag for all eight types");
}

static void
test_unknown_capability (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  char log_path[] = "/tmp/test_spec_load_log.XXXXXX";
  int fd = mkstemp (log_path);
  ok (fd >= 0 && burrow_log_open (log_path, false, false, &err) == 0, "log to a temp file");
  int r = parse_members ("\"process\": {\"capabilities\": {\"bounding\": [\"CAP_KILL\", "
                         "\"CAP_NOT_A_THING\", \"CAP_CHOWN\"]}}",
                         &s, &err);
  burrow_log_open (NULL, false, false, &err);
  ok (r == 0, "an unknown capability does not fail the config (%s)", err.msg);
  if (r == 0)
    ok (s->process.has_caps
            && s->process.caps.bounding == (cap_bit ("CAP_KILL") | cap_bit ("CAP_CHOWN")),
        "  it is skipped, the others kept");
  burrow_spec_free (s);
  char buf[1024] = "";
  ssize_t n = fd >= 0 ? pread (fd, buf, sizeof buf - 1, 0) : -1;
  buf[n > 0 ? n : 0] = '\0';
  like (buf, "CAP_NOT_A_THING", "  a warning names it");
  like (buf, "process.capabilities.bounding[1]", "  and its field");
  if (fd >= 0)
    close (fd);
  unlink (log_path);
}

static void
test_load (void)
{
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  char dir[] = "/tmp/test_spec_load.XXXXXX";
  char path[256], missing[300];
  ok (mkdtemp (dir) != NULL, "temp bundle");
  snprintf (path, sizeof path, "%s/config.json", dir);
  FILE *f = fopen (path, "w");
  ok (f != NULL, "write config.json");
  if (f == NULL)
    return;
  fputs (full_config, f);
  fclose (f);

  int r = burrow_spec_load (dir, &s, &err);
  ok (r == 0, "burrow_spec_load on a bundle dir (%s)", err.msg);
  if (r == 0)
    {
      is_str (s->bundle, dir, "bundle is the absolute path");
      char want[300];
      snprintf (want, sizeof want, "%s/rootfs", dir);
      is_str (s->rootfs, want, "rootfs inside the bundle");
      is_str (s->process.args[0], "/bin/sh", "the config was read");
    }
  burrow_spec_free (s);

  /* A relative bundle and no bundle at all resolve against the current directory. */
  char cwd[4096];
  if (getcwd (cwd, sizeof cwd) && chdir ("/tmp") == 0)
    {
      s = NULL;
      r = burrow_spec_load (dir + 5, &s, &err);
      ok (r == 0 && s && strcmp (s->bundle, dir) == 0, "relative bundle made absolute");
      burrow_spec_free (s);
      s = NULL;
      r = chdir (dir) == 0 ? burrow_spec_load (NULL, &s, &err) : -1;
      ok (r == 0 && s && strcmp (s->bundle, dir) == 0, "NULL bundle: the current directory");
      burrow_spec_free (s);
      if (chdir (cwd) != 0)
        abort ();
    }

  snprintf (missing, sizeof missing, "%s/nope", dir);
  s = NULL;
  ok (burrow_spec_load (missing, &s, &err) < 0 && s == NULL, "a missing bundle fails");
  ok (err.errnum == ENOENT, "  ENOENT");
  like (err.msg, "cannot read config.json: No such file or directory",
        "  message names config.json and the errno");
  like (err.msg, missing, "  and the bundle");

  f = fopen (path, "w");
  fputs ("{\"ociVersion\": \"1.0.0\",\n\"root\": 3}", f);
  fclose (f);
  ok (burrow_spec_load (dir, &s, &err) < 0, "a bad config on disk fails");
  like (err.msg, "`root` must be an object", "  with the field");
  unlink (path);
  rmdir (dir);
}

static void
test_generate (bool rootless)
{
  struct burrow_spec_opts opts = { .rootless = rootless, .uid = 4000123, .gid = 4000456 };
  struct burrow_error err = { 0 };
  struct burrow_spec *s = NULL;
  char *json = NULL;
  const char *what = rootless ? "rootless" : "rootful";
  ok (burrow_spec_generate (&opts, &json, &err) == 0 && json, "%s spec generated", what);
  if (json == NULL)
    return;
  ok (strncmp (json, "{\n\t\"ociVersion\": \"1.2.0\",\n", 26) == 0, "  tab-indented like runc");
  ok (strstr (json, "\t\t\t\"sh\"\n") != NULL, "  one array element per line");
  int r = burrow_spec_parse (json, "/b", &s, &err);
  ok (r == 0, "  parses back (%s)", err.msg);
  free (json);
  if (r < 0)
    return;
  const struct burrow_linux *l = &s->linux_;
  const struct burrow_process *p = &s->process;
  is_str (s->rootfs, "/b/rootfs", "  rootfs");
  ok (s->root_readonly == !rootless, "  root.readonly %s", rootless ? "false" : "true");
  is_str (s->hostname, "burrow", "  hostname");
  ok (p->n_args == 1 && strcmp (p->args[0], "sh") == 0 && p->n_env == 2 && p->no_new_privileges,
      "  args, env, noNewPrivileges");
  ok (!p->terminal, "  terminal false as asked");
  uint64_t three
      = cap_bit ("CAP_AUDIT_WRITE") | cap_bit ("CAP_KILL") | cap_bit ("CAP_NET_BIND_SERVICE");
  ok (p->caps.bounding == three && p->caps.effective == three && p->caps.permitted == three
          && p->caps.inheritable == 0 && p->caps.ambient == 0,
      "  capabilities: three, none inheritable");
  ok (p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024,
      "  RLIMIT_NOFILE 1024");
  ok (l->namespaces[BURROW_NS_PID].present && l->namespaces[BURROW_NS_IPC].present
          && l->namespaces[BURROW_NS_UTS].present && l->namespaces[BURROW_NS_MOUNT].present
          && !l->namespaces[BURROW_NS_TIME].present,
      "  pid, ipc, uts, mount namespaces");
  ok (l->namespaces[BURROW_NS_USER].present == rootless
          && l->namespaces[BURROW_NS_NETWORK].present == !rootless
          && l->namespaces[BURROW_NS_CGROUP].present == !rootless,
      "  %s", rootless ? "user, no network, no cgroup" : "network and cgroup, no user");
  if (rootless)
    ok (l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0
            && l->uid_mappings[0].host_id == 4000123 && l->uid_mappings[0].size == 1
            && l->n_gid_mappings == 1 && l->gid_mappings[0].host_id == 4000456
            && l->gid_mappings[0].size == 1,
        "  the caller's ids mapped to root");
  else
    ok (l->n_uid_mappings == 0 && l->n_gid_mappings == 0, "  no id mappings");
  ok ((l->resources != NULL) == !rootless, "  linux.resources %s", rootless ? "absent" : "present");

  const struct burrow_mount *sys = NULL, *pts = NULL, *cg = NULL;
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const struct burrow_mount *m = &s->mounts[i];
      sys = strcmp (m->destination, "/sys") == 0 ? m : sys;
      pts = strcmp (m->destination, "/dev/pts") == 0 ? m : pts;
      cg = strcmp (m->destination, "/sys/fs/cgroup") == 0 ? m : cg;
    }
  ok (s->n_mounts == (rootless ? 6u : 7u), "  %zu mounts", s->n_mounts);
  ok (sys && strcmp (sys->type, rootless ? "bind" : "sysfs") == 0
          && strcmp (sys->source, rootless ? "/sys" : "sysfs") == 0
          && strcmp (sys->options[0], rootless ? "rbind" : "nosuid") == 0,
      "  /sys: %s", rootless ? "rbind of the host's" : "sysfs");
  ok (pts && strcmp (pts->options[pts->n_options - 1], rootless ? "mode=0620" : "gid=5") == 0,
      "  devpts %s gid=5", rootless ? "without" : "with");
  ok ((cg != NULL) == !rootless, "  /sys/fs/cgroup %s", rootless ? "absent" : "present");
  ok (l->n_masked_paths == 10 && l->n_readonly_paths == 5, "  masked and read-only paths");
  burrow_spec_free (s);
}

int
main (void)
{
  test_full ();
  test_minimal ();
  test_type_errors ();
  test_numbers ();
  test_invalid_json ();
  test_namespaces_and_rlimits ();
  test_unknown_capability ();
  test_load ();
  test_generate (false);
  test_generate (true);
  return tap_done ();
}
