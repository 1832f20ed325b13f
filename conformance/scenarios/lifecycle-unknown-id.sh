#!/bin/bash
# runc CLI contract: operations on an unknown id fail with "container does not exist".
. "$(dirname "$0")/../lib.sh"
for cmd in state start kill delete; do
  rt $cmd "nope-$$"
  [ "$RC" = 1 ] || fail "$cmd: exit $RC"
  echo "$ERR" | grep -q "container does not exist" || fail "$cmd: $ERR"
done
pass "state/start/kill/delete: exit 1, container does not exist"
