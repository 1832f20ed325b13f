#!/bin/bash
# podman 4.3 + conmon driving $RUNTIME (podman --runtime PATH). podman gets private storage
# (vfs: no mounts to leak), config, events file, tmp dir and cgroup parent; the runtime gets a
# private --root through the logging wrapper (podman passes none).
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

P=podman
RTNAME=$(basename "$RUNTIME")
RTLOG="$WORK/runtime-calls.log"
RTROOT="$WORK/rtroot"
make_runtime_wrapper "$WORK/bin" "$RTNAME" "$RUNTIME" "$RTLOG" "$RTROOT"
RT="$WORK/bin/$RTNAME"
CGP="hullpod-$(rand_suffix)"  # cgroup parent: /$CGP/libpod-<id>, conmon in /$CGP/conmon
IMG=localhost/hull-test:latest
mkdir -p "$WORK"/{graph,run,tmp,cni}
register_cgroup "$CGP"

# podman's default nofile/nproc of 1048576 are above the hard limits conmon runs with here
# (raising them needs CAP_SYS_RESOURCE, which this host lacks): ask for less.
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "none"
log_driver = "k8s-file"
[network]
network_backend = "cni"
network_config_dir = "$WORK/cni"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "youki", "hull"]
tmp_dir = "$WORK/tmp"
static_dir = "$WORK/graph/libpod"
volume_path = "$WORK/graph/volumes"
EOF
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$WORK/run"
graphroot = "$WORK/graph"
EOF
printf 'unqualified-search-registries = []\n' >"$WORK/registries.conf"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf" TMPDIR="$WORK/tmp"

pm() {
  run_t "$CMD_TIMEOUT" podman --root "$WORK/graph" --runroot "$WORK/run" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --tmpdir "$WORK/tmp" --runtime "$RT" "$@"
}
pm_tty() {
  local cmd
  cmd=$(printf '%q ' podman --root "$WORK/graph" --runroot "$WORK/run" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --tmpdir "$WORK/tmp" --runtime "$RT" "$@")
  run_t "$CMD_TIMEOUT" script -qec "$cmd" /dev/null </dev/null
}
state() { pm inspect -f '{{.State.Status}}' "$1" 2>&1 </dev/null; }
ctr_cg() { echo "/sys/fs/cgroup/$1/$CGP/libpod-$(pm inspect -f '{{.Id}}' "$2" </dev/null 2>/dev/null)"; }
wait_state() {
  local id=$1 want=$2 i st
  for ((i = 0; i < 100; i++)); do
    st=$(state "$id")
    [ "$st" = "$want" ] && return 0
    sleep 0.1
  done
  echo "$st"
  return 1
}

