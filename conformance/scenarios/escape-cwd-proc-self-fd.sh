#!/bin/bash
# config.md "process.cwd" (CVE-2024-21626 class): a cwd of /proc/self/fd/N must never leave the
# process in a host directory through a leaked fd. Tries N = 3..9; from the cwd the payload
# walks up towards a host canary file.
. "$(dirname "$0")/../lib.sh"
echo "HOST-CANARY-$$" > "$WORK/canary"
up=$(printf '../%.0s' $(seq 1 12))
for n in 3 4 5 6 7 8 9; do
  rm -rf "$WORK/b$n"
  make_bundle "$WORK/b$n" sh -c "cat ${up}${WORK#/}/canary 2>&1; echo end"
  edit_config "$WORK/b$n" ".process.cwd = \"/proc/self/fd/$n\""
  run_bundle "$WORK/b$n"
  echo "$OUT" | grep -q "HOST-CANARY-$$" && fail "fd $n: the host canary was read from the container"
  results+="fd$n:rc=$RC "
done
pass "no cwd reached the host ($results)"
