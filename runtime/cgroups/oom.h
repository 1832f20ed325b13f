// OOM notifications for `hull events`: v1 through memory.oom_control + cgroup.event_control
// (an eventfd), v2 by watching memory.events with inotify and counting oom_kill.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "runtime/cgroups/manager.h"

namespace hull::cgroups {

class OomWatcher {
 public:
  // Starts watching the container's memory cgroup (which must exist).
  static absl::StatusOr<std::unique_ptr<OomWatcher>> Create(const Manager& manager);

  // Readable (POLLIN) when an event may be pending: for an event loop that also does other
  // work (runc events prints stats every --interval). Then call Wait(0).
  int fd() const { return fd_.get(); }

  // Waits up to timeout_ms (-1: forever) and returns how many OOM events happened since the
  // last call (0 on timeout). NotFound once the cgroup is gone.
  absl::StatusOr<uint64_t> Wait(int timeout_ms);

 private:
  OomWatcher() = default;
  bool unified_ = false;
  std::string dir_;
  UniqueFd fd_;          // eventfd (v1) or inotify (v2)
  UniqueFd control_fd_;  // v1 memory.oom_control, kept open while registered
  uint64_t last_oom_kills_ = 0;
};

}  // namespace hull::cgroups
