#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# What the process sees from inside: env, cwd, user, hostname, rlimits, capabilities.

load ../helpers

@test "process.env reaches the process, and only it" {
  set_cfg '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar", "WITH_SPACE=a b", "EMPTY="]'
  set_args probe env
  export LEAK_FROM_HOST=oops
  capture burrow run --bundle "$BUNDLE" envtest
  expect_status 0
  expect_line FOO=bar
  expect_line "WITH_SPACE=a b"
  expect_line EMPTY=
  expect_line PATH=/bin:/usr/bin
  expect_no_line LEAK_FROM_HOST=oops
}

@test "process.cwd is the working directory" {
  mkdir -p "$BUNDLE/rootfs/work/dir"
  set_cfg '.process.cwd = "/work/dir"'
  set_args probe cwd
  capture burrow run --bundle "$BUNDLE" cwdtest
  expect_status 0
  expect_line cwd=/work/dir
}

@test "PATH of process.env finds the binary of args[0]" {
  mkdir -p "$BUNDLE/rootfs/opt/tools"
  cp "$PROBE" "$BUNDLE/rootfs/opt/tools/probe-tool"
  set_cfg '.process.env = ["PATH=/opt/tools"]'
  set_args probe-tool cwd
  capture burrow run --bundle "$BUNDLE" pathtest
  expect_status 0
  expect_line cwd=/
}

@test "process.user uid, gid and additionalGids are applied" {
  is_rootless && use_subid_mappings
  set_cfg '.process.user = {uid: 1000, gid: 1001, additionalGids: [5, 7]}'
  set_args probe ids
  capture burrow run --bundle "$BUNDLE" usertest
  expect_status 0
  expect_line uid=1000
  expect_line euid=1000
  expect_line gid=1001
  expect_line egid=1001
  # the supplementary groups are exactly the additional ones (order is not fixed)
  local groups
  groups=$(grep '^groups=' <<<"$output" | cut -d= -f2 | tr ',' '\n' | sort -n | paste -sd,)
  [ "$groups" = "5,7" ]
}

@test "process.user uid 0 without additionalGids has no supplementary groups but 0" {
  set_args probe ids
  capture burrow run --bundle "$BUNDLE" rootuser
  expect_status 0
  expect_line uid=0
  expect_line gid=0
  local groups
  groups=$(grep '^groups=' <<<"$output" | cut -d= -f2)
  [ -z "$groups" ] || [ "$groups" = 0 ]
}

@test "hostname and domainname are set in the container's uts namespace" {
  set_cfg '.hostname = "burrowbox" | .domainname = "example.test"'
  set_args probe hostname
  capture burrow run --bundle "$BUNDLE" utstest
  expect_status 0
  expect_line hostname=burrowbox
  set_args probe domainname
  capture burrow run --bundle "$BUNDLE" utstest2
  expect_status 0
  expect_line domainname=example.test
  # the host's name is untouched
  [ "$(hostname)" != burrowbox ]
}

@test "process.rlimits are applied" {
  set_cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 321, hard: 654},
                               {type: "RLIMIT_CORE", soft: 0, hard: 0}]'
  set_args probe limits
  capture burrow run --bundle "$BUNDLE" limits
  expect_status 0
  expect_line RLIMIT_NOFILE=321:654
  expect_line RLIMIT_CORE=0:0
}

@test "noNewPrivileges true sets no_new_privs; false leaves it clear" {
  set_cfg '.process.noNewPrivileges = true'
  set_args probe nnp
  capture burrow run --bundle "$BUNDLE" nnp1
  expect_status 0
  expect_line NoNewPrivs=1
  set_cfg '.process.noNewPrivileges = false'
  capture burrow run --bundle "$BUNDLE" nnp0
  expect_status 0
  expect_line NoNewPrivs=0
}

# cap_mask NAME...: the hex mask of these capabilities, as /proc/PID/status prints it.
cap_mask ()
{
  local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
               LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK
               IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN
               SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE
               AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND
               AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
  local mask=0 cap i
  for cap in "$@"; do
    for i in "${!names[@]}"; do
      [[ CAP_${names[$i]} == "$cap" ]] && mask=$(( mask | (1 << i) ))
    done
  done
  printf '%016x\n' "$mask"
}

@test "process.capabilities are the container's capability sets" {
  set_cfg '.process.capabilities = {
             bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE", "CAP_CHOWN"],
             effective: ["CAP_KILL", "CAP_CHOWN"],
             permitted: ["CAP_KILL", "CAP_CHOWN"],
             inheritable: [],
             ambient: []}'
  set_args probe caps
  capture burrow run --bundle "$BUNDLE" capstest
  expect_status 0
  expect_line "CapBnd=$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE CAP_CHOWN)"
  expect_line "CapEff=$(cap_mask CAP_KILL CAP_CHOWN)"
  expect_line "CapPrm=$(cap_mask CAP_KILL CAP_CHOWN)"
  expect_line "CapInh=0000000000000000"
  expect_line "CapAmb=0000000000000000"
}

@test "the default spec's capabilities are what the process gets" {
  set_args probe caps
  local bnd eff
  # shellcheck disable=SC2046
  bnd=$(cap_mask $(get_cfg '.process.capabilities.bounding[]'))
  # shellcheck disable=SC2046
  eff=$(cap_mask $(get_cfg '.process.capabilities.effective[]'))
  capture burrow run --bundle "$BUNDLE" defcaps
  expect_status 0
  expect_line "CapBnd=$bnd"
  expect_line "CapEff=$eff"
}

@test "a non-root process.user keeps no effective capabilities without ambient ones" {
  is_rootless && use_subid_mappings
  set_cfg '.process.user = {uid: 1000, gid: 1000}'
  set_args probe caps
  capture burrow run --bundle "$BUNDLE" nonrootcaps
  expect_status 0
  expect_line CapEff=0000000000000000
}

@test "umask is 0022 by default and process.user.umask when given" {
  set_args probe umask
  capture burrow run --bundle "$BUNDLE" umask1
  expect_status 0
  expect_line umask=0022
  set_cfg '.process.user.umask = 63'
  capture burrow run --bundle "$BUNDLE" umask2
  expect_status 0
  expect_line umask=0077
}

@test "a writable root: the process writes in /tmp and the file is seen outside" {
  set_cfg '.root.readonly = false'
  set_args probe write /tmp/hello from-inside
  capture burrow run --bundle "$BUNDLE" writes
  expect_status 0
  [ "$(cat "$BUNDLE/rootfs/tmp/hello")" = from-inside ]
}

@test "root.readonly: the rootfs cannot be written" {
  set_cfg '.root.readonly = true'
  set_args probe write /tmp/hello from-inside
  capture burrow run --bundle "$BUNDLE" readonly
  expect_status 1
  expect_contains "$output" "Read-only file system"
  [ ! -e "$BUNDLE/rootfs/tmp/hello" ]
}
