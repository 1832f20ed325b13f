// /dev inside the container: runc's default device nodes and symlinks, `linux.devices`
// (mknod, or a bind of the host node inside a user namespace, where mknod is refused), and
// /dev/console for terminals. All created with *at() calls on fds resolved inside the rootfs.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "spec/config.h"

namespace hull::linux {

// The devices every container gets (null, zero, full, random, urandom, tty), as runc adds them.
std::vector<spec::LinuxDevice> DefaultDevices();

// Creates each device (skipping a default that the config lists itself). `bind_from_host`
// (user namespaces) bind-mounts the host's node instead of mknod.
absl::Status CreateDevices(int root_fd, const std::vector<spec::LinuxDevice>& devices,
                           bool bind_from_host);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/ptmx (-> pts/ptmx), /dev/core.
absl::Status CreateDevSymlinks(int root_fd);

// Bind-mounts the pty slave `slave_fd` onto /dev/console (created as an empty file first).
absl::Status MountConsole(int root_fd, int slave_fd);

}  // namespace hull::linux
