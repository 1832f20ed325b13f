#!/bin/bash
# config.md "process": args, env and cwd are honoured.
. "$(dirname "$0")/../lib.sh"
make_bundle "$WORK/b" sh -c 'echo "$0|$1|$FOO|$(pwd)"' 'arg one'
mkdir -p "$WORK/b/rootfs/srv"
edit_config "$WORK/b" '.process.env += ["FOO=b a r"] | .process.cwd = "/srv"'
run_bundle "$WORK/b"
[ "$RC" = 0 ] || fail "run: $ERR"
[ "$OUT" = "arg one||b a r|/srv" ] || fail "got '$OUT'"
pass "$OUT"
