// Container operations that act through the cgroup: pause, resume, pids, update, stats.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/container/container.h"
#include "spec/config.h"

namespace hull::container {

absl::Status Pause(const Globals& g, const std::string& id);
absl::Status Resume(const Globals& g, const std::string& id);
absl::StatusOr<std::vector<pid_t>> Pids(const Globals& g, const std::string& id);
// Applies `resources` (already merged by the caller) and records them in the stored config.
absl::Status Update(const Globals& g, const std::string& id, const spec::LinuxResources& resources);
// The container's current resources from its stored config (for merging in `update`).
absl::StatusOr<spec::LinuxResources> CurrentResources(const Globals& g, const std::string& id);

}  // namespace hull::container
