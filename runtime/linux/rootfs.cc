#include "runtime/linux/rootfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "runtime/linux/devices.h"
#include "runtime/linux/mount_options.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {
namespace {

bool HasMountAt(const spec::Spec& spec, absl::string_view dest) {
  for (const auto& m : spec.mounts) {
    if (CleanPath(m.destination) == dest) return true;
  }
  return false;
}

bool IsBindOfHostDev(const spec::Spec& spec) {
  for (const auto& m : spec.mounts) {
    if (CleanPath(m.destination) != "/dev") continue;
    for (const auto& o : m.options) {
      if (o == "bind" || o == "rbind") return true;
    }
    if (m.type.value_or("") == "bind") return true;
  }
  return false;
}

// Opens the host's /dev/null and checks it really is the 1:3 character device, so masking can
// never bind something an attacker substituted (CVE-2025-31133).
absl::StatusOr<UniqueFd> OpenVerifiedDevNull() {
  int fd = ::open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoError("open host /dev/null");
  UniqueFd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0) return ErrnoError("stat host /dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
    return absl::FailedPreconditionError("host /dev/null is not the null device");
  }
  return f;
}

absl::Status MaskPaths(const std::vector<std::string>& paths, int root_fd) {
  if (paths.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(UniqueFd devnull, OpenVerifiedDevNull());
  // One empty read-only tmpfs for every masked directory: the first is made, the others are
  // clones of it (a superblock fewer each; nothing can be written to it).
  UniqueFd empty_dir_mount;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string what = absl::StrCat("linux.maskedPaths[", i, "] (", paths[i], ")");
    auto target = OpenInRoot(root_fd, paths[i], O_PATH);
    if (!target.ok()) {
      if (ErrnoOf(target.status()) == ENOENT) continue;  // nothing to hide
      return Annotate(target.status(), what);
    }
    struct stat st;
    if (::fstat(target->get(), &st) != 0) return ErrnoError(what + ": stat");
    if (S_ISDIR(st.st_mode) && empty_dir_mount) {
      ASSIGN_OR_RETURN(UniqueFd mnt, CloneMountOf(empty_dir_mount.get(), false));
      RETURN_IF_ERROR(AttachMount(mnt.get(), target->get(), what));
    } else if (S_ISDIR(st.st_mode)) {
      // An empty read-only tmpfs over directories.
      int fsfd = static_cast<int>(::syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC));
      if (fsfd < 0) return ErrnoError(what + ": fsopen tmpfs");
      UniqueFd fs(fsfd);
      ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "size", "0", 0);
      ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "mode", "0755", 0);
      if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
        return ErrnoError(what + ": create tmpfs");
      }
      int m = static_cast<int>(
          ::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC,
                    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
      if (m < 0) return ErrnoError(what + ": fsmount tmpfs");
      UniqueFd mnt(m);
      RETURN_IF_ERROR(AttachMount(mnt.get(), target->get(), what));
      empty_dir_mount = std::move(mnt);  // attached now, so it can be cloned
    } else {
      ASSIGN_OR_RETURN(UniqueFd mnt, CloneMountOf(devnull.get(), false));
      RETURN_IF_ERROR(AttachMount(mnt.get(), target->get(), what));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadonlyPaths(const std::vector<std::string>& paths, int root_fd) {
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string what = absl::StrCat("linux.readonlyPaths[", i, "] (", paths[i], ")");
    auto target = OpenInRoot(root_fd, paths[i], O_PATH);
    if (!target.ok()) {
      if (ErrnoOf(target.status()) == ENOENT) continue;
      return Annotate(target.status(), what);
    }
    ASSIGN_OR_RETURN(UniqueFd mnt, CloneMountOf(target->get(), true));
    RETURN_IF_ERROR(SetMountAttrs(
        mnt.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0,
        true, what));
    RETURN_IF_ERROR(AttachMount(mnt.get(), target->get(), what));
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> OpenVerifiedProc(int root_fd) {
  ASSIGN_OR_RETURN(UniqueFd proc, OpenInRoot(root_fd, "/proc", O_PATH | O_DIRECTORY));
  struct statfs sfs;
  if (::fstatfs(proc.get(), &sfs) != 0) return ErrnoError("statfs /proc");
  if (sfs.f_type != PROC_SUPER_MAGIC) {
    return absl::FailedPreconditionError("/proc in the container is not a procfs mount");
  }
  return proc;
}

}  // namespace

absl::Status ApplySysctls(const std::map<std::string, std::string>& sysctl, int proc_fd) {
  for (const auto& [key, value] : sysctl) {
    const std::string what = absl::StrCat("linux.sysctl[\"", key, "\"]");
    if (key.empty() || key.find("..") != std::string::npos || key.front() == '/' ||
        key.front() == '.') {
      return absl::InvalidArgumentError(what + ": invalid sysctl name");
    }
    std::string rel = absl::StrCat("sys/", absl::StrReplaceAll(key, {{".", "/"}}));
    struct open_how how = {};
    how.flags = O_WRONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    int fd = sys::OpenAt2(proc_fd, rel.c_str(), &how);
    if (fd < 0) return ErrnoError(absl::StrCat(what, ": open /proc/", rel));
    UniqueFd f(fd);
    if (::write(f.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
      return ErrnoError(absl::StrCat(what, ": write \"", value, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status PrepareRootfs(const spec::Spec& spec, const RootfsPlan& plan, UniqueFd* root_fd) {
  // Stop mount events from leaking back to the host: every mount of our copy of the host's
  // namespace becomes a slave (receives, never sends). Always, whatever rootfsPropagation says:
  // making the copy "shared" would put it in the host's peer groups.
  if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
    return ErrnoError("make / a slave mount");
  }
  // The rootfs becomes a mount point of its own (pivot_root needs one).
  if (::mount(plan.rootfs.c_str(), plan.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return ErrnoError(absl::StrCat("bind mount rootfs ", plan.rootfs));
  }
  if (spec.linux && spec.linux->rootfs_propagation) {
    // Checked now so a typo fails before anything else; applied after pivot_root.
    auto p = ParsePropagation(*spec.linux->rootfs_propagation);
    if (!p.ok()) return Annotate(p.status(), "linux.rootfsPropagation");
  }
  int fd = ::open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open rootfs ", plan.rootfs));
  root_fd->reset(fd);

  std::vector<std::pair<std::string, std::string>> cgroup_v1_dirs = plan.cgroup_v1_dirs;
  bool cgroup_dirs_known = !plan.await_cgroup_v1_dirs;
  auto await_cgroup_dirs = [&]() -> absl::Status {
    if (cgroup_dirs_known) return absl::OkStatus();
    ASSIGN_OR_RETURN(cgroup_v1_dirs, plan.await_cgroup_v1_dirs());
    cgroup_dirs_known = true;
    return absl::OkStatus();
  };
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    MountRequest req;
    req.destination = CleanPath(m.destination);
    req.type = m.type.value_or("");
    req.source = m.source.value_or("");
    bool is_bind = req.type == "bind";
    for (const auto& o : m.options) is_bind = is_bind || o == "bind" || o == "rbind";
    if (is_bind && !req.source.empty() && req.source.front() != '/') {
      req.source = absl::StrCat(plan.bundle, "/", req.source);
    }
    req.options = m.options;
    req.json_path = absl::StrCat("mounts[", i, "]");
    if ((req.type == "cgroup" || req.type == "cgroup2") && !plan.cgroup_v2_host) {
      RETURN_IF_ERROR(await_cgroup_dirs());
      req.cgroup_v1_dirs = cgroup_v1_dirs;
    }
    req.cgroup_v2_host = plan.cgroup_v2_host;
    req.new_netns = plan.new_netns;
    if (i < plan.idmap_userns_fds.size()) req.idmap_userns_fd = plan.idmap_userns_fds[i];
    if (i < plan.premounted_fds.size()) req.premounted_fd = plan.premounted_fds[i];
    RETURN_IF_ERROR(MountInRoot(root_fd->get(), req));
  }

  // process.cwd is created when missing, as runc does (as root, before the user switch).
  if (spec.process && !spec.process->cwd.empty()) {
    auto cwd = OpenInRoot(root_fd->get(), spec.process->cwd, O_PATH | O_DIRECTORY);
    if (!cwd.ok() && ErrnoOf(cwd.status()) == ENOENT) {
      RETURN_IF_ERROR_CTX(MkdirAllInRoot(root_fd->get(), spec.process->cwd).status(),
                          "process.cwd");
    }
  }

  if (!IsBindOfHostDev(spec)) {
    std::vector<spec::LinuxDevice> devices;
    if (spec.linux) devices = spec.linux->devices;
    RETURN_IF_ERROR_CTX(CreateDevices(root_fd->get(), devices, plan.new_userns), "create devices");
    RETURN_IF_ERROR(CreateDevSymlinks(root_fd->get()));
  }
  if (plan.console_slave_fd >= 0) {
    RETURN_IF_ERROR_CTX(MountConsole(root_fd->get(), plan.console_slave_fd), "set up console");
  }
  RETURN_IF_ERROR(await_cgroup_dirs());
  (void)HasMountAt;
  return absl::OkStatus();
}

absl::Status FinishRootfs(const spec::Spec& spec, const RootfsPlan& plan, int root_fd) {
  // Sysctls go through the container's own procfs (verified to be procfs) before pivot, so the
  // host /proc is never written.
  if (spec.linux && !spec.linux->sysctl.empty()) {
    ASSIGN_OR_RETURN(UniqueFd proc, OpenVerifiedProc(root_fd));
    RETURN_IF_ERROR(ApplySysctls(spec.linux->sysctl, proc.get()));
  }
  if (spec.linux) {
    RETURN_IF_ERROR(MaskPaths(spec.linux->masked_paths, root_fd));
    RETURN_IF_ERROR(ReadonlyPaths(spec.linux->readonly_paths, root_fd));
  }

  // The old root, to detach it after pivot_root: "." after pivot_root(".", ".") is still the
  // new root's directory (the lookup of "." does not cross the old root stacked on it), so
  // making "." a slave would turn the container's own shared mounts into private ones.
  int oldroot_fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot_fd < 0) return ErrnoError("open old root");
  UniqueFd oldroot(oldroot_fd);
  if (::fchdir(root_fd) != 0) return ErrnoError("chdir to rootfs");
  if (plan.no_pivot) {
    if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) return ErrnoError("move rootfs to /");
    if (::chroot(".") != 0) return ErrnoError("chroot");
  } else {
    // pivot_root(".", ".") stacks the old root on top of the new one; detach it right away.
    if (sys::PivotRoot(".", ".") != 0) return ErrnoError("pivot_root");
    if (::fchdir(oldroot.get()) != 0) return ErrnoError("chdir to old root");
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      return ErrnoError("make old root a slave");
    }
    if (::umount2(".", MNT_DETACH) != 0) return ErrnoError("unmount old root");
  }
  if (::chdir("/") != 0) return ErrnoError("chdir /");

  // linux.rootfsPropagation applies to the rootfs mount tree, after pivot_root (which refuses a
  // shared new root): "shared" makes new peer groups of the container's own, still slaves of
  // the host, so nothing propagates back.
  if (spec.linux && spec.linux->rootfs_propagation) {
    ASSIGN_OR_RETURN(unsigned long p, ParsePropagation(*spec.linux->rootfs_propagation));
    if (::mount(nullptr, "/", nullptr, p | MS_REC, nullptr) != 0) {
      return ErrnoError("linux.rootfsPropagation: set propagation of /");
    }
  }

  if (spec.root && spec.root->readonly.value_or(false)) {
    int rfd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0) return ErrnoError("open /");
    UniqueFd r(rfd);
    RETURN_IF_ERROR(SetMountAttrs(r.get(), MOUNT_ATTR_RDONLY, 0, false, "root.readonly"));
  }
  return absl::OkStatus();
}

}  // namespace hull::linux
