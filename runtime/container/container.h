// The container lifecycle as runc defines it: create, start, run, state, kill, delete, list.
// The CLI parses flags and calls these; nothing here parses command lines.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/container/state_store.h"
#include "spec/json.h"

namespace hull::container {

struct Globals {
  std::string root = "/run/hull";
  bool systemd_cgroup = false;
  bool rootless = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
};

// What create leaves for a foreground `run`: the init is our child, so we can wait for it.
struct CreatedContainer {
  pid_t pid = 0;
  int console_master = -1;  // >= 0 when run allocated the pty itself (terminal, no socket)
  ContainerRecord record;   // as saved when create finished
};

// kCreate: the init blocks on the exec FIFO until `start` (runc's create).
// kRun: `run` starts the container itself, so there is no FIFO: the init goes on to the
// program as soon as setup is done (crun does the same), saving a hand-off and the FIFO inode.
enum class CreateMode { kCreate, kRun };

absl::StatusOr<CreatedContainer> Create(const Globals& g, const CreateOptions& opts,
                                        bool keep_console_master = false,
                                        CreateMode mode = CreateMode::kCreate);
absl::Status Start(const Globals& g, const std::string& id);
// create + start; without detach, waits and returns the container's exit code (128+signal).
absl::StatusOr<int> Run(const Globals& g, const CreateOptions& opts, bool detach, bool keep);

// Status of a container: "creating", "created", "running", "paused" or "stopped".
std::string StatusOf(const ContainerRecord& r);
// runc's `state` JSON (OCI state + rootfs, created, owner).
absl::StatusOr<json::Value> State(const Globals& g, const std::string& id);
absl::Status Kill(const Globals& g, const std::string& id, int signal, bool all);
absl::Status Delete(const Globals& g, const std::string& id, bool force);
// Delete for `run`, which reaped the init itself: removes the container from the record create
// returned, without reading the state back. Gone already (deleted by someone else) is fine.
absl::Status DeleteReaped(const Globals& g, const ContainerRecord& r);

struct ListEntry {
  ContainerRecord record;
  std::string status;
};
absl::StatusOr<std::vector<ListEntry>> List(const Globals& g);

// Helpers shared by the lifecycle files.
uint64_t ProcessStartTime(pid_t pid);  // 0 when the process does not exist
bool ProcessAlive(pid_t pid, uint64_t start_time);
std::string NowRfc3339();
absl::Status WritePidFile(const std::string& path, pid_t pid);
std::string StateJsonForHooks(const ContainerRecord& r, const std::string& status);
// The poststart hooks of a started container (start, or run's own start). A failing one kills
// the container and is returned as the error (runtime.md lifecycle step 9).
absl::Status RunPoststartHooks(const ContainerRecord& r);
// The directory of compiled seccomp programs: /run/hull-seccomp-cache for root, else under
// $XDG_RUNTIME_DIR, else none ("").
std::string SeccompCacheDir();

}  // namespace hull::container
