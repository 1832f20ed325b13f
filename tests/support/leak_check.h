// (tests/support, owned by the security tests: faults, load, bad_input.)
// What a container can leave behind on the host, found from the outside: processes (by the
// state root in their command line, or by membership of the container's cgroup), mounts of the
// rootfs in the host mount namespace, cgroup directories, the state directory.
#pragma once

#include <string>
#include <vector>

namespace hull::testing {

struct Leftovers {
  std::vector<std::string> processes;  // "pid (comm): why"
  std::vector<std::string> mounts;     // mountinfo lines
  std::vector<std::string> cgroups;    // directories
  bool state_dir = false;

  bool empty() const {
    return processes.empty() && mounts.empty() && cgroups.empty() && !state_dir;
  }
  std::string Describe() const;
};

// Live (non-zombie) processes whose command line mentions `needle` (e.g. a test's --root) or
// that sit in a cgroup whose path contains `cgroup_path`.
std::vector<std::string> LiveProcesses(const std::string& needle, const std::string& cgroup_path);

// Lines of /proc/self/mountinfo whose mount point is under `path`.
std::vector<std::string> MountsUnder(const std::string& path);

// Cgroup directories at or below `cgroup_path` (e.g. "/hull-test/x/y") in any hierarchy.
std::vector<std::string> CgroupDirs(const std::string& cgroup_path);

// Everything left by container `id` whose state root is `root`, bundle `bundle` and cgroup
// `cgroup_path`.
Leftovers FindLeftovers(const std::string& root, const std::string& id, const std::string& bundle,
                        const std::string& cgroup_path);

// Open fds of this process (count), for fd-leak checks around a batch of operations.
int OpenFdCount();

}  // namespace hull::testing
