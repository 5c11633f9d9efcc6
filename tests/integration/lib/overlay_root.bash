# shellcheck shell=bash disable=SC2154,SC2016
# overlay_root.bash: what the overlay-root runtime tests (root/ and rootless/
# overlay_root.bats) share. Loaded after ../helpers.

# The FUSE helper burrow will pick: burrow-overlay beside burrow, else fuse-overlayfs.
overlay_helper ()
{
  local beside
  beside=$(dirname "$BURROW")/burrow-overlay
  if [[ -n ${BURROW_OVERLAY_HELPER:-} ]]; then
    echo "$BURROW_OVERLAY_HELPER"
  elif [[ -x $beside ]]; then
    echo "$beside"
  else
    command -v burrow-overlay || command -v fuse-overlayfs || true
  fi
}

require_fuse ()
{
  [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
  [[ -r /dev/fuse && -w /dev/fuse ]] || skip "/dev/fuse is not readable and writable by $(id -un) (tests/lib/setup-host.sh makes it 0666)"
  [[ -n $(overlay_helper) ]] || skip "neither burrow-overlay nor fuse-overlayfs is installed"
}

# use_overlay MODE [UPPER]: the annotations `burrow spec --overlay` writes.
use_overlay ()
{
  set_cfg '.annotations["run.burrow.rootfs.overlay"] = $m' --arg m "$1"
  if [[ -n ${2:-} ]]; then
    set_cfg '.annotations["run.burrow.rootfs.upper"] = $u' --arg u "$2"
  fi
}

# Everything of a tree that a write could change: names, types, modes, owners, sizes,
# mtimes, link targets and the bytes of every file.
tree_fingerprint ()
{
  (cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %l\n' | LC_ALL=C sort \
     && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# The writes a container makes to its root: change, add, remove, chmod, rename.
OVERLAY_WRITES='echo changed >/etc/passwd && echo added >/added && rm /bin/true &&
mkdir -p /newdir/sub && chmod 0700 /tmp && mv /etc/group /etc/group.moved && cat /etc/passwd'

# The recorded overlay of a container (overlay.json in its state directory).
overlay_record ()
{
  jq -r "$2" "$BURROW_STATE/$1/overlay.json"
}

# overlay_writes_leave_lower_intact MODE ID: the container writes; the image does not change.
overlay_writes_leave_lower_intact ()
{
  local mode=$1 id=$2 before after
  before=$(tree_fingerprint "$BUNDLE/rootfs")
  use_overlay "$mode"
  set_args sh -c "$OVERLAY_WRITES && ls /"
  capture burrow run --bundle "$BUNDLE" "$id"
  expect_status 0
  expect_line changed
  expect_line added
  expect_line newdir
  after=$(tree_fingerprint "$BUNDLE/rootfs")
  [ "$before" = "$after" ]
}

# overlay_state_names MODE WANT ID: `state` shows which path create took.
overlay_state_names ()
{
  use_overlay "$1"
  set_args sleep 60
  create_container "$3"
  capture burrow state "$3"
  expect_status 0
  [ "$(jq -r .rootfsOverlay <<<"$output")" = "$2" ]
  # and the container's root really is that filesystem
  burrow start "$3"
  capture burrow exec "$3" sh -c 'grep " / / " /proc/self/mountinfo'
  expect_status 0
  if [[ $2 == kernel ]]; then
    expect_contains "$output" " - overlay "
  else
    expect_contains "$output" " - fuse.burrow-overlay "
  fi
}

# overlay_delete_cleans MODE ID: delete stops the helper and removes the ephemeral upper.
overlay_delete_cleans ()
{
  local mode=$1 id=$2 helper="" layer
  use_overlay "$mode"
  set_args sleep 60
  create_container "$id"
  burrow start "$id"
  burrow exec "$id" sh -c 'echo x >/written'
  layer=$(overlay_record "$id" .layer)
  [ -f "$layer/upper/written" ]
  if [[ $(overlay_record "$id" .mode) == fuse ]]; then
    helper=$(overlay_record "$id" .helperPid)
    pid_alive "$helper"
  fi
  burrow delete --force "$id"
  [ ! -e "$layer" ]
  [ ! -e "$BURROW_STATE/$id" ]
  if [[ -n $helper ]]; then
    wait_pid_gone "$helper" 5
  fi
}
