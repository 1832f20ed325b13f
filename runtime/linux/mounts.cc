#include "runtime/linux/mounts.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {
namespace {

int FsOpen(const char* type) {
  return static_cast<int>(::syscall(SYS_fsopen, type, FSOPEN_CLOEXEC));
}
int FsConfig(int fd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
int FsMount(int fd, unsigned flags, unsigned attrs) {
  return static_cast<int>(::syscall(SYS_fsmount, fd, flags, attrs));
}

// The kernel's own message for a failed fsconfig (read from the fs context fd), if any.
std::string FsContextMessage(int fsfd) {
  char buf[512];
  std::string out;
  for (;;) {
    ssize_t n = ::read(fsfd, buf, sizeof buf - 1);
    if (n <= 0) break;
    // Each message is "<level> <text>\n" (level e, w or i): keep the text, one line.
    std::string msg(buf, static_cast<size_t>(n));
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (msg.size() > 2 && msg[1] == ' ') msg = msg.substr(2);
    for (char& c : msg) {
      if (c == '\n') c = ' ';
    }
    if (!out.empty()) out += "; ";
    out += msg;
  }
  return out;
}

absl::Status ApplyPropagation(int mount_fd, const MountOptions& opts, const std::string& what) {
  for (unsigned long p : opts.propagation) {
    sys::MountAttr attr = {};
    attr.propagation = p & ~static_cast<unsigned long>(MS_REC);
    unsigned flags = AT_EMPTY_PATH | ((p & MS_REC) ? AT_RECURSIVE : 0);
    if (sys::MountSetattr(mount_fd, "", flags, &attr) != 0) {
      return ErrnoError(absl::StrCat(what, ": set propagation"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> MakeFilesystemMount(const std::string& type, const std::string& source,
                                             const MountOptions& opts, const std::string& what) {
  int fsfd = FsOpen(type.c_str());
  if (fsfd < 0) return ErrnoError(absl::StrCat(what, ": fsopen ", type));
  UniqueFd fs(fsfd);
  if (!source.empty()) {
    FsConfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0);
  }
  for (const std::string& d : opts.data) {
    size_t eq = d.find('=');
    int rc;
    if (eq == std::string::npos) {
      rc = FsConfig(fs.get(), FSCONFIG_SET_FLAG, d.c_str(), nullptr, 0);
    } else {
      std::string key = d.substr(0, eq), value = d.substr(eq + 1);
      rc = FsConfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
    }
    if (rc != 0) {
      int err = errno;
      std::string msg = FsContextMessage(fs.get());
      return ErrnoError(err, absl::StrCat(what, ": ", type, " option \"", d, "\"",
                                          msg.empty() ? "" : " (" + msg + ")"));
    }
  }
  if (FsConfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    int err = errno;
    std::string msg = FsContextMessage(fs.get());
    return ErrnoError(err, absl::StrCat(what, ": create ", type, " filesystem",
                                        msg.empty() ? "" : " (" + msg + ")"));
  }
  int mfd = FsMount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(opts.attr_set));
  if (mfd < 0) return ErrnoError(absl::StrCat(what, ": fsmount ", type));
  return UniqueFd(mfd);
}

absl::Status MountCgroup(int root_fd, const MountRequest& req, const MountOptions& opts) {
  const std::string what = absl::StrCat(req.json_path, " (cgroup on ", req.destination, ")");
  ASSIGN_OR_RETURN(UniqueFd target, MkdirAllInRoot(root_fd, req.destination));
  if (req.cgroup_v2_host) {
    ASSIGN_OR_RETURN(UniqueFd m, MakeFilesystemMount("cgroup2", "cgroup", opts, what));
    RETURN_IF_ERROR(AttachMountAt(m.get(), target.get(), root_fd, req.destination, what));
    return absl::OkStatus();
  }
  // v1 / hybrid: a tmpfs holding one bind of the container's own directory per hierarchy, as
  // runc does; read-only when the mount asks for it.
  MountOptions tmpfs_opts;
  tmpfs_opts.attr_set = opts.attr_set & ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
  tmpfs_opts.data = {"mode=755"};
  ASSIGN_OR_RETURN(UniqueFd tmpfs, MakeFilesystemMount("tmpfs", "tmpfs", tmpfs_opts, what));
  RETURN_IF_ERROR(AttachMountAt(tmpfs.get(), target.get(), root_fd, req.destination, what));
  // The per-hierarchy directories are made straight in the fresh tmpfs through its mount fd:
  // nothing in it comes from the rootfs, so there is nothing to resolve (and no walk from the
  // rootfs root per hierarchy).
  for (const auto& [name, host_dir] : req.cgroup_v1_dirs) {
    if (::mkdirat(tmpfs.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError(absl::StrCat(what, ": mkdir ", name));
    }
    int sub_fd = ::openat(tmpfs.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_fd < 0) return ErrnoError(absl::StrCat(what, ": open ", name));
    UniqueFd sub(sub_fd);
    int src = ::open(host_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (src < 0) return ErrnoError(absl::StrCat(what, ": open ", host_dir));
    UniqueFd src_fd(src);
    ASSIGN_OR_RETURN(UniqueFd m, CloneMountOf(src_fd.get(), false));
    RETURN_IF_ERROR(SetMountAttrs(
        m.get(), opts.attr_set | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        opts.attr_clr, false, what));
    RETURN_IF_ERROR(AttachMount(m.get(), sub.get(), what));
    // Co-mounted controllers ("cpu,cpuacct") also get a symlink per controller, as on hosts.
    if (name.find(',') != std::string::npos) {
      size_t start = 0;
      while (start <= name.size()) {
        size_t comma = name.find(',', start);
        std::string part =
            name.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (::symlinkat(name.c_str(), tmpfs.get(), part.c_str()) != 0 && errno != EEXIST) {
          return ErrnoError(absl::StrCat(what, ": symlink ", part));
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  if (opts.attr_set & MOUNT_ATTR_RDONLY) {
    RETURN_IF_ERROR(SetMountAttrs(tmpfs.get(), MOUNT_ATTR_RDONLY, 0, false, what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<UniqueFd> CloneMountOf(int fd, bool recursive) {
  int m = sys::OpenTree(
      fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (m < 0) return ErrnoError("open_tree (bind)");
  return UniqueFd(m);
}

absl::Status AttachMount(int mount_fd, int target_fd, const std::string& what) {
  if (sys::MoveMount(mount_fd, "", target_fd, "",
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return ErrnoError(absl::StrCat(what, ": move_mount"));
  }
  return absl::OkStatus();
}

absl::Status AttachMountAt(int mount_fd, int target_fd, int root_fd, absl::string_view destination,
                           const std::string& what) {
  RETURN_IF_ERROR(AttachMount(mount_fd, target_fd, what));
  struct statx want = {}, got = {};
  if (::statx(mount_fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &want) != 0) {
    return ErrnoError(absl::StrCat(what, ": statx new mount"));
  }
  if (!(want.stx_mask & STATX_MNT_ID)) return absl::OkStatus();  // kernel before 5.8
  auto now = OpenInRoot(root_fd, destination, O_PATH);
  if (now.ok() && ::statx(now->get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &got) == 0 &&
      got.stx_mnt_id == want.stx_mnt_id) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": the mount target was replaced while mounting (the destination no ",
                   "longer leads to the new mount)"));
}

absl::Status SetMountAttrs(int mount_fd, uint64_t set, uint64_t clr, bool recursive,
                           const std::string& what) {
  if (set == 0 && clr == 0) return absl::OkStatus();
  sys::MountAttr attr = {};
  attr.attr_set = set;
  attr.attr_clr = clr;
  if (sys::MountSetattr(mount_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) != 0) {
    return ErrnoError(absl::StrCat(what, ": mount_setattr"));
  }
  return absl::OkStatus();
}

namespace {

absl::Status SetIdmap(int mount_fd, const MountOptions& opts, int userns_fd,
                      const std::string& what) {
  if (userns_fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": idmap mount needs uidMappings and gidMappings"));
  }
  sys::MountAttr attr = {};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (sys::MountSetattr(mount_fd, "", AT_EMPTY_PATH | (opts.idmap_recursive ? AT_RECURSIVE : 0),
                        &attr) != 0) {
    return ErrnoError(absl::StrCat(what, ": idmap"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<UniqueFd> PrepareIdmappedBind(const MountRequest& req) {
  const std::string what = absl::StrCat(req.json_path, " (", req.destination, ")");
  ASSIGN_OR_RETURN(MountOptions opts, ParseMountOptions(req.options, req.json_path + ".options"));
  int src = ::open(req.source.c_str(), O_PATH | O_CLOEXEC);
  if (src < 0) return ErrnoError(absl::StrCat(what, ": bind source ", req.source));
  UniqueFd src_fd(src);
  auto cloned = CloneMountOf(src_fd.get(), opts.recursive);
  if (!cloned.ok()) return Annotate(cloned.status(), what);
  UniqueFd mnt = std::move(*cloned);
  RETURN_IF_ERROR(SetMountAttrs(mnt.get(), opts.attr_set, opts.attr_clr, false, what));
  RETURN_IF_ERROR(SetIdmap(mnt.get(), opts, req.idmap_userns_fd, what));
  RETURN_IF_ERROR(SetMountAttrs(mnt.get(), opts.rec_attr_set, opts.rec_attr_clr, true, what));
  return mnt;
}

absl::Status MountInRoot(int root_fd, const MountRequest& req) {
  const std::string what = absl::StrCat(req.json_path, " (", req.destination, ")");
  ASSIGN_OR_RETURN(MountOptions opts, ParseMountOptions(req.options, req.json_path + ".options"));
  if (req.type == "cgroup" || req.type == "cgroup2") return MountCgroup(root_fd, req, opts);

  if (req.premounted_fd >= 0) {
    struct stat st;
    if (::fstat(req.premounted_fd, &st) != 0) return ErrnoError(what + ": stat prepared mount");
    auto target = EnsureMountTarget(root_fd, req.destination, S_ISDIR(st.st_mode));
    if (!target.ok()) return Annotate(target.status(), what);
    RETURN_IF_ERROR(
        AttachMountAt(req.premounted_fd, target->get(), root_fd, req.destination, what));
    return ApplyPropagation(req.premounted_fd, opts, what);
  }

  UniqueFd mnt;
  bool is_dir = true;
  if (opts.bind || req.type == "bind") {
    int src = ::open(req.source.c_str(), O_PATH | O_CLOEXEC);
    if (src < 0) return ErrnoError(absl::StrCat(what, ": bind source ", req.source));
    UniqueFd src_fd(src);
    struct stat st;
    if (::fstat(src_fd.get(), &st) != 0) return ErrnoError(absl::StrCat(what, ": stat source"));
    is_dir = S_ISDIR(st.st_mode);
    auto cloned = CloneMountOf(src_fd.get(), opts.recursive);
    if (!cloned.ok()) return Annotate(cloned.status(), what);
    mnt = std::move(*cloned);
    // A bind keeps the source's flags unless options change them; clearing MOUNT_ATTR__ATIME
    // without setting a mode is invalid, so only pass what was asked for.
    RETURN_IF_ERROR(SetMountAttrs(mnt.get(), opts.attr_set, opts.attr_clr, false, what));
  } else {
    std::string source = req.source.empty() ? req.type : req.source;
    auto made = MakeFilesystemMount(req.type, source, opts, what);
    if (!made.ok() && req.type == "sysfs" && (ErrnoOf(made.status()) == EPERM) && !req.new_netns) {
      // sysfs cannot be mounted fresh without owning the network namespace: bind the host's,
      // as runc does.
      int src = ::open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (src < 0) return ErrnoError(absl::StrCat(what, ": open /sys"));
      UniqueFd src_fd(src);
      ASSIGN_OR_RETURN(mnt, CloneMountOf(src_fd.get(), true));
      RETURN_IF_ERROR(SetMountAttrs(mnt.get(), opts.attr_set, opts.attr_clr, true, what));
    } else if (!made.ok()) {
      return made.status();
    } else {
      mnt = std::move(*made);
    }
  }
  if (opts.idmap) RETURN_IF_ERROR(SetIdmap(mnt.get(), opts, req.idmap_userns_fd, what));
  RETURN_IF_ERROR(SetMountAttrs(mnt.get(), opts.rec_attr_set, opts.rec_attr_clr, true, what));

  auto target = EnsureMountTarget(root_fd, req.destination, is_dir);
  if (!target.ok()) return Annotate(target.status(), what);
  RETURN_IF_ERROR(AttachMountAt(mnt.get(), target->get(), root_fd, req.destination, what));
  RETURN_IF_ERROR(ApplyPropagation(mnt.get(), opts, what));
  return absl::OkStatus();
}

}  // namespace hull::linux
