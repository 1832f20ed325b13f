#!/bin/bash
# config-linux.md "readonlyPaths": the paths are read-only in the container.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c '(echo x > /etc/ro/f) 2>&1; cat /etc/ro/f'
mkdir "$WORK/b/rootfs/etc/ro" && echo orig > "$WORK/b/rootfs/etc/ro/f"
edit_config "$WORK/b" '.linux.readonlyPaths += ["/etc/ro"]'
run_bundle "$WORK/b"
echo "$OUT" | grep -q 'Read-only file system' || fail "$OUT"
[ "$(cat "$WORK/b/rootfs/etc/ro/f")" = orig ] || fail "file changed"
pass "write refused"
