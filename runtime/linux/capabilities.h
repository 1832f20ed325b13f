// Linux capabilities: name table (from libcap), validation of process.capabilities in the
// parent, and application in the container's init.
//
// Unknown or unavailable names follow runc (libcontainer/capabilities.New) and the runtime-spec
// ("MUST be logged as a warning ... SHOULD NOT fail"): they are left out of the resolved sets and
// reported in CapSets::warnings, each naming the OCI field (`process.capabilities.bounding[2]:
// unknown capability "CAP_FOO"`). The caller logs them at warning level. The same applies to
// requests the kernel can never grant: an effective capability missing from permitted, an ambient
// one missing from permitted or inheritable (runc warns "can't raise ambient capability" for the
// latter and fails with EPERM on the former; we warn for both, before clone).
//
// ApplyCapabilities then applies exactly the resolved sets and fails on any kernel refusal: nothing
// the resolved sets ask for is skipped silently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hull::spec {
struct LinuxCapabilities;
}

namespace hull::linux {

// One bit per capability number (the kernel's sets are 64 bits wide).
using CapMask = uint64_t;

struct CapSets {
  CapMask bounding = 0;
  CapMask effective = 0;
  CapMask permitted = 0;
  CapMask inheritable = 0;
  CapMask ambient = 0;
  // Human-readable reasons for names left out (field path first). For the caller to log.
  std::vector<std::string> warnings;
};

// The five lists of process.capabilities, by name.
struct CapabilityNames {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> permitted;
  std::vector<std::string> inheritable;
  std::vector<std::string> ambient;
};

// "CAP_CHOWN" -> 0. Only the canonical upper-case spelling is accepted (as runc). Names libcap
// knows but the running kernel does not (number > /proc/sys/kernel/cap_last_cap) are
// FailedPrecondition; names nobody knows are NotFound.
absl::StatusOr<int> CapabilityFromName(std::string_view name);
// 0 -> "CAP_CHOWN"; a number without a name gives "CAP_<n>".
std::string CapabilityName(int cap);
// Every capability name libcap knows, in number order (for `hull features`).
std::vector<std::string> KnownCapabilityNames();
// The highest capability number the running kernel supports.
int LastCapability();
// "CAP_CHOWN,CAP_KILL" for messages.
std::string CapMaskToString(CapMask mask);

// Validates names and computes the masks (see the header comment for what becomes a warning).
// Never fails today; StatusOr keeps the door open for a strict mode.
absl::StatusOr<CapSets> ResolveCapabilityNames(const CapabilityNames& names);
// The spec entry point; a missing process.capabilities resolves to all-empty sets (as runc: the
// process gets no capabilities at all).
absl::StatusOr<CapSets> ResolveCapabilities(const spec::LinuxCapabilities& caps);
absl::StatusOr<CapSets> ResolveCapabilities(const std::optional<spec::LinuxCapabilities>& caps);

// The steps of ApplyCapabilities, exposed because identity.cc interleaves the user switch
// between them (see FinalizeIdentityAndCapabilities).
// Drops every bounding-set entry not in sets.bounding (PR_CAPBSET_DROP; needs CAP_SETPCAP).
absl::Status DropBoundingSet(const CapSets& sets);
// capset(2): effective, permitted and inheritable exactly as resolved. Inheritable is whatever
// the spec listed, which is empty unless it listed some (CVE-2022-29162).
absl::Status SetProcessCapabilities(const CapSets& sets);
// Clears the ambient set, then raises each resolved ambient capability.
absl::Status SetAmbientCapabilities(const CapSets& sets);

// All three in order, for a process that does not change user.
absl::Status ApplyCapabilities(const CapSets& sets);

}  // namespace hull::linux
