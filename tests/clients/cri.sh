#!/bin/bash
# containerd 1.6's CRI plugin with $RUNTIME as the runtime handler "hull" (runtime_type
# io.containerd.runc.v2, options.BinaryName), driven over its gRPC socket by cri-client
# (tests/clients/cri/), which plays the kubelet. Two pods: one with host networking
# (NamespaceMode NODE), one on a private CNI bridge that has no gateway, no NAT and no uplink.
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
source "$HERE/containerd_lib.sh"

P=cri
RTNAME=$(basename "$RUNTIME")
RTLOG="$WORK/runtime-calls.log"
make_runtime_wrapper "$WORK/bin" "$RTNAME" "$RUNTIME" "$RTLOG"
RT="$WORK/bin/$RTNAME"
RTROOT="$WORK/rtroot"
SFX=$(rand_suffix)
CGP="hullcri-$SFX"       # pod cgroup parent: /$CGP/<container id>
BR="hullbr${SFX:0:6}"    # CNI bridge (interface names: at most 15 characters)
# A private subnet derived from the suffix, so that two runs never share addresses.
NET="10.213.$((16#${SFX:0:2})).0/24"
IMG=localhost/hull-test:latest
CRI_CLIENT_DIR=${CRI_CLIENT_DIR:-$REPO/build-clients/cri}
mkdir -p "$WORK"/{cni-conf,ipam,logs,bind}
register_cgroup "$CGP"

cleanup() {
  set +e
  CMD_TIMEOUT=10
  if [ -n "${CD_SOCK:-}" ] && [ -S "$CD_SOCK" ] && [ -x "${CC:-}" ]; then
    for sb in ${PODS:-}; do
      cc stopp "$sb" >/dev/null 2>&1
      cc rmp "$sb" >/dev/null 2>&1
    done
  fi
  kill_cgroup_tree "$CGP"
  stop_containerd
  umount_under "$WORK"
  remove_cgroup_tree "$CGP"
  ip link del "$BR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- the CRI client ----------------------------------------------------------------------------
if ! out=$("$HERE/cri/build.sh" "$CRI_CLIENT_DIR" 2>&1); then
  fail "$P/client-build" "$out"
  exit 1
fi
CC="$CRI_CLIENT_DIR/cri-client"
cc() { run_t "$CMD_TIMEOUT" "$CC" --socket "$CD_SOCK" --timeout "$CMD_TIMEOUT" "$@" </dev/null; }

# --- CNI: a bridge with no gateway and no masquerading; IPAM state under $WORK -------------------
cat >"$WORK/cni-conf/10-hull-test.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "hull-test-$SFX",
  "plugins": [
    {"type": "bridge", "bridge": "$BR", "isGateway": false, "ipMasq": false, "hairpinMode": false,
     "ipam": {"type": "host-local", "dataDir": "$WORK/ipam", "ranges": [[{"subnet": "$NET"}]]}},
    {"type": "loopback"}
  ]
}
EOF

