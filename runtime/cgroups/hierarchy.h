// Where the cgroup hierarchies of this host are and which controllers each one carries.
//
// Parsed once per process from /proc/self/mountinfo and /proc/self/cgroup (both at run time, so
// one binary works on pure v2, pure v1 and hybrid hosts). The parsers are pure functions so the
// unit tests can feed them samples of every layout.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hull::cgroups {

enum class Layout {
  kV1,      // only cgroup v1 hierarchies carry controllers
  kV2,      // one cgroup2 mount, no v1 controller hierarchies
  kHybrid,  // v1 controller hierarchies plus a cgroup2 mount (systemd "hybrid")
};
std::string_view LayoutName(Layout layout);

// One line of /proc/self/mountinfo whose filesystem is cgroup or cgroup2.
struct CgroupMount {
  std::string mount_point;  // e.g. /sys/fs/cgroup/memory
  std::string root;         // the cgroup of the hierarchy that is mounted there (usually "/")
  bool unified = false;     // cgroup2
  // v1: the controllers from the super options ("cpu", "cpuacct", "name=systemd", ...).
  std::vector<std::string> controllers;
};

// Every cgroup/cgroup2 mount in mountinfo text, in order. Lines of other filesystems are skipped;
// malformed lines are an error.
absl::StatusOr<std::vector<CgroupMount>> ParseMountinfo(absl::string_view text);

// /proc/<pid>/cgroup: hierarchy-id -> (controllers, path). Key "" for the v2 line ("0::/x").
// The v1 key is the controller list as written ("cpu,cpuacct", "name=systemd").
absl::StatusOr<std::map<std::string, std::string>> ParseProcCgroup(absl::string_view text);

// A hierarchy the manager uses: one mount per hierarchy (the first one mounting the hierarchy's
// root, or else the first one seen).
struct Hierarchy {
  bool unified = false;
  std::string mount_point;
  std::string mount_root;
  // v1: the mount's controllers; v2: the controllers in the root's cgroup.controllers that are
  // not bound to a v1 hierarchy.
  std::vector<std::string> controllers;
  // The calling process's cgroup in this hierarchy, relative to the hierarchy root ("/x/y").
  std::string own_cgroup;
};

struct HostCgroups {
  Layout layout = Layout::kV2;
  std::vector<Hierarchy> hierarchies;

  // The hierarchy carrying `controller` ("memory", "cpu", ..., "freezer", "devices"), or null.
  // On the unified hierarchy "freezer" and "devices" are core features, so they count as
  // carried by it when no v1 hierarchy has them and the layout is pure v2.
  const Hierarchy* For(absl::string_view controller) const;
  const Hierarchy* Unified() const;
};

// Builds the model from the three texts (pure; unit-tested). `unified_root_controllers` is the
// content of <cgroup2 mount>/cgroup.controllers (empty when there is no cgroup2 mount).
absl::StatusOr<HostCgroups> BuildHostCgroups(absl::string_view mountinfo,
                                             absl::string_view proc_cgroup,
                                             absl::string_view unified_root_controllers);

// The host's model, computed on first use and cached for the life of the process.
absl::StatusOr<const HostCgroups*> GetHostCgroups();

absl::StatusOr<Layout> DetectLayout();

// A guess at "pure v2" from one statfs: /sys/fs/cgroup is a cgroup2 mount. Unlike
// DetectLayout it reads no mount table (~0.1 ms in a fresh process), so create uses it to decide
// whether the init may be cloned before its cgroup exists, and checks the real layout later.
// nullopt when /sys/fs/cgroup cannot be examined (then only DetectLayout knows).
std::optional<bool> CgroupRootIsCgroup2();

// Every controller hull can use on this host and where: "memory" -> "/sys/fs/cgroup/memory"
// (v1) or "/sys/fs/cgroup" (v2). Used by `hull features` and the tests.
struct ControllerInfo {
  std::string name;
  bool unified = false;
  std::string mount_point;
};
absl::StatusOr<std::vector<ControllerInfo>> AvailableControllers();

}  // namespace hull::cgroups
