# Shared helpers for the security regression scenarios. Sourced by every case script.
#
# Contract of a case script (cases/<name>.sh):
#   - it builds its own malicious bundle(s) under $WORK and runs them with rt (the runtime COPY);
#   - it ends with exactly one of: refused "<runtime's error>", safe "<what it checked>",
#     fail "<what escaped>", skip "<why>" (exit codes 0, 0, 1, 77).
# Payloads only ever touch canaries made here: the runtime copy at $RT, the sentinel dir $SENT.
set -u
if [ -n "${SEC_TRACE:-}" ]; then PS4='+ $(date +%s.%N) '; set -x; fi

SEC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${RUNTIME:?RUNTIME must name the runtime binary under test}"
: "${SEC_PAYLOADS:?run the cases through run.sh (it builds the payloads)}"
CASE=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/sec-${CASE}.XXXXXX")
chmod 755 "$WORK"
STATE="$WORK/state"
SENT="$WORK/sentinel"          # host-side canary directory: must never change
RT="$WORK/bin/runtime"         # a private copy of the runtime: the only binary a payload may hit
CG_PARENT="/hull-test"
CG_PREFIX="sec-${CASE}-$$"
TOKEN="sentinel-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
[ -d "$WORK" ] || { echo "mktemp failed" >&2; exit 2; }
mkdir -p "$STATE" "$SENT/dir" "$WORK/bin" || exit 2
echo "$TOKEN" > "$SENT/secret"
echo "original" > "$SENT/target"
cp "$RUNTIME" "$RT"
chmod 755 "$RT"
RT_SHA=$(sha256sum "$RT" | cut -d' ' -f1)
SENT_DIGEST=""
CONTAINERS=()
BG_PIDS=()

log() { echo "[$CASE] $*" >&2; }

# Tree digest: names, types, modes, sizes, link targets, contents. Used to prove "nothing
# outside the rootfs was written".
tree_digest() {
  (cd "$1" && find . -printf '%p %y %m %s %n %l\n' | sort && find . -type f -exec sha256sum {} + | sort) \
    | sha256sum | cut -d' ' -f1
}

snapshot_sentinel() { SENT_DIGEST=$(tree_digest "$SENT"); }

# Every host-side invariant: the runtime copy is intact, the sentinel tree is unchanged, and no
# mount of ours is left in the host mount namespace.
check_host_intact() {
  local now
  now=$(sha256sum "$RT" | cut -d' ' -f1)
  if [ "$now" != "$RT_SHA" ]; then
    fail "runtime binary copy $RT was modified from inside the container (sha256 $RT_SHA -> $now)"
  fi
  now=$(tree_digest "$SENT")
  if [ -n "$SENT_DIGEST" ] && [ "$now" != "$SENT_DIGEST" ]; then
    log "sentinel tree now:"; (cd "$SENT" && find . -printf '%p %y %l\n' >&2)
    fail "host sentinel directory $SENT was modified (file created, removed or written)"
  fi
  if grep -q " $WORK" /proc/self/mountinfo; then
    grep " $WORK" /proc/self/mountinfo >&2
    fail "a mount under $WORK leaked into the host mount namespace"
  fi
}

rt() { timeout -k 5 "${RT_TIMEOUT:-30}" "$RT" --root "$STATE" "$@"; }

# A busybox-only rootfs: static busybox and one symlink per applet (built once per case, then
# copied).
make_rootfs() {
  local r=$1 t="$WORK/.rootfs-template" a
  if [ ! -d "$t" ]; then
    mkdir -p "$t"/{bin,dev,proc,sys,tmp,etc,root}
    cp "$(command -v busybox)" "$t/bin/busybox"
    "$t/bin/busybox" --list | /usr/bin/python3 -c '
import os, sys
for a in sys.stdin.read().split():
    p = os.path.join(sys.argv[1], a)
    if not os.path.lexists(p): os.symlink("busybox", p)' "$t/bin"
    echo "root:x:0:0:root:/root:/bin/sh" > "$t/etc/passwd"
    echo "root:x:0:" > "$t/etc/group"
  fi
  mkdir -p "$r"
  cp -a "$t/." "$r/"
}

