// Everything about the container's *process* (not its filesystem), resolved in the runtime
// before clone and applied by the child just before execve. Shared by create (init) and exec.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/linux/capabilities.h"
#include "runtime/linux/process_attrs.h"
#include "runtime/linux/rlimits.h"
#include "runtime/linux/seccomp.h"
#include "spec/config.h"

namespace hull::container {

struct ResolvedProcess {
  spec::Process process;
  linux::CapSets caps;
  std::vector<linux::Rlimit> rlimits;
  std::optional<linux::SchedulerSettings> scheduler;
  std::optional<int> io_priority;
  std::optional<unsigned long> personality;
  linux::ExecCpuAffinity affinity;
  std::optional<linux::SeccompProgram> seccomp;
  bool seccomp_listener = false;  // the profile has listenerPath and uses NOTIFY
};

// Validates and resolves everything the kernel will be asked for, in the runtime, so errors
// come out with JSON paths before any process exists. A seccomp profile is compiled once per
// distinct profile and kept under `seccomp_cache_dir` (none when empty).
absl::StatusOr<ResolvedProcess> ResolveProcess(const spec::Process& process,
                                               const std::optional<spec::Linux>& linux,
                                               const std::string& seccomp_cache_dir = "");

// In the child, after the filesystem is final (post pivot_root) and before execve:
// rlimits, oom score, scheduler, io priority, personality, LSM labels, cwd, seccomp, identity
// and capabilities, no_new_privs, in runc's order. On success returns the listener fd (if a
// NOTIFY seccomp filter was loaded), else an invalid fd.
absl::StatusOr<UniqueFd> ApplyProcessSettings(const ResolvedProcess& rp);

// The executable for args[0]: as given when it contains '/', else searched in the PATH of
// `env` (resolved in the current root, i.e. inside the container).
absl::StatusOr<std::string> FindExecutable(const std::string& arg0,
                                           const std::vector<std::string>& env);

// Marks every fd >= first_fd close-on-exec (stdio and preserved fds stay below first_fd).
void CloseFdsOnExec(int first_fd);

// execve with the container's env. Only returns on failure.
absl::Status ExecProcess(const std::string& path, const spec::Process& process);

}  // namespace hull::container
