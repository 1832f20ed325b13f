// The container's init process: the child hull clones for `create`. It joins/creates
// namespaces, builds the rootfs, reports to the parent over the sync channel, blocks on the
// exec FIFO until `start`, and execs the user program. Never returns.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/container/process_setup.h"
#include "runtime/container/sync_channel.h"
#include "runtime/linux/rootfs.h"
#include "spec/config.h"

namespace hull::container {

struct InitPlan {
  const spec::Spec* spec = nullptr;
  const ResolvedProcess* process = nullptr;
  linux::RootfsPlan rootfs;
  std::string id;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  bool terminal = false;
  std::string console_socket;  // empty with terminal: send the master to the parent
  // Namespaces to join (setns), opened by the parent: (CLONE_NEW* flag, fd), user first.
  std::vector<std::pair<int, int>> join;
  // A user namespace was created (clone) or joined: switch to its root after joining.
  bool in_userns = false;
  int unshare_flags = 0;  // namespaces the child creates itself after joining
  // The socket on which the entry point's helper sends a network namespace made ahead
  // (netns_ahead.h): joined instead of unsharing CLONE_NEWNET, which stays the fallback.
  int netns_ahead_socket = -1;
  bool new_timens = false;
  // A new pid namespace with a joined user namespace: it must be owned by that user namespace
  // (or proc cannot be mounted), so it is made after setns (unshare) and the real init is
  // forked into it with CLONE_PARENT, which keeps it a child of hull; its pid is sent as kPid.
  bool late_pidns = false;
  // `create`: block on <state>/exec.fifo (its O_PATH fd comes with kCgroupDirs) until `start`.
  // `run` goes straight on.
  bool wait_for_start = false;
  // prestart/createRuntime hooks exist: ask the parent to run them (a round trip, so only then).
  bool parent_runs_hooks = false;
  // The locked state directory when the init is cloned after it exists (pure v2): closed first
  // thing in the child, whose copy would otherwise keep the parent's flock held until execve.
  int state_dir_fd = -1;
  SyncChannel* channel = nullptr;
};

[[noreturn]] void RunInit(const InitPlan& plan);

}  // namespace hull::container
