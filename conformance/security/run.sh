#!/bin/bash
# Security regression scenarios, one per CVE class, runnable against any OCI runtime:
#   RUNTIME=/path/to/runtime conformance/security/run.sh [CASE...]
# RUNTIME defaults to hull from the default build dir. Each case runs a COPY of the runtime from
# a temp dir, builds its own malicious bundle, and checks that nothing outside the rootfs was
# read or written. Verdicts: refused (clear error), safe (ran, nothing escaped), FAIL, skip.
# Needs root, busybox, jq and a C compiler (payloads are built static).
set -u
# V1_VIEW=1: run everything in a private mount namespace without the hybrid host's cgroup2 mount
# (/sys/fs/cgroup/unified), for runtimes that refuse hybrid hosts (crun 1.8). The host's mounts
# are untouched.
if [ "${V1_VIEW:-}" = 1 ] && [ -z "${SEC_IN_V1_VIEW:-}" ]; then
  export SEC_IN_V1_VIEW=1
  exec unshare -m --propagation private bash -c \
    'grep -q " /sys/fs/cgroup/unified " /proc/self/mountinfo && umount -l /sys/fs/cgroup/unified; exec bash "$0" "$@"' "$0" "$@"
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO/build/bin/hull}
RUNTIME=$(command -v "$RUNTIME" || true)
# ctr-pull (layer escapes) does not depend on the runtime: the one next to RUNTIME, else the
# default build's.
CTR_PULL=${CTR_PULL:-$(dirname "$RUNTIME")/ctr-pull}
if [ ! -x "$CTR_PULL" ]; then
  CTR_PULL=$(ls -t "$REPO"/build*/bin/ctr-pull 2> /dev/null | head -1)
fi
[ -x "$RUNTIME" ] || { echo "RUNTIME is not an executable: ${RUNTIME}" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
for tool in jq busybox cc timeout; do
  command -v $tool > /dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

SEC_PAYLOADS=$(mktemp -d /tmp/sec-payloads.XXXXXX)
trap 'rm -rf "$SEC_PAYLOADS"' EXIT
for src in "$HERE"/payloads/*.c; do
  cc -static -O1 -Wall -o "$SEC_PAYLOADS/$(basename "$src" .c)" "$src" || exit 2
done
export RUNTIME CTR_PULL SEC_PAYLOADS

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for f in "$HERE"/cases/*.sh; do cases+=("$(basename "$f" .sh)"); done
fi

echo "runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -1))"
# A runtime that cannot run a benign container here would "refuse" every malicious one: every
# runtime-dependent case is then skipped with the reason.
preflight_err=$(bash "$HERE/preflight.sh" 2> /dev/null)
[ $? -eq 0 ] || echo "preflight: the runtime cannot run a plain container on this host: $preflight_err"
failed=0
results=()
for c in "${cases[@]}"; do
  start=$(date +%s)
  if [ -n "$preflight_err" ] && [ "${c#ctr-pull}" = "$c" ]; then
    printf '%-28s %4ss  %s\n' "$c" 0 "skip: runtime cannot run a plain container here ($preflight_err)"
    continue
  fi
  out=$(timeout -k 10 "${CASE_TIMEOUT:-240}" bash "$HERE/cases/$c.sh" 2> "/tmp/sec-$c.log")
  rc=$?
  verdict=$(echo "$out" | grep '^VERDICT ' | tail -1 | sed 's/^VERDICT //')
  if [ -z "$verdict" ]; then verdict="FAIL: no verdict (exit $rc; log /tmp/sec-$c.log)"; fi
  case "$verdict" in
    FAIL*) failed=$((failed + 1)); echo "--- log of $c:"; tail -30 "/tmp/sec-$c.log" ;;
    *) [ -n "${KEEP_LOGS:-}" ] || rm -f "/tmp/sec-$c.log" ;;
  esac
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ "${verdict#FAIL}" = "$verdict" ]; then
    verdict="FAIL: exit $rc after verdict: $verdict"; failed=$((failed + 1))
  fi
  printf '%-28s %4ss  %s\n' "$c" "$(($(date +%s) - start))" "$verdict"
  results+=("$c|$verdict")
done
echo
echo "$failed failed of ${#cases[@]}"
[ $failed -eq 0 ]
