// Small helpers for reading and writing cgroup control files (internal to hull_cgroups).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"

namespace hull::cgroups {

// Contents of dir/name with trailing whitespace removed.
absl::StatusOr<std::string> ReadCgroupFile(const std::string& dir, absl::string_view name);
// Writes value (one write(2), as the kernel wants) into an existing dir/name. The error names
// the value and the file: `write "100" to /sys/fs/cgroup/x/pids.max: Invalid argument`.
absl::Status WriteCgroupFile(const std::string& dir, absl::string_view name,
                             absl::string_view value);
bool CgroupFileExists(const std::string& dir, absl::string_view name);

// WriteCgroupFile for a sequence of writes, keeping the last file open: consecutive writes to
// one file (the v1 device rules, one rule per write(2)) cost one open.
class CgroupFileWriter {
 public:
  absl::Status Write(const std::string& dir, absl::string_view name, absl::string_view value);

 private:
  std::string path_;
  UniqueFd fd_;
};

// "max" -> UINT64_MAX; otherwise a decimal number.
absl::StatusOr<uint64_t> ParseCgroupUint(absl::string_view s);
absl::StatusOr<uint64_t> ReadCgroupUint(const std::string& dir, absl::string_view name);
// "key value" lines (memory.stat, cpu.stat, memory.events, ...). Unparsable lines are skipped.
std::map<std::string, uint64_t> ParseFlatKeyed(absl::string_view text);

// Fails unless `path` is on a cgroup (v1) or cgroup2 filesystem: no writing into a directory
// that merely looks like a cgroup.
absl::Status CheckCgroupFs(const std::string& path, bool unified);

}  // namespace hull::cgroups
