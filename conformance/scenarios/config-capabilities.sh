#!/bin/bash
# config.md "process.capabilities": the sets are as listed; nothing is inheritable unless
# listed (CVE-2022-29162).
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'grep ^Cap /proc/self/status'
edit_config "$WORK/b" '.process.capabilities = {bounding: ["CAP_CHOWN","CAP_NET_RAW"],
  effective: ["CAP_NET_RAW"], permitted: ["CAP_NET_RAW"]}'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
echo "$OUT" | grep -qP '^CapBnd:\t0000000000002001$' || fail "bounding: $OUT"
echo "$OUT" | grep -qP '^CapEff:\t0000000000002000$' || fail "effective: $OUT"
echo "$OUT" | grep -qP '^CapInh:\t0000000000000000$' || fail "inheritable: $OUT"
pass "bounding/effective as listed, inheritable empty"
