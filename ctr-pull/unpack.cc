#include "ctr-pull/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "ctr-pull/in_root.h"
#include "ctr-pull/util.h"

namespace hull::pull {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";
// aufs metadata (".wh..wh.plnk", ".wh..wh.aufs"): not whiteouts, never materialized.
constexpr std::string_view kAufsMetaPrefix = ".wh..wh.";

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

// Splits an entry name into clean components. Refuses absolute names and "..": an image has no
// business naming anything outside its root, and refusing is clearer than silently re-rooting.
absl::StatusOr<std::vector<std::string>> SplitEntryPath(std::string_view name) {
  std::string_view p = name;
  if (!p.empty() && p.front() == '/') {
    return absl::PermissionDeniedError("absolute path escapes the rootfs");
  }
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    if (c == "..") return absl::PermissionDeniedError("path escapes the rootfs (\"..\")");
    if (!c.empty() && c != ".") out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

std::string JoinPath(const std::vector<std::string>& comps, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i) s += '/';
    s += comps[i];
  }
  return s;
}

class LayerApplier {
 public:
  LayerApplier(int rootfs_fd, std::string_view layer_name, const UnpackOptions& opts,
               UnpackStats* stats)
      : root_(rootfs_fd), layer_(layer_name), opts_(opts), stats_(stats) {}

  absl::Status Run(struct archive* a);

 private:
  struct DirTimes {
    std::string path;
    struct timespec times[2];
  };

  absl::Status Entry(struct archive* a, struct archive_entry* e);
  absl::Status EntryError(std::string_view entry, const absl::Status& st) const {
    return Annotate(st, absl::StrCat("layer ", Av(layer_), ": entry \"", Av(entry), "\""));
  }
  // Opens (creating missing directories, mode 0755) the directory that holds comps[0..n).
  absl::StatusOr<UniqueFd> OpenParent(const std::vector<std::string>& comps, size_t n);
  // Makes room for a new entry `name` in `dir`: removes whatever is there unless `keep_dir` and it
  // is a directory (then returns true: the directory is reused).
  absl::StatusOr<bool> Clear(int dir, const std::string& name, bool keep_dir);
  absl::Status Whiteout(int dir, const std::string& parent_path, const std::string& target);
  absl::Status Opaque(int dir, const std::string& dir_path);
  absl::Status WriteData(struct archive* a, int fd, int64_t size);
  absl::Status ApplyMetadata(int fd, struct archive_entry* e, bool is_dir);
  absl::Status ApplyXattrs(int fd, struct archive_entry* e);
  bool CreatedHere(const std::string& path) const { return created_.count(path) > 0; }

  int root_;
  std::string layer_;
  UnpackOptions opts_;
  UnpackStats* stats_;
  // Paths created by this layer: whiteouts only hide what lower layers had.
  std::set<std::string> created_;
  // Directory times are set last: creating children changes a directory's mtime.
  std::vector<DirTimes> dir_times_;
  uint64_t bytes_ = 0;
};

absl::Status LayerApplier::Run(struct archive* a) {
  while (true) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return absl::DataLossError(
          absl::StrCat("layer ", layer_, ": corrupt archive: ",
                       archive_error_string(a) ? archive_error_string(a) : "unknown error"));
    }
    const char* name = archive_entry_pathname(e);
    std::string entry_name = name ? name : "";
    if (absl::Status st = Entry(a, e); !st.ok()) return EntryError(entry_name, st);
    if (stats_) ++stats_->entries;
  }
  for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
    absl::StatusOr<UniqueFd> fd = OpenInRoot(root_, it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd.ok()) futimens(fd->get(), it->times);
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> LayerApplier::OpenParent(const std::vector<std::string>& comps, size_t n) {
  std::string path = JoinPath(comps, n);
  absl::StatusOr<UniqueFd> fd = OpenInRoot(root_, path, O_PATH | O_DIRECTORY);
  if (fd.ok() || ErrnoOf(fd.status()) != ENOENT) return fd;
  // Create the missing directories one level at a time, each created relative to its parent's fd.
  ASSIGN_OR_RETURN(UniqueFd cur, OpenInRoot(root_, "", O_PATH | O_DIRECTORY));
  for (size_t i = 0; i < n; ++i) {
    std::string prefix = JoinPath(comps, i + 1);
    absl::StatusOr<UniqueFd> next = OpenInRoot(root_, prefix, O_PATH | O_DIRECTORY);
    if (!next.ok() && ErrnoOf(next.status()) == ENOENT) {
      if (mkdirat(cur.get(), comps[i].c_str(), 0755) != 0) {
        if (errno != EEXIST) return ErrnoError(absl::StrCat("create parent directory ", prefix));
        struct stat st;
        if (fstatat(cur.get(), comps[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode)) {
          // Following it would mean creating its target; a layer has no reason to write through
          // a dangling symlink, and its target may name a host path.
          return absl::PermissionDeniedError(
              absl::StrCat("parent \"", prefix,
                           "\" is a symlink to a directory that does not exist in the rootfs"));
        }
      }
      next = OpenInRoot(root_, prefix, O_PATH | O_DIRECTORY);
    }
    if (!next.ok()) return Annotate(next.status(), "parent directory");
    cur = std::move(next).value();
  }
  return cur;
}

absl::StatusOr<bool> LayerApplier::Clear(int dir, const std::string& name, bool keep_dir) {
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return false;
    return ErrnoError("stat existing entry");
  }
  if (keep_dir && S_ISDIR(st.st_mode)) return true;
  RETURN_IF_ERROR(RemoveTreeAt(dir, name));
  return false;
}