CRI_TOML="[plugins.\"io.containerd.grpc.v1.cri\"]
  sandbox_image = \"localhost/hull-pause:latest\"
  # Pod sandboxes ask for oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE (absent here).
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  [plugins.\"io.containerd.grpc.v1.cri\".containerd]
    snapshotter = \"SNAP\"
    default_runtime_name = \"$RTNAME\"
    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$RTNAME]
      runtime_type = \"io.containerd.runc.v2\"
      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$RTNAME.options]
        BinaryName = \"$RT\"
        Root = \"$RTROOT\"
        SystemdCgroup = false
    # A second handler for the same binary, as a RuntimeClass would name it: --no-pivot.
    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$RTNAME-nopivot]
      runtime_type = \"io.containerd.runc.v2\"
      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$RTNAME-nopivot.options]
        BinaryName = \"$RT\"
        Root = \"$RTROOT\"
        SystemdCgroup = false
        NoPivotRoot = true
  [plugins.\"io.containerd.grpc.v1.cri\".cni]
    bin_dir = \"/usr/lib/cni\"
    conf_dir = \"$WORK/cni-conf\"
    max_conf_num = 1"
SNAP=native
grep -qw overlay /proc/filesystems && SNAP=overlayfs
if ! start_containerd "$WORK/containerd" 1 "${CRI_TOML/SNAP/$SNAP}"; then
  fail "$P/daemon" "containerd did not start: $(tail -n 3 "$WORK/containerd/containerd.log" | tr '\n' ' ')"
  exit 1
fi
for t in "$IMAGE_TAR" "$PAUSE_TAR"; do
  if ! out=$(run_t 120 ctr --address "$CD_SOCK" -n k8s.io image import --snapshotter "$SNAP" "$t" 2>&1); then
    fail "$P/image-import" "$out"
    exit 1
  fi
done
pass "$P/image-import"

out=$(cc version 2>&1)
expect_match "$P/version" '^containerd .* v1' "$out"

# --- pod 1: host network ---------------------------------------------------------------------
POD1=(--pod-name hostnet-pod --pod-uid "uid-h-$SFX" --pod-ns hull-test --cgroup-parent "/$CGP"
  --log-dir "$WORK/logs" --hostnet)
sb1=$(cc runp "${POD1[@]}" --handler "$RTNAME" 2>&1)
rc=$?
if [ $rc != 0 ]; then
  fail "$P/run-pod-hostnet" "rc=$rc [$sb1] $(rt_tail 3)"
  exit 0
fi
PODS="$sb1"
st=$(cc podstatus "$sb1" 2>&1)
pause_cg=$(grep -E ':memory:' "/proc/$(cat "$WORK/containerd/state/io.containerd.runtime.v2.task/k8s.io/$sb1/init.pid" 2>/dev/null)/cgroup" 2>/dev/null | cut -d: -f3)
if [ "$st" = "state=READY ip=" ] && [ "$pause_cg" = "/$CGP/$sb1" ]; then pass "$P/run-pod-hostnet"; else
  fail "$P/run-pod-hostnet" "podstatus=[$st] pause cgroup=[$pause_cg] (want /$CGP/$sb1)"
fi
# NODE network namespace: the sandbox shares the host's.
sbpid=$(cat "$WORK/containerd/state/io.containerd.runtime.v2.task/k8s.io/$sb1/init.pid" 2>/dev/null)
expect_eq "$P/pod-hostnet-netns" "$(readlink /proc/self/ns/net)" "$(readlink "/proc/$sbpid/ns/net" 2>&1)"

echo from-host >"$WORK/bind/file"
c1=$(cc create --pod "$sb1" "${POD1[@]}" --name c1 --image "$IMG" --log-path c1.log \
  --env GREETING=hello-cri --workdir /tmp --mount "$WORK/bind:/hostdata:ro" \
  --mem 33554432 --cpu-quota 50000 --cpu-period 100000 \
  -- sh -c 'trap "exit 0" TERM; echo "$GREETING from $(pwd)"; while :; do sleep 0.2; done' 2>&1)
rc=$?
if [ $rc != 0 ]; then
  fail "$P/create-container" "rc=$rc [$c1] $(rt_tail 3)"
else
  pass "$P/create-container"
  out=$(cc start "$c1" 2>&1)
  rc=$?
  sleep 0.5
  st=$(cc status "$c1" 2>&1)
  if [ $rc = 0 ] && [ "${st%% *}" = state=RUNNING ]; then pass "$P/start-container"; else
    fail "$P/start-container" "rc=$rc [$out] status=[$st] $(rt_tail 3)"
  fi
  expect_match "$P/container-log" 'stdout F hello-cri from /tmp$' "$(cat "$WORK/logs/c1.log" 2>&1)"

  cg="/sys/fs/cgroup/memory/$CGP/$c1"
  expect_eq "$P/memory-limit" 33554432 "$(cat "$cg/memory.limit_in_bytes" 2>&1)"
  expect_eq "$P/cpu-quota" 50000 "$(cat "/sys/fs/cgroup/cpu/$CGP/$c1/cpu.cfs_quota_us" 2>&1)"

  # ExecSync: output, exit code, and the container's environment and mounts.
  out=$(cc exec "$c1" -- sh -c 'echo "$GREETING"; cat /hostdata/file; echo err >&2; exit 7' 2>"$WORK/exec.err")
  rc=$?
  if [ $rc = 7 ] && [ "$out" = "hello-cri
from-host" ] && [ "$(cat "$WORK/exec.err")" = err ]; then pass "$P/exec-sync"; else
    fail "$P/exec-sync" "want rc=7 stdout=[hello-cri/from-host] stderr=[err]; got rc=$rc stdout=[$out] stderr=[$(cat "$WORK/exec.err")] $(rt_tail '\[exec\]')"
  fi
  out=$(cc exec "$c1" -- sh -c 'echo x > /hostdata/y' 2>&1)
  rc=$?
  if [ $rc = 1 ] && [ ! -e "$WORK/bind/y" ]; then pass "$P/readonly-mount"; else
    fail "$P/readonly-mount" "rc=$rc out=[$out] $(rt_tail '\[exec\]')"
  fi
  # The runtime must end an ExecSync that runs past its timeout.
  t0=$(date +%s)
  out=$(cc exec "$c1" --exec-timeout 2 -- sleep 30 2>&1)
  rc=$?
  dt=$(($(date +%s) - t0))
  if [ $dt -lt 20 ] && [ $rc != 0 ]; then pass "$P/exec-sync-timeout"; else
    fail "$P/exec-sync-timeout" "rc=$rc after ${dt}s out=[$out] $(rt_tail '\[exec\]')"
  fi

  out=$(cc stats "$c1" 2>&1)
  if printf '%s' "$out" | grep -Eq "^id=$c1 cpu_ns=[1-9][0-9]* mem_working_set=[1-9]"; then pass "$P/container-stats"; else
    fail "$P/container-stats" "[$out]"
  fi

  out=$(cc update "$c1" --mem 67108864 --cpu-quota 25000 --cpu-period 100000 2>&1)
  rc=$?
  mem=$(cat "$cg/memory.limit_in_bytes" 2>&1)
  quota=$(cat "/sys/fs/cgroup/cpu/$CGP/$c1/cpu.cfs_quota_us" 2>&1)
  if [ $rc = 0 ] && [ "$mem" = 67108864 ] && [ "$quota" = 25000 ]; then pass "$P/update-resources"; else
    fail "$P/update-resources" "rc=$rc [$out] memory.limit_in_bytes=$mem (want 67108864) cfs_quota_us=$quota (want 25000) $(rt_tail '\[update\]')"
  fi

  t0=$(date +%s)
  out=$(cc stop "$c1" --grace 10 2>&1)
  rc=$?
  dt=$(($(date +%s) - t0))
  st=$(cc status "$c1" 2>&1)
  # The init exits 0 on SIGTERM; a SIGKILL fallback would take the full grace period and give 137.
  if [ $rc = 0 ] && [ "${st%% reason*}" = "state=EXITED exit=0" ] && [ $dt -lt 8 ]; then pass "$P/stop-container"; else
    fail "$P/stop-container" "rc=$rc [$out] status=[$st] after ${dt}s $(rt_tail '\[kill\]')"
  fi
  out=$(cc rm "$c1" 2>&1)
  rc=$?
  if [ $rc = 0 ] && ! cc status "$c1" >/dev/null 2>&1 && [ ! -e "$RTROOT/k8s.io/$c1" ] && [ ! -d "$cg" ]; then
    pass "$P/remove-container"
  else
    fail "$P/remove-container" "rc=$rc [$out] state left=$([ -e "$RTROOT/k8s.io/$c1" ] && echo yes) cgroup left=$([ -d "$cg" ] && echo yes) $(rt_tail 3)"
  fi
fi

# --- a container that exits by itself, and one with a terminal --------------------------------
c5=$(cc create --pod "$sb1" "${POD1[@]}" --name exits --image "$IMG" --log-path exits.log -- sh -c 'exit 3' 2>&1)
if [ $? = 0 ] && cc start "$c5" >/dev/null 2>&1; then
  for _ in $(seq 50); do
    st=$(cc status "$c5" 2>&1)
    [ "${st%% *}" = state=EXITED ] && break
    sleep 0.1
  done
  expect_match "$P/container-exit-code" '^state=EXITED exit=3 reason=Error' "$st" "$(rt_tail 2)"
  cc rm "$c5" >/dev/null 2>&1
else
  fail "$P/container-exit-code" "create/start failed [$c5] $(rt_tail 3)"
fi
c6=$(cc create --pod "$sb1" "${POD1[@]}" --name tty --tty --image "$IMG" --log-path tty.log \
  -- sh -c 'tty; test -t 1 && echo is-a-tty; sleep 1000' 2>&1)
if [ $? = 0 ] && cc start "$c6" >/dev/null 2>&1; then
  sleep 0.5
  out=$(cut -d' ' -f4- "$WORK/logs/tty.log" 2>&1 | tr -d '\r')
  expect_match "$P/container-tty" '^/dev/pts/[0-9]+
is-a-tty' "$out" "$(rt_tail '\[create\]')"
  cc stop "$c6" --grace 0 >/dev/null 2>&1
  cc rm "$c6" >/dev/null 2>&1
else
  fail "$P/container-tty" "create/start failed [$c6] $(rt_tail 3)"
fi

# --- mountPropagation: HostToContainer (containerd then sets linux.rootfsPropagation "rslave") ----
# containerd requires the source to sit on a shared or slave mount: give it a shared one of its own.
mkdir -p "$WORK/prop"
mount --bind "$WORK/prop" "$WORK/prop" && mount --make-shared "$WORK/prop"
c7=$(cc create --pod "$sb1" "${POD1[@]}" --name prop --image "$IMG" --log-path prop.log \
  --mount "$WORK/prop:/prop:rslave" -- sleep 1000 2>&1)
if [ $? = 0 ] && out=$(cc start "$c7" 2>&1); then
  mkdir -p "$WORK/prop/sub"
  mount -t tmpfs -o size=1m hull-prop "$WORK/prop/sub"
  # A mount made on the host after the start shows up in the container.
  out=$(cc exec "$c7" -- sh -c 'grep -c " /prop/sub " /proc/self/mountinfo' 2>&1)
  expect_eq "$P/mount-propagation-host-to-container" 1 "$out" "$(rt_tail '\[exec\]')"
  umount "$WORK/prop/sub"
  cc stop "$c7" --grace 0 >/dev/null 2>&1
else
  fail "$P/mount-propagation-host-to-container" "create/start failed [$c7] [$out] $(rt_tail '\[create\]')"
fi
cc rm "$c7" >/dev/null 2>&1

# --- a container that cannot start: the runtime's error reaches the CRI caller -------------------
c2=$(cc create --pod "$sb1" "${POD1[@]}" --name bad --image "$IMG" --log-path bad.log -- /no/such/binary 2>&1)
if [ $? = 0 ]; then
  out=$(cc start "$c2" 2>&1)
  rc=$?
  if [ $rc = 100 ] && printf '%s' "$out" | grep -q '/no/such/binary' &&
    printf '%s' "$out" | grep -qi 'no such file or directory'; then pass "$P/error-reaches-caller"; else
    fail "$P/error-reaches-caller" "rc=$rc; StartContainer said [$out]; want the path and 'no such file or directory' $(rt_tail 3)"
  fi
  cc rm "$c2" >/dev/null 2>&1
else
  # Some runtimes fail already at create; the error must still name the problem.
  if printf '%s' "$c2" | grep -q '/no/such/binary'; then pass "$P/error-reaches-caller"; else
    fail "$P/error-reaches-caller" "CreateContainer said [$c2] $(rt_tail 3)"
  fi
fi

# --- pod 2: its own network namespace on the private CNI bridge ------------------------------
POD2=(--pod-name bridge-pod --pod-uid "uid-b-$SFX" --pod-ns hull-test --cgroup-parent "/$CGP"
  --log-dir "$WORK/logs")
sb2=$(cc runp "${POD2[@]}" --handler "$RTNAME" 2>&1)
rc=$?
if [ $rc = 0 ]; then
  PODS="$PODS $sb2"
  st=$(cc podstatus "$sb2" 2>&1)
  ip=${st##*ip=}
  prefix=${NET%.0/24}
  if [ "${st%% *}" = state=READY ] && [ "${ip%.*}" = "$prefix" ]; then pass "$P/run-pod-cni"; else
    fail "$P/run-pod-cni" "podstatus=[$st] (want an address in $NET)"
  fi
  c3=$(cc create --pod "$sb2" "${POD2[@]}" --name c3 --image "$IMG" --log-path c3.log -- sleep 1000 2>&1)
  if [ $? = 0 ] && cc start "$c3" >/dev/null 2>&1; then
    # The container joins the sandbox's network namespace: it sees the pod's address on eth0.
    out=$(cc exec "$c3" -- ip -4 -o addr show dev eth0 2>&1)
    expect_match "$P/container-in-pod-netns" "inet $ip/24" "$out" "$(rt_tail '\[exec\]')"
    out=$(cc exec "$c3" -- ping -c1 -W2 127.0.0.1 2>&1)
    expect_match "$P/pod-loopback" '1 packets received' "$out"
    cc stop "$c3" --grace 0 >/dev/null 2>&1
    cc rm "$c3" >/dev/null 2>&1
  else
    fail "$P/container-in-pod-netns" "create/start in the CNI pod failed: [$c3] $(rt_tail 3)"
  fi
else
  fail "$P/run-pod-cni" "rc=$rc [$sb2] $(tail -n 5 "$WORK/containerd/containerd.log" | grep -i error | tail -n 2 | tr '\n' ' ')"
fi

# --- pod 3: the "-nopivot" handler (a RuntimeClass with NoPivotRoot) ---------------------------
POD3=(--pod-name nopivot-pod --pod-uid "uid-n-$SFX" --pod-ns hull-test --cgroup-parent "/$CGP"
  --log-dir "$WORK/logs" --hostnet)
sb3=$(cc runp "${POD3[@]}" --handler "$RTNAME-nopivot" 2>&1)
rc=$?
if [ $rc = 0 ]; then
  PODS="$PODS $sb3"
  c4=$(cc create --pod "$sb3" "${POD3[@]}" --name c4 --image "$IMG" --log-path c4.log -- sleep 1000 2>&1)
  if [ $? = 0 ] && cc start "$c4" >/dev/null 2>&1; then
    out=$(cc exec "$c4" -- cat /etc/hull-test-marker 2>&1)
    if [ "$out" = hull-test-image ] && grep -F "$c4" "$RTLOG" | grep -q '\[create\].*\[--no-pivot\]'; then
      pass "$P/runtime-handler-nopivot"
    else
      fail "$P/runtime-handler-nopivot" "exec out=[$out] create call: $(grep -F "[$c4]" "$RTLOG" | grep -F '[create]' | cut -c1-400)"
    fi
    cc stop "$c4" --grace 0 >/dev/null 2>&1
    cc rm "$c4" >/dev/null 2>&1
  else
    fail "$P/runtime-handler-nopivot" "create/start failed: [$c4] $(rt_tail 3)"
  fi
else
  fail "$P/runtime-handler-nopivot" "RunPodSandbox with handler $RTNAME-nopivot: rc=$rc [$sb3] $(rt_tail 3)"
fi

# --- tear the pods down through the CRI: nothing of them may remain ---------------------------
ok=1
why=""
for sb in $PODS; do
  out=$(cc stopp "$sb" 2>&1) || { ok=0; why="$why stopp $sb: $out;"; }
  out=$(cc rmp "$sb" 2>&1) || { ok=0; why="$why rmp $sb: $out;"; }
done
PODS=""
left_state=$(ls "$RTROOT/k8s.io" 2>/dev/null | tr '\n' ' ')
left_cg=$(ls -d /sys/fs/cgroup/memory/"$CGP"/*/ 2>/dev/null | tr '\n' ' ')
if [ $ok = 1 ] && [ -z "$left_state" ] && [ -z "$left_cg" ]; then pass "$P/stop-remove-pods"; else
  fail "$P/stop-remove-pods" "$why runtime state left=[$left_state] cgroups left=[$left_cg] $(rt_tail 3)"
fi
exit 0
