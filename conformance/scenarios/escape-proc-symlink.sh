#!/bin/bash
# config.md "mounts" + runtime.md: mounts land inside the rootfs. Escape attempt: the rootfs's
# /proc is a symlink to a host directory (CVE-2019-19921 class). The runtime must refuse, or
# mount proc inside the rootfs; the host directory must stay untouched.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'cat /proc/self/stat > /dev/null && echo proc-ok'
mkdir -p "$WORK/hostdir"
rmdir "$WORK/b/rootfs/proc"
ln -s "$WORK/hostdir" "$WORK/b/rootfs/proc"
run_bundle "$WORK/b"
if grep -q " $WORK/hostdir" /proc/self/mountinfo; then
  fail "a mount landed on the host directory $WORK/hostdir"
fi
[ -z "$(ls -A "$WORK/hostdir")" ] || fail "host directory was written: $(ls -A "$WORK/hostdir")"
[ "$RC" = 0 ] || refused "$(echo "$ERR" | tail -1)"
pass "ran with proc inside the rootfs ($OUT); host untouched"