# A bundle whose config is the usual runc default (procfs, tmpfs /dev, devpts, sysfs, masked and
# read-only paths), not a terminal, running ARGS. Returns the bundle path in BUNDLE.
new_bundle() {
  local name=$1; shift
  BUNDLE="$WORK/$name"
  mkdir -p "$BUNDLE"
  make_rootfs "$BUNDLE/rootfs"
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  jq -n --argjson args "$args" --arg cg "$CG_PARENT/$CG_PREFIX-$name" '{
    ociVersion: "1.0.2",
    process: {
      terminal: false, user: {uid: 0, gid: 0}, args: $args,
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: {
        bounding: ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
        effective: ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
        permitted: ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]},
      rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
      noNewPrivileges: true},
    root: {path: "rootfs", readonly: false},
    hostname: "sec",
    mounts: [
      {destination: "/proc", type: "proc", source: "proc"},
      {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid","strictatime","mode=755","size=65536k"]},
      {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
      {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid","noexec","nodev","mode=1777","size=65536k"]},
      {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid","noexec","nodev"]},
      {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid","noexec","nodev","ro"]}],
    linux: {
      cgroupsPath: $cg,
      namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
      maskedPaths: ["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats",
                    "/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"],
      readonlyPaths: ["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}
  }' > "$BUNDLE/config.json"
}

# cfg BUNDLE JQ_FILTER [jq args...]: edit a bundle's config.json in place.
cfg() {
  local b=$1 f=$2; shift 2
  jq "$@" "$f" "$b/config.json" > "$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# Every capability this host lets us hold (the sandbox may lack some, e.g. CAP_SYS_RESOURCE):
# a "privileged" container gets all of them.
ALL_CAPS=$(capsh --decode="$(awk '/^CapBnd/ {print $2}' /proc/self/status)" | cut -d= -f2 \
  | tr ',' '\n' | tr '[:lower:]' '[:upper:]' | jq -R . | jq -s -c .)

# run_fg ID BUNDLE: runs a container in the foreground; output in $WORK/ID.out / ID.err, exit
# code in RUN_RC. The container is always deleted afterwards.
run_fg() {
  local id=$1 b=$2
  CONTAINERS+=("$id")
  rt run --bundle "$b" "$id" > "$WORK/$id.out" 2> "$WORK/$id.err" < /dev/null
  RUN_RC=$?
  rt delete -f "$id" > /dev/null 2>&1 || true
  return 0
}

# create_start ID BUNDLE: detached container (create + start); stdio goes to $WORK/ID.out/err.
# Sets CREATE_RC (non-zero: refused, error in ID.err).
create_start() {
  local id=$1 b=$2
  CONTAINERS+=("$id")
  rt create --bundle "$b" "$id" > "$WORK/$id.out" 2> "$WORK/$id.err" < /dev/null
  CREATE_RC=$?
  if [ $CREATE_RC -eq 0 ]; then
    rt start "$id" >> "$WORK/$id.err" 2>&1
    CREATE_RC=$?
  fi
}

container_pid() { rt state "$1" 2>/dev/null | jq -r '.pid // 0'; }
container_status() { rt state "$1" 2>/dev/null | jq -r '.status // "gone"'; }

wait_stopped() {
  local id=$1 n=0
  while [ $n -lt "${2:-300}" ]; do
    case "$(container_status "$id")" in stopped|gone) return 0 ;; esac
    sleep 0.1; n=$((n + 1))
  done
  return 1
}

# The runtime's error message, one line (last non-empty line of stderr, JSON logs decoded).
err_of() {
  local f="$WORK/$1.err" line
  line=$(grep -v '^\s*$' "$f" 2>/dev/null | tail -1)
  if echo "$line" | jq -e .msg > /dev/null 2>&1; then
    line=$(echo "$line" | jq -r .msg)
  elif [[ "$line" =~ msg=\"(.*)\"$ ]]; then
    line=${BASH_REMATCH[1]}
  fi
  echo "$line"
}

cleanup() {
  local id p d
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for id in "${CONTAINERS[@]}"; do
    "$RT" --root "$STATE" delete -f "$id" > /dev/null 2>&1 || true
  done
  for d in /sys/fs/cgroup/*/"$CG_PARENT"/"$CG_PREFIX"-* /sys/fs/cgroup/*/*/"$CG_PARENT"/"$CG_PREFIX"-*; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  # The shared test parent, once empty (runtimes leave parents they made).
  rmdir /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/*/*/"$CG_PARENT" 2>/dev/null
  grep -o " $WORK[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do umount -l "$m"; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# Verdicts. Each prints one line run.sh parses.
refused() { check_host_intact; echo "VERDICT refused: $*"; exit 0; }
safe() { check_host_intact; echo "VERDICT safe: $*"; exit 0; }
fail() { echo "VERDICT FAIL: $*"; exit 1; }
skip() { echo "VERDICT skip: $*"; exit 77; }

# A copy of the dynamically linked loader and libraries a host binary needs, placed in a rootfs
# at the same paths (an attacker-controlled rootfs can ship anything).
copy_libs_for() {
  local bin=$1 root=$2 lib
  for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
