#!/bin/bash
# config-linux.md "namespaces": each listed namespace is new (differs from the runtime's).
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'for n in pid net ipc uts mnt; do echo $n $(readlink /proc/self/ns/$n); done'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
for n in pid net ipc uts mnt; do
  host=$(readlink /proc/self/ns/$n)
  echo "$OUT" | grep -q "^$n $host\$" && fail "$n namespace is the host's"
done
pass "pid net ipc uts mnt all new"
