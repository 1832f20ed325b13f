// Path resolution inside an untrusted container rootfs. Every lookup is fd-relative with
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks, "..", and absolute links all stay
// inside the root, and magic links (/proc/self/fd/N, /proc/self/exe, ...) are refused. Callers
// then act on the returned fd (fstat, *at() calls, move_mount onto it), never on a path string.
// This is what makes hull immune to the CVE-2019-19921 / 2021-30465 / 2024-21626 / 2025-31133
// family of escapes.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"

namespace hull::linux {

// Opens `path` (absolute or relative, always interpreted inside root_fd) with `flags`
// (O_CLOEXEC is added). `path` "/" or "" opens the root itself.
absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, absl::string_view path, int flags,
                                    mode_t mode = 0);

// Like OpenInRoot but refuses when the final component is a symlink (RESOLVE_NO_SYMLINKS on the
// last step only).
absl::StatusOr<UniqueFd> OpenInRootNoFollow(int root_fd, absl::string_view path, int flags);

// Creates all missing directories of `path` inside root_fd, one component at a time, each
// created with mkdirat() on an fd of its verified parent. Returns an O_PATH fd of the last one.
absl::StatusOr<UniqueFd> MkdirAllInRoot(int root_fd, absl::string_view path, mode_t mode = 0755);

// Makes sure `path` exists inside root (a directory when `directory`, else an empty regular
// file, parents created), and returns an O_PATH fd of it. An existing entry of the other kind
// is an error, as is anything that is not a dir/regular file (unless it is a device/socket and
// !directory, which bind mounts may target).
absl::StatusOr<UniqueFd> EnsureMountTarget(int root_fd, absl::string_view path, bool directory);

// "/proc/self/fd/N": a path naming exactly this fd, for the few syscalls that only take paths.
std::string FdPath(int fd);

// Splits "/a/b/c" -> ("/a/b", "c"). Trailing slashes are ignored; "/" -> ("/", "").
std::pair<std::string, std::string> SplitParent(absl::string_view path);

// Normalises an absolute container path lexically ("//a/./b/" -> "/a/b"); ".." is kept out.
std::string CleanPath(absl::string_view path);

}  // namespace hull::linux
