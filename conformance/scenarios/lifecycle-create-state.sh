#!/bin/bash
# runtime.md "create": after create the container is "created", its process exists and the
# user program has not run yet; `state` reports ociVersion, id, status, pid, bundle.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'touch /ran; sleep 1000'
new_id; id=$ID
rt create --bundle "$WORK/b" "$id"
[ "$RC" = 0 ] || fail "create: $ERR"
rt state "$id"
[ "$RC" = 0 ] || fail "state: $ERR"
for f in ociVersion id status pid bundle; do
  [ "$(echo "$OUT" | jq "has(\"$f\")")" = true ] || fail "state lacks $f: $OUT"
done
[ "$(echo "$OUT" | jq -r .status)" = created ] || fail "status: $OUT"
[ "$(echo "$OUT" | jq -r .bundle)" = "$WORK/b" ] || fail "bundle: $OUT"
pid=$(echo "$OUT" | jq -r .pid)
[ -d "/proc/$pid" ] || fail "pid $pid does not exist"
sleep 0.3
[ ! -e "$WORK/b/rootfs/ran" ] || fail "the program ran before start"
pass "created, pid $pid alive, program not started"
