#include "runtime/linux/safe_path.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {
namespace {

std::string Relative(absl::string_view path) {
  std::string clean = CleanPath(path);
  if (clean == "/") return ".";
  return clean.substr(1);
}

int OpenHow(int root_fd, const std::string& rel, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve;
  int fd;
  do {
    fd = sys::OpenAt2(root_fd, rel.c_str(), &how);
  } while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd;
}

}  // namespace

std::string CleanPath(absl::string_view path) {
  std::vector<absl::string_view> parts;
  for (absl::string_view p : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

std::pair<std::string, std::string> SplitParent(absl::string_view path) {
  std::string clean = CleanPath(path);
  if (clean == "/") return {"/", ""};
  size_t slash = clean.rfind('/');
  std::string parent = slash == 0 ? "/" : clean.substr(0, slash);
  return {parent, clean.substr(slash + 1)};
}

std::string FdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, absl::string_view path, int flags, mode_t mode) {
  int fd = OpenHow(root_fd, Relative(path), flags, mode, 0);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", path, " in container rootfs"));
  return UniqueFd(fd);
}

absl::StatusOr<UniqueFd> OpenInRootNoFollow(int root_fd, absl::string_view path, int flags) {
  auto [parent, name] = SplitParent(path);
  if (name.empty()) return OpenInRoot(root_fd, "/", flags);
  ASSIGN_OR_RETURN(UniqueFd dir, OpenInRoot(root_fd, parent, O_PATH | O_DIRECTORY));
  int fd = ::openat(dir.get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", path, " in container rootfs"));
  return UniqueFd(fd);
}

absl::StatusOr<UniqueFd> MkdirAllInRoot(int root_fd, absl::string_view path, mode_t mode) {
  // Walks one component at a time from an fd of the verified parent (openat + O_NOFOLLOW), so
  // nothing is ever resolved outside the root. A symlink component is read and its target
  // spliced into the remaining path (an absolute target restarts at the root), which is how
  // runc's securejoin.MkdirAll follows links -- but always inside the root. ".." is lexical on
  // the already-resolved (symlink-free) prefix, so it stops at the root.
  ASSIGN_OR_RETURN(UniqueFd cur, OpenInRoot(root_fd, "/", O_PATH | O_DIRECTORY));
  std::vector<std::string> resolved;  // components of cur below the root
  std::vector<std::string> todo;      // remaining components, next one at the back
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    todo.insert(todo.begin(), std::string(part));
  }
  int links = 0;
  auto shown = [&](const std::string& next) {
    return absl::StrCat("/", absl::StrJoin(resolved, "/"), resolved.empty() ? "" : "/", next);
  };
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    if (name == ".") continue;
    if (name == "..") {
      if (!resolved.empty()) resolved.pop_back();
      std::string rel = resolved.empty() ? "." : absl::StrJoin(resolved, "/");
      int fd = OpenHow(root_fd, rel, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);
      if (fd < 0) return ErrnoError(absl::StrCat("open /", rel, " in container rootfs"));
      cur.reset(fd);
      continue;
    }
    struct stat st;
    if (::fstatat(cur.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT)
        return ErrnoError(absl::StrCat("stat ", shown(name), " in container rootfs"));
      if (::mkdirat(cur.get(), name.c_str(), mode) != 0 && errno != EEXIST) {
        return ErrnoError(absl::StrCat("mkdir ", shown(name), " in container rootfs"));
      }
      if (::fstatat(cur.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoError(absl::StrCat("stat ", shown(name), " in container rootfs"));
      }
    }
    if (S_ISLNK(st.st_mode)) {
      // Links in procfs are magic (/proc/self/fd/N): their text is not a path to follow.
      struct statfs sfs;
      if (::fstatfs(cur.get(), &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
        return ErrnoError(ELOOP, absl::StrCat("open ", shown(name), " in container rootfs"));
      }
      if (++links > 40) {
        return ErrnoError(ELOOP, absl::StrCat("open ", shown(name), " in container rootfs"));
      }
      char buf[PATH_MAX];
      ssize_t n = ::readlinkat(cur.get(), name.c_str(), buf, sizeof buf - 1);
      if (n < 0) return ErrnoError(absl::StrCat("readlink ", shown(name), " in container rootfs"));
      std::string target(buf, static_cast<size_t>(n));
      std::vector<std::string> parts = absl::StrSplit(target, '/', absl::SkipEmpty());
      for (auto it = parts.begin(); it != parts.end(); ++it) todo.push_back(*it);
      std::reverse(todo.end() - static_cast<long>(parts.size()), todo.end());
      if (!target.empty() && target.front() == '/') {
        resolved.clear();
        ASSIGN_OR_RETURN(cur, OpenInRoot(root_fd, "/", O_PATH | O_DIRECTORY));
      }
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      return ErrnoError(ENOTDIR, absl::StrCat("open ", shown(name), " in container rootfs"));
    }
    int fd = ::openat(cur.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ErrnoError(absl::StrCat("open ", shown(name), " in container rootfs"));
    cur.reset(fd);
    resolved.push_back(name);
  }
  return cur;
}

absl::StatusOr<UniqueFd> EnsureMountTarget(int root_fd, absl::string_view path, bool directory) {
  if (directory) return MkdirAllInRoot(root_fd, path);
  auto [parent, name] = SplitParent(path);
  if (name.empty()) return absl::InvalidArgumentError("a file mount cannot target /");
  ASSIGN_OR_RETURN(UniqueFd dir, MkdirAllInRoot(root_fd, parent));
  // Create the file if missing: O_CREAT|O_EXCL never follows a symlink at the last component.
  int created = ::openat(dir.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (created >= 0) {
    ::close(created);
  } else if (errno != EEXIST) {
    return ErrnoError(absl::StrCat("create ", path, " in container rootfs"));
  }
  ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd, path, O_PATH));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(absl::StrCat("stat ", path));
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": is a directory but the mount source is not"));
  }
  return fd;
}

}  // namespace hull::linux
