#!/bin/bash
# config-linux.md "maskedPaths" (CVE-2025-31133 class): masking must not bind whatever the
# container put at /dev/null. Escape attempt: /dev (not a tmpfs here) holds "null" as a symlink
# to a host canary file; a masked file must read empty and the canary must stay unchanged.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'cat /etc/secret; echo pwned > /etc/secret 2> /dev/zero; echo end'
echo "HOST-CANARY" > "$WORK/canary"
echo "container-secret" > "$WORK/b/rootfs/etc/secret"
ln -s "$WORK/canary" "$WORK/b/rootfs/dev/null"
edit_config "$WORK/b" '.mounts |= map(select(.destination != "/dev"))
  | .linux.maskedPaths += ["/etc/secret"]'
run_bundle "$WORK/b"
[ "$(cat "$WORK/canary")" = "HOST-CANARY" ] || fail "host canary was written"
echo "$OUT" | grep -q HOST-CANARY && fail "the masked path shows the host canary"
[ "$RC" = 0 ] || refused "$(echo "$ERR" | tail -1)"
echo "$OUT" | grep -q container-secret && fail "masked path not masked: $OUT"
pass "masked path empty, canary untouched"