cleanup() {
  set +e
  CMD_TIMEOUT=20
  pm rm -af -t 0 >/dev/null 2>&1 </dev/null
  kill_cgroup_tree "$CGP"
  # conmon processes are ours (found by our private storage path in their command line).
  for p in $(pids_with_arg "$WORK/graph"); do stop_pid "$p" 3; done
  umount_under "$WORK"
  remove_cgroup_tree "$CGP"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

if ! out=$(pm load -i "$IMAGE_TAR" 2>&1 </dev/null); then
  fail "$P/image-load" "$out"
  exit 1
fi
pass "$P/image-load"

# --- the runtime as podman sees it (runtime --version) -----------------------------------------
out=$(pm info --format '{{.Host.OCIRuntime.Version}}' 2>&1 </dev/null)
expect_match "$P/runtime-version" "^$RTNAME version " "$out"

# --- run --rm: output, exit code, nothing left --------------------------------------------------
out=$(pm run --rm --cgroup-parent "/$CGP" "$IMG" sh -c 'echo out-ok; exit 4' 2>&1 </dev/null)
rc=$?
left=$(pm ps -aq </dev/null | wc -l)
if [ $rc = 4 ] && [ "$out" = out-ok ] && [ "$left" = 0 ]; then pass "$P/run-rm"; else
  fail "$P/run-rm" "want rc=4 out=out-ok and no container left; got rc=$rc out=[$out] left=$left $(rt_tail 4)"
fi

# stdin is passed through conmon to the container.
out=$(echo piped-in | run_t "$CMD_TIMEOUT" podman --root "$WORK/graph" --runroot "$WORK/run" \
  --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --tmpdir "$WORK/tmp" \
  --runtime "$RT" run --rm -i --cgroup-parent "/$CGP" "$IMG" cat 2>&1)
expect_eq "$P/run-stdin" piped-in "$out" "$(rt_tail 3)"

out=$(pm_tty run --rm -t --cgroup-parent "/$CGP" "$IMG" sh -c 'tty; test -t 1 && echo is-a-tty' 2>&1 | tr -d '\r')
expect_match "$P/run-tty" '^/dev/pts/[0-9]+
is-a-tty' "$out" "$(rt_tail 3)"

st=""
# --- run -d, logs, exec, top, stats, update, pause/unpause, stop/start/restart, kill -------
# The init traps SIGTERM so that `podman stop` finishes without falling back to SIGKILL.
if pm run -d --name d1 --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.2; done' >/dev/null 2>&1 </dev/null &&
  st=$(wait_state d1 running); then
  pass "$P/run-detached"
  sleep 0.3
  expect_eq "$P/logs" started "$(pm logs d1 2>&1 </dev/null)"

  out=$(pm exec d1 sh -c 'echo exec-out; exit 3' 2>&1 </dev/null)
  rc=$?
  if [ $rc = 3 ] && [ "$out" = exec-out ]; then pass "$P/exec"; else
    fail "$P/exec" "want rc=3 out=exec-out, got rc=$rc out=[$out] $(rt_tail '\[exec\]')"
  fi
  out=$(echo exec-stdin | run_t "$CMD_TIMEOUT" podman --root "$WORK/graph" --runroot "$WORK/run" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --tmpdir "$WORK/tmp" \
    --runtime "$RT" exec -i d1 cat 2>&1)
  expect_eq "$P/exec-stdin" exec-stdin "$out" "$(rt_tail '\[exec\]')"
  out=$(pm exec --env XV=42 --workdir /tmp d1 sh -c 'echo "$XV $(pwd)"' 2>&1 </dev/null)
  expect_eq "$P/exec-env-workdir" "42 /tmp" "$out" "$(rt_tail '\[exec\]')"
  out=$(pm_tty exec -t d1 sh -c 'tty; test -t 0 && echo is-a-tty' 2>&1 | tr -d '\r')
  expect_match "$P/exec-tty" '^/dev/pts/[0-9]+
is-a-tty' "$out" "$(rt_tail '\[exec\]')"
  out=$(pm exec -d d1 sleep 555 2>&1 </dev/null)
  rc=$?
  sleep 0.3
  out2=$(pm top d1 2>&1 </dev/null)
  if [ $rc = 0 ] && printf '%s' "$out2" | grep -q 'sleep 555'; then pass "$P/exec-detached"; else
    fail "$P/exec-detached" "rc=$rc out=[$out] top=[$out2] $(rt_tail '\[exec\]')"
  fi
  expect_match "$P/top" 'trap' "$(pm top d1 pid args 2>&1 </dev/null)"

  out=$(pm stats --no-stream --format '{{.MemUsage}}' d1 2>&1 </dev/null)
  expect_match "$P/stats" '^[0-9.]+[kMG]?B / ' "$out"

  out=$(pm update --memory 64m --cpus 0.5 d1 2>&1 </dev/null)
  rc=$?
  mem=$(cat "$(ctr_cg memory d1)/memory.limit_in_bytes" 2>/dev/null)
  quota=$(cat "$(ctr_cg cpu d1)/cpu.cfs_quota_us" 2>/dev/null)
  if [ $rc = 0 ] && [ "$mem" = 67108864 ] && [ "$quota" = 50000 ]; then pass "$P/update"; else
    fail "$P/update" "rc=$rc out=[$out] memory.limit_in_bytes=$mem (want 67108864) cfs_quota_us=$quota (want 50000) $(rt_tail '\[update\]')"
  fi

  # A second container joining d1's PID and IPC namespaces by path (/proc/<pid>/ns/...).
  out=$(pm run --rm --pid container:d1 --ipc container:d1 --cgroup-parent "/$CGP" "$IMG" \
    sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; readlink /proc/self/ns/ipc' 2>&1 </dev/null)
  d1pid=$(pm inspect -f '{{.State.Pid}}' d1 </dev/null 2>&1)
  expect_eq "$P/join-pid-ipc-namespaces" "sh -c trap \"exit 0\" TERM; echo started; while :; do sleep 0.2; done 
$(readlink "/proc/$d1pid/ns/ipc")" "$out" "$(rt_tail '\[create\]')"

  # Signals by number (podman passes `kill ID 10`); the init traps USR1.
  pm exec d1 sh -c 'true' >/dev/null 2>&1 </dev/null
  out=$(pm kill -s USR1 d1 2>&1 </dev/null)
  sleep 0.5
  st=$(state d1)
  # The init has no USR1 trap: as PID 1 of its namespace it ignores the signal and keeps running.
  if [ "$st" = running ] && grep -q '\[kill\].*\[10\]' "$RTLOG"; then pass "$P/kill-usr1-ignored-by-init"; else
    fail "$P/kill-usr1-ignored-by-init" "out=[$out] status=$st $(rt_tail '\[kill\]')"
  fi

  out=$(pm pause d1 2>&1 </dev/null)
  fz=$(cat "$(ctr_cg freezer d1)/freezer.state" 2>/dev/null)
  st=$(state d1)
  if [ "$st" = paused ] && [ "$fz" = FROZEN ]; then pass "$P/pause"; else
    fail "$P/pause" "out=[$out] status=$st freezer=$fz $(rt_tail 2)"
  fi
  out=$(pm unpause d1 2>&1 </dev/null)
  if st=$(wait_state d1 running); then pass "$P/unpause"; else fail "$P/unpause" "out=[$out] status=$st $(rt_tail 2)"; fi

  t0=$(date +%s)
  out=$(pm stop -t 10 d1 2>&1 </dev/null)
  dt=$(($(date +%s) - t0))
  st=$(state d1)
  code=$(pm inspect -f '{{.State.ExitCode}}' d1 </dev/null 2>&1)
  # A SIGKILL fallback would take the full 10 s and give 137.
  if [ "$st" = exited ] && [ "$code" = 0 ] && [ $dt -lt 8 ]; then pass "$P/stop"; else
    fail "$P/stop" "out=[$out] status=$st exit=$code (want exited/0) after ${dt}s $(rt_tail 3)"
  fi

  out=$(pm start d1 2>&1 </dev/null)
  if st=$(wait_state d1 running) && sleep 0.3 && [ "$(pm logs d1 </dev/null 2>&1 | grep -c started)" = 2 ]; then
    pass "$P/start"
  else
    fail "$P/start" "out=[$out] status=$st logs=[$(pm logs d1 </dev/null 2>&1)] $(rt_tail 3)"
  fi

  pid1=$(pm inspect -f '{{.State.Pid}}' d1 </dev/null 2>&1)
  out=$(pm restart -t 10 d1 2>&1 </dev/null)
  pid2=$(pm inspect -f '{{.State.Pid}}' d1 </dev/null 2>&1)
  if st=$(wait_state d1 running) && [ "$pid1" != "$pid2" ]; then pass "$P/restart"; else
    fail "$P/restart" "out=[$out] status=$st pid before=$pid1 after=$pid2 $(rt_tail 3)"
  fi

  out=$(pm kill -s KILL d1 2>&1 </dev/null)
  st=$(wait_state d1 exited)
  code=$(pm inspect -f '{{.State.ExitCode}}' d1 </dev/null 2>&1)
  if [ -z "$st" ] && [ "$code" = 137 ]; then pass "$P/kill"; else
    fail "$P/kill" "out=[$out] status=$st exit=$code (want exited/137) $(rt_tail '\[kill\]')"
  fi

  id=$(pm inspect -f '{{.Id}}' d1 </dev/null 2>/dev/null)
  out=$(pm rm d1 2>&1 </dev/null)
  rc=$?
  if [ $rc = 0 ] && [ -z "$(pm ps -aq --filter name=d1 </dev/null)" ] && [ ! -e "$RTROOT/$id" ] &&
    [ ! -d "/sys/fs/cgroup/memory/$CGP/libpod-$id" ]; then pass "$P/rm"; else
    fail "$P/rm" "rc=$rc out=[$out] state left=$(ls "$RTROOT" 2>&1) $(rt_tail 3)"
  fi
else
  fail "$P/run-detached" "status=[$st] $(rt_tail 4)"
fi

# --- wait: exit code of a container that exits by itself ----------------------------------------
if pm run -d --name w1 --cgroup-parent "/$CGP" "$IMG" sh -c 'sleep 1; exit 9' >/dev/null 2>&1 </dev/null; then
  out=$(pm wait w1 2>&1 </dev/null)
  expect_eq "$P/wait" 9 "$out" "$(rt_tail 3)"
  pm rm w1 >/dev/null 2>&1 </dev/null
else
  fail "$P/wait" "run -d w1 failed $(rt_tail 3)"
fi

# --- stop falls back to SIGKILL when the init ignores SIGTERM ---------------------------------
if pm run -d --name k1 --cgroup-parent "/$CGP" "$IMG" sleep 1000 >/dev/null 2>&1 </dev/null; then
  t0=$(date +%s)
  out=$(pm stop -t 1 k1 2>&1 </dev/null)
  dt=$(($(date +%s) - t0))
  code=$(pm inspect -f '{{.State.ExitCode}}' k1 </dev/null 2>&1)
  if [ "$(state k1)" = exited ] && [ "$code" = 137 ] && [ $dt -lt 15 ]; then pass "$P/stop-sigkill-fallback"; else
    fail "$P/stop-sigkill-fallback" "out=[$out] status=$(state k1) exit=$code (want exited/137) after ${dt}s $(rt_tail '\[kill\]')"
  fi
  pm rm -f k1 >/dev/null 2>&1 </dev/null
else
  fail "$P/stop-sigkill-fallback" "run -d k1 failed $(rt_tail 3)"
fi

# --- rm -f of a running container -------------------------------------------------------------
if pm run -d --name f1 --cgroup-parent "/$CGP" "$IMG" sleep 1000 >/dev/null 2>&1 </dev/null; then
  fpid=$(pm inspect -f '{{.State.Pid}}' f1 2>/dev/null </dev/null)
  out=$(pm rm -f -t 0 f1 2>&1 </dev/null)
  rc=$?
  left=$(pm ps -aq </dev/null)
  alive=$(pid_alive "$fpid" && echo yes || echo no)
  if [ $rc = 0 ] && [ -z "$left" ] && [ -n "$fpid" ] && [ "$alive" = no ]; then
    pass "$P/rm-force"
  else
    fail "$P/rm-force" "rc=$rc out=[$out] containers left=[$left] init pid $fpid still alive=$alive $(rt_tail 3)"
  fi
else
  fail "$P/rm-force" "run -d f1 failed $(rt_tail 3)"
fi

# --- what podman's generated config asks of the runtime ----------------------------------------
# podman applies its default seccomp profile and capability set to every container.
out=$(pm run --rm --cgroup-parent "/$CGP" "$IMG" sh -c 'grep ^Seccomp: /proc/self/status | cut -f2' 2>&1)
expect_eq "$P/seccomp-default" 2 "$out" "$(rt_tail 2)"
out=$(pm run --rm --user 65534:65534 --cgroup-parent "/$CGP" "$IMG" id 2>&1)
expect_eq "$P/user" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" "$out" "$(rt_tail 2)"
out=$(pm run --rm --read-only --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'touch /x 2>/dev/null; echo "root=$?"; touch /tmp/x && echo tmp-ok' 2>&1)
expect_eq "$P/read-only-with-tmpfs" "root=1
tmp-ok" "$out" "$(rt_tail 2)"
mkdir -p "$WORK/vol"
out=$(pm run --rm -v "$WORK/vol:/vol" --cgroup-parent "/$CGP" "$IMG" sh -c 'echo v > /vol/f && echo done' 2>&1)
if [ "$out" = done ] && [ "$(cat "$WORK/vol/f" 2>/dev/null)" = v ]; then pass "$P/volume"; else
  fail "$P/volume" "out=[$out] host file=[$(cat "$WORK/vol/f" 2>&1)] $(rt_tail 2)"
fi
out=$(pm run --rm --cap-drop all --security-opt no-new-privileges --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status | tr -d "\t"' 2>&1)
expect_eq "$P/cap-drop-all-nnp" "CapEff:0000000000000000
NoNewPrivs:1" "$out" "$(rt_tail 2)"
out=$(pm run --rm --hostname hull-host --sysctl net.ipv4.ping_group_range="0 0" --cgroup-parent "/$CGP" \
  "$IMG" sh -c 'hostname; tr -s "\t" " " < /proc/sys/net/ipv4/ping_group_range' 2>&1)
expect_eq "$P/hostname-sysctl" "hull-host
0 0" "$out" "$(rt_tail 2)"
# Extra fds handed through conmon (create --preserve-fds 1: fd 3 in the container).
out=$(pm run --rm --preserve-fds 1 --cgroup-parent "/$CGP" "$IMG" sh -c 'echo via-fd3 >&3 && echo ok' \
  3>"$WORK/fd3.out" 2>&1)
expect_eq "$P/preserve-fds" "ok via-fd3" "$out $(cat "$WORK/fd3.out" 2>&1)" "$(rt_tail '\[create\]')"
# podman writes linux.devices[].fileMode with the file-type bits (020666 for a char device).
out=$(pm run --rm --device /dev/zero:/dev/myzero --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'head -c 3 /dev/myzero | od -An -tx1 | tr -d " "; stat -c "%A %t,%T" /dev/myzero' 2>&1)
expect_eq "$P/device" "000000
crw-rw-rw- 1,5" "$out" "$(rt_tail 2)"
out=$(pm run --rm --tmpfs /scratch:size=1m --ulimit nofile=100:100 --ulimit nproc=4096:4096 \
  --oom-score-adj 500 --cgroup-parent "/$CGP" "$IMG" sh -c \
  'grep " /scratch " /proc/mounts | grep -o "size=[0-9]*k"; ulimit -n; cat /proc/self/oom_score_adj' 2>&1)
expect_eq "$P/tmpfs-ulimit-oomscore" "size=1024k
100
500" "$out" "$(rt_tail 2)"
out=$(pm run --rm --cgroupns private --cgroup-parent "/$CGP" "$IMG" sh -c 'grep -c ":/$" /proc/self/cgroup' 2>&1)
host_lines=$(wc -l </proc/self/cgroup)
expect_eq "$P/cgroupns-private" "$host_lines" "$out" "(every line of /proc/self/cgroup should read /) $(rt_tail 2)"
out=$(pm run --rm --cpuset-cpus 0 --cpu-shares 512 --name cs --cgroup-parent "/$CGP" "$IMG" \
  cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpu/cpu.shares 2>&1)
expect_eq "$P/cpuset-shares" "0
512" "$out" "(read inside the container's cgroup mount) $(rt_tail 2)"
# A user namespace from podman's --uidmap/--gidmap (podman chowns the vfs copy of the image).
out=$(pm run --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'tr -s " " < /proc/self/uid_map; id -u; touch /ok && echo writable' 2>&1)
expect_eq "$P/user-namespace" " 0 200000 65536
0
writable" "$out" "$(rt_tail 2)"
out=$(pm run --rm --security-opt unmask=ALL --security-opt seccomp=unconfined --cgroup-parent "/$CGP" \
  "$IMG" sh -c 'grep -c " /proc/kcore " /proc/self/mountinfo; grep ^Seccomp: /proc/self/status | cut -f2' 2>&1)
expect_eq "$P/unmask-all-unconfined" "0
0" "$out" "(no mount over /proc/kcore, no seccomp) $(rt_tail 2)"
# The source is made a shared mount of its own (removed with everything under $WORK), so that an
# rslave bind of it has a master; podman turns bind-propagation=rslave into
# linux.rootfsPropagation "rslave" as well.
mkdir -p "$WORK/prop"
mount --bind "$WORK/prop" "$WORK/prop" && mount --make-shared "$WORK/prop"
out=$(pm run --rm --mount "type=bind,src=$WORK/prop,dst=/prop,bind-propagation=rslave" \
  --cgroup-parent "/$CGP" "$IMG" sh -c 'grep " /prop " /proc/self/mountinfo | grep -o "master:[0-9]*" | head -n1' 2>&1)
expect_match "$P/bind-propagation-rslave" '^master:[0-9]+$' "$out" "$(rt_tail 2)"
if pm run -d --name lim --pids-limit 32 --memory 48m --cgroup-parent "/$CGP" "$IMG" sleep 1000 \
  >/dev/null 2>&1; then
  pids=$(cat "$(ctr_cg pids lim)/pids.max" 2>&1)
  mem=$(cat "$(ctr_cg memory lim)/memory.limit_in_bytes" 2>&1)
  expect_eq "$P/pids-memory-limits" "32 50331648" "$pids $mem"
  out=$(pm exec --user nobody lim id -u 2>&1)
  expect_eq "$P/exec-user" 65534 "$out" "$(rt_tail '\[exec\]')"
  pm rm -f -t 0 lim >/dev/null 2>&1
else
  fail "$P/pids-memory-limits" "run -d failed $(rt_tail 3)"
fi
out=$(pm run --memory 16m --memory-swap 16m --name oom --cgroup-parent "/$CGP" "$IMG" \
  sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived' 2>&1)
rc=$?
# (State.OOMKilled comes from conmon's own cgroup v1 watch, which stays false on this hybrid host
# with runc too, so only the exit code is checked.)
if [ $rc = 137 ] && ! printf '%s' "$out" | grep -q survived; then pass "$P/oom-killed"; else
  fail "$P/oom-killed" "rc=$rc (want 137) out=[$out] $(rt_tail 2)"
fi
pm rm -f oom >/dev/null 2>&1

# --- a failing container: the runtime's error reaches the user ------------------------------
out=$(pm run --rm --cgroup-parent "/$CGP" "$IMG" /no/such/binary 2>&1 </dev/null)
rc=$?
if [ $rc != 0 ] && printf '%s' "$out" | grep -q '/no/such/binary' &&
  printf '%s' "$out" | grep -qi 'no such file or directory'; then
  pass "$P/error-reaches-user"
else
  fail "$P/error-reaches-user" "rc=$rc; podman said [$out]; want the path and 'no such file or directory' $(rt_tail 3)"
fi
left=$(ls "$RTROOT" 2>/dev/null | wc -l)
expect_eq "$P/no-state-left" 0 "$left" "(runtime root $RTROOT: $(ls "$RTROOT" 2>/dev/null | tr '\n' ' '))"
exit 0
