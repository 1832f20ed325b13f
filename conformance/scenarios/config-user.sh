#!/bin/bash
# config.md "user": uid, gid and additionalGids of the process.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'grep -E "^(Uid|Gid|Groups)" /proc/self/status'
edit_config "$WORK/b" '.process.user = {uid: 1000, gid: 1000, additionalGids: [1234]}'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
echo "$OUT" | grep -qP '^Uid:\t1000\t1000\t1000\t1000$' || fail "$OUT"
echo "$OUT" | grep -qP '^Gid:\t1000\t1000\t1000\t1000$' || fail "$OUT"
echo "$OUT" | grep -q '1234' || fail "additional gid missing: $OUT"
pass "uid/gid 1000, groups include 1234"
