# Helpers for the black-box conformance scenarios (sourced by every scenarios/*.sh).
#
# A scenario checks ONE requirement of the runtime spec (runtime.md, config.md,
# config-linux.md) or of runc's CLI contract that clients rely on, against any runtime binary:
#   RUNTIME=/usr/sbin/runc conformance/run.sh
# It ends with pass "<what was observed>", fail "<what went wrong>" or skip "<why>"
# (exit 0, 1, 77). Escape scenarios may also end with refused "<error>" (the runtime declined
# the malicious bundle: exit 0). Payloads only touch canaries made here, under $WORK.
set -u
: "${RUNTIME:?RUNTIME must name the runtime binary under test}"
SCENARIO=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/conf-${SCENARIO}.XXXXXX")
chmod 755 "$WORK"
STATE="$WORK/state"
mkdir -p "$STATE"
CG_PARENT="/hull-test/conf-${SCENARIO}-$$"
CONTAINERS=()
N=0

log() { echo "[$SCENARIO] $*" >&2; }

cleanup() {
  local id d
  for id in "${CONTAINERS[@]}"; do
    timeout 20 "$RUNTIME" --root "$STATE" delete --force "$id" > /dev/null 2>&1
  done
  for d in /sys/fs/cgroup/*"$CG_PARENT" /sys/fs/cgroup"$CG_PARENT"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} + 2> /dev/null
  done
  # The shared test parent, once no other scenario uses it (runtimes leave parents they made).
  rmdir /sys/fs/cgroup/*/hull-test /sys/fs/cgroup/hull-test 2> /dev/null
  # Never follow into a mount that leaked (it would be a finding, reported by the scenario).
  grep -q " $WORK" /proc/self/mountinfo || rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "pass: $*"; exit 0; }
refused() { echo "refused: $*"; exit 0; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "skip: $*"; exit 77; }

# rt ARGS...: the runtime with this scenario's state root; stdout/stderr in $OUT/$ERR, exit
# code in $RC.
# Output goes through files, not a pipe: a created or detached container inherits stdio and
# would keep a pipe open.
rt() {
  timeout -k 5 "${RT_TIMEOUT:-60}" "$RUNTIME" --root "$STATE" "$@" > "$WORK/out" 2> "$WORK/err" \
    < /dev/null
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# new_id: a fresh container id in $ID, remembered for cleanup (not in a subshell: call it
# plainly, then use $ID).
new_id() {
  N=$((N + 1))
  ID="conf-${SCENARIO}-$$-$N"
  CONTAINERS+=("$ID")
}

# make_bundle DIR ARGS...: busybox rootfs + the runtime's own `spec`, terminal off, writable
# root, an absolute test-owned cgroupsPath, process.args = ARGS.
make_bundle() {
  local b=$1 t="$WORK/.rootfs-template"
  shift
  if [ ! -d "$t" ]; then
    mkdir -p "$t"/{bin,dev,proc,sys,tmp,etc,root}
    cp "$(command -v busybox)" "$t/bin/busybox"
    local a
    for a in $("$t/bin/busybox" --list); do
      [ -e "$t/bin/$a" ] || ln -s busybox "$t/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\ntest:x:1000:1000::/home/test:/bin/sh\n' > "$t/etc/passwd"
    printf 'root:x:0:\ntest:x:1000:\n' > "$t/etc/group"
  fi
  mkdir -p "$b"
  cp -a "$t" "$b/rootfs"
  (cd "$b" && "$RUNTIME" spec > /dev/null 2>&1) || fail "$RUNTIME spec failed"
  local args
  # (jq's --args would take "-c" for its own option)
  args=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
  N=$((N + 1))
  edit_config "$b" ".process.terminal = false | .root.readonly = false
    | .linux.cgroupsPath = \"$CG_PARENT/b$N\" | .process.args = $args"
}

# edit_config DIR JQ-FILTER
edit_config() {
  jq "$2" "$1/config.json" > "$1/config.json.new" && mv "$1/config.json.new" "$1/config.json" \
    || fail "jq filter failed: $2"
}

# run_bundle DIR: `run` in the foreground with a fresh id; sets OUT/ERR/RC.
run_bundle() {
  new_id
  rt run --bundle "$1" "$ID"
}

# state_field ID FIELD
state_field() {
  rt state "$1"
  [ "$RC" = 0 ] || { echo ""; return; }
  echo "$OUT" | jq -r ".$2"
}

wait_status() {  # ID STATUS [tries]
  local i
  for i in $(seq 1 "${3:-100}"); do
    [ "$(state_field "$1" status)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
