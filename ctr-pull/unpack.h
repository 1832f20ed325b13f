// Applies image layers (tar, tar+gzip, tar+zstd; detected from the content) onto a rootfs
// directory, per the image-spec's layer.md: whiteouts (".wh.NAME", opaque ".wh..wh..opq"), hard
// links, symlinks, devices and fifos (devices only when allowed), ownership, modes, xattrs and
// mtimes.
//
// Safety: nothing is ever written outside the rootfs. Entry names that are absolute or contain
// ".." are refused; every parent directory is opened with openat2(RESOLVE_IN_ROOT) relative to the
// rootfs fd (so symlinks planted by earlier entries or layers resolve inside it), and the entry is
// created with *at() calls on that fd with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW. Errors name the layer
// and the entry: `layer sha256:ab..: entry "../x": path escapes the rootfs ("..")`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hull::pull {

struct UnpackOptions {
  // chown entries to their uid/gid (needs root); otherwise files belong to the caller.
  bool restore_owner = false;
  // Create block and character devices (needs CAP_MKNOD); otherwise they are skipped.
  bool create_devices = false;
  // Restore extended attributes (trusted.* / security.* need root); failures are ignored when the
  // filesystem does not support them.
  bool restore_xattrs = true;
  // Upper bound for the uncompressed bytes of one layer (a decompression bomb guard); 0 = none.
  uint64_t max_bytes = 0;
};

// Defaults for the current process: owners and devices when running as root.
UnpackOptions DefaultUnpackOptions();

struct UnpackStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t whiteouts = 0;
  uint64_t skipped_devices = 0;
};

// Reads the layer from `layer_fd` (from its current offset) and applies it to the directory
// `rootfs_fd`. `layer_name` is used in error messages.
absl::Status ApplyLayerFd(int rootfs_fd, int layer_fd, std::string_view layer_name,
                          const UnpackOptions& opts, UnpackStats* stats = nullptr);
// The same from memory (tests and the fuzzer).
absl::Status ApplyLayerBuffer(int rootfs_fd, std::string_view data, std::string_view layer_name,
                              const UnpackOptions& opts, UnpackStats* stats = nullptr);

}  // namespace hull::pull
