#!/usr/bin/env bash
# Side-by-side benchmark of hull against crun and runc (and of ctr-pull against skopeo + umoci).
#
#   bench/run.sh [N]                 build hull (Release, build-bench/), install peers if missing,
#                                    measure every row N times (default 5), interleaved
#   bench/run.sh --smoke             CI mode: N=1, small counts, no installs, no host changes,
#                                    under a minute; exits 0 even when a peer is unavailable
#   bench/run.sh --allow-host-change lets crun run on this hybrid-cgroup host by mounting the
#                                    hugetlb controller as a v1 hierarchy around each crun sample
#   --v1-view                        run everything (all three runtimes) in a private mount
#                                    namespace where the cgroup2 mount at /sys/fs/cgroup/unified
#                                    is unmounted: the host looks cgroup v1 only, crun accepts it,
#                                    and nothing on the host changes
#   HULL_BENCH_STATE_DIR=DIR         where the --root state dirs go (default: /dev/shm if tmpfs)
#   --no-build                       use the existing binaries (HULL_BIN / CTR_PULL_BIN or
#                                    build-bench/bin/)
#
# Every row is measured for each runtime in the same run, interleaved (hull crun runc hull crun
# runc ...), and shown as median [min-max] of N samples with the ratios hull/crun and hull/runc.
# Containers get an absolute cgroupsPath /hull-bench/<id> (removed afterwards) and private
# --root state directories under a temporary work dir.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
N=5
SMOKE=0
ALLOW_HOST=0
NO_BUILD=0
V1_VIEW=0
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    --allow-host-change) ALLOW_HOST=1 ;;
    --no-build) NO_BUILD=1 ;;
    --v1-view) V1_VIEW=1 ;;
    -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) N=$a ;;
    *) echo "bench: unknown argument $a" >&2; exit 2 ;;
  esac
done
if ((SMOKE)); then
  N=1 SEQ=5 K=2 PAR=5 ALLOW_HOST=0
else
  SEQ=100 K=20 PAR=10
fi
RUNTIMES=(hull crun runc)
VIEW="host cgroups ($(
  if grep -q ' /sys/fs/cgroup/unified .* cgroup2 ' /proc/self/mountinfo; then echo hybrid v1+v2
  elif [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then echo v2
  else echo v1; fi))"
# The bench always runs in a private mount namespace: a runtime that got its mount setup wrong
# (pivot_root or mounts in the caller's namespace) then damages only this throw-away namespace,
# not the host that other people are using.
if [ -z "${HULL_BENCH_PRIVATE_NS:-}" ] && unshare -m --propagation private true 2>/dev/null; then
  exec unshare -m --propagation private env HULL_BENCH_PRIVATE_NS=1 bash "$0" "$@"
fi
if ((V1_VIEW)); then
  [ -n "${HULL_BENCH_PRIVATE_NS:-}" ] || { echo "bench: --v1-view needs unshare" >&2; exit 1; }
  umount /sys/fs/cgroup/unified 2>/dev/null
  if grep -q ' /sys/fs/cgroup/unified ' /proc/self/mountinfo; then
    echo "bench: could not hide /sys/fs/cgroup/unified in the private mount namespace" >&2
    exit 1
  fi
  VIEW="v1 view (private mount namespace without the cgroup2 mount; host unchanged)"
  ALLOW_HOST=0
fi

