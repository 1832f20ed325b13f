#!/bin/bash
# Builds the libFuzzer targets with clang into build-fuzz/ and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS]    total time budget, split evenly between targets (default 60)
# Exits non-zero if any target finds a crash, a sanitizer error or a round-trip mismatch; the
# reproducer is left in build-fuzz/artifacts/.
set -euo pipefail

TOTAL=${1:-60}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD="$SRC/build-fuzz"
TARGETS=()
for f in "$SRC"/tests/fuzz/*_fuzz.cc; do
  TARGETS+=("$(basename "$f" .cc)")
done

CC=clang CXX=clang++ cmake -S "$SRC" -B "$BUILD" -DHULL_FUZZ=ON -DHULL_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target "${TARGETS[@]}" -j2

PER=$(( TOTAL / ${#TARGETS[@]} ))
(( PER < 1 )) && PER=1
mkdir -p "$BUILD/artifacts"
# halt_on_error makes every UBSan report fatal, so libFuzzer records it as a crash.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

status=0
for t in "${TARGETS[@]}"; do
  # Work on a copy so new inputs do not pollute the checked-in seed corpus.
  work="$BUILD/corpus/$t"
  mkdir -p "$work"
  seeds="$SRC/tests/fuzz/corpus/$t"
  dict=()
  [[ -f "$SRC/tests/fuzz/$t.dict" ]] && dict=(-dict="$SRC/tests/fuzz/$t.dict")
  echo "== $t: ${PER}s"
  if ! "$BUILD/bin/$t" "${dict[@]}" -max_total_time="$PER" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" "$work" "$seeds" \
      >"$BUILD/$t.log" 2>&1; then
    echo "!! $t failed; log: $BUILD/$t.log"
    grep -E "ERROR|runtime error|round trip|re-parse|Test unit written" "$BUILD/$t.log" | head -20 || true
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$BUILD/$t.log" | tail -2 || true
  fi
done
exit $status
