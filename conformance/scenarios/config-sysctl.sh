#!/bin/bash
# config-linux.md "sysctl": applied in the container's namespaces, not on the host.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" cat /proc/sys/net/ipv4/ip_forward
host=$(cat /proc/sys/net/ipv4/ip_forward)
want=$((1 - host))
edit_config "$WORK/b" ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$want\"}"
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
[ "$OUT" = "$want" ] || fail "got $OUT"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ] || fail "host sysctl changed"
pass "ip_forward=$want in the container only"
