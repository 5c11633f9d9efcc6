#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Attacks with hostile bundles (issue 3): symlinks in the rootfs that point at the host,
# a symlink swapped in while the container is created, a fake /dev/null, /proc or /dev as
# symlinks, a cwd through /proc/self/fd, fds leaked by the runtime, and the host binary
# (CVE-2019-5736). Each test asserts that the HOST is untouched: files outside the bundle
# unchanged or not created, no mount in the host's mount table, no state left. A container
# either runs with everything inside its root or fails with one clear line.
# The probe subcommands `swap`, `open-write` and `grab-exe` exist for these tests.

load ../helpers

setup ()
{
  burrow_setup
  # A name nobody else uses, for paths that must not appear on the host (/tmp/$UNIQ...).
  UNIQ=burrow-attack-$$-$RANDOM-${BATS_TEST_NUMBER:-0}
  VICTIM=$BATS_TEST_TMPDIR/victim
  mkdir -p "$VICTIM/sub"
  echo canary >"$VICTIM/canary"
  chmod -R a+rwX "$VICTIM"
  tree_fingerprint "$VICTIM" >"$BATS_TEST_TMPDIR/victim.before"
  dev_fingerprint >"$BATS_TEST_TMPDIR/dev.before"
  sha256sum "$BURROW" | cut -d' ' -f1 >"$BATS_TEST_TMPDIR/burrow.sum"
}

teardown ()
{
  local pid rc=0
  # background helpers of the test (the swapper of the race test)
  if [[ -f $BATS_TEST_TMPDIR/bg.pids ]]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done <"$BATS_TEST_TMPDIR/bg.pids"
  fi
  burrow_teardown || rc=$?
  # what a broken runtime may have left on the host: our names only
  if [[ ${UNIQ:-} == burrow-attack-?* ]]; then
    rm -rf "/tmp/${UNIQ:?}" "/tmp/${UNIQ:?}"-* "/etc/${UNIQ:?}" 2>/dev/null || true
  fi
  return "$rc"
}

# ------------------------------------------------------------------ host-side checks

# tree_fingerprint DIR: names, types, modes, sizes, inodes, mtimes and contents of a tree.
tree_fingerprint ()
{
  (cd "$1" && find . -printf '%p %y %m %s %i %T@\n' | sort && find . -type f -exec md5sum {} + | sort)
}

# The host's /dev nodes and links that a runtime creates in a container's /dev.
dev_fingerprint ()
{
  local n
  for n in null zero full random urandom tty; do
    stat -c '%n %i %F %t:%T %a %u:%g' "/dev/$n" 2>&1
  done
  for n in fd stdin stdout stderr ptmx; do
    printf '/dev/%s %s %s\n' "$n" "$(stat -c '%i %F' "/dev/$n" 2>&1)" "$(readlink "/dev/$n")"
  done
}

assert_victim_untouched ()
{
  if ! diff -u "$BATS_TEST_TMPDIR/victim.before" <(tree_fingerprint "$VICTIM") >&2; then
    echo "the host directory $VICTIM changed (diff above)" >&2
    return 1
  fi
  refute host_mount_under "$VICTIM"
}

assert_dev_untouched ()
{
  if ! diff -u "$BATS_TEST_TMPDIR/dev.before" <(dev_fingerprint) >&2; then
    echo "the host's /dev changed (diff above)" >&2
    return 1
  fi
}

assert_binary_untouched ()
{
  local now
  now=$(sha256sum "$BURROW" | cut -d' ' -f1)
  if [[ $now != "$(cat "$BATS_TEST_TMPDIR/burrow.sum")" ]]; then
    echo "the host's burrow binary $BURROW changed" >&2
    return 1
  fi
}

# host_mount_under PATH: the host's mount table (ours and init's) has a mount point at PATH
# or below it.
host_mount_under ()
{
  local f
  for f in /proc/self/mountinfo /proc/1/mountinfo; do
    [[ -r $f ]] || continue
    if awk -v p="$1" '$5 == p || index($5, p "/") == 1 { found = 1 } END { exit !found }' "$f"
    then
      echo "mount at or below $1 in $f:" >&2
      awk -v p="$1" '$5 == p || index($5, p "/") == 1' "$f" >&2
      return 0
    fi
  done
  return 1
}

# assert_host_absent PATH...: neither a file nor a dangling link nor a mount point.
assert_host_absent ()
{
  local p
  for p in "$@"; do
    if [[ -e $p || -L $p ]]; then
      echo "$p was created on the host: $(ls -ld "$p")" >&2
      return 1
    fi
    refute host_mount_under "$p"
  done
}