absl::Status LayerApplier::Whiteout(int dir, const std::string& parent_path,
                                    const std::string& target) {
  std::string path = parent_path.empty() ? target : absl::StrCat(parent_path, "/", target);
  if (stats_) ++stats_->whiteouts;
  if (CreatedHere(path)) return absl::OkStatus();
  return RemoveTreeAt(dir, target);
}

absl::Status LayerApplier::Opaque(int dir, const std::string& dir_path) {
  if (stats_) ++stats_->whiteouts;
  int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open opaque directory");
  UniqueFd dfd(fd);
  int dup_fd = fcntl(dfd.get(), F_DUPFD_CLOEXEC, 0);
  DIR* d = dup_fd < 0 ? nullptr : fdopendir(dup_fd);
  if (d == nullptr && dup_fd >= 0) close(dup_fd);
  if (d == nullptr) return ErrnoError("read opaque directory");
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  closedir(d);
  for (const auto& n : names) {
    std::string child = dir_path.empty() ? n : absl::StrCat(dir_path, "/", n);
    if (!CreatedHere(child)) {
      RETURN_IF_ERROR(RemoveTreeAt(dfd.get(), n));
      continue;
    }
    // Recreated in this layer: its lower-layer children are hidden too.
    struct stat st;
    if (fstatat(dfd.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      int cfd = openat(dfd.get(), n.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0) return ErrnoError("open directory");
      UniqueFd c(cfd);
      RETURN_IF_ERROR(Opaque(c.get(), child));
    }
  }
  return absl::OkStatus();
}

absl::Status LayerApplier::WriteData(struct archive* a, int fd, int64_t size) {
  while (true) {
    const void* buf = nullptr;
    size_t n = 0;
    la_int64_t off = 0;
    int r = archive_read_data_block(a, &buf, &n, &off);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return absl::DataLossError(
          absl::StrCat("read data: ", archive_error_string(a) ? archive_error_string(a) : "error"));
    }
    bytes_ += n;
    if (opts_.max_bytes != 0 && bytes_ > opts_.max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("layer expands beyond the limit of ", opts_.max_bytes, " bytes"));
    }
    const char* p = static_cast<const char*>(buf);
    while (n > 0) {
      ssize_t w = pwrite(fd, p, n, off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("write file");
      }
      p += w;
      n -= static_cast<size_t>(w);
      off += w;
    }
  }
  if (stats_) stats_->bytes += static_cast<uint64_t>(size);
  // Sparse files: the holes at the end are not data blocks.
  if (ftruncate(fd, size) != 0) return ErrnoError("truncate file");
  return absl::OkStatus();
}

absl::Status LayerApplier::ApplyXattrs(int fd, struct archive_entry* e) {
  if (!opts_.restore_xattrs) return absl::OkStatus();
  archive_entry_xattr_reset(e);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (name == nullptr) continue;
    if (fsetxattr(fd, name, value, size, 0) != 0) {
      // Unsupported filesystems and namespaces we may not write (trusted.* unprivileged) are not
      // fatal: the content is still right.
      if (errno == ENOTSUP || errno == EPERM || errno == EACCES) continue;
      return ErrnoError(absl::StrCat("set xattr ", name));
    }
  }
  return absl::OkStatus();
}

