#!/bin/bash
# Drives a runtime (hull by default) through real clients: containerd 1.6 + ctr, podman 4.3 +
# conmon, and containerd's CRI plugin over gRPC. Prints PASS/FAIL/SKIP per check and a final
# "N passed, M failed, K skipped" line; exits non-zero if anything failed.
#
#   tests/clients/run.sh [--runtime PATH|runc] [--only ctr,podman,cri] [--keep]
#
# RUNTIME=runc in the environment works too, so a difference from runc is visible at once.
# Needs root; no tty, no stdin, no network (images are built locally from busybox-static).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

RUNTIME=${RUNTIME:-}
ONLY=${ONLY:-ctr,podman,cri}
KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME=$2; shift 2 ;;
    --runtime=*) RUNTIME=${1#*=}; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" != 0 ]; then
  echo "tests/clients/run.sh must run as root" >&2
  exit 2
fi
if [ -z "$RUNTIME" ]; then
  for c in "$REPO/build/bin/hull" "$REPO"/build-*/bin/hull; do
    [ -x "$c" ] && { RUNTIME=$c; break; }
  done
fi
if [ -n "$RUNTIME" ] && [ "${RUNTIME#/}" = "$RUNTIME" ]; then
  RUNTIME=$(command -v "$RUNTIME" || readlink -f "$RUNTIME")
fi
if [ -z "$RUNTIME" ] || [ ! -x "$RUNTIME" ]; then
  echo "no runtime binary (build hull, or pass --runtime PATH)" >&2
  exit 2
fi
echo "runtime under test: $RUNTIME ($("$RUNTIME" --version 2>&1 | head -n1))"

# --- dependencies (idempotent) ----------------------------------------------------------------
PKGS=(containerd podman conmon runc containernetworking-plugins libgrpc++-dev
  protobuf-compiler-grpc libprotobuf-dev protobuf-compiler busybox-static util-linux
  procps pkg-config g++ iproute2)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } </dev/null >/dev/null 2>&1 || echo "warning: apt-get failed; scenarios needing missing tools will be skipped" >&2
fi

# --- shared temp root ---------------------------------------------------------------------------
WORKROOT=$(mktemp -d /tmp/hull-clients.XXXXXX)
# Searchable by everyone: containers in a user namespace (host uid 100000) must be able to reach
# their rootfs and bundle below it.
chmod 711 "$WORKROOT"
RESULTS="$WORKROOT/results"
: >"$RESULTS"
source "$HERE/lib.sh"
# containerd makes /run/containerd/{s,fifo,runc} whatever its config says; remove them (when
# empty) at the end if the host had no /run/containerd before.
RUN_CONTAINERD_EXISTED=0
[ -d /run/containerd ] && RUN_CONTAINERD_EXISTED=1
final_cleanup() {
  umount_under "$WORKROOT"
  if [ "$RUN_CONTAINERD_EXISTED" = 0 ]; then
    rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd 2>/dev/null
  fi
  if [ "$KEEP" = 1 ]; then echo "kept $WORKROOT"; else rm -rf "$WORKROOT"; fi
}
trap final_cleanup EXIT
trap 'exit 130' INT TERM

if ! "$HERE/make-images.sh" "$WORKROOT/images" >"$WORKROOT/images.log" 2>&1; then
  cat "$WORKROOT/images.log" >&2
  echo "FAIL images: could not build the test images" >>"$RESULTS"
fi
export RUNTIME RESULTS CLIENTS_DIR=$HERE REPO
export IMAGE_TAR="$WORKROOT/images/hull-test.tar" PAUSE_TAR="$WORKROOT/images/hull-pause.tar"

# run_scenario NAME SCRIPT LIMIT_SECONDS REQUIRED_COMMANDS...
run_scenario() {
  local name=$1 script=$2 limit=${SCENARIO_LIMIT:-$3}
  shift 3
  case ",$ONLY," in *",$name,"*) ;; *) return 0 ;; esac
  local c
  for c in "$@"; do
    if ! command -v "$c" >/dev/null 2>&1; then
      echo "SKIP $name: $c is not installed" >>"$RESULTS"
      return 0
    fi
  done
  local work="$WORKROOT/$name" before after rc
  mkdir -p "$work"
  before=$(wc -l <"$RESULTS")
  echo "== $name (limit ${limit}s)"
  # TERM at the limit lets the scenario run its cleanup (client calls then time out after 10-20 s);
  # KILL 60 s later; reap_scenario below catches the rest.
  WORK=$work timeout -k 60 "$limit" bash "$HERE/$script" </dev/null
  rc=$?
  after=$(wc -l <"$RESULTS")
  if [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "FAIL $name: scenario timed out after ${limit}s" >>"$RESULTS"
  elif [ $rc != 0 ] && [ "$after" = "$before" ]; then
    echo "FAIL $name: scenario exited with $rc before any check" >>"$RESULTS"
  fi
  # Whatever the scenario's own cleanup missed (it may have been killed by the time limit).
  reap_scenario "$work"
  [ "$KEEP" = 1 ] || rm -rf "$work"
}

start=$(date +%s)
# The CRI client is built (once; cached) outside the CRI scenario's time limit.
export CRI_CLIENT_DIR=${CRI_CLIENT_DIR:-$REPO/build-clients/cri}
case ",$ONLY," in
  *,cri,*)
    if command -v protoc >/dev/null && command -v grpc_cpp_plugin >/dev/null; then
      echo "== building the CRI client in $CRI_CLIENT_DIR"
      timeout 600 "$HERE/cri/build.sh" "$CRI_CLIENT_DIR" >"$WORKROOT/cri-build.log" 2>&1 ||
        echo "FAIL cri/client-build: $(tail -n 5 "$WORKROOT/cri-build.log" | tr '\n' ' ')" >>"$RESULTS"
    fi
    ;;
esac
run_scenario ctr containerd_ctr.sh 300 containerd ctr containerd-shim-runc-v2 script
run_scenario podman podman.sh 300 podman conmon
run_scenario cri cri.sh 300 containerd ctr protoc grpc_cpp_plugin pkg-config

echo
echo "== results ($RUNTIME, $(($(date +%s) - start))s)"
cat "$RESULTS"
n_pass=$(grep -c '^PASS ' "$RESULTS")
n_fail=$(grep -c '^FAIL ' "$RESULTS")
n_skip=$(grep -c '^SKIP ' "$RESULTS")
echo "$n_pass passed, $n_fail failed, $n_skip skipped"
[ "$n_fail" = 0 ]
