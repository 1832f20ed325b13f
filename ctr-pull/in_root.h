// Path resolution inside an unpacked rootfs. Every lookup goes through openat2 with
// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS relative to the rootfs fd, so symlinks and ".." in the
// image can never lead outside it; callers then act on the returned fd or with *at() calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace hull::pull {

// openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), retried on
// EAGAIN/EINTR. `path` is relative to the rootfs ("" or "." is the root itself).
absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// Reads a small file inside the rootfs (e.g. "etc/passwd"); kNotFound when absent.
absl::StatusOr<std::string> ReadFileInRoot(int root_fd, std::string_view path,
                                           size_t max_size = 4 << 20);

// Removes `name` in directory `dir_fd` and, if it is a directory, everything below it, without
// ever following a symlink. ENOENT is not an error.
absl::Status RemoveTreeAt(int dir_fd, const std::string& name);

}  // namespace hull::pull
