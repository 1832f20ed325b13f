// The one table of namespace kinds: OCI type name <-> CLONE_NEW* flag <-> /proc/PID/ns entry.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace hull::linux {

struct NamespaceKind {
  absl::string_view oci_type;   // "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"
  int clone_flag;               // CLONE_NEWPID, ...
  absl::string_view proc_name;  // "pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"
};

const std::vector<NamespaceKind>& AllNamespaceKinds();
std::optional<NamespaceKind> NamespaceByType(absl::string_view oci_type);

}  // namespace hull::linux