# The last `capture --separate-stderr` failed with one line on stderr that holds these
# fragments (case-insensitive): the clean refusal. Any status but 0 is accepted.
expect_clean_failure ()
{
  local f lower=${stderr,,}
  if [[ $status -eq 0 ]]; then
    echo "expected a failure, got status 0; output: $output" >&2
    return 1
  fi
  if [[ ${#stderr_lines[@]} -ne 1 || -z ${stderr_lines[0]} ]]; then
    echo "expected exactly one line on stderr (status $status), got ${#stderr_lines[@]}:" >&2
    printf '%s\n' "$stderr" >&2
    return 1
  fi
  for f in "$@"; do
    if [[ $lower != *"${f,,}"* ]]; then
      echo "expected '$f' in the error: $stderr" >&2
      return 1
    fi
  done
}

# mounted_inside MOUNTPOINT: the container's mountinfo (in $output) has this mount point.
mounted_inside ()
{
  if ! awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' <<<"$output"; then
    echo "no mount at $1 inside the container; output:" >&2
    printf '%s\n' "$output" >&2
    return 1
  fi
}

# ------------------------------------------------------------------ 1. symlinks to the host

@test "attack: /evil -> / : a tmpfs at /evil/tmp/X and a file bound at /evil/etc/X land in the rootfs" {
  ln -s / "$BUNDLE/rootfs/evil"
  local payload=$BATS_TEST_TMPDIR/payload
  echo "payload-$UNIQ" >"$payload"
  chmod 644 "$payload"
  local passwd_sum
  passwd_sum=$(sha256sum /etc/passwd)
  set_cfg '.mounts += [{destination: ("/evil/tmp/" + $u), type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: ("/evil/etc/" + $u), type: "bind", source: $p, options: ["bind", "ro"]},
                       {destination: "/evil/etc/passwd", type: "bind", source: $p, options: ["bind", "ro"]}]' \
    --arg u "$UNIQ" --arg p "$payload"
  set_args sh -c "cat /etc/$UNIQ /etc/passwd; cat /proc/self/mountinfo"
  capture burrow run --bundle "$BUNDLE" evilroot
  expect_status 0
  # inside: the mounts are where the symlink leads in the container's root
  [ "${lines[0]}" = "payload-$UNIQ" ]
  [ "${lines[1]}" = "payload-$UNIQ" ]
  mounted_inside "/tmp/$UNIQ"
  mounted_inside "/etc/$UNIQ"
  mounted_inside /etc/passwd
  [ "$(sha256sum /etc/passwd)" = "$passwd_sum" ]
  # the targets the runtime made are the bundle's
  [ -d "$BUNDLE/rootfs/tmp/$UNIQ" ]
  [ -f "$BUNDLE/rootfs/etc/$UNIQ" ]
  # the host's /tmp and /etc got nothing, and no mount
  assert_host_absent "/tmp/$UNIQ" "/etc/$UNIQ"
  [ "$(cat "$payload")" = "payload-$UNIQ" ]
  assert_nothing_left evilroot
}

@test "attack: a relative ../../.. symlink, an absolute chain, and a link to a host path resolve in the root" {
  # /up -> ../../../../../../../../.. (escapes the bundle if followed on the host)
  ln -s ../../../../../../../../../../.. "$BUNDLE/rootfs/up"
  # /a -> /b -> ../c -> / : a chain of absolute and relative links
  ln -s /b "$BUNDLE/rootfs/a"
  ln -s ../c "$BUNDLE/rootfs/b"
  ln -s / "$BUNDLE/rootfs/c"
  # /v -> the host's victim directory, by its absolute host path; the same path exists in
  # the rootfs, so followed in the root it leads there
  ln -s "$VICTIM" "$BUNDLE/rootfs/v"
  mkdir -p "$BUNDLE/rootfs$VICTIM"
  local payload=$BATS_TEST_TMPDIR/payload
  echo "payload-$UNIQ" >"$payload"
  chmod 644 "$payload"
  set_cfg '.mounts += [{destination: ("/up/tmp/" + $u + "-up"), type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: ("/a/tmp/" + $u + "-chain"), type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: "/v/pwned-dir", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: "/v/pwned-file", type: "bind", source: $p, options: ["bind", "ro"]}]' \
    --arg u "$UNIQ" --arg p "$payload"
  set_args sh -c "cat /v/pwned-file; cat /proc/self/mountinfo"
  capture burrow run --bundle "$BUNDLE" chains
  expect_status 0
  expect_line "payload-$UNIQ"
  mounted_inside "/tmp/$UNIQ-up"
  mounted_inside "/tmp/$UNIQ-chain"
  mounted_inside "$VICTIM/pwned-dir"
  mounted_inside "$VICTIM/pwned-file"
  [ -d "$BUNDLE/rootfs$VICTIM/pwned-dir" ]
  [ -f "$BUNDLE/rootfs$VICTIM/pwned-file" ]
  assert_host_absent "/tmp/$UNIQ-up" "/tmp/$UNIQ-chain"
  assert_victim_untouched
  assert_nothing_left chains
}

# ------------------------------------------------------------------ 2. a symlink swapped in

@test "attack: /dir swapped with a symlink to a host directory while containers are created" {
  # rootfs/dir is a directory, rootfs/dir.flip a symlink to the host's victim dir; the
  # probe exchanges the two names (RENAME_EXCHANGE) as fast as it can while the runtime
  # resolves /dir/... for a tmpfs, a file bind and the cwd.
  mkdir "$BUNDLE/rootfs/dir"
  ln -s "$VICTIM" "$BUNDLE/rootfs/dir.flip"
  local payload=$BATS_TEST_TMPDIR/payload
  echo "payload-$UNIQ" >"$payload"
  chmod 644 "$payload"
  set_cfg '.mounts += [{destination: "/dir/mnt", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: "/dir/sub/file", type: "bind", source: $p, options: ["bind"]}]
           | .process.cwd = "/dir"' --arg p "$payload"
  set_args probe exit 0
  "$PROBE" swap "$BUNDLE/rootfs/dir" "$BUNDLE/rootfs/dir.flip" 3.5 >"$BATS_TEST_TMPDIR/swap.out" 2>&1 &
  local swapper=$!
  echo "$swapper" >>"$BATS_TEST_TMPDIR/bg.pids"
  local rounds=0 created=0 end=$((SECONDS + 3)) id
  while (( rounds < 100 && SECONDS < end )); do
    id=race$rounds
    if burrow create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/race.err"; then
      created=$((created + 1))
    fi
    burrow delete --force "$id" >/dev/null 2>&1 || true
    rounds=$((rounds + 1))
  done
  wait "$swapper"
  : >"$BATS_TEST_TMPDIR/bg.pids"
  echo "# rounds=$rounds created=$created $(cat "$BATS_TEST_TMPDIR/swap.out")" >&3
  # the race ran: the swapper swapped, the runtime was tried often enough
  grep -q '^swaps=[1-9]' "$BATS_TEST_TMPDIR/swap.out"
  [ "$rounds" -ge 10 ]
  # the host victim never got a mount or a file
  assert_victim_untouched
  assert_state_root_empty
  assert_nothing_left "race$((rounds - 1))"
  # each failure was a clean one-line error
  if [[ -s $BATS_TEST_TMPDIR/race.err ]]; then
    refute grep -v '^burrow: ' "$BATS_TEST_TMPDIR/race.err"
  fi
}

# ------------------------------------------------------------------ 3. a fake /dev/null

@test "attack: /dev/null a symlink to /proc/sys/kernel/core_pattern: masking does not go through it" {
  local before
  before=$(cat /proc/sys/kernel/core_pattern)
  # no tmpfs on /dev: the rootfs's own /dev, with its hostile null, is what the runtime gets
  set_cfg 'del(.mounts[] | select(.destination == "/dev"))
           | .linux.maskedPaths += ["/etc/masked"]'
  ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
  echo secret >"$BUNDLE/rootfs/etc/masked"
  set_args sh -c 'wc -c < /etc/masked; echo "|pwned %p" > /etc/masked 2>/dev/null; wc -c < /etc/masked; ls -l /dev/null'
  capture --separate-stderr burrow run --bundle "$BUNDLE" fakenull
  if [[ $status -eq 0 ]]; then
    # ran: the masked file reads empty (a real /dev/null over it) and stays empty
    [ "${lines[0]// /}" = 0 ]
    [ "${lines[1]// /}" = 0 ]
    expect_contains "${lines[2]}" "1,"
    expect_contains "${lines[2]}" "3"
  else
    expect_clean_failure "/dev/null"
  fi
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
  assert_dev_untouched
  assert_nothing_left fakenull
}

@test "attack: /dev/null a symlink to a host file, or a host file bound over /dev/null: masked paths never reach it" {
  local hostfile=$BATS_TEST_TMPDIR/hostfile
  echo "host-secret" >"$hostfile"
  chmod 666 "$hostfile"
  echo secret >"$BUNDLE/rootfs/etc/masked"
  set_args sh -c 'echo pwned > /etc/masked 2>/dev/null; wc -c < /etc/masked'
  # (a) the rootfs's /dev/null -> the host file by its absolute path, no tmpfs on /dev
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  set_cfg 'del(.mounts[] | select(.destination == "/dev")) | .linux.maskedPaths += ["/etc/masked"]'
  ln -s "$hostfile" "$BUNDLE/rootfs/dev/null"
  capture --separate-stderr burrow run --bundle "$BUNDLE" nulllink
  if [[ $status -eq 0 ]]; then
    [ "${lines[0]// /}" = 0 ]
  else
    expect_clean_failure "/dev/null"
  fi
  [ "$(cat "$hostfile")" = host-secret ]
  assert_nothing_left nulllink
  # (b) the config binds the host file over /dev/null (after the /dev tmpfs)
  cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
  rm -f "$BUNDLE/rootfs/dev/null"
  set_cfg '.mounts += [{destination: "/dev/null", type: "bind", source: $h, options: ["bind"]}]
           | .linux.maskedPaths += ["/etc/masked"]' --arg h "$hostfile"
  capture --separate-stderr burrow run --bundle "$BUNDLE" nullbind
  if [[ $status -eq 0 ]]; then
    [ "${lines[0]// /}" = 0 ]
  else
    expect_clean_failure "/dev/null"
  fi
  [ "$(cat "$hostfile")" = host-secret ]
  assert_dev_untouched
  assert_nothing_left nullbind
}

# ------------------------------------------------------------------ 4. /proc as a symlink

@test "attack: /proc a symlink to /, to ../../.., to a host directory or to itself: proc never lands on the host" {
  local target i=0
  rmdir "$BUNDLE/rootfs/proc"
  set_args probe exit 0
  for target in / ../../../../../../.. "$VICTIM" /proc; do
    ln -sfn "$target" "$BUNDLE/rootfs/proc"
    capture --separate-stderr burrow run --bundle "$BUNDLE" "proclink$i"
    if [[ $status -ne 0 ]]; then
      expect_clean_failure
    fi
    assert_victim_untouched
    refute grep -F " - proc " <(awk -v t="$BATS_TEST_TMPDIR" 'index($5, t) == 1' /proc/self/mountinfo)
    assert_nothing_left "proclink$i"
    i=$((i + 1))
  done
}

@test "attack: /proc a symlink to a directory of the rootfs: proc is mounted there and masking follows" {
  rmdir "$BUNDLE/rootfs/proc"
  mkdir "$BUNDLE/rootfs/realproc"
  ln -s /realproc "$BUNDLE/rootfs/proc"
  set_cfg '.linux.maskedPaths = ["/proc/keys", "/proc/acpi"] | .linux.readonlyPaths = ["/proc/sys"]'
  set_args sh -c 'wc -c < /proc/keys; cat /proc/self/mountinfo'
  capture burrow run --bundle "$BUNDLE" procdir
  expect_status 0
  # proc is at /realproc; the masked and read-only paths of /proc follow the link there
  expect_contains "$(awk '$5 == "/realproc"' <<<"$output")" " - proc "
  [ "${lines[0]// /}" = 0 ]
  mounted_inside /realproc/keys
  mounted_inside /realproc/acpi
  expect_contains "$(awk '$5 == "/realproc/sys"' <<<"$output")" " ro,"
  # and nothing of it stays in the bundle
  [ -d "$BUNDLE/rootfs/realproc" ]
  [ -z "$(ls -A "$BUNDLE/rootfs/realproc")" ]
  assert_nothing_left procdir
}

# ------------------------------------------------------------------ 5. cwd through /proc/self/fd

@test "attack: process.cwd /proc/self/fd/N (N = 3..9, fd 3 a host directory) never starts outside the root" {
  local hostdir=$BATS_TEST_TMPDIR/hostdir n
  mkdir -p "$hostdir" && touch "$hostdir/host-canary"
  for n in 3 4 5 6 7 8 9; do
    set_cfg '.process.cwd = $c' --arg c "/proc/self/fd/$n"
    set_args sh -c 'probe cwd && probe ls .'
    capture --separate-stderr burrow run --preserve-fds 1 --bundle "$BUNDLE" "cwd$n" 3<"$hostdir"
    if [[ $status -eq 0 ]]; then
      # it ran: the cwd is a path of the container, and lists nothing of the host's
      [[ ${lines[0]} == cwd=/* && ${lines[0]} != *unreachable* ]]
      expect_no_line host-canary
      expect_no_line state.json
      expect_no_line config.json
    else
      expect_clean_failure "cwd" "/proc/self/fd/$n"
    fi
    assert_nothing_left "cwd$n"
  done
  # and the magic links of /proc/PID
  for n in /proc/self/cwd /proc/1/cwd /proc/self/root/.. /proc/thread-self/fd/3; do
    set_cfg '.process.cwd = $c' --arg c "$n"
    capture --separate-stderr burrow run --preserve-fds 1 --bundle "$BUNDLE" cwdmagic 3<"$hostdir"
    if [[ $status -eq 0 ]]; then
      [[ ${lines[0]} == cwd=/* && ${lines[0]} != *unreachable* ]]
      expect_no_line host-canary
    else
      expect_clean_failure "cwd"
    fi
    assert_nothing_left cwdmagic
  done
}

@test "attack: exec --cwd /proc/self/fd/N never starts outside the root" {
  local hostdir=$BATS_TEST_TMPDIR/hostdir n
  mkdir -p "$hostdir" && touch "$hostdir/host-canary"
  set_args probe sleep 60
  create_container execcwd
  burrow start execcwd
  container_pid execcwd >/dev/null
  for n in 3 4 5 6 7 8 9; do
    capture --separate-stderr burrow exec --preserve-fds 1 --cwd "/proc/self/fd/$n" execcwd \
      sh -c 'probe cwd && probe ls .' 3<"$hostdir"
    if [[ $status -eq 0 ]]; then
      [[ ${lines[0]} == cwd=/* && ${lines[0]} != *unreachable* ]]
      expect_no_line host-canary
      expect_no_line state.json
    else
      expect_clean_failure "cwd" "/proc/self/fd/$n"
    fi
  done
  burrow delete --force execcwd
  assert_nothing_left execcwd
}

# ------------------------------------------------------------------ 6. fds of the runtime

@test "attack: no fd of the runtime or of its caller reaches the process (run, create/start, exec)" {
  local hostdir=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$hostdir"
  echo data >"$hostdir/file"
  set_args probe fds
  capture burrow run --bundle "$BUNDLE" fds1 3<"$hostdir" 4<"$hostdir/file" 5>"$hostdir/w" \
    7<"$BUNDLE/config.json" 9<"$BUNDLE/rootfs"
  expect_status 0
  expect_line "fds=0 1 2"
  # --preserve-fds 2: exactly 3 and 4, what the caller passed
  capture burrow run --preserve-fds 2 --bundle "$BUNDLE" fds2 3<"$hostdir" 4<"$hostdir/file" \
    5>"$hostdir/w" 8<"$BUNDLE/config.json"
  expect_status 0
  expect_line "fds=0 1 2 3 4"
  [[ $(grep '^fd4=' <<<"$output") == *hostdir/file ]]
  # create + start
  burrow create --bundle "$BUNDLE" fds3 >"$BATS_TEST_TMPDIR/fds3.out" 2>&1 </dev/null \
    3<"$hostdir" 6<"$hostdir/file"
  burrow start fds3 4<"$hostdir" 7<"$hostdir/file"
  wait_for_status fds3 stopped 10
  run container_out fds3
  expect_line "fds=0 1 2"
  burrow delete fds3
  # exec into a running container
  set_args probe sleep 60
  create_container fds4
  burrow start fds4
  container_pid fds4 >/dev/null
  capture burrow exec fds4 probe fds 3<"$hostdir" 5<"$hostdir/file" 9<"$BUNDLE/config.json"
  expect_status 0
  expect_line "fds=0 1 2"
  capture burrow exec --preserve-fds 1 fds4 probe fds 3<"$hostdir/file" 5<"$hostdir"
  expect_status 0
  expect_line "fds=0 1 2 3"
  burrow delete --force fds4
  assert_nothing_left fds4
}

# ------------------------------------------------------------------ 7. the host binary

@test "attack: the container's /proc/self/exe and /proc/1/exe are its own program, and not writable" {
  set_args sh -c 'probe open-write /proc/self/exe /proc/1/exe /bin/probe; probe sleep 60'
  create_container exe1
  burrow start exe1
  local pid
  pid=$(container_pid exe1)
  wait_for_file "$BATS_TEST_TMPDIR/exe1.out"
  sleep 0.2
  run container_out exe1
  expect_no_line "/proc/self/exe=writable"
  expect_no_line "/proc/1/exe=writable"
  # the program of the container is not the host's burrow
  [ "$(stat -L -c %d:%i "/proc/$pid/exe")" != "$(stat -L -c %d:%i "$BURROW")" ]
  # the same from a process exec'd into it
  capture burrow exec exe1 probe open-write /proc/self/exe /proc/1/exe
  expect_status 0
  expect_no_line "/proc/self/exe=writable"
  expect_no_line "/proc/1/exe=writable"
  burrow delete --force exe1
  assert_binary_untouched
  assert_nothing_left exe1
}

@test "attack: args[0] reaching /proc/self/exe (directly, #! script, nested #!, symlink) is refused" {
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/bin/evil.sh"
  printf '#! /proc/self/exe --version\n' >"$BUNDLE/rootfs/bin/evil-space.sh"
  printf '#!/bin/evil.sh\n' >"$BUNDLE/rootfs/bin/evil-nested.sh"
  printf '#!proc/self/exe\n' >"$BUNDLE/rootfs/bin/evil-relative.sh"
  ln -s /proc/self/exe "$BUNDLE/rootfs/bin/evil-link"
  ln -s ../proc/1/exe "$BUNDLE/rootfs/bin/evil-link1"
  chmod 755 "$BUNDLE/rootfs/bin/"evil*.sh
  local prog i=0
  for prog in /proc/self/exe /proc/1/exe /bin/evil.sh /bin/evil-space.sh /bin/evil-nested.sh \
              /bin/evil-relative.sh /bin/evil-link /bin/evil-link1 evil.sh; do
    set_args "$prog" --version
    capture --separate-stderr burrow run --bundle "$BUNDLE" "self$i"
    # burrow inside the container would print its version
    if [[ $output == *"burrow version"* || $stderr == *"burrow version"* ]]; then
      echo "$prog ran the host's burrow inside the container: $output $stderr" >&2
      false
    fi
    expect_clean_failure "CVE-2019-5736"
    assert_nothing_left "self$i"
    i=$((i + 1))
  done
  assert_binary_untouched
}

@test "attack: args[0] /proc/self/fd/N or #!/proc/self/fd/N (N = 3..12) never runs the host binary" {
  local n prog
  for n in 3 4 5 6 7 8 9 10 11 12; do
    printf '#!/proc/self/fd/%s\n' "$n" >"$BUNDLE/rootfs/bin/fd.sh"
    chmod 755 "$BUNDLE/rootfs/bin/fd.sh"
    for prog in "/proc/self/fd/$n" /bin/fd.sh "/proc/self/fd/$n/../../../../../../../../bin/busybox"; do
      set_args "$prog" --version
      capture --separate-stderr burrow run --bundle "$BUNDLE" fdexe
      if [[ $output == *"burrow version"* || $output == *BusyBox* ]]; then
        echo "$prog ran a host binary inside the container: $output" >&2
        false
      fi
      expect_clean_failure
      assert_nothing_left fdexe
    done
  done
  assert_binary_untouched
}

@test "attack: #!/proc/self/exe swapped in between create and start does not run the host binary" {
  printf '#!/bin/sh\necho harmless\n' >"$BUNDLE/rootfs/bin/prog.sh"
  chmod 755 "$BUNDLE/rootfs/bin/prog.sh"
  ln -s /bin/probe "$BUNDLE/rootfs/bin/prog-link"
  # (a) the script's interpreter changes after create's check
  set_args /bin/prog.sh --version
  create_container toctou1
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/bin/prog.sh"
  capture --separate-stderr burrow start toctou1
  wait_for_status toctou1 stopped 10 || true
  local out
  out=$(container_out toctou1; container_err toctou1)
  if [[ $out == *"burrow version"* ]]; then
    echo "the host's burrow ran inside the container (start status $status): $out" >&2
    false
  fi
  burrow delete --force toctou1
  # (b) a symlink retargeted to /proc/self/exe after create
  set_args /bin/prog-link --version
  create_container toctou2
  ln -sfn /proc/self/exe "$BUNDLE/rootfs/bin/prog-link"
  capture --separate-stderr burrow start toctou2
  wait_for_status toctou2 stopped 10 || true
  out=$(container_out toctou2; container_err toctou2)
  if [[ $out == *"burrow version"* ]]; then
    echo "the host's burrow ran inside the container (start status $status): $out" >&2
    false
  fi
  burrow delete --force toctou2
  assert_binary_untouched
  assert_nothing_left toctou2
}

@test "attack: an ELF whose interpreter (PT_INTERP) is /proc/self/exe does not load the host binary" {
  # A copy of the host's /bin/true with its PT_INTERP rewritten to /proc/self/exe: at the
  # init's execve that names the runtime's own binary, as a #! line would.
  local interp=/lib64/ld-linux-x86-64.so.2 off
  off=$(grep -obUaF "$interp" /bin/true | head -n 1 | cut -d: -f1)
  [[ -n $off ]] || skip "/bin/true has no $interp interpreter to rewrite"
  local pattern
  pattern=$(cat /proc/sys/kernel/core_pattern)
  [[ $pattern != '|'* ]] || skip "core dumps go to a program ($pattern): no core to look into"
  # the core limit the container may raise itself to: 1 GiB, or the hard limit we have
  local hard core_max=1073741824
  hard=$(ulimit -Hc)
  [[ $hard == unlimited ]] || core_max=$((hard * 1024))
  [[ $core_max -ge 1048576 ]] || skip "core dumps are limited to $core_max bytes"
  cp /bin/true "$BUNDLE/rootfs/bin/interp-self"
  printf '/proc/self/exe\0\0\0\0\0\0\0\0\0\0\0\0\0' \
    | dd of="$BUNDLE/rootfs/bin/interp-self" bs=1 seek="$off" conv=notrunc status=none
  chmod 755 "$BUNDLE/rootfs/bin/interp-self"
  # a writable root and core dumps: the core's file notes name what was mapped
  set_cfg '.root.readonly = false | .process.cwd = "/tmp"
           | .process.rlimits += [{type: "RLIMIT_CORE", soft: $m, hard: $m}]' --argjson m "$core_max"
  set_args /bin/interp-self --version
  touch "$BATS_TEST_TMPDIR/before-run"
  capture --separate-stderr burrow run --bundle "$BUNDLE" interp
  local cores=()
  mapfile -t cores < <(find "$BUNDLE/rootfs" -xdev -type f -name 'core*' \
                         -newer "$BATS_TEST_TMPDIR/before-run")
  if [[ ${#cores[@]} -gt 0 ]] && grep -qaF "$(readlink -f "$BURROW")" "${cores[@]}"; then
    echo "the container process had the host's burrow ($BURROW) mapped as its ELF interpreter" \
         "(exit status $status; core: ${cores[*]})" >&2
    rm -f "${cores[@]}"
    false
  fi
  [[ ${#cores[@]} -eq 0 ]] || rm -f "${cores[@]}"
  [[ $output != *"burrow version"* ]]
  # refused (like a #! line that names /proc/self/exe), or not runnable at all
  expect_clean_failure
  assert_binary_untouched
  assert_nothing_left interp
}

@test "attack: a container scanning /proc cannot open the exe of processes burrow exec's into it" {
  # The CVE-2019-5736 race: the container waits for a process that runs the host's binary
  # to appear in its pid namespace, and opens /proc/PID/exe to write the binary later.
  set_args probe grab-exe 3
  create_container grab
  burrow start grab
  container_pid grab >/dev/null
  local n=0 end=$((SECONDS + 2))
  while (( SECONDS < end )); do
    burrow exec grab probe exit 0 >/dev/null 2>&1 || true
    n=$((n + 1))
  done
  wait_for_status grab stopped 10
  run container_out grab
  echo "# execs=$n $(grep -E '^(scans|denied)=' <<<"$output" | tr '\n' ' ')" >&3
  expect_contains "$output" "scans="
  local burrow_id
  burrow_id=$(stat -L -c '%d:%i' "$BURROW")
  refute grep -q -- "-writable=yes" <<<"$output"
  refute grep -q " $burrow_id\$" <<<"$output"
  burrow delete grab
  assert_binary_untouched
  assert_nothing_left grab
}

# ------------------------------------------------------------------ 8. more hostile inputs

@test "attack: a bind source relative to the bundle with .. escaping it is the host path (runc's reading), mounted inside only" {
  local outside=$BATS_TEST_TMPDIR/outside
  mkdir -p "$outside"
  echo "outside-data" >"$outside/file"
  chmod -R a+rX "$outside"
  # relative to the bundle directory: ../outside is $BATS_TEST_TMPDIR/outside
  set_cfg '.mounts += [{destination: "/outside", type: "bind", source: "../outside", options: ["rbind", "ro"]}]'
  set_args sh -c 'cat /outside/file; echo pwned > /outside/file 2>/dev/null || echo write-refused; cat /proc/self/mountinfo'
  capture burrow run --bundle "$BUNDLE" relsrc
  expect_status 0
  expect_line outside-data
  expect_line write-refused
  mounted_inside /outside
  [ "$(cat "$outside/file")" = outside-data ]
  refute host_mount_under "$outside"
  assert_nothing_left relsrc
}

@test "attack: masked and read-only paths through symlinks to the host stay in the root" {
  local hostfile=$BATS_TEST_TMPDIR/hostfile
  echo host-secret >"$hostfile"
  chmod 666 "$hostfile"
  ln -s "$hostfile" "$BUNDLE/rootfs/etc/leak"
  ln -s / "$BUNDLE/rootfs/evil"
  ln -s "$VICTIM" "$BUNDLE/rootfs/victimlink"
  echo secret >"$BUNDLE/rootfs/etc/secret"
  set_cfg '.root.readonly = false
           | .linux.maskedPaths += ["/etc/leak", "/evil/etc/secret", "/victimlink/canary", "/victimlink/sub"]
           | .linux.readonlyPaths += ["/evil/tmp", "/victimlink"]'
  set_args sh -c 'wc -c < /etc/secret; touch /tmp/x 2>/dev/null || echo tmp-read-only; echo pwned > /etc/leak 2>/dev/null; echo pwned > /victimlink/canary 2>/dev/null; true'
  capture --separate-stderr burrow run --bundle "$BUNDLE" masklinks
  if [[ $status -eq 0 ]]; then
    # /evil/etc/secret is the rootfs's /etc/secret: masked; /evil/tmp is /tmp: read-only
    [ "${lines[0]// /}" = 0 ]
    expect_line tmp-read-only
  else
    expect_clean_failure
  fi
  [ "$(cat "$hostfile")" = host-secret ]
  refute host_mount_under "$hostfile"
  assert_victim_untouched
  assert_nothing_left masklinks
}

@test "attack: /dev a symlink to the host's /dev (absolute, relative) or to a host directory" {
  local fakedev=$BATS_TEST_TMPDIR/fakedev target i=0
  mkdir -p "$fakedev"
  touch "$fakedev/fake-canary"
  tree_fingerprint "$fakedev" >"$BATS_TEST_TMPDIR/fakedev.before"
  rmdir "$BUNDLE/rootfs/dev"
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  set_args probe exit 0
  for target in /dev ../../../../../../../dev "$fakedev"; do
    ln -sfn "$target" "$BUNDLE/rootfs/dev"
    # with the default tmpfs on /dev, then without it (the runtime makes the nodes itself)
    cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
    capture --separate-stderr burrow run --bundle "$BUNDLE" "devlink$i"
    expect_clean_failure "/dev"
    assert_nothing_left "devlink$i"
    set_cfg 'del(.mounts[] | select(.destination | startswith("/dev")))'
    capture --separate-stderr burrow run --bundle "$BUNDLE" "devlinkb$i"
    expect_clean_failure "/dev"
    assert_nothing_left "devlinkb$i"
    i=$((i + 1))
  done
  assert_dev_untouched
  diff -u "$BATS_TEST_TMPDIR/fakedev.before" <(tree_fingerprint "$fakedev")
  refute host_mount_under "$fakedev"
}

@test "attack: a symlink loop and a chain of 50 symlinks in a mount destination: ELOOP, one clear line" {
  ln -s loop2 "$BUNDLE/rootfs/loop1"
  ln -s /loop1 "$BUNDLE/rootfs/loop2"
  local i
  for i in $(seq 1 50); do
    ln -s "/chain$((i + 1))" "$BUNDLE/rootfs/chain$i"
  done
  mkdir "$BUNDLE/rootfs/chain51"
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  set_args probe exit 0
  set_cfg '.mounts += [{destination: "/loop1/x", type: "tmpfs", source: "tmpfs"}]'
  capture --separate-stderr burrow run --bundle "$BUNDLE" loop
  expect_clean_failure "/loop1/x" "too many levels of symbolic links"
  assert_bad_input_left_nothing loop
  cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
  set_cfg '.mounts += [{destination: "/chain1/x", type: "tmpfs", source: "tmpfs"}]'
  capture --separate-stderr burrow run --bundle "$BUNDLE" chain
  expect_clean_failure "/chain1/x" "too many levels of symbolic links"
  assert_bad_input_left_nothing chain
  [ -z "$(ls -A "$BUNDLE/rootfs/chain51")" ]
}

@test "attack: a mount destination longer than PATH_MAX: one clear line naming the cause" {
  local long="" i
  for i in $(seq 1 25); do
    long+=/$(printf 'd%0199d' "$i")
  done
  [ "${#long}" -gt 4096 ]
  set_cfg '.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs"}]' --arg d "$long"
  set_args probe exit 0
  capture --separate-stderr burrow run --bundle "$BUNDLE" longpath
  if [[ ${stderr,,} != *"too long"* ]]; then
    echo "the error does not name the cause (${#stderr} bytes, status $status):" \
         "${stderr:0:90} [...] ${stderr: -60}" >&2
    false
  fi
  expect_clean_failure "too long"
  assert_bad_input_left_nothing longpath
}

@test "attack: a mount destination with .. components stays in the root" {
  set_cfg '.mounts += [{destination: ("/../../../../../../tmp/" + $u), type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
                       {destination: ("/tmp/../../../../etc/" + $u), type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]' \
    --arg u "$UNIQ"
  set_args cat /proc/self/mountinfo
  capture --separate-stderr burrow run --bundle "$BUNDLE" dotdot
  if [[ $status -eq 0 ]]; then
    mounted_inside "/tmp/$UNIQ"
    mounted_inside "/etc/$UNIQ"
  else
    expect_clean_failure ".."
  fi
  assert_host_absent "/tmp/$UNIQ" "/etc/$UNIQ"
  assert_nothing_left dotdot
}
