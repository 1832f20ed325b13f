#!/bin/bash
# Image layers are attacker input too: ctr-pull must never write outside the bundle's rootfs
# while unpacking. One `oci:DIR` image per escape class (absolute names, .. names, writing
# through a symlink to a host path (absolute and relative), hardlinks to host files, a hardlink
# through a symlinked directory), pulled with the ctr-pull binary. Unit-level coverage of the
# same classes: tests/unit/ctr_pull/unpack_test.cc (AbsolutePathIsRefusedNamingLayerAndEntry,
# DotDotIsRefused, SymlinkPointingOutCannotBeWrittenThrough, DanglingSymlinkToHostIsRefused,
# HardlinkPointingOutIsRefused, WhiteoutCannotEscape). Independent of RUNTIME.
. "$(dirname "$0")/../lib.sh" || exit 2
[ -x "${CTR_PULL:-}" ] || skip "ctr-pull binary not found (CTR_PULL=${CTR_PULL:-})"
mkdir -p "$SENT/dir"
echo "original-$TOKEN" > "$SENT/target"
snapshot_sentinel
up="../../../../../../../../../.."
declare -A images=(
  [absolute]="file:$SENT/dir/abs-pwned:PWNED"
  [dotdot]="file:$up$SENT/dir/dotdot-pwned:PWNED"
  [symlink-abs]="symlink:esc:$SENT/dir file:esc/sym-pwned:PWNED"
  [symlink-rel]="symlink:esc:$up$SENT/dir file:esc/sym-pwned:PWNED"
  [symlink-file]="symlink:t:$SENT/target file:t:PWNED"
  [hardlink-abs]="hardlink:hl:$SENT/target"
  [hardlink-rel]="hardlink:hl:$up$SENT/target"
  [hardlink-write]="hardlink:hl:$SENT/target file:hl:PWNED"
  [hardlink-via-symlink]="symlink:s:$SENT dir:d hardlink:d/hl:s/target"
  [whiteout]="file:$up$SENT/dir/.wh.x: file:.wh.$up$SENT/target:"
)
results=()
refusals=0
for name in "${!images[@]}"; do
  # shellcheck disable=SC2086
  /usr/bin/python3 "$SEC_DIR/make_oci_image.py" "$WORK/img-$name" ${images[$name]} || fail "could not build image $name"
  "$CTR_PULL" -q --cache "$WORK/cache" "oci:$WORK/img-$name" "$WORK/bundle-$name" > "$WORK/pull-$name.out" 2> "$WORK/pull-$name.err"
  rc=$?
  msg=$(grep -v '^\s*$' "$WORK/pull-$name.err" | tail -1)
  log "$name: rc=$rc $msg"
  grep -q PWNED "$SENT/target" && fail "$name: the layer wrote the host canary"
  [ -z "$(ls -A "$SENT/dir")" ] || fail "$name: the layer created $(ls -A "$SENT/dir") in a host directory"
  [ "$(stat -c %h "$SENT/target")" = 1 ] || fail "$name: the rootfs got a hardlink to a host file"
  if [ $rc -ne 0 ]; then
    refusals=$((refusals + 1)); results+=("$name refused"); example=$msg
  else
    # Accepted: everything must have landed inside the rootfs.
    results+=("$name unpacked inside the rootfs")
  fi
done
check_host_intact
safe "${refusals}/${#images[@]} refused ($(IFS=','; echo "${results[*]}")), e.g. \"$example\"; nothing written outside the rootfs"
