#!/bin/bash
# runtime.md "start": start on a container that is not "created" MUST generate an error.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sleep 1000
new_id; id=$ID
rt run --detach --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "run -d: $ERR"
rt start "$id"
[ "$RC" != 0 ] || fail "start of a running container succeeded"
pass "refused: $ERR"
