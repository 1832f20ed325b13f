#!/bin/bash
# Can the runtime run a plain, benign container on this host at all? A runtime that cannot
# (e.g. crun on a hybrid cgroup host) would otherwise "refuse" every malicious bundle and look
# immune. Prints the error and exits 1 when it cannot.
. "$(dirname "$0")/lib.sh" || exit 2
new_bundle plain sh -c 'echo benign-ok'
run_fg plain "$BUNDLE"
if [ "$RUN_RC" -eq 0 ] && grep -q benign-ok "$WORK/plain.out"; then exit 0; fi
echo "$(err_of plain)"
exit 1
