// Mounting one OCI `mounts[]` entry into the container rootfs, with the new mount API only:
// the source becomes a detached mount (open_tree for binds, fsopen/fsmount for filesystems),
// its attributes are set while it is still detached (no remount race), and move_mount attaches
// it onto an O_PATH fd of the target that was resolved inside the rootfs (RESOLVE_IN_ROOT).
// No path string inside the rootfs is ever handed to the kernel.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "runtime/linux/mount_options.h"

namespace hull::linux {

struct MountRequest {
  std::string destination;  // absolute, inside the rootfs
  std::string type;         // "" for binds
  std::string source;       // host path for binds (absolute), fs source otherwise
  std::vector<std::string> options;
  std::string json_path;  // "mounts[3]" for errors
  // For "cgroup" mounts on v1/hybrid hosts: the container's cgroup directories on the host,
  // keyed by hierarchy name ("memory", "cpu,cpuacct", "unified", ...).
  std::vector<std::pair<std::string, std::string>> cgroup_v1_dirs;
  bool cgroup_v2_host = false;
  // Container has its own network namespace (sysfs can be mounted fresh).
  bool new_netns = true;
  int idmap_userns_fd = -1;  // for "idmap"/"ridmap": a user namespace fd carrying the mappings
  // A detached mount already made by the runtime (PrepareIdmappedBind): only attached here.
  int premounted_fd = -1;
};

// An idmapped bind mount of `req.source`, detached, with every attribute and the idmap already
// set. Made by the runtime in the host's user namespace: inside a container's user namespace
// the kernel refuses MOUNT_ATTR_IDMAP on a tree from the host (EPERM), as it does any attribute
// change on it; the init only attaches the result (as runc does).
absl::StatusOr<UniqueFd> PrepareIdmappedBind(const MountRequest& req);

absl::Status MountInRoot(int root_fd, const MountRequest& req);

// Detached bind mount of whatever `fd` is (a file or directory), optionally recursive.
absl::StatusOr<UniqueFd> CloneMountOf(int fd, bool recursive);
// Attaches a detached mount onto `target_fd`.
absl::Status AttachMount(int mount_fd, int target_fd, const std::string& what);
// AttachMount onto a target resolved from `destination` in the rootfs, then checks that the
// destination still leads to the new mount: the rootfs owner may have renamed the target away
// (swapping in a symlink) between resolution and attach (CVE-2019-19921 / 2021-30465 races).
// The mount never lands outside the rootfs either way (the target fd was resolved in-root); this
// makes the misplaced case an error instead of a container whose /proc (say) is a fake.
absl::Status AttachMountAt(int mount_fd, int target_fd, int root_fd, absl::string_view destination,
                           const std::string& what);
// Applies attributes to a (detached or attached) mount fd.
absl::Status SetMountAttrs(int mount_fd, uint64_t set, uint64_t clr, bool recursive,
                           const std::string& what);

}  // namespace hull::linux
