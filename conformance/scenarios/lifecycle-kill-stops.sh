#!/bin/bash
# runtime.md "kill" + "state": after the process is killed the status is "stopped".
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sleep 1000
new_id; id=$ID
rt run --detach --bundle "$WORK/b" "$id"; [ "$RC" = 0 ] || fail "run -d: $ERR"
rt kill "$id" KILL; [ "$RC" = 0 ] || fail "kill: $ERR"
wait_status "$id" stopped || fail "not stopped after SIGKILL"
pass "stopped after kill"
