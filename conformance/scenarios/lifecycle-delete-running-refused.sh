#!/bin/bash
# runtime.md "delete": deleting a container that is not stopped MUST generate an error.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sleep 1000
new_id; id=$ID
rt run --detach --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "run -d: $ERR"
rt delete "$id"
[ "$RC" != 0 ] || fail "delete of a running container succeeded"
[ "$(state_field "$id" status)" = running ] || fail "container no longer running"
pass "refused: $ERR"
