# shellcheck shell=bash
# Start/stop a private containerd (sourced by containerd_ctr.sh and cri.sh).
#
# Everything lives under $CD (config, root, state, sockets); nothing touches /etc/containerd or
# /var/lib/containerd. containerd 1.6 always puts shim sockets under /run/containerd/s/ (a
# compile-time path); their names are hashes of our private address, so they cannot collide.

# start_containerd DIR CRI(0|1) [EXTRA_TOML]
# Sets CD, CD_SOCK, CD_PID. Returns non-zero if the daemon does not come up in 30 s.
start_containerd() {
  CD=$1
  local cri=$2 extra=${3:-}
  mkdir -p "$CD"/{root,state}
  CD_SOCK="$CD/containerd.sock"
  # containerd and its shims make /run/containerd/{s,fifo,runc} whatever the config says; if the
  # host had no /run/containerd before, stop_containerd removes what is left of it (when empty).
  CD_RUN_EXISTED=0
  [ -d /run/containerd ] && CD_RUN_EXISTED=1
  local disabled='disabled_plugins = ["io.containerd.grpc.v1.cri"]'
  [ "$cri" = 1 ] && disabled='disabled_plugins = []'
  cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
$disabled
[grpc]
  address = "$CD_SOCK"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = "$CD/debug.sock"
  level = "debug"
[metrics]
  address = ""
[plugins."io.containerd.monitor.v1.cgroups"]
  no_prometheus = true
[plugins."io.containerd.runtime.v2.task"]
  platforms = ["linux/amd64"]
$extra
EOF
  containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 </dev/null &
  CD_PID=$!
  echo "$CD_PID" >"$CD/containerd.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    if [ -S "$CD_SOCK" ] && ctr --address "$CD_SOCK" version >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$CD_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "containerd did not start; last log lines:"
  tail -n 20 "$CD/containerd.log" >&2
  return 1
}

# Stops containerd and every shim it started (found by our private socket path in their
# command line), then unmounts what is left under $CD.
stop_containerd() {
  [ -n "${CD:-}" ] || return 0
  local shims p
  shims=$(pids_with_arg "$CD_SOCK" | grep -vx "${CD_PID:-0}" || true)
  stop_pid "${CD_PID:-}" 10
  # A shim outlives containerd by design; it exits on its own once its task is deleted, which
  # the scenario did already. Whatever is left is stopped here, by pid.
  for p in $shims $(pids_with_arg "$CD_SOCK"); do
    stop_pid "$p" 5
  done
  umount_under "$CD"
  if [ "${CD_RUN_EXISTED:-1}" = 0 ]; then
    rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd 2>/dev/null
  fi
}
