#!/bin/bash
# quickstart.sh: from a fresh Debian 12 machine to a rootless container in one command.
# Installs what is missing (as root; as a user it prints the apt-get line to run), builds
# burrow, makes a busybox bundle in a temporary directory and runs it as an unprivileged
# user: `nobody` when started as root, else the caller.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say () { printf '\n== %s\n' "$*"; }

say "checking the host"
"$top/tests/lib/setup-host.sh"

say "building burrow"
"$top/tests/lib/build.sh" --no-sanitizers

tmp=$(mktemp -d /tmp/burrow-quickstart.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

if [[ $(id -u) -eq 0 ]]; then
  run_user=nobody
else
  run_user=$(id -un)
fi

say "making a busybox bundle in $tmp/bundle"
# The binary goes where the unprivileged user can execute it.
install -m 755 "$top/burrow" "$tmp/burrow"
mkdir -p "$tmp/bundle/rootfs/bin" "$tmp/bundle/rootfs/proc" "$tmp/bundle/rootfs/dev" \
  "$tmp/bundle/rootfs/sys" "$tmp/bundle/rootfs/tmp" "$tmp/bundle/rootfs/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/bundle/rootfs/etc/passwd"
echo 'root:x:0:' >"$tmp/bundle/rootfs/etc/group"
cp /bin/busybox "$tmp/bundle/rootfs/bin/busybox"
for applet in sh hostname id echo cat ls; do
  ln -s busybox "$tmp/bundle/rootfs/bin/$applet"
done
chmod -R a+rX "$tmp/bundle"
mkdir -m 0700 "$tmp/state"
if [[ $(id -u) -eq 0 ]]; then
  # nobody writes config.json and owns its state root
  chown "$run_user" "$tmp/bundle" "$tmp/state"
fi

# as_user CMD...: run as the unprivileged user, in the bundle.
as_user ()
{
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$tmp/bundle" && setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" \
      --clear-groups --reset-env "$@")
  else
    (cd "$tmp/bundle" && "$@")
  fi
}

say "as $run_user: burrow spec --rootless"
as_user "$tmp/burrow" spec --rootless
# Edit the args with jq, as root, then hand the file back.
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo hostname: $(hostname); id; echo \"my pid: $$\""]' \
  "$tmp/bundle/config.json" >"$tmp/config.json"
cat "$tmp/config.json" >"$tmp/bundle/config.json"

say "as $run_user: burrow --root $tmp/state run quickstart"
echo "(uid $(id -u "$run_user") on the host; the container sees:)"
as_user "$tmp/burrow" --root "$tmp/state" run quickstart

say "done: that was a container run by an unprivileged user, with no daemon"
