// The one table that maps OCI mount option strings to kernel values (mount(2) flags,
// mount_setattr attributes, propagation) — see runtime-spec config.md "Mounts" and runc's
// mount option list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hull::linux {

struct MountOptions {
  bool bind = false;       // "bind" or "rbind"
  bool recursive = false;  // "rbind"
  // Per-mount attributes (MOUNT_ATTR_*), applied to the top mount only.
  uint64_t attr_set = 0;
  uint64_t attr_clr = 0;
  // Recursive attributes from "rro", "rnosuid", ... applied with AT_RECURSIVE.
  uint64_t rec_attr_set = 0;
  uint64_t rec_attr_clr = 0;
  // Propagation changes (MS_SHARED | MS_REC, ...), applied in order after the mount.
  std::vector<unsigned long> propagation;
  // Filesystem-specific options ("size=64k", "mode=755", "newinstance"), passed to the fs.
  std::vector<std::string> data;
  // Classic mount(2) flags equivalent of attr_set (MS_RDONLY, MS_NOSUID, ...), used for mount
  // types that go through mount(2).
  unsigned long ms_flags = 0;
  bool idmap = false;            // "idmap" / "ridmap"
  bool idmap_recursive = false;  // "ridmap"
  bool tmpcopyup = false;        // accepted (crun/runc extension); not acted on
};

// Parses options; unknown flags that are not key=value and not known names are passed as fs
// data (as runc does). `json_path` prefixes errors ("mounts[2].options[1]").
absl::StatusOr<MountOptions> ParseMountOptions(const std::vector<std::string>& options,
                                               const std::string& json_path);

// Every option name hull understands, for `hull features` (mountOptions).
std::vector<std::string> KnownMountOptions();

// Propagation name ("rprivate", "shared", ...) -> MS_* flags; used for rootfsPropagation.
absl::StatusOr<unsigned long> ParsePropagation(const std::string& name);

}  // namespace hull::linux
