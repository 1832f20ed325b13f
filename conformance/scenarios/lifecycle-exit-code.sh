#!/bin/bash
# runc CLI contract: a foreground run exits with the program's exit code.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'exit 42'
run_bundle "$WORK/b"
[ "$RC" = 42 ] || fail "exit code $RC ($ERR)"
pass "exit code 42"
