#include "runtime/linux/namespaces.h"

#include <sched.h>

#include "absl/strings/string_view.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {

const std::vector<NamespaceKind>& AllNamespaceKinds() {
  // Order matters where kinds are joined: user first (it grants the rights for the rest), mount
  // last among the path-joined ones (after it, host paths are gone).
  static const std::vector<NamespaceKind> kinds = {
      {"user", CLONE_NEWUSER, "user"}, {"ipc", CLONE_NEWIPC, "ipc"},
      {"uts", CLONE_NEWUTS, "uts"},    {"network", CLONE_NEWNET, "net"},
      {"pid", CLONE_NEWPID, "pid"},    {"cgroup", CLONE_NEWCGROUP, "cgroup"},
      {"time", CLONE_NEWTIME, "time"}, {"mount", CLONE_NEWNS, "mnt"},
  };
  return kinds;
}

std::optional<NamespaceKind> NamespaceByType(absl::string_view oci_type) {
  for (const auto& k : AllNamespaceKinds()) {
    if (k.oci_type == oci_type) return k;
  }
  return std::nullopt;
}

}  // namespace hull::linux
