// process.rlimits: the RLIMIT_* name table, validation in the parent, setrlimit in the child.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hull::spec {
struct POSIXRlimit;
}

namespace hull::linux {

struct Rlimit {
  int resource = 0;   // RLIMIT_NOFILE, ...
  std::string name;   // "RLIMIT_NOFILE", for messages
  size_t index = 0;   // position in process.rlimits, for messages
  uint64_t soft = 0;  // RLIM_INFINITY is ~0, as in the spec
  uint64_t hard = 0;
};

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE (exact spelling, as runc's strToRlimit).
absl::StatusOr<int> RlimitFromName(std::string_view name);
// Every RLIMIT_* name, in resource-number order (for `hull features`).
std::vector<std::string> KnownRlimitNames();

// Validates in the parent: known type, soft <= hard, no type twice (the spec requires an error
// for duplicates). Errors: `process.rlimits[1].type: unknown rlimit "RLIMIT_FOO"`.
absl::StatusOr<std::vector<Rlimit>> ResolveRlimits(const std::vector<spec::POSIXRlimit>& rlimits);

// prlimit(pid, ...) for each entry, in order; pid 0 is the calling process. Raising a hard limit
// needs CAP_SYS_RESOURCE; the kernel's refusal is the error:
// `process.rlimits[0]: setrlimit RLIMIT_NOFILE soft=1024 hard=4096: Operation not permitted`.
absl::Status ApplyRlimits(const std::vector<Rlimit>& rlimits, pid_t pid = 0);

}  // namespace hull::linux
