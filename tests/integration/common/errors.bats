#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Bad input: each is refused with exit 1 and one line on stderr naming the problem, and
# leaves nothing behind (no state directory, no process, no mount).

load ../helpers

# refused_create ID FRAGMENT...: `create` of $BUNDLE as ID fails as it should.
refused_create ()
{
  local id=$1
  shift
  capture --separate-stderr burrow create --bundle "$BUNDLE" "$id" </dev/null
  expect_one_line_error "$@"
  assert_bad_input_left_nothing "$id"
}

@test "bad input: a bundle that does not exist" {
  capture --separate-stderr burrow create --bundle "$BATS_TEST_TMPDIR/nosuchbundle" nobundle
  expect_one_line_error nosuchbundle
  assert_bad_input_left_nothing nobundle
}

@test "bad input: a bundle without config.json" {
  rm "$BUNDLE/config.json"
  refused_create noconfig config.json
}

@test "bad input: config.json that is not JSON" {
  echo '{ "ociVersion": "1.0.2", oops' >"$BUNDLE/config.json"
  refused_create notjson config.json
}

@test "bad input: a field of the wrong type (hostname: 42)" {
  set_cfg '.hostname = 42'
  refused_create wrongtype hostname
}

@test "bad input: a field of the wrong type (process.args: a string)" {
  set_cfg '.process.args = "probe ids"'
  refused_create wrongtype2 args
}

@test "bad input: ociVersion 2.0.0" {
  set_cfg '.ociVersion = "2.0.0"'
  refused_create badversion ociVersion 2.0.0
}

@test "bad input: root.path outside the bundle (../outside)" {
  mkdir -p "$BATS_TEST_TMPDIR/outside"
  cp -a "$BUNDLE/rootfs/." "$BATS_TEST_TMPDIR/outside/"
  set_cfg '.root.path = "../outside"'
  refused_create escape root.path
}

@test "bad input: root.path that does not exist" {
  set_cfg '.root.path = "nosuchrootfs"'
  refused_create norootfs nosuchrootfs
}

@test "bad input: an id with a slash" {
  capture --separate-stderr burrow create --bundle "$BUNDLE" "a/b"
  expect_one_line_error "a/b"
  assert_bad_input_left_nothing "a/b"
}

@test "bad input: the id .." {
  capture --separate-stderr burrow create --bundle "$BUNDLE" ".."
  expect_one_line_error ".."
  assert_bad_input_left_nothing ".."
}

@test "bad input: an empty id" {
  capture --separate-stderr burrow create --bundle "$BUNDLE" ""
  expect_status 1
  [ "${#stderr_lines[@]}" -eq 1 ]
  assert_bad_input_left_nothing
}

@test "bad input: an id of 1025 bytes" {
  local id
  id=$(head -c 1025 /dev/zero | tr '\0' 'x')
  capture --separate-stderr burrow create --bundle "$BUNDLE" "$id"
  expect_one_line_error
  [[ ${stderr,,} =~ long|1024|length ]] || { echo "error does not say the id is too long: $stderr" >&2; false; }
  assert_bad_input_left_nothing
}

@test "an id of 200 bytes of letters, digits, dot, dash and underscore is fine" {
  local id
  id=ok.-_$(head -c 194 /dev/zero | tr '\0' 'y')
  set_args probe exit 0
  capture burrow run --bundle "$BUNDLE" "$id"
  expect_status 0
  assert_nothing_left "$id"
}

@test "bad input: hostname without a uts namespace" {
  set_cfg '.hostname = "nouts" | .linux.namespaces |= map(select(.type != "uts"))'
  refused_create nouts hostname
}

@test "bad input: process.args empty" {
  set_cfg '.process.args = []'
  refused_create noargs args
}

@test "bad input: no process at all" {
  set_cfg 'del(.process)'
  refused_create noprocess process
}

@test "bad input: args naming a binary missing from the rootfs" {
  set_args nosuchbinary --flag
  capture --separate-stderr burrow run --bundle "$BUNDLE" nobinary </dev/null
  expect_one_line_error nosuchbinary "No such file"
  assert_bad_input_left_nothing nobinary
}

@test "bad input: args naming an absolute path missing from the rootfs" {
  set_args /usr/bin/nosuchbinary
  capture --separate-stderr burrow run --bundle "$BUNDLE" nobinary2 </dev/null
  expect_one_line_error /usr/bin/nosuchbinary "No such file"
  assert_bad_input_left_nothing nobinary2
}

@test "bad input: an unknown namespace type" {
  set_cfg '.linux.namespaces += [{type: "frobspace"}]'
  refused_create badns frobspace
}

@test "bad input: a mount destination that is not absolute" {
  set_cfg '.mounts += [{destination: "relative/dir", type: "tmpfs", source: "tmpfs"}]'
  refused_create relmount relative/dir
}

@test "bad input: an unknown command" {
  capture --separate-stderr "$BURROW" --root "$BURROW_STATE" frobnicate
  expect_usage_error frobnicate
  assert_bad_input_left_nothing
}

@test "bad input: an unknown flag of a command" {
  capture --separate-stderr burrow run --frobnicate --bundle "$BUNDLE" unknownflag
  expect_usage_error frobnicate
  assert_bad_input_left_nothing unknownflag
}

@test "bad input: an unknown global flag" {
  capture --separate-stderr "$BURROW" --root "$BURROW_STATE" --frobnicate list
  expect_usage_error frobnicate
}

@test "bad input: a command without its container id" {
  capture --separate-stderr burrow start
  expect_usage_error start
}

@test "bad input: an unknown signal name" {
  set_args probe sleep 60
  create_container sig
  capture --separate-stderr burrow kill sig NOTASIGNAL
  expect_one_line_error NOTASIGNAL
  [ "$(container_status sig)" = created ]
}

@test "bad input: start, kill, delete and state of an unknown id" {
  local cmd
  for cmd in start kill delete state; do
    capture --separate-stderr burrow "$cmd" ghost
    expect_one_line_error ghost "does not exist"
  done
  assert_bad_input_left_nothing ghost
}

@test "bad input: create of an id that exists" {
  set_args probe sleep 60
  create_container taken
  capture --separate-stderr burrow create --bundle "$BUNDLE" taken </dev/null
  expect_one_line_error taken "already exists"
  [ "$(container_status taken)" = created ]
}
