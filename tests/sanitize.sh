#!/usr/bin/env bash
# tests/sanitize.sh BUILD_DIR: builds hull, ctr-pull and every test binary with AddressSanitizer
# + UndefinedBehaviorSanitizer (-DHULL_SANITIZE=ON) into BUILD_DIR and runs the unit and host
# integration tests (ctest labels unit and integration; not the VM or client stages).
#
# Sanitizer reports from every process (the test binaries and each hull / ctr-pull they spawn,
# whose stderr the tests capture) go to BUILD_DIR/sanitizer-logs/ via log_path; a report fails
# the run even when the test that spawned the process tolerated its exit code, and each is
# summarized as "<kind> at <file:line in this repo>". Sanitizer exit codes are distinct from
# hull's (86 ASan/LSan, 87 UBSan) so a finding is never mistaken for an ordinary error exit.
set -uo pipefail
BUILD=${1:?usage: tests/sanitize.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${HULL_BUILD_JOBS:-2}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)

echo "== configure + build (ASan+UBSan) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DHULL_SANITIZE=ON -DHULL_FUZZ=OFF \
  -DHULL_TESTS=ON > "$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" -j"$JOBS" 2>&1 | grep -E "error|warning|Linking" || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed"; exit 1; }

LOGS=$BUILD/sanitizer-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
# detect_leaks: LeakSanitizer runs at every exit of every sanitized process.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:log_path=$LOGS/asan:strict_string_checks=1:detect_invalid_pointer_pairs=0:check_initialization_order=1"
export LSAN_OPTIONS="exitcode=86:log_path=$LOGS/lsan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$LOGS/ubsan"

echo "== unit + integration tests under ASan+UBSan"
ctest --test-dir "$BUILD" -L 'unit|integration' -j"${HULL_TEST_JOBS:-2}" --timeout 600 \
  --output-on-failure --no-tests=error
ctest_rc=$?

# One line per report: the kind and the first stack frame inside this repository.
findings=0
for f in "$LOGS"/*; do
  [ -f "$f" ] || continue
  grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$f" || continue
  findings=$((findings + 1))
  kind=$(grep -m1 -oE "ERROR: (AddressSanitizer|LeakSanitizer): [a-z-]+|[^ ]+:[0-9]+:[0-9]+: runtime error: .*" "$f")
  where=$(grep -m1 -oE "$ROOT/[^ ]+:[0-9]+" "$f" | grep -v "/tests/" | head -1)
  [ -n "$where" ] || where=$(grep -m1 -oE "$ROOT/[^ ]+:[0-9]+" "$f")
  echo "SANITIZER FINDING ($f): $kind at ${where#"$ROOT/"}"
done
echo "== sanitizer reports: $findings (logs in $LOGS)"
[ "$ctest_rc" -eq 0 ] && [ "$findings" -eq 0 ]
