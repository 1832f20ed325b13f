// The parent <-> container-init handshake: typed messages over a SOCK_SEQPACKET socketpair,
// optionally carrying one fd (SCM_RIGHTS). EOF means the other side died.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"

namespace hull::container {

enum class SyncMsg : char {
  // parent -> init: the state dir and cgroup directories exist; payload: the v1 directories (the
  // cgroup mount binds them), fd: the exec FIFO (create only). See ReceiveHostSetup in init.cc.
  kCgroupDirs = 'D',
  kGo = 'G',           // parent -> init: ids mapped, cgroup applied; start setting up
  kRunHooks = 'H',     // init -> parent: namespaces and mounts ready, run createRuntime hooks
  kHooksDone = 'h',    // parent -> init
  kConsole = 'C',      // init -> parent: pty master (when no console socket was given)
  kSeccompFd = 'S',    // init -> parent: seccomp listener fd for listenerPath
  kSeccompSent = 's',  // parent -> init
  kReady = 'R',        // init -> parent: blocked on the exec FIFO next
  // init -> parent: payload is the pid of the real init, forked into a pid namespace made
  // after joining a user namespace (the first child exits; see InitPlan::late_pidns).
  kPid = 'P',
  kError = 'E',  // either way: payload is the error message
};

struct SyncMessage {
  SyncMsg type;
  std::string payload;
  UniqueFd fd;  // valid when one was attached
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  static absl::Status Pair(SyncChannel* a, SyncChannel* b);

  absl::Status Send(SyncMsg type, absl::string_view payload = "", int fd = -1);
  // Blocks for the next message. EOF -> Unavailable("... exited").
  absl::StatusOr<SyncMessage> Receive();
  // Receives and requires `want`; an kError message becomes an error status with its payload.
  absl::StatusOr<SyncMessage> Expect(SyncMsg want);
  int fd() const { return fd_.get(); }
  void Close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace hull::container
