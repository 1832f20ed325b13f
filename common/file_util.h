// Small file helpers used by every layer (host paths only; paths inside a container rootfs go
// through runtime/linux/safe_path.h instead).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace hull {

absl::StatusOr<std::string> ReadFile(const std::string& path);
// Reads everything from fd (from its current offset).
absl::StatusOr<std::string> ReadFd(int fd);
// Writes `data` to `path` atomically: a temp file in the same directory, fsync-free rename.
absl::Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Writes all of `data` to fd, retrying short writes and EINTR.
absl::Status WriteAll(int fd, std::string_view data);
// Opens and writes `data` to an existing file (cgroup/proc files): no O_CREAT, no truncation games.
absl::Status WriteExistingFile(const std::string& path, std::string_view data);
absl::StatusOr<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode = 0);
// mkdir -p on the host.
absl::Status MakeDirs(const std::string& path, mode_t mode = 0755);
bool PathExists(const std::string& path);

}  // namespace hull
