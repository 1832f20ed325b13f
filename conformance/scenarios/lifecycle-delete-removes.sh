#!/bin/bash
# runtime.md "delete": a stopped container is removed; its id is unknown afterwards.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" true
new_id; id=$ID
rt run --detach --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "run -d: $ERR"
wait_status "$id" stopped || fail "did not stop"
rt delete "$id"; [ "$RC" = 0 ] || fail "delete: $ERR"
rt state "$id"
[ "$RC" != 0 ] || fail "state still works after delete"
echo "$ERR" | grep -q "container does not exist" || fail "unexpected message: $ERR"
pass "deleted; state says: container does not exist"
