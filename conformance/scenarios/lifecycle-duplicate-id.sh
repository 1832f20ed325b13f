#!/bin/bash
# runtime.md "create": an id that is already in use MUST generate an error.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sleep 1000
new_id; id=$ID
rt create --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "create: $ERR"
rt create --bundle "$WORK/b" "$id"
[ "$RC" != 0 ] || fail "second create with the same id succeeded"
[ "$(state_field "$id" status)" = created ] || fail "first container disturbed"
pass "refused: $ERR"
