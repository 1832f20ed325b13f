#include "runtime/cgroups/oom.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/cgroups/cgroup_fs.h"

namespace hull::cgroups {

absl::StatusOr<std::unique_ptr<OomWatcher>> OomWatcher::Create(const Manager& manager) {
  const std::string dir = manager.PathFor("memory");
  if (dir.empty()) return absl::FailedPreconditionError("OOM events: no memory controller");
  std::unique_ptr<OomWatcher> w(new OomWatcher());
  w->dir_ = dir;
  w->unified_ = false;
  for (const Manager::Dir& d : manager.dirs()) {
    if (d.path == dir) w->unified_ = d.unified;
  }
  if (w->unified_) {
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0) return ErrnoError("inotify_init1");
    w->fd_.reset(fd);
    const std::string events = dir + "/memory.events";
    if (inotify_add_watch(fd, events.c_str(), IN_MODIFY) < 0) {
      return ErrnoError(absl::StrCat("inotify_add_watch ", events));
    }
    ASSIGN_OR_RETURN(std::string text, ReadCgroupFile(dir, "memory.events"));
    w->last_oom_kills_ = ParseFlatKeyed(text)["oom_kill"];
    return w;
  }
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) return ErrnoError("eventfd");
  w->fd_.reset(efd);
  ASSIGN_OR_RETURN(w->control_fd_, OpenFile(dir + "/memory.oom_control", O_RDONLY | O_CLOEXEC));
  RETURN_IF_ERROR(
      WriteCgroupFile(dir, "cgroup.event_control", absl::StrCat(efd, " ", w->control_fd_.get())));
  return w;
}

absl::StatusOr<uint64_t> OomWatcher::Wait(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("poll OOM events");
  if (unified_) {
    char buf[4096];
    while (read(fd_.get(), buf, sizeof(buf)) > 0) {
    }
    auto text = ReadCgroupFile(dir_, "memory.events");
    if (!text.ok()) return absl::NotFoundError(absl::StrCat("cgroup ", dir_, " is gone"));
    const uint64_t kills = ParseFlatKeyed(*text)["oom_kill"];
    const uint64_t delta = kills > last_oom_kills_ ? kills - last_oom_kills_ : 0;
    last_oom_kills_ = kills;
    return delta;
  }
  if (n == 0) return 0;
  uint64_t count = 0;
  if (read(fd_.get(), &count, sizeof(count)) != sizeof(count)) {
    if (errno == EAGAIN) return 0;
    return ErrnoError("read OOM eventfd");
  }
  // The kernel also signals the eventfd when the cgroup is removed.
  if (access((dir_ + "/memory.oom_control").c_str(), F_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("cgroup ", dir_, " is gone"));
  }
  return count;
}

}  // namespace hull::cgroups
