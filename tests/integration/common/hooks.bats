#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# OCI hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"): each kind runs once,
# at its point of the lifecycle, in the right namespace, with the state JSON on stdin;
# failures fail the operation (poststop: a warning); timeouts kill; bad hooks are bad input.

load ../helpers

# Every hook here is `record KIND`: it saves its stdin, env and args in $HOOKLOG and
# appends KIND to $HOOKLOG/order. The host copy is in $HOOKBIN (for the hooks whose path
# resolves in the runtime's namespace, createContainer included); startContainer's path
# resolves in the container, so a copy sits in the rootfs as /bin/hook-record, and the
# log directory is bind-mounted at /hooklog. The log is writable by every id a hook may
# run as (the container's root is another uid with a user namespace).
setup ()
{
  burrow_setup
  HOOKLOG=$BATS_TEST_TMPDIR/hooklog
  HOOKBIN=$BATS_TEST_TMPDIR/hookbin
  mkdir "$HOOKLOG" "$HOOKBIN" "${BUNDLE:?}/rootfs/hooklog"
  chmod 0777 "$HOOKLOG"
  chmod 0755 "$HOOKBIN"
  : >"$HOOKLOG/order"
  chmod 0666 "$HOOKLOG/order"
  cat >"$HOOKBIN/record" <<'EOF'
#!/bin/sh
# record KIND [ARGS...]
cat >"$HOOKLOG/$1.json"
env >"$HOOKLOG/$1.env"
printf '%s\n' "$@" >"$HOOKLOG/$1.args"
echo "$1" >>"$HOOKLOG/order"
EOF
  chmod 0755 "$HOOKBIN/record"
  cp "$HOOKBIN/record" "$BUNDLE/rootfs/bin/hook-record"
  set_cfg '.mounts += [{destination: "/hooklog", type: "bind", source: $s,
                        options: ["rbind", "rw"]}]' --arg s "$HOOKLOG"
  export HOOKLOG HOOKBIN
}

# record_hook KIND [EXTRA ARGS...]: append the recording hook to hooks.KIND.
record_hook ()
{
  local kind=$1 path=$HOOKBIN/record log=$HOOKLOG args
  shift
  if [[ $kind == startContainer ]]; then
    path=/bin/hook-record
    log=/hooklog
  fi
  args=$(jq -nc '$ARGS.positional' --args -- record "$kind" "$@")
  set_cfg '.hooks[$k] += [{path: $p, args: $a, env: ["HOOKLOG=" + $l, "PATH=/usr/bin:/bin"]}]' \
    --arg k "$kind" --arg p "$path" --arg l "$log" --argjson a "$args"
}

# add_hook KIND JSON: append one hook object, e.g. add_hook poststop '{"path": "/bin/false"}'
add_hook ()
{
  set_cfg '.hooks[$k] += [$h]' --arg k "$1" --argjson h "$2"
}

# script_hook NAME BODY: a host script $HOOKBIN/NAME running BODY with sh.
script_hook ()
{
  printf '#!/bin/sh\n%s\n' "$2" >"$HOOKBIN/$1"
  chmod 0755 "$HOOKBIN/$1"
}

# hook_state KIND FILTER: FILTER applied to the state JSON the KIND hook read.
hook_state ()
{
  jq -r "$2" "$HOOKLOG/$1.json"
}

order ()
{
  tr '\n' ' ' <"$HOOKLOG/order" | sed 's/ $//'
}

# check_state KIND STATUS PID BUNDLE ID: what the KIND hook got on stdin (pid 0: none).
check_state ()
{
  local kind=$1 field got want
  local -A expected=([status]=$2 [pid]=$3 [bundle]=$4 [id]=$5)
  [[ -s $HOOKLOG/$kind.json ]] || { echo "the $kind hook got no state on stdin" >&2; return 1; }
  jq -e . "$HOOKLOG/$kind.json" >/dev/null || { echo "$kind: stdin is not JSON" >&2; return 1; }
  for field in id status bundle pid; do
    got=$(hook_state "$kind" ".$field // 0")
    want=${expected[$field]}
    if [[ $got != "$want" ]]; then
      echo "$kind: .$field is '$got', expected '$want'" >&2
      return 1
    fi
  done
  [[ -n $(hook_state "$kind" '.ociVersion // empty') ]] || {
    echo "$kind: no .ociVersion" >&2
    return 1
  }
}

