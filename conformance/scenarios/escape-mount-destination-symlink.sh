#!/bin/bash
# config.md "mounts.destination": relative to the container's root, symlinks resolved inside
# it. Escape attempt: a destination whose parent is a symlink to an absolute host path.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" true
mkdir -p "$WORK/hostdir"
ln -s "$WORK/hostdir" "$WORK/b/rootfs/evil"
edit_config "$WORK/b" '.mounts += [{destination: "/evil/sub", type: "tmpfs", source: "tmpfs"}]'
run_bundle "$WORK/b"
if grep -q " $WORK/hostdir" /proc/self/mountinfo; then
  fail "a mount landed on the host directory $WORK/hostdir"
fi
[ -z "$(ls -A "$WORK/hostdir")" ] || fail "host directory was written: $(ls -A "$WORK/hostdir")"
[ "$RC" = 0 ] || refused "$(echo "$ERR" | tail -1)"
[ -d "$WORK/b/rootfs$WORK/hostdir/sub" ] || log "note: target not created under the rootfs"
pass "mount stayed inside the rootfs; host untouched"
