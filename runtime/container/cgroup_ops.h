// Container operations that act through the cgroup: pause, resume, pids, update, stats/events.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/container/container.h"
#include "spec/config.h"
#include "spec/json.h"

namespace hull::container {

absl::Status Pause(const Globals& g, const std::string& id);
absl::Status Resume(const Globals& g, const std::string& id);
absl::StatusOr<std::vector<pid_t>> Pids(const Globals& g, const std::string& id);

// Decodes a bare LinuxResources object (`update --resources FILE|-`). Errors name the field
// relative to the object: "memory.limit: expected integer, got string \"x\"".
absl::StatusOr<spec::LinuxResources> ParseResources(std::string_view json_text);

// runc's `update` merge: the fields `update` can change (memory limit/reservation/swap/
// checkBeforeUpdate, cpu *, pids.limit, blockIO.weight, unified keys) replace the current ones
// when set in `changes`; everything else (devices, hugepages, network, rdma, per-device blkio)
// stays as it is. Zero memory values, a zero pids limit or blkio weight and an empty cpuset
// string mean "unchanged", as in runc.
// Setting the memory limit to -1 without a swap value also makes swap unlimited (runc).
spec::LinuxResources MergeResources(const spec::LinuxResources& current,
                                    const spec::LinuxResources& changes);

// Fields of `changes` that `update` ignores (JSON paths), for a warning.
std::vector<std::string> IgnoredUpdateFields(const spec::LinuxResources& changes);

// Under the container's exclusive lock: merges `changes` onto the stored resources, applies the
// result to the cgroup (devices are left alone, as runc does) and records it in the state.
absl::Status UpdateResources(const Globals& g, const std::string& id,
                             const spec::LinuxResources& changes);

// The container's current resources from its stored config.
absl::StatusOr<spec::LinuxResources> CurrentResources(const Globals& g, const std::string& id);

struct EventsOptions {
  bool stats_only = false;  // one stats event, then return
  std::chrono::milliseconds interval{5000};
};
// runc's `events`: calls `emit` with {"type":"stats",...} every interval and {"type":"oom",...}
// for every OOM kill in the container's cgroup, until the container stops. Fails with
// "container with id ID is not running" for a stopped container. Stats errors while streaming
// are logged and the stream goes on (runc). The stream also ends when `emit` returns false (its
// reader went away).
absl::Status Events(const Globals& g, const std::string& id, const EventsOptions& opts,
                    const std::function<bool(const json::Value&)>& emit);

// Runs the host's `ps` with `args` and returns its combined stdout+stderr (runc's ps runs
// `ps -ef` by default and filters the lines by PID). Fails with the output when ps fails.
absl::StatusOr<std::string> RunHostPs(const std::vector<std::string>& args);

}  // namespace hull::container
