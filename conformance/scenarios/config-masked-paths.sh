#!/bin/bash
# config-linux.md "maskedPaths": masked files read empty, masked directories list empty.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'cat /etc/secret; ls /etc/sdir; echo end'
echo TOKEN > "$WORK/b/rootfs/etc/secret"
mkdir "$WORK/b/rootfs/etc/sdir" && echo TOKEN > "$WORK/b/rootfs/etc/sdir/f"
edit_config "$WORK/b" '.linux.maskedPaths += ["/etc/secret", "/etc/sdir"]'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
[ "$OUT" = end ] || fail "masked content visible: $OUT"
pass "masked file and directory are empty"
