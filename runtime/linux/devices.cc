#include "runtime/linux/devices.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {
namespace {

spec::LinuxDevice Char(const char* path, int64_t major, int64_t minor) {
  spec::LinuxDevice d;
  d.type = "c";
  d.path = path;
  d.major = major;
  d.minor = minor;
  d.file_mode = 0666;
  d.uid = 0;
  d.gid = 0;
  return d;
}

absl::StatusOr<mode_t> DeviceTypeBits(const std::string& type, size_t index) {
  if (type == "c" || type == "u") return S_IFCHR;
  if (type == "b") return S_IFBLK;
  if (type == "p") return S_IFIFO;
  return absl::InvalidArgumentError(
      absl::StrCat("linux.devices[", index, "].type: unknown device type \"", type, "\""));
}

absl::Status CreateOne(int root_fd, const spec::LinuxDevice& dev, size_t index,
                       bool bind_from_host) {
  const std::string what = absl::StrCat("linux.devices[", index, "] (", dev.path, ")");
  ASSIGN_OR_RETURN(mode_t type_bits, DeviceTypeBits(dev.type, index));
  auto [parent, name] = SplitParent(dev.path);
  if (name.empty()) return absl::InvalidArgumentError(what + ": invalid device path");
  ASSIGN_OR_RETURN(UniqueFd dir, MkdirAllInRoot(root_fd, parent));
  mode_t perm = dev.file_mode.value_or(0666) & 07777;
  if (bind_from_host && type_bits != S_IFIFO) {
    ASSIGN_OR_RETURN(UniqueFd target, EnsureMountTarget(root_fd, dev.path, false));
    int src = ::open(dev.path.c_str(), O_PATH | O_CLOEXEC);
    if (src < 0) return ErrnoError(absl::StrCat(what, ": open host device"));
    UniqueFd src_fd(src);
    ASSIGN_OR_RETURN(UniqueFd m, CloneMountOf(src_fd.get(), false));
    return AttachMountAt(m.get(), target.get(), root_fd, dev.path, what);
  }
  // Replace whatever is there (the rootfs may ship a file or symlink at that name): unlinkat
  // acts on the entry itself and never follows a symlink.
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return ErrnoError(absl::StrCat(what, ": remove existing entry"));
  }
  dev_t rdev = makedev(static_cast<unsigned>(dev.major), static_cast<unsigned>(dev.minor));
  if (::mknodat(dir.get(), name.c_str(), type_bits | perm, rdev) != 0) {
    return ErrnoError(absl::StrCat(what, ": mknod"));
  }
  int fd = ::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat(what, ": open"));
  UniqueFd node(fd);
  // The rootfs owner can swap the name between mknod and here (e.g. for a symlink to a host
  // file): act only on the node we made, and only through its fd (CVE-2025-31133 family).
  struct stat st;
  if (::fstat(node.get(), &st) != 0) return ErrnoError(absl::StrCat(what, ": stat"));
  if ((st.st_mode & S_IFMT) != type_bits || (type_bits != S_IFIFO && st.st_rdev != rdev)) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, ": the device node was replaced while it was being made"));
  }
  // mknod applied the umask; set the exact mode and owner through the fd.
  if (sys::FchmodFd(node.get(), perm) != 0) return ErrnoError(absl::StrCat(what, ": chmod"));
  if (::fchownat(node.get(), "", dev.uid.value_or(0), dev.gid.value_or(0), AT_EMPTY_PATH) != 0) {
    return ErrnoError(absl::StrCat(what, ": chown"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<spec::LinuxDevice> DefaultDevices() {
  return {Char("/dev/null", 1, 3),   Char("/dev/zero", 1, 5),    Char("/dev/full", 1, 7),
          Char("/dev/random", 1, 8), Char("/dev/urandom", 1, 9), Char("/dev/tty", 5, 0)};
}

absl::Status CreateDevices(int root_fd, const std::vector<spec::LinuxDevice>& devices,
                           bool bind_from_host) {
  std::set<std::string> listed;
  for (size_t i = 0; i < devices.size(); ++i) {
    listed.insert(CleanPath(devices[i].path));
    RETURN_IF_ERROR(CreateOne(root_fd, devices[i], i, bind_from_host));
  }
  for (const auto& d : DefaultDevices()) {
    if (listed.count(d.path)) continue;
    RETURN_IF_ERROR(CreateOne(root_fd, d, 0, bind_from_host));
  }
  return absl::OkStatus();
}

absl::Status CreateDevSymlinks(int root_fd) {
  ASSIGN_OR_RETURN(UniqueFd dev, MkdirAllInRoot(root_fd, "/dev"));
  const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
  };
  for (const auto& [target, name] : links) {
    if (absl::string_view(name) == "ptmx") ::unlinkat(dev.get(), name, 0);
    if (::symlinkat(target, dev.get(), name) != 0 && errno != EEXIST) {
      return ErrnoError(absl::StrCat("symlink /dev/", name));
    }
  }
  if (::access("/proc/kcore", F_OK) == 0) {
    if (::symlinkat("/proc/kcore", dev.get(), "core") != 0 && errno != EEXIST) {
      return ErrnoError("symlink /dev/core");
    }
  }
  return absl::OkStatus();
}

absl::Status MountConsole(int root_fd, int slave_fd) {
  ASSIGN_OR_RETURN(UniqueFd dev, MkdirAllInRoot(root_fd, "/dev"));
  ::unlinkat(dev.get(), "console", 0);
  ASSIGN_OR_RETURN(UniqueFd target, EnsureMountTarget(root_fd, "/dev/console", false));
  ASSIGN_OR_RETURN(UniqueFd m, CloneMountOf(slave_fd, false));
  return AttachMountAt(m.get(), target.get(), root_fd, "/dev/console", "/dev/console");
}

}  // namespace hull::linux
