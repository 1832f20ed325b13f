#!/usr/bin/env bash
# The whole test suite, in stages, each with its own time limit and printed duration:
#   deps, format, build, unit, integration, security (CVE regressions), vm (cgroup v2 guest),
#   clients, fuzz, bench (smoke),
#   sanitize.
# Runs as root with no tty and no stdin (CI runs exactly this through .ci/run).
# HULL_STAGES="build unit" runs a subset. Ends with "N passed, M failed, K skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${HULL_BUILD_DIR:-$ROOT/build}
STAGES=${HULL_STAGES:-"deps format build unit integration security vm clients fuzz bench sanitize"}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
PASSED=0 FAILED=0 SKIPPED=0
FAILED_STAGES=()
T0=$(date +%s)

# Adds the counts of a stage from its log: ctest's summary, or a plain "N passed, M failed" line.
count() {
  local log=$1 p f s line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$line" ]; then
    local total
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    s=$(grep -cE '^\s+[0-9]+ - .*\(Skipped\)' "$log" || true)
    p=$((total - f - s))
  elif grep -qE '^\[  PASSED  \] [0-9]+ test' "$log"; then
    # Raw GoogleTest binaries (the VM stage): sum their summaries.
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    s=$(grep -E '^\[  SKIPPED \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
  else
    line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    [ -n "$line" ] || return 1
    p=$(sed -E 's/.*(^|: |[^0-9])([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
    s=${s:-0}
  fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
}

# stage NAME LIMIT_SECONDS COMMAND...
stage() {
  local name=$1 limit=$2; shift 2
  case " $STAGES " in *" $name "*) ;; *) return 0 ;; esac
  local log=$LOGDIR/$name.log start rc
  start=$(date +%s)
  echo "=== stage $name (limit ${limit}s)"
  # Shell functions run through bash -c so that `timeout` can own (and kill) them.
  if declare -F "$1" >/dev/null; then
    timeout --kill-after=30 "$limit" bash -c "$(declare -f "$1"); BUILD='$BUILD'; $*" </dev/null 2>&1 | tee "$log"
  else
    timeout --kill-after=30 "$limit" "$@" </dev/null 2>&1 | tee "$log"
  fi
  rc=${PIPESTATUS[0]}
  local took=$(( $(date +%s) - start ))
  if ! count "$log"; then
    if [ "$rc" = 0 ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  fi
  if [ "$rc" != 0 ]; then
    FAILED_STAGES+=("$name")
    [ "$rc" = 124 ] && echo "stage $name: TIMED OUT after ${limit}s"
    # a stage that failed without a failing test still counts as a failure
    if ! grep -qE '[1-9][0-9]* (tests )?failed' "$log"; then FAILED=$((FAILED + 1)); fi
  fi
  echo "=== stage $name: exit $rc in ${took}s"
}

ctest_label() {
  ctest --test-dir "$BUILD" -L "$1" -j"${HULL_TEST_JOBS:-2}" --timeout 300 --output-on-failure \
    --no-tests=error
}

format_check() {
  git ls-files '*.cc' '*.h' | grep -v '^tests/data/' | xargs clang-format --dry-run --Werror
  echo "format: all files formatted"
}

stage deps 900 bash scripts/install-deps.sh
stage format 120 format_check
stage build 1800 bash -c "cmake -S '$ROOT' -B '$BUILD' -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build '$BUILD' -j$(nproc)"
stage unit 900 ctest_label unit
stage integration 1500 ctest_label integration
[ -x conformance/security/run.sh ] && \
  stage security 900 env RUNTIME="$BUILD/bin/hull" conformance/security/run.sh
[ -x tests/vm/run-cgroup-v2-tests.sh ] && \
  stage vm 1500 tests/vm/run-cgroup-v2-tests.sh "$BUILD"
[ -x tests/clients/run.sh ] && stage clients 1200 tests/clients/run.sh --runtime "$BUILD/bin/hull"
[ -x tests/fuzz/run.sh ] && stage fuzz 400 tests/fuzz/run.sh 60
[ -x bench/run.sh ] && stage bench 300 env HULL_BUILD_DIR="$BUILD" bench/run.sh --smoke
[ -x tests/sanitize.sh ] && stage sanitize 2700 tests/sanitize.sh "$ROOT/build-asan"

# Test-owned cgroup parents left empty by the stages (runtimes, like runc, leave the parents they
# made): rmdir only removes empty directories, so nothing in use is touched.
for d in /sys/fs/cgroup/*/hull-test /sys/fs/cgroup/hull-test; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done

# CI keeps only the tail of the output: repeat why each failed stage failed, right before the
# summary (its failing tests / verdicts, then the end of its log).
for name in "${FAILED_STAGES[@]}"; do
  log=$LOGDIR/$name.log
  echo "=== recap of failed stage $name ($log)"
  grep -E '^\[  FAILED  \] [A-Za-z]|FAIL[: ]|^[0-9]+ - .*\(Failed|Timeout\)|SANITIZER FINDING|TIMED OUT' "$log" |
    sort -u | head -40
  echo "--- last lines:"
  tail -25 "$log"
done
echo "=== total $(( $(date +%s) - T0 ))s; failed stages: ${FAILED_STAGES[*]:-none}"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ ${#FAILED_STAGES[@]} -eq 0 ]