log() { echo "bench: $*" >&2; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
# CPU time (user+sys, microseconds) of all waited-for children of this shell so far: the runtime,
# its init and the container process. Far less sensitive than wall time to a loaded machine.
child_cpu_us() {  # sets CPU_US (no subshell: a subshell's children are not ours)
  local u s total=0 t
  times >"$WORK/times"
  { read -r _; read -r u s; } <"$WORK/times"
  for t in "$u" "$s"; do
    [[ $t =~ ^([0-9]+)m([0-9]+)[.,]([0-9]+)s$ ]] || continue
    total=$((total + (BASH_REMATCH[1] * 60 + BASH_REMATCH[2]) * 1000000 +
      10#${BASH_REMATCH[3]} * 10 ** (6 - ${#BASH_REMATCH[3]})))
  done
  CPU_US=$total
}

# ---------------------------------------------------------------------------------------------
# Binaries.
BUILD=$ROOT/build-bench
build_hull() {
  log "building hull + ctr-pull (Release) in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHULL_TESTS=OFF \
    -DHULL_TEST_HOOKS=OFF >"$BUILD.log" 2>&1 &&
    cmake --build "$BUILD" --target hull ctr-pull -j2 >>"$BUILD.log" 2>&1
}
if ((SMOKE || NO_BUILD)); then
  # No build in CI smoke mode (it must stay under a minute): use what the test build made
  # (HULL_BUILD_DIR, as scripts/test.sh names it); --no-build prefers the bench's own build.
  dirs=("${HULL_BUILD_DIR:-$ROOT/build}/bin" "$BUILD/bin")
  ((SMOKE)) || dirs=("$BUILD/bin" "${HULL_BUILD_DIR:-$ROOT/build}/bin")
  HULL=${HULL_BIN:-}
  CTR_PULL=${CTR_PULL_BIN:-}
  for d in "${dirs[@]}"; do
    [ -n "$HULL" ] || { [ -x "$d/hull" ] && HULL=$d/hull; }
    [ -n "$CTR_PULL" ] || { [ -x "$d/ctr-pull" ] && CTR_PULL=$d/ctr-pull; }
  done
else
  mkdir -p "$BUILD"
  if ! build_hull; then
    tail -20 "$BUILD.log" >&2
    log "hull build failed (log: $BUILD.log)"
    exit 1
  fi
  HULL=$BUILD/bin/hull
  CTR_PULL=$BUILD/bin/ctr-pull
fi

if ((!SMOKE)); then
  missing=()
  for p in crun runc skopeo umoci docker-registry jq; do
    command -v "$p" >/dev/null || missing+=("$p")
  done
  [ -x /usr/bin/time ] || missing+=(time)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || log "apt-get install failed (${missing[*]})"
  fi
fi

declare -A BIN=([hull]=${HULL:-} [crun]=$(command -v crun) [runc]=$(command -v runc))
declare -A UNAVAIL=()  # runtime -> why it has no numbers
for rt in "${RUNTIMES[@]}"; do
  [ -n "${BIN[$rt]}" ] && [ -x "${BIN[$rt]}" ] || UNAVAIL[$rt]="unavailable (not installed)"
done
[ -z "${UNAVAIL[hull]:-}" ] || UNAVAIL[hull]="unavailable (no hull binary; build first)"
if ! command -v jq >/dev/null; then
  echo "bench: jq is missing: every row unavailable"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Work dir, bundle templates, cleanup.
WORK=$(mktemp -d /tmp/hull-bench.XXXXXX)
# State roots (--root) on tmpfs, as /run is on a normal host. On this VM /run and /tmp are ext4,
# where every new inode in a state dir costs a scan of recently deleted inodes (up to ~45% of a
# container's CPU time in a tight create/delete loop, for every runtime alike).
if [ -n "${HULL_BENCH_STATE_DIR:-}" ]; then
  STATE=$(mktemp -d "$HULL_BENCH_STATE_DIR/hull-bench-state.XXXXXX")
elif [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
  STATE=$(mktemp -d /dev/shm/hull-bench-state.XXXXXX)
else
  STATE=$WORK/state
fi
STATE_FS=$(stat -f -c %T "$STATE" 2>/dev/null || echo "?")
LOGS=$WORK/logs
mkdir -p "$STATE" "$LOGS" "$WORK/b"
CG_PARENT=hull-bench
HUGETLB_MOUNTED=0
HUGETLB_MADE_DIR=0
REGISTRY_PID=
SEQNO=0
RUN_TAG=$$

cg_remove() {  # cg_remove ID...: the container cgroups, in every hierarchy
  local id d
  for id in "$@"; do
    for d in /sys/fs/cgroup/*/"$CG_PARENT/$id" /sys/fs/cgroup/"$CG_PARENT/$id"; do
      [ -d "$d" ] && rmdir "$d" 2>/dev/null
    done
  done
  return 0
}

hugetlb_on() {
  [ "$1" = crun ] && ((CRUN_NEEDS_HUGETLB)) || return 0
  if [ ! -d /sys/fs/cgroup/hugetlb ]; then
    mkdir /sys/fs/cgroup/hugetlb && HUGETLB_MADE_DIR=1
  fi
  mount -t cgroup -o hugetlb none /sys/fs/cgroup/hugetlb && HUGETLB_MOUNTED=1
}
hugetlb_off() {
  ((HUGETLB_MOUNTED)) || return 0
  rmdir /sys/fs/cgroup/hugetlb/"$CG_PARENT"/* /sys/fs/cgroup/hugetlb/"$CG_PARENT" 2>/dev/null
  umount /sys/fs/cgroup/hugetlb && HUGETLB_MOUNTED=0
  if ((HUGETLB_MADE_DIR)); then rmdir /sys/fs/cgroup/hugetlb 2>/dev/null && HUGETLB_MADE_DIR=0; fi
}

cleanup() {
  local rt d
  hugetlb_off
  [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null && wait "$REGISTRY_PID" 2>/dev/null
  for rt in "${RUNTIMES[@]}"; do
    [ -d "$STATE/$rt" ] || continue
    for d in "$STATE/$rt"/*/; do
      [ -d "$d" ] && "${BIN[$rt]}" --root "$STATE/$rt" delete -f "$(basename "$d")" >/dev/null 2>&1
    done
  done
  for d in /sys/fs/cgroup/*/"$CG_PARENT"/*-"$RUN_TAG"-* /sys/fs/cgroup/"$CG_PARENT"/*-"$RUN_TAG"-*; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  # The shared parent goes only when no other bench run is using it.
  for d in /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT"; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  rm -rf "$WORK" "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The rootfs: busybox (static) with the few links the rows need; read-only and shared by all
# bundles, each of which is only a config.json.
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$ROOTFS/bin/busybox" 2>/dev/null || log "no /bin/busybox (busybox-static)"
for l in sh true sleep; do ln -sf busybox "$ROOTFS/bin/$l"; done

# The config: `crun spec` (the crun README benchmark), else `runc spec`, else `hull spec`.
mkdir -p "$WORK/spec"
for rt in crun runc hull; do
  [ -n "${BIN[$rt]}" ] && [ -x "${BIN[$rt]}" ] || continue
  (cd "$WORK/spec" && rm -f config.json && "${BIN[$rt]}" spec >/dev/null 2>&1) && break
done
if [ ! -f "$WORK/spec/config.json" ]; then
  echo "bench: no runtime could write a config.json: every row unavailable"
  exit 0
fi
SPEC_FROM=$rt
mk_template() {  # mk_template ARGS_JSON [SECCOMP_FILE]
  local filter='.process.terminal=false | .process.args=$args | .root.path=$rootfs
    | .root.readonly=true | .linux.cgroupsPath=("/" + $cg + "/@ID@")'
  if [ -n "${2:-}" ]; then
    jq --argjson args "$1" --arg rootfs "$ROOTFS" --arg cg "$CG_PARENT" --slurpfile sc "$2" \
      "$filter | .linux.seccomp=\$sc[0]" "$WORK/spec/config.json"
  else
    jq --argjson args "$1" --arg rootfs "$ROOTFS" --arg cg "$CG_PARENT" "$filter" \
      "$WORK/spec/config.json"
  fi
}
SECCOMP_PROFILE=$HERE/seccomp-docker-like.json
T_DEFAULT=$(mk_template '["/bin/true"]')
T_SECCOMP=$(mk_template '["/bin/true"]' "$SECCOMP_PROFILE")
T_SLEEP=$(mk_template '["/bin/sleep","1000"]')

new_id() {  # new_id RT: a fresh container id (also its cgroup name); sets ID
  SEQNO=$((SEQNO + 1))
  ID="${1:0:1}-$RUN_TAG-$SEQNO"
}
mk_bundle() {  # mk_bundle ID TEMPLATE_VAR
  local t=${!2}
  mkdir -p "$WORK/b/$1"
  printf '%s\n' "${t//@ID@/$1}" >"$WORK/b/$1/config.json"
}
rt_cmd() {  # rt_cmd RT ARGS...: the runtime with its private state root, quiet
  "${BIN[$1]}" --root "$STATE/$1" "${@:2}" </dev/null >/dev/null 2>>"$LOGS/$1.err"
}
finish_ids() {  # finish_ids RT ID...: remove whatever the ids left behind
  local rt=$1 id
  shift
  for id in "$@"; do
    [ -d "$STATE/$rt/$id" ] && rt_cmd "$rt" delete -f "$id"
    rm -rf "${WORK:?}/b/$id"
  done
  cg_remove "$@"
}
last_error() {  # the last error of a runtime, without runc-style log decoration
  tail -1 "$LOGS/$1.err" 2>/dev/null | sed -E 's/.*msg="(.*)"$/\1/; s/^time=.*level=[a-z]+ //' |
    cut -c1-80
}

# ---------------------------------------------------------------------------------------------
# Results: RES[row|rt] = space-separated samples; NOTE[row|rt] = why there is no number.
declare -A RES=() NOTE=()
add() { RES[$1|$2]="${RES[$1|$2]:-} $3"; }
fail() { NOTE[$1|$2]="failed: $(last_error "$2")"; }

# Probe: one `run` per runtime; crun on a hybrid-cgroup host needs the hugetlb workaround.
CRUN_NEEDS_HUGETLB=0
probe() {
  local rt=$1
  new_id "$rt"
  mk_bundle "$ID" T_DEFAULT
  hugetlb_on "$rt"
  rt_cmd "$rt" run --bundle "$WORK/b/$ID" "$ID"
  local rc=$?
  finish_ids "$rt" "$ID"
  hugetlb_off
  return $rc
}
for rt in "${RUNTIMES[@]}"; do
  [ -z "${UNAVAIL[$rt]:-}" ] || continue
  probe "$rt" && continue
  if grep -q "hybrid" "$LOGS/$rt.err" 2>/dev/null; then
    if ((ALLOW_HOST)) && [ "$rt" = crun ]; then
      CRUN_NEEDS_HUGETLB=1
      probe crun && continue
      CRUN_NEEDS_HUGETLB=0
    fi
    UNAVAIL[$rt]="unavailable (hybrid cgroups)"
  else
    UNAVAIL[$rt]="unavailable ($(last_error "$rt"))"
  fi
done

# ---------------------------------------------------------------------------------------------
# Rows. Each function takes one sample for one runtime.

# 1. SEQ sequential `run` of /bin/true: total seconds.
row_seq() {  # row_seq ROW RT TEMPLATE_VAR
  local row=$1 rt=$2 ids=() id ok=1 t0 t1
  for ((i = 0; i < SEQ; i++)); do new_id "$rt"; mk_bundle "$ID" "$3"; ids+=("$ID"); done
  hugetlb_on "$rt"
  local c0 c1
  child_cpu_us
  c0=$CPU_US
  t0=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do
    rt_cmd "$rt" run --bundle "$WORK/b/$id" "$id" || ok=0
  done
  t1=${EPOCHREALTIME/./}
  child_cpu_us
  c1=$CPU_US
  finish_ids "$rt" "${ids[@]}"
  hugetlb_off
  if ((ok)); then
    add "$row" "$rt" "$(((t1 - t0) / 1000))"
    add "$row-cpu" "$rt" "$(((c1 - c0) / SEQ))"
  else
    fail "$row" "$rt"; fail "$row-cpu" "$rt"
  fi
}

# 2. create, start, delete of K containers, each phase timed separately: ms per operation.
row_lifecycle() {  # row_lifecycle RT
  local rt=$1 ids=() id ok=1 t0 t1 t2 t3 t4
  for ((i = 0; i < K; i++)); do new_id "$rt"; mk_bundle "$ID" T_DEFAULT; ids+=("$ID"); done
  hugetlb_on "$rt"
  t0=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do rt_cmd "$rt" create --bundle "$WORK/b/$id" "$id" || ok=0; done
  t1=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do rt_cmd "$rt" start "$id" || ok=0; done
  t2=${EPOCHREALTIME/./}
  sleep 0.3  # let every /bin/true exit: delete without -f wants a stopped container
  t3=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do rt_cmd "$rt" delete "$id" || ok=0; done
  t4=${EPOCHREALTIME/./}
  finish_ids "$rt" "${ids[@]}"
  hugetlb_off
  if ((ok)); then
    add create "$rt" "$(((t1 - t0) / K))"
    add start "$rt" "$(((t2 - t1) / K))"
    add delete "$rt" "$(((t4 - t3) / K))"
  else
    fail create "$rt"; fail start "$rt"; fail delete "$rt"
  fi
}

# 3. exec of /bin/true into a running container: ms per exec.
row_exec() {  # row_exec RT
  local rt=$1 ok=1 t0 t1
  new_id "$rt"
  local id=$ID
  mk_bundle "$id" T_SLEEP
  hugetlb_on "$rt"
  if rt_cmd "$rt" run -d --bundle "$WORK/b/$id" "$id"; then
    if ! rt_cmd "$rt" exec "$id" /bin/true; then
      NOTE[exec|$rt]="unavailable ($rt exec: $(last_error "$rt"))"
      ok=2
    else
      t0=${EPOCHREALTIME/./}
      for ((i = 0; i < K; i++)); do rt_cmd "$rt" exec "$id" /bin/true || ok=0; done
      t1=${EPOCHREALTIME/./}
    fi
    rt_cmd "$rt" kill "$id" KILL
    sleep 0.1
  else
    ok=0
  fi
  finish_ids "$rt" "$id"
  hugetlb_off
  case $ok in
    1) add exec "$rt" "$(((t1 - t0) / K))" ;;
    0) fail exec "$rt" ;;
  esac
}

# 4. PAR containers started at once (`run` each, in the background): ms until all exited.
row_parallel() {  # row_parallel RT
  local rt=$1 ids=() pids=() id ok=1 t0 t1 p
  for ((i = 0; i < PAR; i++)); do new_id "$rt"; mk_bundle "$ID" T_DEFAULT; ids+=("$ID"); done
  hugetlb_on "$rt"
  t0=${EPOCHREALTIME/./}
  for id in "${ids[@]}"; do
    rt_cmd "$rt" run --bundle "$WORK/b/$id" "$id" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || ok=0; done
  t1=${EPOCHREALTIME/./}
  finish_ids "$rt" "${ids[@]}"
  hugetlb_off
  if ((ok)); then add parallel "$rt" "$(((t1 - t0) / 1000))"; else fail parallel "$rt"; fi
}

# 5. Peak RSS (KiB) of the runtime process of one `run`, as /usr/bin/time reports it.
row_rss() {  # row_rss RT
  local rt=$1 rss
  [ -x /usr/bin/time ] || { NOTE[rss|$rt]="unavailable (/usr/bin/time missing)"; return; }
  new_id "$rt"
  local id=$ID
  mk_bundle "$id" T_DEFAULT
  hugetlb_on "$rt"
  if /usr/bin/time -f %M -o "$WORK/rss" "${BIN[$rt]}" --root "$STATE/$rt" run \
    --bundle "$WORK/b/$id" "$id" </dev/null >/dev/null 2>>"$LOGS/$rt.err"; then
    rss=$(tail -1 "$WORK/rss")
    add rss "$rt" "$rss"
  else
    fail rss "$rt"
  fi
  finish_ids "$rt" "$id"
  hugetlb_off
}

ROWS=(seq seccomp create start delete exec parallel rss)
for ((rep = 1; rep <= N; rep++)); do
  log "sample $rep/$N"
  for row in seq seccomp lifecycle exec parallel rss; do
    for rt in "${RUNTIMES[@]}"; do
      [ -z "${UNAVAIL[$rt]:-}" ] || continue
      case $row in
        seq) row_seq seq "$rt" T_DEFAULT ;;
        seccomp) row_seq seccomp "$rt" T_SECCOMP ;;
        lifecycle) row_lifecycle "$rt" ;;
        exec) [ -n "${NOTE[exec|$rt]:-}" ] || row_exec "$rt" ;;
        parallel) row_parallel "$rt" ;;
        rss) row_rss "$rt" ;;
      esac
    done
  done
done

# ---------------------------------------------------------------------------------------------
# 6. ctr-pull vs skopeo copy + umoci unpack, from a loopback docker-registry.
PULL_NOTE=""
declare -a PULL_HULL=() PULL_PEER=()
PEER_NAME="skopeo copy + umoci unpack"
sha() { sha256sum "$1" | cut -d' ' -f1; }
build_image() {  # an OCI layout with three layers: busybox, many small files, one big file
  local img=$WORK/img l dir files big
  if ((SMOKE)); then files=200 big=1; else files=4000 big=32; fi
  mkdir -p "$img/blobs/sha256" "$WORK/layers"
  local layers="" diffs=""
  for l in 1 2 3; do
    dir=$WORK/layers/$l
    mkdir -p "$dir"
    case $l in
      1) mkdir -p "$dir/bin" && cp /bin/busybox "$dir/bin/" && ln -s busybox "$dir/bin/sh" ;;
      2) mkdir -p "$dir/data/small" &&
        head -c $((files * 1024)) /dev/urandom | (cd "$dir/data/small" && split -b 1024 -a 4 - f_) ;;
      3) mkdir -p "$dir/data/big" && head -c $((big * 1024 * 1024)) /dev/urandom >"$dir/data/big/blob" ;;
    esac
    tar -C "$dir" -cf "$WORK/layer$l.tar" . || return 1
    gzip -1 -c "$WORK/layer$l.tar" >"$WORK/layer$l.tgz"
    local d s
    d=$(sha "$WORK/layer$l.tgz") s=$(stat -c %s "$WORK/layer$l.tgz")
    mv "$WORK/layer$l.tgz" "$img/blobs/sha256/$d"
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$s}"
    diffs+="${diffs:+,}\"sha256:$(sha "$WORK/layer$l.tar")\""
    rm -f "$WORK/layer$l.tar"
  done
  printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs]}}" >"$WORK/cfg.json"
  local cd cs
  cd=$(sha "$WORK/cfg.json") cs=$(stat -c %s "$WORK/cfg.json")
  mv "$WORK/cfg.json" "$img/blobs/sha256/$cd"
  printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cd\",\"size\":$cs},\"layers\":[$layers]}" >"$WORK/man.json"
  local md ms
  md=$(sha "$WORK/man.json") ms=$(stat -c %s "$WORK/man.json")
  mv "$WORK/man.json" "$img/blobs/sha256/$md"
  printf '%s' "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$md\",\"size\":$ms,\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}" >"$img/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
  IMAGE_DESC="3 layers: busybox, $files x 1 KiB files, $big MiB file"
}
start_registry() {
  local port try
  for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue  # in use
    mkdir -p "$WORK/registry"
    printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
      "$WORK/registry" "$port" >"$WORK/registry.yml"
    docker-registry serve "$WORK/registry.yml" >"$LOGS/registry.log" 2>&1 &
    REGISTRY_PID=$!
    for ((i = 0; i < 100; i++)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        REGISTRY=127.0.0.1:$port
        return 0
      fi
      kill -0 "$REGISTRY_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$REGISTRY_PID" 2>/dev/null; wait "$REGISTRY_PID" 2>/dev/null; REGISTRY_PID=
  done
  return 1
}
pull_rows() {
  local t0 t1 rep
  if [ -z "${CTR_PULL:-}" ] || [ ! -x "$CTR_PULL" ]; then PULL_NOTE="ctr-pull not built"; return; fi
  for p in docker-registry skopeo; do
    command -v $p >/dev/null || { PULL_NOTE="unavailable ($p missing)"; return; }
  done
  command -v umoci >/dev/null || PEER_NAME="skopeo copy only (umoci missing)"
  build_image || { PULL_NOTE="could not build the test image"; return; }
  start_registry || { PULL_NOTE="unavailable (docker-registry did not start)"; return; }
  local ref=$REGISTRY/bench/img:latest
  if ! skopeo copy --dest-tls-verify=false "oci:$WORK/img:latest" "docker://$ref" \
    >"$LOGS/push.log" 2>&1; then
    PULL_NOTE="unavailable (skopeo push failed: $(tail -1 "$LOGS/push.log" | cut -c1-80))"
    return
  fi
  for ((rep = 1; rep <= N; rep++)); do
    rm -rf "$WORK/pull"
    mkdir -p "$WORK/pull"
    t0=${EPOCHREALTIME/./}
    if "$CTR_PULL" --plain-http -q --cache "$WORK/pull/cache" "$ref" "$WORK/pull/bundle" \
      </dev/null >>"$LOGS/ctr-pull.log" 2>&1; then
      t1=${EPOCHREALTIME/./}
      PULL_HULL+=("$(((t1 - t0) / 1000))")
    else
      PULL_NOTE="ctr-pull failed: $(tail -1 "$LOGS/ctr-pull.log" | cut -c1-80)"
    fi
    t0=${EPOCHREALTIME/./}
    if skopeo copy --src-tls-verify=false "docker://$ref" "oci:$WORK/pull/oci:latest" \
      >>"$LOGS/skopeo.log" 2>&1 &&
      { ! command -v umoci >/dev/null ||
        umoci unpack --image "$WORK/pull/oci:latest" "$WORK/pull/umoci" >>"$LOGS/skopeo.log" 2>&1; }; then
      t1=${EPOCHREALTIME/./}
      PULL_PEER+=("$(((t1 - t0) / 1000))")
    fi
  done
}
pull_rows

# ---------------------------------------------------------------------------------------------
# Table.
stats() {  # stats SAMPLES...: "median min max" (median of an even count: the lower middle)
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)], v[1], v[NR]}'
}
fmt() {  # fmt VALUE DIVISOR DECIMALS
  awk -v v="$1" -v d="$2" -v p="$3" 'BEGIN {printf "%.*f", p, v / d}'
}
cell() {  # cell ROW RT DIVISOR DECIMALS -> "median [min-max]" or the note
  local s=${RES[$1|$2]:-}
  if [ -n "${UNAVAIL[$2]:-}" ]; then echo "${UNAVAIL[$2]}"; return; fi
  if [ -n "${NOTE[$1|$2]:-}" ]; then echo "${NOTE[$1|$2]}"; return; fi
  [ -n "$s" ] || { echo "n/a"; return; }
  # shellcheck disable=SC2086
  read -r med mn mx <<<"$(stats $s)"
  if ((N > 1)); then
    echo "$(fmt "$med" "$3" "$4") [$(fmt "$mn" "$3" "$4")-$(fmt "$mx" "$3" "$4")]"
  else
    fmt "$med" "$3" "$4"
  fi
}
ratio() {  # ratio ROW PEER
  local a=${RES[$1|hull]:-} b=${RES[$1|$2]:-}
  [ -n "$a" ] && [ -n "$b" ] && [ -z "${NOTE[$1|hull]:-}${NOTE[$1|$2]:-}" ] || { echo "-"; return; }
  # shellcheck disable=SC2086
  awk -v x="$(stats $a | cut -d' ' -f1)" -v y="$(stats $b | cut -d' ' -f1)" \
    'BEGIN {if (y > 0) printf "%.2f", x / y; else print "-"}'
}

total_kib() {  # the binary plus the shared libraries it loads (libc, libm, ld.so aside)
  local b=$1 total lib
  [ -n "$b" ] && [ -x "$b" ] || { echo 0; return; }
  total=$(stat -c %s "$b")
  if ldd "$b" >/dev/null 2>&1; then
    for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do
      case $(basename "$lib") in libc.so* | libm.so* | ld-linux*) continue ;; esac
      total=$((total + $(stat -L -c %s "$lib")))
    done
  fi
  echo $((total / 1024))
}
describe_bin() {  # size in KiB and how it links
  local b=$1 sz libs
  [ -n "$b" ] && [ -x "$b" ] || { echo "not installed"; return; }
  sz=$(($(stat -c %s "$b") / 1024))
  if ldd "$b" >/dev/null 2>&1; then
    # With the shared libraries it loads, libc/libm/ld.so aside (every runtime uses those).
    local n=0 total=0 lib
    for lib in $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do
      case $(basename "$lib") in libc.so* | libm.so* | ld-linux*) continue ;; esac
      n=$((n + 1)) total=$((total + $(stat -L -c %s "$lib")))
    done
    libs="+ $n libs = $((sz + total / 1024)) KiB"
  else
    libs=static
  fi
  echo "$sz KiB ($libs)"
}

W=34
line() { printf "%-26s | %-${W}s | %-${W}s | %-${W}s | %-9s | %-9s\n" "$@"; }
echo
echo "hull: ${BIN[hull]:-none}; ctr-pull: ${CTR_PULL:-none}"
echo "hull $(${BIN[hull]:-false} --version 2>/dev/null | head -1 | cut -d' ' -f3) vs" \
  "crun $(${BIN[crun]:-false} --version 2>/dev/null | head -1 | cut -d' ' -f3)," \
  "runc $(${BIN[runc]:-false} --version 2>/dev/null | head -1 | cut -d' ' -f3)" \
  "- N=$N samples per cell, median [min-max], interleaved; config from \`$SPEC_FROM spec\`"
echo "cgroups: $VIEW; state roots on $STATE_FS"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo
line "row" "hull" "crun" "runc" "hull/crun" "hull/runc"
line "---" "---" "---" "---" "---" "---"
row_line() {  # row_line LABEL ROW DIVISOR DECIMALS
  line "$1" "$(cell "$2" hull "$3" "$4")" "$(cell "$2" crun "$3" "$4")" "$(cell "$2" runc "$3" "$4")" \
    "$(ratio "$2" crun)" "$(ratio "$2" runc)"
}
row_line "$SEQ x run /bin/true (s)" seq 1000 3
row_line "$SEQ x run, seccomp (s)" seccomp 1000 3
row_line "  CPU/run (ms)" seq-cpu 1000 2
row_line "  CPU/run, seccomp (ms)" seccomp-cpu 1000 2
row_line "create (ms/op)" create 1000 2
row_line "start (ms/op)" start 1000 2
row_line "delete (ms/op)" delete 1000 2
row_line "exec /bin/true (ms/op)" exec 1000 2
row_line "$PAR parallel run (ms)" parallel 1 0
row_line "peak RSS of run (MiB)" rss 1024 2
size_ratio() {
  local a b
  a=$(total_kib "${BIN[hull]}") b=$(total_kib "${BIN[$1]}")
  awk -v a="$a" -v b="$b" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else print "-"}'
}
line "binary (+ shared libs)" "$(describe_bin "${BIN[hull]}")" "$(describe_bin "${BIN[crun]}")" \
  "$(describe_bin "${BIN[runc]}")" "$(size_ratio crun)" "$(size_ratio runc)"
# The ratio column compares medians. Samples are interleaved, so each hull sample also has a
# crun sample taken seconds apart: their per-sample ratios show how much of the spread is the
# machine's (a slow period hits both) and how stable the comparison itself is.
paired() {  # paired ROW: "r1 r2 ..." of hull/crun per sample, or nothing
  local a=${RES[$1|hull]:-} b=${RES[$1|crun]:-}
  [ -n "$a" ] && [ -n "$b" ] && [ -z "${NOTE[$1|hull]:-}${NOTE[$1|crun]:-}" ] || return 0
  # shellcheck disable=SC2086
  paste -d' ' <(printf '%s\n' $a) <(printf '%s\n' $b) |
    awk '$2 > 0 {printf "%s%.2f", (n++ ? " " : ""), $1 / $2}'
}
for r in seq seccomp; do
  p=$(paired "$r")
  [ -n "$p" ] && echo "per-sample hull/crun, $r row (in sample order): $p"
done
echo
pull_cell() {  # pull_cell SAMPLES...
  (($#)) || { echo "n/a"; return; }
  read -r med mn mx <<<"$(stats "$@")"
  if ((N > 1)); then echo "$med [$mn-$mx]"; else echo "$med"; fi
}
printf "%-26s | %-${W}s | %-${W}s | %-9s\n" "pull (ms)" "ctr-pull" "$PEER_NAME" "ratio"
if [ -n "$PULL_NOTE" ] && ((${#PULL_HULL[@]} == 0)); then
  printf "%-26s | %s\n" "${IMAGE_DESC:-image}" "$PULL_NOTE"
else
  r="-"
  if ((${#PULL_HULL[@]} && ${#PULL_PEER[@]})); then
    r=$(awk -v x="$(stats "${PULL_HULL[@]}" | cut -d' ' -f1)" \
      -v y="$(stats "${PULL_PEER[@]}" | cut -d' ' -f1)" 'BEGIN {printf "%.2f", x / y}')
  fi
  printf "%-26s | %-${W}s | %-${W}s | %-9s\n" "${IMAGE_DESC:-image}" \
    "$(pull_cell "${PULL_HULL[@]}")${PULL_NOTE:+ ($PULL_NOTE)}" "$(pull_cell "${PULL_PEER[@]}")" "$r"
fi
echo
if ((ALLOW_HOST)); then
  echo "hugetlb in /proc/cgroups (subsys hierarchy num_cgroups enabled): $(grep hugetlb /proc/cgroups)"
  echo "cgroup2 controllers: $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)"
elif [ "${UNAVAIL[crun]:-}" = "unavailable (hybrid cgroups)" ]; then
  echo "crun refuses this hybrid host; bench/run.sh --allow-host-change mounts hugetlb as v1 around crun samples"
fi
# A summary line for scripts/test.sh: the bench fails only when hull itself failed (a peer that
# is unavailable, or a hull command still being written, is reported in the table instead).
hull_failed=0
for k in "${!NOTE[@]}"; do
  [[ $k == *"|hull" && ${NOTE[$k]} == failed* ]] && hull_failed=$((hull_failed + 1))
done
if [ -n "${UNAVAIL[hull]:-}" ]; then
  echo "bench: hull ${UNAVAIL[hull]}"
  hull_failed=$((hull_failed + 1))
fi
if ((hull_failed)); then
  echo "bench: 0 passed, 1 failed ($hull_failed hull cells failed); last hull errors:"
  tail -5 "$LOGS/hull.err" 2>/dev/null
  exit 1
fi
echo "bench: 1 passed, 0 failed"
exit 0
