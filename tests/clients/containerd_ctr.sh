#!/bin/bash
# containerd 1.6 + ctr driving $RUNTIME through containerd-shim-runc-v2 (ctr run --runc-binary).
# Each check appends PASS/FAIL/SKIP to $RESULTS (see lib.sh). The runtime is wrapped by a
# script that logs every call, so a failure report can quote the exact runtime invocation.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
source "$HERE/containerd_lib.sh"

P=ctr  # check-name prefix
NS="hullctr-$(rand_suffix)"  # containerd namespace; ctr's default cgroup parent is /$NS
RTNAME=$(basename "$RUNTIME")
RTLOG="$WORK/runtime-calls.log"
make_runtime_wrapper "$WORK/bin" "$RTNAME" "$RUNTIME" "$RTLOG"
RT="$WORK/bin/$RTNAME"
RTROOT="$WORK/rtroot"
register_cgroup "$NS"

cleanup() {
  set +e
  CMD_TIMEOUT=10
  if [ -n "${CD_SOCK:-}" ] && [ -S "$CD_SOCK" ]; then
    # Best effort: remove whatever a failed check left behind, through containerd itself.
    for c in $(c_ctr task ls -q 2>/dev/null); do
      c_ctr task kill -s KILL "$c" >/dev/null 2>&1
      sleep 0.2
      c_ctr task delete -f "$c" >/dev/null 2>&1
    done
    for c in $(c_ctr container ls -q 2>/dev/null); do c_ctr container delete "$c" >/dev/null 2>&1; done
  fi
  # The shim's cleanup of a task whose shim is gone (the failed create) uses the default runc
  # root, /run/containerd/runc/<namespace>: remove the (empty) directory it leaves.
  rmdir "/run/containerd/runc/$NS" 2>/dev/null
  kill_cgroup_tree "$NS"
  stop_containerd
  umount_under "$WORK"
  remove_cgroup_tree "$NS"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

c_ctr() { run_t "$CMD_TIMEOUT" ctr --address "$CD_SOCK" -n "$NS" "$@" </dev/null; }
# ctr run with our runtime; the runtime root is private to this scenario.
# ctr's I/O fifos go under $WORK (its default, /run/containerd/fifo, keeps those of detached
# execs forever).
FIFO="$WORK/fifo"
c_run() { c_ctr run --fifo-dir "$FIFO" --runc-binary "$RT" --runc-root "$RTROOT" "$@"; }
# With a pseudo-terminal for ctr itself (ctr -t needs its stdin to be a terminal).
c_tty() {
  local cmd
  cmd=$(printf '%q ' ctr --address "$CD_SOCK" -n "$NS" "$@")
  run_t "$CMD_TIMEOUT" script -qec "$cmd" /dev/null </dev/null
}
IMG=localhost/hull-test:latest


# Wait until `ctr task ls` shows STATUS for ID (up to 10 s).
wait_status() {
  local id=$1 want=$2 i st
  for ((i = 0; i < 100; i++)); do
    st=$(c_ctr task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')
    [ "$st" = "$want" ] && return 0
    sleep 0.1
  done
  echo "$st"
  return 1
}

if ! start_containerd "$WORK/containerd" 0; then
  fail "$P/daemon" "containerd did not start: $(tail -n 3 "$WORK/containerd/containerd.log" | tr '\n' ' ')"
  exit 1
fi
if ! out=$(c_ctr image import "$IMAGE_TAR" 2>&1); then
  fail "$P/image-import" "$out"
  exit 1
fi
pass "$P/image-import"

# --- run: exit code and output ---------------------------------------------------------------
out=$(c_run --rm "$IMG" exit1 sh -c 'echo out-ok; exit 3' 2>&1)
rc=$?
if [ "$rc" = 3 ] && [ "$out" = out-ok ]; then pass "$P/run-exit-code"; else
  fail "$P/run-exit-code" "want rc=3 out=out-ok, got rc=$rc out=[$out] $(rt_tail 4)"
fi

# --- env and cwd ----------------------------------------------------------------------------
out=$(c_run --rm --env FOO=bar-baz --cwd /tmp "$IMG" env1 sh -c 'echo "$FOO"; pwd' 2>&1)
expect_eq "$P/env-cwd" "bar-baz
/tmp" "$out" "(rc=$?)"

# --- read-only rootfs -------------------------------------------------------------------------
out=$(c_run --rm --read-only "$IMG" ro1 sh -c 'touch /rofile 2>&1; echo "rc=$?"' 2>&1)
expect_match "$P/read-only-rootfs" 'Read-only file system.*rc=1|rc=1' "$out"
if printf '%s' "$out" | grep -q 'rc=0'; then fail "$P/read-only-rootfs-enforced" "wrote to the rootfs: $out"; fi

# --- bind mounts: rw and ro -----------------------------------------------------------------
mkdir -p "$WORK/bind-rw" "$WORK/bind-ro"
echo from-host >"$WORK/bind-ro/hostfile"
out=$(c_run --rm --mount "type=bind,src=$WORK/bind-rw,dst=/data,options=rbind:rw" \
  --mount "type=bind,src=$WORK/bind-ro,dst=/ro,options=rbind:ro" "$IMG" bind1 \
  sh -c 'echo from-ctr > /data/f && cat /ro/hostfile && (echo x > /ro/y) 2>/dev/null; echo "ro-rc=$?"' 2>&1)
if [ "$(cat "$WORK/bind-rw/f" 2>/dev/null)" = from-ctr ] && [ "$out" = "from-host
ro-rc=1" ]; then pass "$P/bind-mount"; else
  fail "$P/bind-mount" "host file=[$(cat "$WORK/bind-rw/f" 2>&1)] out=[$out] (want from-host, ro-rc=1) $(rt_tail 4)"
fi

# --- memory and cpu limits (checked on the host side, and seen from inside) ------------------
# The init traps SIGTERM (a pid-namespace init ignores signals it has no handler for).
c_run -d --memory-limit 33554432 --cpus 0.5 "$IMG" lim1 sh -c 'trap "exit 7" TERM; sleep 1000 & wait' \
  >/dev/null 2>&1
rc=$?
if [ $rc = 0 ]; then
  mem=$(cat "/sys/fs/cgroup/memory/$NS/lim1/memory.limit_in_bytes" 2>/dev/null ||
    cat "/sys/fs/cgroup/unified/$NS/lim1/memory.max" 2>/dev/null)
  expect_eq "$P/memory-limit" 33554432 "$mem" "(host cgroup /$NS/lim1)"
  quota=$(cat "/sys/fs/cgroup/cpu,cpuacct/$NS/lim1/cpu.cfs_quota_us" 2>/dev/null ||
    cat "/sys/fs/cgroup/cpu/$NS/lim1/cpu.cfs_quota_us" 2>/dev/null)
  period=$(cat "/sys/fs/cgroup/cpu,cpuacct/$NS/lim1/cpu.cfs_period_us" 2>/dev/null ||
    cat "/sys/fs/cgroup/cpu/$NS/lim1/cpu.cfs_period_us" 2>/dev/null)
  expect_eq "$P/cpu-limit" "50000/100000" "$quota/$period" "(host cgroup /$NS/lim1)"
  # The task pid really is in that cgroup.
  pid=$(c_ctr task ls | awk '$1 == "lim1" { print $2 }')
  cg=$(grep -E ':memory:' "/proc/$pid/cgroup" 2>/dev/null | cut -d: -f3)
  expect_eq "$P/task-in-cgroup" "/$NS/lim1" "$cg" "(pid $pid)"

  # --- task ps / metrics -------------------------------------------------------------------
  out=$(c_ctr task ps lim1 2>&1)
  expect_match "$P/task-ps" "^PID.*
$pid " "$out"
  out=$(c_ctr task metrics lim1 2>&1)
  expect_match "$P/task-metrics" 'memory\.(usage_in_bytes|usage)' "$out"

  # --- exec: detached, with output, with tty ------------------------------------------------
  out=$(c_ctr task exec --fifo-dir "$FIFO" --exec-id e1 lim1 sh -c 'echo exec-out; exit 5' 2>&1)
  rc=$?
  if [ "$rc" = 5 ] && [ "$out" = exec-out ]; then pass "$P/exec"; else
    fail "$P/exec" "want rc=5 out=exec-out, got rc=$rc out=[$out] $(rt_tail '\[exec\]')"
  fi
  out=$(c_ctr task exec --fifo-dir "$FIFO" -d --exec-id e2 lim1 sleep 777 2>&1)
  rc=$?
  sleep 0.3
  epid=""
  for p in $(c_ctr task ps lim1 | awk 'NR > 1 { print $1 }'); do
    [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 777 " ] && epid=$p
  done
  if [ $rc = 0 ] && [ -n "$epid" ]; then
    pass "$P/exec-detached"
  else
    fail "$P/exec-detached" "rc=$rc out=[$out] ps=[$(c_ctr task ps lim1 2>&1)] $(rt_tail '\[exec\]')"
  fi
  out=$(c_tty task exec --fifo-dir "$FIFO" -t --exec-id e3 lim1 sh -c 'tty; test -t 0 && echo is-a-tty' 2>&1 | tr -d '\r')
  expect_match "$P/exec-tty" '^/dev/pts/[0-9]+
is-a-tty' "$out" "$(rt_tail '\[exec\]')"

  # --- pause / resume --------------------------------------------------------------------------
  if c_ctr task pause lim1 >/dev/null 2>&1 && st=$(wait_status lim1 PAUSED); then
    fz=$(cat "/sys/fs/cgroup/freezer/$NS/lim1/freezer.state" 2>/dev/null)
    expect_eq "$P/pause" FROZEN "$fz" "(freezer.state)"
  else
    fail "$P/pause" "status=[$st] $(rt_tail 2)"
  fi
  if c_ctr task resume lim1 >/dev/null 2>&1 && st=$(wait_status lim1 RUNNING); then
    pass "$P/resume"
  else
    fail "$P/resume" "status=[$st] $(rt_tail 2)"
  fi

  # --- kill (SIGTERM to a shell that traps it) -------------------------------------------------
  c_ctr task kill lim1 >/dev/null 2>&1
  if st=$(wait_status lim1 STOPPED); then pass "$P/kill"; else
    fail "$P/kill" "status after SIGTERM=[$st] $(rt_tail 2)"
  fi
  out=$(c_ctr task delete lim1 2>&1)
  rc=$?
  c_ctr container delete lim1 >/dev/null 2>&1
  if [ $rc = 0 ] && [ ! -e "$RTROOT/$NS/lim1" ] && [ ! -d "/sys/fs/cgroup/memory/$NS/lim1" ]; then
    pass "$P/delete"
  else
    fail "$P/delete" "rc=$rc out=[$out] state dir left=$([ -e "$RTROOT/$NS/lim1" ] && echo yes || echo no) cgroup left=$([ -d "/sys/fs/cgroup/memory/$NS/lim1" ] && echo yes || echo no) $(rt_tail 3)"
  fi
else
  for n in memory-limit cpu-limit task-in-cgroup task-ps task-metrics exec exec-detached exec-tty pause resume kill delete; do
    fail "$P/$n" "ctr run -d lim1 failed (rc=$rc) $(rt_tail 3)"
  done
fi

# --- kill --all: every process of the container gets the signal -----------------------------
if c_run -d "$IMG" all1 sh -c 'sleep 991 & sleep 992 & wait' >/dev/null 2>&1; then
  sleep 0.5
  pids=$(c_ctr task ps all1 | awk 'NR > 1 { print $1 }')
  n_before=$(echo $pids | wc -w)
  c_ctr task kill --all -s KILL all1 >/dev/null 2>&1
  st=$(wait_status all1 STOPPED)
  left=0
  for p in $pids; do pid_alive "$p" && left=$((left + 1)); done
  if [ "$n_before" = 3 ] && [ "$left" = 0 ] && [ -z "$st" ]; then pass "$P/kill-all"; else
    fail "$P/kill-all" "processes before=$n_before (want 3), left after kill --all=$left, status=[$st] $(rt_tail 3)"
  fi
  c_ctr task delete all1 >/dev/null 2>&1
  c_ctr container delete all1 >/dev/null 2>&1
else
  fail "$P/kill-all" "ctr run -d all1 failed $(rt_tail 3)"
fi

# --- tty run ---------------------------------------------------------------------------------
out=$(c_tty run --fifo-dir "$FIFO" --rm -t --runc-binary "$RT" --runc-root "$RTROOT" "$IMG" tty1 \
  sh -c 'tty; test -t 1 && echo is-a-tty' 2>&1 | tr -d '\r')
expect_match "$P/run-tty" '^/dev/pts/[0-9]+
is-a-tty' "$out" "$(rt_tail 3)"

# --- security settings containerd generates ----------------------------------------------------
# containerd's default seccomp profile (a large allow-list with argument filters).
out=$(c_run --rm --seccomp "$IMG" sec1 sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -d "\t"' 2>&1)
expect_eq "$P/seccomp-default-profile" "NoNewPrivs:1
Seccomp:2" "$out" "$(rt_tail 2)"
# --privileged: every capability the host has (here the bounding set lacks CAP_SYS_RESOURCE, so
# compare with our own effective set), host devices, no masked paths.
out=$(c_run --rm --privileged "$IMG" priv1 sh -c 'grep ^CapEff: /proc/self/status | cut -f2; test -e /dev/kmsg && echo has-kmsg' 2>&1)
expect_eq "$P/privileged" "$(grep ^CapEff: /proc/self/status | cut -f2)
has-kmsg" "$out" "$(rt_tail 2)"
out=$(c_run --rm --cap-drop CAP_CHOWN "$IMG" capd1 sh -c 'chown 65534 /tmp 2>/dev/null; echo "chown-rc=$?"' 2>&1)
expect_eq "$P/cap-drop" "chown-rc=1" "$out" "$(rt_tail 2)"
# A user namespace: root in the container is uid 100000 on the host.
out=$(c_run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" userns1 \
  sh -c 'cat /proc/self/uid_map | tr -s " "' 2>&1)
expect_eq "$P/user-namespace" " 0 100000 65536" "$out" "$(rt_tail 2)"
# The memory limit is enforced: the container is OOM-killed (exit 137).
out=$(c_run --rm --memory-limit 16777216 "$IMG" oom1 sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived' 2>&1)
rc=$?
if [ $rc = 137 ] && ! printf '%s' "$out" | grep -q survived; then pass "$P/oom-kill"; else
  fail "$P/oom-kill" "want exit 137 from the OOM killer, got rc=$rc out=[$out] $(rt_tail 2)"
fi

# --- exec with its own user and cwd ------------------------------------------------------------
if c_run -d "$IMG" ex2 sleep 1000 >/dev/null 2>&1; then
  out=$(c_ctr task exec --fifo-dir "$FIFO" --exec-id u1 --user 65534 --cwd /tmp ex2 sh -c 'echo "$(id -u) $(pwd)"' 2>&1)
  expect_eq "$P/exec-user-cwd" "65534 /tmp" "$out" "$(rt_tail '\[exec\]')"
  # Exec into a paused container is refused by containerd or the runtime, not hung.
  if c_ctr task pause ex2 >/dev/null 2>&1; then
    t0=$(date +%s)
    out=$(run_t 20 ctr --address "$CD_SOCK" -n "$NS" task exec --fifo-dir "$FIFO" --exec-id p1 ex2 true 2>&1 </dev/null)
    rc=$?
    dt=$(($(date +%s) - t0))
    if [ $rc != 0 ] && [ $rc != 124 ]; then pass "$P/exec-paused-refused"; else
      fail "$P/exec-paused-refused" "rc=$rc after ${dt}s out=[$out] $(rt_tail '\[exec\]')"
    fi
    c_ctr task resume ex2 >/dev/null 2>&1
  fi
  c_ctr task kill -s KILL ex2 >/dev/null 2>&1
  wait_status ex2 STOPPED >/dev/null
  c_ctr task delete ex2 >/dev/null 2>&1
  c_ctr container delete ex2 >/dev/null 2>&1
else
  fail "$P/exec-user-cwd" "ctr run -d ex2 failed $(rt_tail 3)"
fi

# --- concurrency: parallel creates in one runtime root, parallel execs into one container ------
ok=1
bg=()
for i in 1 2 3 4 5; do
  c_run -d "$IMG" "par$i" sleep 1000 >"$WORK/par$i.out" 2>&1 &
  bg+=($!)
done
wait "${bg[@]}"  # (a bare `wait` would also wait for containerd)
for i in 1 2 3 4 5; do
  st=$(wait_status "par$i" RUNNING) || { ok=0; why="par$i: $st $(cat "$WORK/par$i.out")"; }
done
if [ $ok = 1 ]; then pass "$P/parallel-run"; else fail "$P/parallel-run" "$why $(rt_tail 3)"; fi
if [ $ok = 1 ]; then
  bg=()
  for i in 1 2 3 4 5 6; do
    c_ctr task exec --fifo-dir "$FIFO" --exec-id "px$i" par1 sh -c "echo exec-$i" >"$WORK/px$i.out" 2>&1 &
    bg+=($!)
  done
  wait "${bg[@]}"
  got=$(cat "$WORK"/px[1-6].out | sort | tr '\n' ' ')
  expect_eq "$P/parallel-exec" "exec-1 exec-2 exec-3 exec-4 exec-5 exec-6 " "$got" "$(rt_tail '\[exec\]')"
fi
for i in 1 2 3 4 5; do
  c_ctr task kill -s KILL "par$i" >/dev/null 2>&1
done
for i in 1 2 3 4 5; do
  wait_status "par$i" STOPPED >/dev/null
  c_ctr task delete "par$i" >/dev/null 2>&1
  c_ctr container delete "par$i" >/dev/null 2>&1
done

# --- a failing container: the runtime's error reaches the user --------------------------------
out=$(c_run --rm "$IMG" bad1 /no/such/binary 2>&1)
rc=$?
if [ $rc != 0 ] && printf '%s' "$out" | grep -q '/no/such/binary' &&
  printf '%s' "$out" | grep -qi 'no such file or directory'; then
  pass "$P/error-reaches-user"
else
  fail "$P/error-reaches-user" "rc=$rc; ctr said [$out]; want the path and 'no such file or directory'; log.json: $(cat "$WORK"/containerd/state/io.containerd.runtime.v2.task/"$NS"/bad1/log.json 2>/dev/null) $(rt_tail 3)"
fi
c_ctr container delete bad1 >/dev/null 2>&1
# Nothing of the failed container may be left in the runtime's root.
if [ -e "$RTROOT/$NS/bad1" ]; then fail "$P/error-cleanup" "runtime state $RTROOT/$NS/bad1 left after a failed create"; else
  pass "$P/error-cleanup"
fi
exit 0
