# CVE-2019-5736 (/proc/self/exe overwrite) scenario body, shared by the cases
# cve-2019-5736-*.sh, which set VICTIM_MODE before sourcing it:
#   init-exe  the victim container joins the watcher's pid namespace, so the runtime's own init
#             process for it is visible there while it sets up;
#   self-exe  ... and its entrypoint is /proc/self/exe, so the kernel would execute whatever the
#             init's exe is (the rootfs ships the loader and libraries the runtime needs);
#   exec      the runtime's `exec` joins the watcher container itself.
# The watcher is a privileged container (every capability this host allows, incl.
# CAP_SYS_PTRACE, as some deployments run) that keeps an O_PATH handle on every foreign exe in its
# pid namespace and reopens it for writing once the binary is no longer busy. Immune: the
# runtime's binary is never reachable from the container (init re-executed from a sealed memfd
# or a read-only copy), so the canary copy of the runtime stays intact.
snapshot_sentinel
RT_ID=$(stat -L -c '%d %i' "$RT")
DURATION=${GRAB_SECONDS:-20}

new_bundle watcher /grabber "$DURATION"
W=$BUNDLE
cp "$SEC_PAYLOADS/exe_grabber" "$W/rootfs/grabber"
cfg "$W" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}
          | .process.noNewPrivileges = false | .linux.maskedPaths = [] | .linux.readonlyPaths = []' \
    --argjson c "$ALL_CAPS"
create_start watcher "$W"
[ "$CREATE_RC" -eq 0 ] || fail "could not start the privileged watcher container: $(err_of watcher)"
for _ in $(seq 100); do grep -q "grabber ready" "$WORK/watcher.out" && break; sleep 0.1; done
grep -q "grabber ready" "$WORK/watcher.out" || fail "watcher did not start: $(cat "$WORK/watcher.out")"
WPID=$(container_pid watcher)
[ "$WPID" -gt 0 ] || fail "no pid for the watcher"

case "$VICTIM_MODE" in
  init-exe) new_bundle victim /bin/true ;;
  self-exe) new_bundle victim /proc/self/exe --version; copy_libs_for "$RT" "$BUNDLE/rootfs" ;;
  exec)
    if ! rt exec --help > /dev/null 2>&1; then skip "runtime has no exec command"; fi ;;
esac
V=${BUNDLE:-}
if [ "$VICTIM_MODE" != exec ]; then
  cfg "$V" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
      --arg p "/proc/$WPID/ns/pid"
fi

runs=0; failures=0; last_err=""
deadline=$(( $(date +%s) + DURATION - 6 ))
dev=${RT_ID% *}; ino=${RT_ID#* }
while [ "$(date +%s)" -lt "$deadline" ] && ! grep -q "^WROTE.*(dev $dev ino $ino)" "$WORK/watcher.out"; do
  if [ "$VICTIM_MODE" = exec ]; then
    rt exec watcher /bin/true > "$WORK/exec.out" 2> "$WORK/exec.err" < /dev/null
    rc=$?
    if [ $rc -ne 0 ] && grep -qi "not supported\|not implemented\|unknown command" "$WORK/exec.err"; then
      skip "runtime's exec is not implemented: $(tail -1 "$WORK/exec.err")"
    fi
    [ $rc -eq 0 ] || { failures=$((failures + 1)); last_err=$(tail -1 "$WORK/exec.err"); }
  else
    run_fg "victim-$runs" "$V"
    [ "$RUN_RC" -eq 0 ] || { failures=$((failures + 1)); last_err=$(err_of "victim-$runs"); }
  fi
  runs=$((runs + 1))
done
log "victim runs: $runs, non-zero exits: $failures (last: $last_err)"
# Let the watcher keep trying to write while no runtime process is running.
for _ in $(seq $((DURATION * 10 + 50))); do grep -q "grabber done" "$WORK/watcher.out" && break; sleep 0.1; done
cat "$WORK/watcher.out" >&2
grep -q "grabber done" "$WORK/watcher.out" || fail "watcher never finished"
# Writes to other exes (a victim's own busybox, made by this test) are not escapes.
if grep -q "^WROTE.*(dev $dev ino $ino)" "$WORK/watcher.out"; then
  fail "container overwrote the runtime binary through /proc/PID/exe after $runs victim runs: $(grep '^GRABBED' "$WORK/watcher.out" | head -1)"
fi
held=$(grep -c "(dev $dev ino $ino)" "$WORK/watcher.out")
# Holding a handle on the binary's inode is harmless when it is only reachable read-only (runc
# 1.1.12+ binds it read-only over itself): what matters is that no write ever succeeded.
safe "$runs victim runs ($VICTIM_MODE); no write reached the runtime binary ($held handles on its inode, all read-only)"