absl::Status LayerApplier::ApplyMetadata(int fd, struct archive_entry* e, bool is_dir) {
  if (opts_.restore_owner) {
    if (fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
               static_cast<gid_t>(archive_entry_gid(e))) != 0) {
      return ErrnoError("chown");
    }
  }
  // After chown, which clears set-id bits.
  if (fchmod(fd, archive_entry_perm(e) & 07777) != 0) return ErrnoError("chmod");
  RETURN_IF_ERROR(ApplyXattrs(fd, e));
  struct timespec times[2];
  times[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
  times[0].tv_nsec =
      archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e) : archive_entry_mtime_nsec(e);
  times[1].tv_sec = archive_entry_mtime(e);
  times[1].tv_nsec = archive_entry_mtime_nsec(e);
  if (!is_dir && futimens(fd, times) != 0) return ErrnoError("set times");
  return absl::OkStatus();
}

absl::Status LayerApplier::Entry(struct archive* a, struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (raw == nullptr) return absl::InvalidArgumentError("entry without a name");
  ASSIGN_OR_RETURN(std::vector<std::string> comps, SplitEntryPath(raw));
  if (comps.empty()) return absl::OkStatus();  // "./": the rootfs itself keeps its own metadata.
  const std::string base = comps.back();
  const std::string path = JoinPath(comps, comps.size());
  const std::string parent_path = JoinPath(comps, comps.size() - 1);
  ASSIGN_OR_RETURN(UniqueFd parent, OpenParent(comps, comps.size() - 1));

  // Whiteouts.
  if (base.rfind(kWhiteoutPrefix, 0) == 0) {
    if (base == kOpaqueWhiteout) return Opaque(parent.get(), parent_path);
    if (base.rfind(kAufsMetaPrefix, 0) == 0) return absl::OkStatus();
    std::string target = base.substr(kWhiteoutPrefix.size());
    if (target.empty() || target == "." || target == "..") {
      return absl::PermissionDeniedError("invalid whiteout name");
    }
    return Whiteout(parent.get(), parent_path, target);
  }

  const char* hardlink = archive_entry_hardlink(e);
  if (hardlink != nullptr) {
    ASSIGN_OR_RETURN(std::vector<std::string> tcomps, SplitEntryPath(hardlink));
    if (tcomps.empty()) return absl::PermissionDeniedError("hard link to the rootfs itself");
    absl::StatusOr<UniqueFd> target =
        OpenInRoot(root_, JoinPath(tcomps, tcomps.size()), O_PATH | O_NOFOLLOW);
    if (!target.ok()) {
      return Annotate(target.status(), absl::StrCat("hard link target \"", hardlink, "\""));
    }
    struct stat st;
    if (fstat(target->get(), &st) != 0) return ErrnoError("stat hard link target");
    if (S_ISDIR(st.st_mode)) return absl::PermissionDeniedError("hard link to a directory");
    if (JoinPath(tcomps, tcomps.size()) == path) return absl::OkStatus();  // link to itself
    RETURN_IF_ERROR(Clear(parent.get(), base, false).status());
    if (linkat(target->get(), "", parent.get(), base.c_str(), AT_EMPTY_PATH) != 0) {
      // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc form works without it.
      std::string proc = absl::StrCat("/proc/self/fd/", target->get());
      if (linkat(AT_FDCWD, proc.c_str(), parent.get(), base.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        return ErrnoError("create hard link");
      }
    }
    created_.insert(path);
    return absl::OkStatus();
  }

  const mode_t type = archive_entry_filetype(e);
  switch (type) {
    case AE_IFDIR: {
      ASSIGN_OR_RETURN(bool reused, Clear(parent.get(), base, /*keep_dir=*/true));
      if (!reused && mkdirat(parent.get(), base.c_str(), 0700) != 0) {
        return ErrnoError("create directory");
      }
      int fd = openat(parent.get(), base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return ErrnoError("open directory");
      UniqueFd dir(fd);
      RETURN_IF_ERROR(ApplyMetadata(dir.get(), e, /*is_dir=*/true));
      DirTimes dt;
      dt.path = path;
      dt.times[0] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
      dt.times[1] = dt.times[0];
      dir_times_.push_back(std::move(dt));
      created_.insert(path);
      return absl::OkStatus();
    }
    case AE_IFREG: {
      RETURN_IF_ERROR(Clear(parent.get(), base, false).status());
      int fd = openat(parent.get(), base.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) return ErrnoError("create file");
      UniqueFd f(fd);
      created_.insert(path);
      RETURN_IF_ERROR(WriteData(a, f.get(), archive_entry_size(e)));
      return ApplyMetadata(f.get(), e, false);
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr) return absl::InvalidArgumentError("symlink without a target");
      RETURN_IF_ERROR(Clear(parent.get(), base, false).status());
      // The target is only data: whoever follows it later resolves it inside the container (or,
      // here, with RESOLVE_IN_ROOT).
      if (symlinkat(target, parent.get(), base.c_str()) != 0) return ErrnoError("create symlink");
      created_.insert(path);
      if (opts_.restore_owner &&
          fchownat(parent.get(), base.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                   static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoError("chown symlink");
      }
      struct timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                                  {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
      utimensat(parent.get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return absl::OkStatus();
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
      if (type != AE_IFIFO && !opts_.create_devices) {
        if (stats_) ++stats_->skipped_devices;
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(Clear(parent.get(), base, false).status());
      mode_t kind = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
      dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
      if (mknodat(parent.get(), base.c_str(), kind | 0600, type == AE_IFIFO ? 0 : dev) != 0) {
        return ErrnoError("create device node");
      }
      created_.insert(path);
      // Opening a fifo or device to chmod it could block or have side effects; an O_PATH fd and
      // the *at(AT_EMPTY_PATH) calls act on exactly the node just created.
      int fd = openat(parent.get(), base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return ErrnoError("open device node");
      UniqueFd node(fd);
      if (opts_.restore_owner &&
          fchownat(node.get(), "", static_cast<uid_t>(archive_entry_uid(e)),
                   static_cast<gid_t>(archive_entry_gid(e)), AT_EMPTY_PATH) != 0) {
        return ErrnoError("chown device node");
      }
      std::string proc = absl::StrCat("/proc/self/fd/", node.get());
      if (chmod(proc.c_str(), archive_entry_perm(e) & 07777) != 0) return ErrnoError("chmod node");
      struct timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                                  {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
      utimensat(node.get(), "", times, AT_EMPTY_PATH);
      return absl::OkStatus();
    }
    case AE_IFSOCK:
      return absl::OkStatus();  // sockets are not meaningful in an image
    default:
      return absl::InvalidArgumentError(absl::StrCat("unsupported entry type 0", type));
  }
}

absl::StatusOr<ArchivePtr> NewReader(std::string_view layer_name) {
  ArchivePtr a(archive_read_new());
  if (!a) return absl::ResourceExhaustedError("archive_read_new");
  // Only what layers use; the filters run in-process (no external programs).
  if (archive_read_support_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(a.get()) != ARCHIVE_OK ||
      archive_read_support_filter_none(a.get()) != ARCHIVE_OK ||
      archive_read_support_format_tar(a.get()) != ARCHIVE_OK) {
    return absl::UnimplementedError(
        absl::StrCat("layer ", Av(layer_name),
                     ": libarchive lacks built-in gzip/zstd/tar: ", archive_error_string(a.get())));
  }
  return a;
}

absl::Status RunApplier(struct archive* a, int rootfs_fd, std::string_view layer_name,
                        const UnpackOptions& opts, UnpackStats* stats) {
  LayerApplier applier(rootfs_fd, layer_name, opts, stats);
  return applier.Run(a);
}

}  // namespace

UnpackOptions DefaultUnpackOptions() {
  UnpackOptions o;
  o.restore_owner = geteuid() == 0;
  o.create_devices = geteuid() == 0;
  return o;
}

absl::Status ApplyLayerFd(int rootfs_fd, int layer_fd, std::string_view layer_name,
                          const UnpackOptions& opts, UnpackStats* stats) {
  ASSIGN_OR_RETURN(ArchivePtr a, NewReader(layer_name));
  if (archive_read_open_fd(a.get(), layer_fd, 1 << 16) != ARCHIVE_OK) {
    return absl::DataLossError(absl::StrCat(
        "layer ", Av(layer_name), ": ",
        archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open archive"));
  }
  return RunApplier(a.get(), rootfs_fd, layer_name, opts, stats);
}

absl::Status ApplyLayerBuffer(int rootfs_fd, std::string_view data, std::string_view layer_name,
                              const UnpackOptions& opts, UnpackStats* stats) {
  ASSIGN_OR_RETURN(ArchivePtr a, NewReader(layer_name));
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return absl::DataLossError(absl::StrCat(
        "layer ", Av(layer_name), ": ",
        archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open archive"));
  }
  return RunApplier(a.get(), rootfs_fd, layer_name, opts, stats);
}

}  // namespace hull::pull
