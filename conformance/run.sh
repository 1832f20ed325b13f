#!/bin/bash
# Black-box conformance scenarios, one spec requirement each, runnable against any runtime:
#   RUNTIME=/usr/sbin/runc conformance/run.sh [SCENARIO...]
# RUNTIME defaults to hull from the default build dir. Needs root, busybox, jq and python3. Containers
# get absolute cgroupsPaths under /hull-test/ and are force-deleted afterwards.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNTIME=${RUNTIME:-$REPO/build/bin/hull}
RUNTIME=$(command -v "$RUNTIME" || true)
[ -n "$RUNTIME" ] && RUNTIME=$(realpath "$RUNTIME")
[ -x "$RUNTIME" ] || { echo "RUNTIME is not an executable: ${RUNTIME}" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
for tool in jq busybox timeout python3; do
  command -v $tool > /dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
export RUNTIME

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  for f in "$HERE"/scenarios/*.sh; do scenarios+=("$(basename "$f" .sh)"); done
fi
echo "runtime: $RUNTIME ($("$RUNTIME" --version 2> /dev/null | head -1))"
failed=0 passed=0 skipped=0
for s in "${scenarios[@]}"; do
  out=$(bash "$HERE/scenarios/$s.sh" 2>&1)
  rc=$?
  verdict=$(echo "$out" | tail -1)
  case $rc in
    0) passed=$((passed + 1)) ;;
    77) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)); echo "$out" | head -n -1 | sed 's/^/    /' ;;
  esac
  printf '%-40s %s\n' "$s" "$verdict"
done
echo "passed $passed, failed $failed, skipped $skipped"
[ "$failed" = 0 ]
