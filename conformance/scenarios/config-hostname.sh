#!/bin/bash
# config.md "hostname": set in the container's UTS namespace.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" hostname
edit_config "$WORK/b" '.hostname = "conf-host"'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
[ "$OUT" = conf-host ] || fail "hostname is '$OUT'"
[ "$(hostname)" != conf-host ] || fail "host hostname changed"
pass "hostname conf-host"