@test "create, start, kill, delete: each hook kind runs once, in order, with the state JSON" {
  local k
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    record_hook "$k"
  done
  # startContainer's path exists only in the rootfs: it must resolve in the container
  [ ! -e /bin/hook-record ]
  set_args probe sleep 60
  create_container hooked --pid-file "$BATS_TEST_TMPDIR/pid"
  local pid state_bundle
  pid=$(tr -d '\n' <"$BATS_TEST_TMPDIR/pid")
  echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
  state_bundle=$(burrow state hooked | jq -r .bundle)
  [ "$state_bundle" = "$BUNDLE" ]
  [ "$(order)" = "prestart createRuntime createContainer" ]
  # runtime-namespace hooks see the host pid; createContainer runs in the container's pid
  # namespace, where the init is pid 1 (config.md: "as seen by the container")
  check_state prestart creating "$pid" "$state_bundle" hooked
  check_state createRuntime creating "$pid" "$state_bundle" hooked
  check_state createContainer creating 1 "$state_bundle" hooked

  burrow start hooked
  [ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ]
  check_state startContainer created 1 "$state_bundle" hooked
  check_state poststart running "$pid" "$state_bundle" hooked
  [ "$(container_status hooked)" = running ]

  burrow kill hooked KILL
  wait_for_status hooked stopped 10
  burrow delete hooked
  [ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
  check_state poststop stopped 0 "$state_bundle" hooked
  assert_nothing_left hooked
}

@test "run: all six hook kinds, in order, and the process's output only" {
  local k
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    record_hook "$k"
  done
  # hooks print too: none of it may reach run's stdout or stderr
  script_hook noisy 'echo hook-noise-out; echo hook-noise-err >&2; cat >/dev/null'
  add_hook createRuntime "{\"path\": \"$HOOKBIN/noisy\"}"
  add_hook poststart "{\"path\": \"$HOOKBIN/noisy\"}"
  set_args probe ids
  capture --separate-stderr burrow run --bundle "$BUNDLE" hookrun
  expect_status 0
  expect_line uid=0
  [[ $output != *hook-noise* && $stderr != *hook-noise* ]]
  [ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
  [ "$(hook_state poststop .status)" = stopped ]
  [ "$(hook_state poststop .id)" = hookrun ]
  assert_nothing_left hookrun
}

@test "a hook gets exactly its args and env; without env, the runtime's (as runc)" {
  record_hook createRuntime "two words" third
  set_cfg '.hooks.createRuntime[0].env += ["FOO=bar baz"]'
  # no `env`: the hook inherits the runtime's environment (HOOKLOG comes from there)
  set_cfg '.hooks.poststart = [{path: $p, args: ["record", "poststart"]}]' \
    --arg p "$HOOKBIN/record"
  set_args probe exit 0
  BURROW_HOOK_LEAK=from-the-caller capture burrow run --bundle "$BUNDLE" hookenv
  expect_status 0
  [ "$(cat "$HOOKLOG/createRuntime.args")" = $'createRuntime\ntwo words\nthird' ]
  grep -qx 'FOO=bar baz' "$HOOKLOG/createRuntime.env"
  grep -qx "HOOKLOG=$HOOKLOG" "$HOOKLOG/createRuntime.env"
  refute grep -q BURROW_HOOK_LEAK "$HOOKLOG/createRuntime.env"
  grep -qx BURROW_HOOK_LEAK=from-the-caller "$HOOKLOG/poststart.env"
  [ "$(cat "$HOOKLOG/poststart.args")" = poststart ]
  assert_nothing_left hookenv
}

@test "a failing createRuntime hook fails run: exit 1, one line naming it, nothing left" {
  record_hook prestart
  add_hook createRuntime '{"path": "/bin/false"}'
  record_hook createContainer
  set_args sh -c 'echo the process ran >>/hooklog/order'
  capture --separate-stderr burrow run --bundle "$BUNDLE" failrt </dev/null
  expect_one_line_error createRuntime /bin/false "exit status 1"
  [ "$(order)" = prestart ]
  assert_state_root_empty
  assert_nothing_left failrt
}

@test "a failing createRuntime hook fails create; its last stderr line is in the error" {
  script_hook nonet 'cat >/dev/null; echo "some detail" >&2; echo "no network for you" >&2; exit 3'
  add_hook createRuntime "{\"path\": \"$HOOKBIN/nonet\"}"
  set_args probe sleep 60
  capture --separate-stderr burrow create --bundle "$BUNDLE" failcreate </dev/null
  expect_one_line_error "hooks.createRuntime[0]" nonet "exit status 3" "no network for you"
  assert_state_root_empty
  assert_nothing_left failcreate
}

@test "a failed create still runs the poststop hooks (lifecycle continues at destroy)" {
  add_hook createRuntime '{"path": "/bin/false"}'
  record_hook poststop
  set_args probe sleep 60
  capture --separate-stderr burrow create --bundle "$BUNDLE" failstop </dev/null
  expect_one_line_error createRuntime
  [ "$(order)" = poststop ]
  [ "$(hook_state poststop .id)" = failstop ]
  assert_nothing_left failstop
}

@test "a failing createContainer hook (run in the container's namespaces) fails create" {
  add_hook createContainer '{"path": "/bin/false"}'
  set_args probe sleep 60
  capture --separate-stderr burrow create --bundle "$BUNDLE" failcc </dev/null
  expect_one_line_error createContainer /bin/false
  assert_state_root_empty
  assert_nothing_left failcc
}

@test "a createRuntime hook past its timeout is killed: run fails naming hook and timeout" {
  script_hook slow 'sleep 30 & echo $! >"$HOOKLOG/sleeper"; wait'
  add_hook createRuntime "{\"path\": \"$HOOKBIN/slow\", \"env\": [\"HOOKLOG=$HOOKLOG\", \"PATH=/usr/bin:/bin\"], \"timeout\": 1}"
  set_args probe exit 0
  SECONDS=0
  capture --separate-stderr burrow run --bundle "$BUNDLE" slowhook </dev/null
  [ "$SECONDS" -lt 10 ]
  expect_one_line_error createRuntime slow "timeout of 1 s"
  # what the hook started went with it
  local sleeper
  sleeper=$(cat "$HOOKLOG/sleeper")
  wait_pid_gone "$sleeper" 2
  assert_state_root_empty
  assert_nothing_left slowhook
}

@test "a createContainer hook past its timeout is killed too: create fails" {
  script_hook slow 'exec sleep 30'
  add_hook createContainer "{\"path\": \"$HOOKBIN/slow\", \"timeout\": 1}"
  set_args probe sleep 60
  SECONDS=0
  capture --separate-stderr burrow create --bundle "$BUNDLE" slowcc </dev/null
  [ "$SECONDS" -lt 10 ]
  expect_one_line_error createContainer "timeout of 1 s"
  assert_state_root_empty
  assert_nothing_left slowcc
}

@test "a failing startContainer hook fails start; the process never runs" {
  add_hook startContainer '{"path": "/bin/false"}'
  set_args sh -c 'echo the process ran >>/hooklog/order'
  create_container failsc
  capture --separate-stderr burrow start failsc
  expect_one_line_error startContainer /bin/false
  [ "$(order)" = "" ]
  wait_for_status failsc stopped 10
  burrow delete failsc
  assert_nothing_left failsc
}

@test "a failing poststart hook fails start and stops the container" {
  add_hook poststart '{"path": "/bin/false"}'
  record_hook poststop
  set_args probe sleep 60
  create_container failps
  container_pid failps >/dev/null
  capture --separate-stderr burrow start failps
  expect_one_line_error poststart /bin/false
  wait_for_status failps stopped 10
  burrow delete failps
  [ "$(order)" = poststop ]
  assert_nothing_left failps
}

@test "a failing poststart hook fails run: exit 1, nothing left" {
  add_hook poststart '{"path": "/bin/false"}'
  set_args probe sleep 60
  SECONDS=0
  capture --separate-stderr burrow run --bundle "$BUNDLE" failpsrun </dev/null
  [ "$SECONDS" -lt 30 ]
  expect_one_line_error poststart /bin/false
  assert_nothing_left failpsrun
}

@test "a failing poststop hook is only a warning: delete succeeds, later hooks still run" {
  add_hook poststop '{"path": "/bin/false"}'
  record_hook poststop
  set_args probe exit 0
  create_container failpost
  burrow start failpost
  wait_for_status failpost stopped 10
  capture --separate-stderr burrow delete failpost
  expect_status 0
  expect_contains "$stderr" warning poststop /bin/false
  [ "$(order)" = poststop ]
  assert_nothing_left failpost
}

@test "bad input: a relative hook path is refused before anything runs" {
  record_hook prestart
  record_hook createRuntime
  add_hook poststart '{"path": "rel/hook"}'
  capture --separate-stderr burrow run --bundle "$BUNDLE" relhook </dev/null
  expect_one_line_error "hooks.poststart[0].path" "rel/hook" "not absolute"
  [ "$(order)" = "" ]
  assert_bad_input_left_nothing relhook
}

@test "bad input: a timeout of 0, an unknown kind, a path that is not a string" {
  add_hook prestart '{"path": "/bin/true", "timeout": 0}'
  capture --separate-stderr burrow create --bundle "$BUNDLE" badtimeout </dev/null
  expect_one_line_error "hooks.prestart[0].timeout"
  assert_bad_input_left_nothing badtimeout

  set_cfg 'del(.hooks) | .hooks.preStart = [{path: "/bin/true"}]'
  capture --separate-stderr burrow create --bundle "$BUNDLE" badkind </dev/null
  expect_one_line_error "hooks.preStart"
  assert_bad_input_left_nothing badkind

  set_cfg 'del(.hooks) | .hooks.poststop = [{path: 42}]'
  capture --separate-stderr burrow create --bundle "$BUNDLE" badpath </dev/null
  expect_one_line_error "hooks.poststop[0].path"
  assert_bad_input_left_nothing badpath
}
