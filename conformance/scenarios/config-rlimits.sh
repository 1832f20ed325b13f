#!/bin/bash
# config.md "process.rlimits": soft and hard limits are set.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'grep "Max open files" /proc/self/limits'
edit_config "$WORK/b" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 321, hard: 654}]'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
echo "$OUT" | grep -qE 'Max open files +321 +654' || fail "$OUT"
pass "NOFILE 321/654"
