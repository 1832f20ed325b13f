// The container's filesystem view, built inside its new mount namespace by the init process:
// propagation, rootfs bind, `mounts`, /dev, console, then (after createContainer hooks)
// pivot_root, masked and read-only paths, read-only root.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "spec/config.h"

namespace hull::linux {

struct RootfsPlan {
  std::string rootfs;  // absolute host path
  std::string bundle;  // for relative bind sources
  bool no_pivot = false;
  bool new_userns = false;  // devices are bind-mounted from the host
  bool new_netns = true;
  bool cgroup_v2_host = false;
  std::vector<std::pair<std::string, std::string>> cgroup_v1_dirs;
  // Set while the parent still makes the cgroup directories: PrepareRootfs calls it once, right
  // before the first "cgroup" mount needs them (else at its end) and uses what it returns as
  // cgroup_v1_dirs, so the rest of the rootfs is built meanwhile.
  std::function<absl::StatusOr<std::vector<std::pair<std::string, std::string>>>()>
      await_cgroup_v1_dirs;
  int console_slave_fd = -1;  // >= 0: bind onto /dev/console
  // Per mounts[] index: a user namespace fd carrying the mappings of an idmap/ridmap mount,
  // or -1 (shorter than mounts when there are none).
  std::vector<int> idmap_userns_fds;
  // Per mounts[] index: a detached mount prepared by the runtime (idmapped binds), or -1.
  std::vector<int> premounted_fds;
};

// Phase 1, before createContainer hooks: everything up to (not including) pivot_root.
// On return, *root_fd is an O_PATH fd of the rootfs mount.
absl::Status PrepareRootfs(const spec::Spec& spec, const RootfsPlan& plan, UniqueFd* root_fd);

// Phase 2: pivot_root (or MS_MOVE + chroot), then masked paths, read-only paths, sysctls and
// the read-only root. `host_proc_fd` is a verified fd of the host /proc opened before pivot.
absl::Status FinishRootfs(const spec::Spec& spec, const RootfsPlan& plan, int root_fd);

// Writes linux.sysctl through /proc/sys of the (container's) procfs fd.
absl::Status ApplySysctls(const std::map<std::string, std::string>& sysctl, int proc_fd);

}  // namespace hull::linux
