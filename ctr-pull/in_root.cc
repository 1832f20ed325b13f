#include "ctr-pull/in_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "ctr-pull/util.h"

namespace hull::pull {

absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode) {
  std::string p(path.empty() ? "." : path);
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < 100; ++attempt) {
    long fd = syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof(how));
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    // EAGAIN: a concurrent rename in the tree made the kernel give up; try again.
    if (errno == EINTR || errno == EAGAIN) continue;
    return ErrnoError(absl::StrCat("open ", p, " in rootfs"));
  }
  return ErrnoError(EAGAIN, absl::StrCat("open ", p, " in rootfs"));
}

absl::StatusOr<std::string> ReadFileInRoot(int root_fd, std::string_view path, size_t max_size) {
  // O_NONBLOCK: an image could make the path a fifo, and opening that would hang us.
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoError("stat");
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(Av(path), " in rootfs is not a regular file"));
  }
  if (static_cast<size_t>(st.st_size) > max_size) {
    return absl::InvalidArgumentError(absl::StrCat(Av(path), " in rootfs is too large"));
  }
  return ReadFd(fd.get());
}

absl::Status RemoveTreeAt(int dir_fd, const std::string& name) {
  struct stat st;
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(absl::StrCat("stat ", name));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return ErrnoError(absl::StrCat("remove ", name));
    }
    return absl::OkStatus();
  }
  int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", name));
  UniqueFd child(fd);
  int dup_fd = fcntl(child.get(), F_DUPFD_CLOEXEC, 0);
  DIR* d = dup_fd < 0 ? nullptr : fdopendir(dup_fd);
  if (d == nullptr && dup_fd >= 0) close(dup_fd);
  if (d == nullptr) return ErrnoError(absl::StrCat("read dir ", name));
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  closedir(d);
  for (const auto& n : names) {
    RETURN_IF_ERROR_CTX(RemoveTreeAt(child.get(), n), name);
  }
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoError(absl::StrCat("remove dir ", name));
  }
  return absl::OkStatus();
}

}  // namespace hull::pull
