#!/bin/bash
# config.md "root.readonly": the root filesystem is read-only in the container.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'touch /x 2>&1; echo rc=$?'
edit_config "$WORK/b" '.root.readonly = true'
run_bundle "$WORK/b"
echo "$OUT" | grep -q 'Read-only file system' || fail "$OUT"
[ ! -e "$WORK/b/rootfs/x" ] || fail "file created"
pass "write refused: Read-only file system"
