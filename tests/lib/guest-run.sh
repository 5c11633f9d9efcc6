#!/bin/bash
# guest-run.sh: runs inside the booted Debian guest (systemd stage and VM stage), started
# at boot by burrow-tests.service as root. Waits for the test user's systemd
# (user@UID.service, started through lingering), then runs the bats files of the suite
# named in /burrow-tests/suite (tests/integration/<suite>/*.bats):
#   root-*.bats      as root, from this system service (system bus),
#   rootless-*.bats  as the test user, as a transient service of the user's own systemd
#                    (`systemd-run --user --wait --pipe`), so the tests and the
#                    containers they start live in the user's delegated cgroup tree and
#                    burrow reaches the user bus through XDG_RUNTIME_DIR.
#   session-*.bats   as the test user in a login session (`runuser -l`: PAM with
#                    pam_systemd, a session-N.scope owned by root, XDG_RUNTIME_DIR set by
#                    PAM), as after an ssh login: the user's systemd must move the init out
#                    of a cgroup the user does not own.
# Each file's TAP goes to /burrow-results/<file>.tap and its exit status to <file>.rc;
# facts about the guest go to /burrow-results/guest.txt. Then it powers the guest off.
set -uo pipefail

results=/burrow-results
tests=/burrow-tests
suite=$(cat "$tests/suite")
user=${BURROW_TEST_USER:-burrowtest}
uid=$(id -u "$user")
file_timeout=${BURROW_GUEST_FILE_TIMEOUT:-420}

say () { echo "guest-run: $*" | tee -a "$results/guest.txt" >/dev/console 2>/dev/null || true; }

# The VM stage has no shared directory: the results go out over the second serial port,
# after each bats file (so a guest that times out still leaves what it did) and at the end.
send_results ()
{
  [[ -e $tests/results-over-ttyS1 ]] || return 0
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  { echo BEGIN-RESULTS; tar -C "$results" -cz . | base64; echo END-RESULTS; } >/dev/ttyS1
}

finish ()
{
  say "done at uptime $(cut -d" " -f1 /proc/uptime) s"
  touch "$results/done"
  sync
  send_results
  systemctl poweroff --no-block
  exit 0
}
trap finish EXIT

say "uptime at test start: $(cut -d' ' -f1 /proc/uptime) s (kernel: $(uname -r))"
say "systemd: $(systemctl is-system-running 2>&1)"
say "cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>&1)"

# user@UID.service is started by logind for a lingering user; wait for it and its bus.
for _ in $(seq 1 600); do
  [[ $(systemctl is-active "user@$uid.service" 2>/dev/null) == active && \
     -S /run/user/$uid/bus ]] && break
  sleep 0.1
done
say "user@$uid.service: $(systemctl is-active "user@$uid.service" 2>&1), bus: $(ls "/run/user/$uid/bus" 2>&1)"
us=$(systemctl show -p UserspaceTimestampMonotonic --value)
mu=$(systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
if systemd-detect-virt -q -c; then
  say "boot: multi-user.target $(( (mu - us) / 1000 )) ms after systemd started (container)"
else
  say "boot: systemd started at $(( us / 1000 )) ms after the kernel; multi-user.target $(( (mu - us) / 1000 )) ms after that"
fi

base_env=(BURROW=/usr/local/bin/burrow PROBE=/usr/local/bin/probe
          BURROW_RECVTTY=/usr/local/bin/burrow-recvtty BUSYBOX=/bin/busybox
          PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin)

for file in "$tests/integration/$suite"/*.bats; do
  [[ -f $file ]] || continue
  name=$(basename "$file" .bats)
  out=$results/$name.tap
  rc=0
  t0=$(cut -d' ' -f1 /proc/uptime)
  case $name in
    rootless-*)
      # The bats run is a service of the user's manager: --pipe hands it our stdout.
      timeout -k 10 "$file_timeout" \
        runuser -u "$user" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
          DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" \
          systemd-run --user --quiet --wait --pipe --collect \
            --working-directory="/home/$user" \
            "${base_env[@]/#/--setenv=}" --setenv=BURROW_TEST_MODE=rootless \
            --setenv=HOME="/home/$user" --setenv=BURROW_GUEST_SUITE="$suite" \
            -- bats --tap "$file" >"$out" 2>&1 </dev/null || rc=$?
      ;;
    session-*)
      timeout -k 10 "$file_timeout" \
        runuser -l "$user" -c "cd /tmp && exec env ${base_env[*]} BURROW_TEST_MODE=rootless \
          BURROW_GUEST_SUITE=$suite bats --tap $file" >"$out" 2>&1 </dev/null || rc=$?
      ;;
    *)
      (cd /tmp && timeout -k 10 "$file_timeout" env "${base_env[@]}" BURROW_TEST_MODE=root \
         BURROW_GUEST_SUITE="$suite" bats --tap "$file") >"$out" 2>&1 </dev/null || rc=$?
      ;;
  esac
  echo "$rc" >"$results/$name.rc"
  send_results
  say "$name: exit $rc, $(grep -c '^ok' "$out") ok, $(grep -c '^not ok' "$out") not ok, $(awk -v a="$t0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
done
