#!/bin/bash
# config-linux.md "Default Devices" and "/dev symbolic links".
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done;
  for l in fd stdin stdout stderr; do echo $l $(readlink /dev/$l); done'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
for want in "/dev/null character special file 1:3" "/dev/zero character special file 1:5" \
  "/dev/full character special file 1:7" "/dev/random character special file 1:8" \
  "/dev/urandom character special file 1:9" "/dev/tty character special file 5:0" \
  "fd /proc/self/fd" "stdin /proc/self/fd/0" "stdout /proc/self/fd/1" "stderr /proc/self/fd/2"; do
  echo "$OUT" | grep -qF "$want" || fail "missing: $want
$OUT"
done
pass "default devices and symlinks present"
