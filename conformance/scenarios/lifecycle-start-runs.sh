#!/bin/bash
# runtime.md "start": runs the user program; the status becomes "running".
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'touch /ran; sleep 1000'
new_id; id=$ID
rt create --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "create: $ERR"
rt start "$id"; [ "$RC" = 0 ] || fail "start: $ERR"
for i in $(seq 50); do [ -e "$WORK/b/rootfs/ran" ] && break; sleep 0.1; done
[ -e "$WORK/b/rootfs/ran" ] || fail "program did not run"
[ "$(state_field "$id" status)" = running ] || fail "status not running"
pass "program ran, status running"
