#!/bin/bash
# run-cgroup-v2-tests.sh BUILD_DIR [TEST_BINARY...]
#
# Runs hull's cgroup tests inside a pure cgroup v2 guest (see run-in-cgroup2-vm.sh) and exits
# with their combined status (0 only if every binary passed).
# TEST_BINARY names are files in BUILD_DIR/bin; the default is the cgroup unit and integration
# tests (and the cgroup CLI ones when built), the AppArmor tests when built (integration_apparmor:
# the guest kernel has AppArmor enabled, most hosts do not, so this is where they really run),
# plus every other integration_* binary when HULL_VM_ALL_INTEGRATION=1 (the hull-level
# integration tests). GoogleTest XML reports go to
# BUILD_DIR/vm-test-results/.
# Extra GoogleTest flags can be passed with GTEST_FILTER etc. in the environment.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [TEST_BINARY...]" >&2; exit 2; }
build=$(realpath -e "$1") || { echo "no build dir $1" >&2; exit 2; }
shift
here=$(cd "$(dirname "$0")" && pwd)
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(unit_cgroups integration_cgroups)
  # The cgroup CLI tests (update/events/pause/ps through the hull binary) and the AppArmor tests
  # (process.apparmorProfile, exec --apparmor), when built.
  for n in unit_cgroups_cli integration_cgroups_cli integration_apparmor; do
    [ -x "$build/bin/$n" ] && tests+=("$n")
  done
  if [ "${HULL_VM_ALL_INTEGRATION:-0}" = 1 ]; then
    for b in "$build"/bin/integration_*; do
      n=$(basename "$b")
      case " ${tests[*]} " in *" $n "*) ;; *) tests+=("$n") ;; esac
    done
  fi
fi
for t in "${tests[@]}"; do
  [ -x "$build/bin/$t" ] || { echo "missing test binary $build/bin/$t (build it first)" >&2; exit 2; }
done
results=$build/vm-test-results
rm -rf "$results" && mkdir -p "$results"

# The guest script: every binary runs even if an earlier one failed; report all at the end.
script="set -u; rc=0; cd /tmp
echo \"guest: \$(uname -r), cgroup: \$(stat -fc %T /sys/fs/cgroup)\"
for t in ${tests[*]}; do
  echo \"=== \$t\"
  \"$build/bin/\$t\" --gtest_output=xml:$results/\$t.xml || { echo \"=== \$t FAILED\"; rc=1; }
done
exit \$rc"
# The guest sees the host's / read-only but has fresh tmpfs on /tmp, /var/tmp, /run and /dev/shm:
# share the checkout (which holds the build dir and the results) so a clone under /tmp works too.
src=$(cd "$here/../.." && pwd)
shares=(-d "$src")
case "$build/" in "$src"/*) ;; *) shares+=(-d "$build") ;; esac
"$here/run-in-cgroup2-vm.sh" -t "${HULL_VM_TIMEOUT:-3000}" "${shares[@]}" "$script"
rc=$?
echo "cgroup v2 guest tests: exit $rc (reports in $results)"
exit $rc
