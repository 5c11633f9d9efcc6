#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# burrow features: the runtime-spec Features JSON, and that what it lists is what this
# build accepts (mount options in real mounts, capabilities in real containers).

load ../helpers

features ()
{
  "$BURROW" features
}

@test "features prints valid JSON with the spec versions, hooks and annotations" {
  capture --separate-stderr "$BURROW" features
  expect_status 0
  [ -z "$stderr" ]
  jq -e . <<<"$output" >/dev/null
  [ "$(jq -r .ociVersionMin <<<"$output")" = 1.0.0 ]
  [ "$(jq -r .ociVersionMax <<<"$output")" = 1.2.0 ]
  [ "$(jq -c '.hooks | sort' <<<"$output")" \
    = '["createContainer","createRuntime","poststart","poststop","prestart","startContainer"]' ]
  local version
  version=$("$BURROW" --version | awk '/^burrow version/ { print $3 }')
  [ -n "$version" ]
  [ "$(jq -r '.annotations["run.burrow.version"]' <<<"$output")" = "$version" ]
}

@test "features needs no state root and takes no arguments" {
  # a command that never touches the state root works without XDG_RUNTIME_DIR
  XDG_RUNTIME_DIR=/nonexistent/dir capture "$BURROW" --root /nonexistent/root features
  expect_status 0
  capture --separate-stderr "$BURROW" features extra
  expect_usage_error features
  capture "$BURROW" features --help
  expect_status 0
  expect_contains "$output" "Usage: burrow features"
}

@test "features: linux.namespaces are the eight the spec defines" {
  [ "$(features | jq -c '.linux.namespaces | sort')" \
    = '["cgroup","ipc","mount","network","pid","time","user","uts"]' ]
}

@test "features: cgroup, LSMs, intelRdt, mountExtensions" {
  local f apparmor=false selinux=false
  f=$(features)
  # cgroups: what this host has (hierarchies mounted, systemd's buses reachable)
  local v1=false v2=false sd=false sduser=false rt=${XDG_RUNTIME_DIR:-/nonexistent}
  grep -q ' - cgroup ' /proc/self/mountinfo && v1=true
  grep -q ' - cgroup2 ' /proc/self/mountinfo && v2=true
  if [[ -e /run/systemd/private ]] || { [[ -e /run/systemd/system ]] \
       && [[ -n ${DBUS_SYSTEM_BUS_ADDRESS:-} || -e /run/dbus/system_bus_socket ]]; }; then
    sd=true
  fi
  if [[ -e $rt/systemd/private || -n ${DBUS_SESSION_BUS_ADDRESS:-} || -e $rt/bus ]]; then
    sduser=true
  fi
  [ "$(jq -c .linux.cgroup <<<"$f" | jq -c '{v1, v2, systemd, systemdUser}')" \
    = "{\"v1\":$v1,\"v2\":$v2,\"systemd\":$sd,\"systemdUser\":$sduser}" ]
  [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y* ]] && apparmor=true
  [[ $(stat -f -c %T /sys/fs/selinux 2>/dev/null) == selinux* ]] && selinux=true
  [ "$(jq .linux.apparmor.enabled <<<"$f")" = "$apparmor" ]
  [ "$(jq .linux.selinux.enabled <<<"$f")" = "$selinux" ]
  [ "$(jq .linux.intelRdt.enabled <<<"$f")" = false ]
  [ "$(jq .linux.mountExtensions.idmap.enabled <<<"$f")" = true ]
}

@test "features: linux.seccomp names actions, operators, this host's arch and flags" {
  local s native
  s=$(features | jq -c .linux.seccomp)
  [ "$(jq .enabled <<<"$s")" = true ]
  jq -e '.actions | index("SCMP_ACT_ALLOW") and index("SCMP_ACT_ERRNO") and index("SCMP_ACT_KILL")
         and index("SCMP_ACT_KILL_PROCESS") and index("SCMP_ACT_NOTIFY") and index("SCMP_ACT_LOG")' \
    <<<"$s" >/dev/null
  [ "$(jq -c '.operators | sort' <<<"$s")" \
    = '["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"]' ]
  case $(uname -m) in
    x86_64) native=SCMP_ARCH_X86_64 ;;
    aarch64) native=SCMP_ARCH_AARCH64 ;;
    riscv64) native=SCMP_ARCH_RISCV64 ;;
    s390x) native=SCMP_ARCH_S390X ;;
    ppc64le) native=SCMP_ARCH_PPC64LE ;;
    *) native="" ;;
  esac
  [[ -z $native ]] || jq -e --arg a "$native" '.archs | index($a)' <<<"$s" >/dev/null
  # supported flags are known flags, and the known ones are the spec's
  jq -e '(.supportedFlags - .knownFlags) == []' <<<"$s" >/dev/null
  jq -e '(.knownFlags - ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
          "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]) == []' \
    <<<"$s" >/dev/null
}

@test "features: every capability listed is accepted and together they are the kernel's set" {
  local caps last have
  caps=$(features | jq -c .linux.capabilities)
  [ "$(jq 'length' <<<"$caps")" -eq "$(jq 'unique | length' <<<"$caps")" ]
  last=$(cat /proc/sys/kernel/cap_last_cap)
  [ "$(jq 'length' <<<"$caps")" -ge $((last + 1)) ]
  # A bounding set can only shrink: listing every capability keeps all the caller has,
  # or, in a new user namespace (rootless), every capability of the kernel.
  set_cfg '.process.capabilities = {bounding: $c}' --argjson c "$caps"
  set_args probe caps
  capture --separate-stderr burrow run --bundle "$BUNDLE" allcaps
  expect_status 0
  # no "unknown capability ... ignored" warning: the validator knows every listed name
  # (root may be warned about capabilities missing from its own bounding set)
  if [[ ${stderr,,} == *unknown* ]]; then
    echo "$stderr" >&2
    return 1
  fi
  if is_rootless; then
    have=$(printf '%016x' $(((1 << (last + 1)) - 1)))
  else
    have=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  fi
  expect_line "CapBnd=$have"
}

# One mount per option: the flag words on a tmpfs, the bind words on a bind mount of a
# host directory. `remount` needs an existing mount, idmap/ridmap id mappings on the mount
# (their own tests are in mounts and idmap).
@test "features: every mount option listed is accepted by run in a real mount" {
  local opts opt mounts="[]" src=$BATS_TEST_TMPDIR/bindsrc skipped=""
  mkdir -p "$src"
  chmod 755 "$src"
  opts=$(features | jq -r '.mountOptions[]')
  [ "$(wc -l <<<"$opts")" -ge 30 ]
  for opt in $opts; do
    case $opt in
      remount | idmap | ridmap)
        skipped+="$opt "
        continue
        ;;
      bind | rbind)
        mounts=$(jq -c --arg o "$opt" --arg s "$src" \
          '. + [{destination: ("/mnt/" + $o), type: "bind", source: $s, options: [$o]}]' \
          <<<"$mounts")
        ;;
      *)
        mounts=$(jq -c --arg o "$opt" \
          '. + [{destination: ("/mnt/" + $o), type: "tmpfs", source: "tmpfs", options: [$o]}]' \
          <<<"$mounts")
        ;;
    esac
  done
  [ "$skipped" = "idmap remount ridmap " ]
  set_cfg '.mounts += $m' --argjson m "$mounts"
  set_args sh -c 'ls /mnt | wc -l'
  capture --separate-stderr burrow run --bundle "$BUNDLE" allopts
  expect_status 0
  [ "$output" -eq "$(jq length <<<"$mounts")" ]
  assert_nothing_left allopts
}
