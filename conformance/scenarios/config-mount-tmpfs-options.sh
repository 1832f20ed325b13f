#!/bin/bash
# config.md "mounts": type, options (flags and fs data) are applied.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'grep " /mnt/t " /proc/self/mountinfo'
edit_config "$WORK/b" '.mounts += [{destination: "/mnt/t", type: "tmpfs", source: "tmpfs",
  options: ["nosuid", "nodev", "noexec", "ro", "size=1m", "mode=750"]}]'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
for o in ro nosuid nodev noexec size=1024k mode=750; do
  echo "$OUT" | grep -q "[ ,]$o[ ,]\|[ ,]$o\$" || fail "option $o missing: $OUT"
done
pass "$OUT"
