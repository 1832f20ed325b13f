// start, state, kill, delete, list: everything after create, for a container that may have
// been created by another hull process.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/fault.h"
#include "common/log.h"
#include "common/status.h"
#include "hooks/hooks.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/container.h"
#include "runtime/linux/syscalls.h"
#include "spec/config.h"

namespace hull::container {
namespace {

bool FifoExists(const std::string& dir) {
  struct stat st;
  return ::lstat((dir + "/exec.fifo").c_str(), &st) == 0;
}

absl::StatusOr<std::unique_ptr<cgroups::Manager>> LoadCgroup(const ContainerRecord& r) {
  if (r.cgroup.is_null()) return absl::NotFoundError("no cgroup recorded");
  return cgroups::Manager::Load(r.cgroup);
}

// Signals the init through a pidfd after checking it is still the same process.
absl::Status SignalInit(const ContainerRecord& r, int sig) {
  int pidfd = sys::PidfdOpen(r.pid);
  if (pidfd < 0) {
    if (errno == ESRCH) return absl::FailedPreconditionError("container not running");
    return ErrnoError("pidfd_open");
  }
  UniqueFd fd(pidfd);
  if (!ProcessAlive(r.pid, r.pid_start_time)) {
    return absl::FailedPreconditionError("container not running");
  }
  if (sys::PidfdSendSignal(fd.get(), sig) != 0) {
    if (errno == ESRCH) return absl::FailedPreconditionError("container not running");
    return ErrnoError("send signal");
  }
  return absl::OkStatus();
}

// Waits (bounded) for the init to die. We are usually not its parent, so poll the pidfd.
void WaitForExit(const ContainerRecord& r, int timeout_ms) {
  int pidfd = sys::PidfdOpen(r.pid);
  if (pidfd < 0) return;
  UniqueFd fd(pidfd);
  struct pollfd p = {fd.get(), POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int rc = ::poll(&p, 1, 50);
    if (rc > 0) return;
    // A zombie whose parent never reaps it (we are not the parent) also counts as dead.
    if (!ProcessAlive(r.pid, r.pid_start_time)) return;
  }
}

std::string ConfigPoststopState(const ContainerRecord& r) {
  return StateJsonForHooks(r, "stopped");
}

// Whether the recorded config has hooks of `kind`: checked on the document, so the common case
// (no hooks) does not decode the whole config.
bool HasHooks(const ContainerRecord& r, const std::string& kind) {
  const json::Value* hooks = r.config.Find("hooks");
  const json::Value* list = hooks ? hooks->Find(kind) : nullptr;
  return list && list->is_array() && !list->as_array().empty();
}

void RunPoststopHooks(const ContainerRecord& r) {
  if (!HasHooks(r, "poststop")) return;
  auto spec = spec::DecodeConfig(r.config);
  if (!spec.ok() || !spec->hooks || spec->hooks->poststop.empty()) return;
  // Every poststop hook runs even if an earlier one fails; failures are warnings (runtime.md).
  for (const absl::Status& st :
       hooks::RunAllHooks("poststop", spec->hooks->poststop, ConfigPoststopState(r))) {
    log::Warn(st.message());
  }
}

absl::Status DestroyContainer(ContainerDir& dir, const ContainerRecord& r) {
  if (auto cg = LoadCgroup(r); cg.ok()) {
    RETURN_IF_ERROR_CTX((*cg)->Destroy(), "destroy cgroup");
  }
  FaultPoint("delete.after-cgroup");
  if (r.phase == "created") RunPoststopHooks(r);
  return dir.Remove();
}

}  // namespace

std::string StatusOf(const ContainerRecord& r) {
  bool alive = ProcessAlive(r.pid, r.pid_start_time);
  if (r.phase == "creating") return alive ? "creating" : "stopped";
  if (!alive) return "stopped";
  if (auto cg = LoadCgroup(r); cg.ok()) {
    if (auto frozen = (*cg)->IsFrozen(); frozen.ok() && *frozen) return "paused";
  }
  // The init blocks on the FIFO until start; start removes it.
  // (the state dir is derived from the cgroup-independent record path)
  return "running";
}

namespace {
std::string StatusOfDir(const ContainerDir& dir, const ContainerRecord& r) {
  std::string s = StatusOf(r);
  if (s == "running" && FifoExists(dir.path())) return "created";
  return s;
}
}  // namespace

absl::StatusOr<json::Value> State(const Globals& g, const std::string& id) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, StateStore::Lock::kShared));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  std::string status = StatusOfDir(dir, r);
  json::Value v;
  v.Set("ociVersion", "1.3.0");
  v.Set("id", r.id);
  v.Set("pid", static_cast<int64_t>(status == "stopped" ? 0 : r.pid));
  v.Set("status", status);
  v.Set("bundle", r.bundle);
  v.Set("rootfs", r.rootfs);
  v.Set("created", r.created);
  json::Value ann = json::Object{};
  for (const auto& [k, val] : r.annotations) ann.Set(k, val);
  if (!r.annotations.empty()) v.Set("annotations", ann);
  v.Set("owner", r.owner == "root" ? "" : r.owner);
  return v;
}

absl::Status Start(const Globals& g, const std::string& id) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  std::string status = StatusOfDir(dir, r);
  if (status == "stopped")
    return absl::FailedPreconditionError("cannot start a container that has stopped");
  if (status != "created") {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start an already ", status, " container"));
  }
  std::string fifo_path = dir.path() + "/exec.fifo";
  int fd = ::open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open exec fifo");
  UniqueFd fifo(fd);
  // The init is blocked in open(O_WRONLY); our open released it, now wait for its byte.
  struct pollfd p = {fifo.get(), POLLIN, 0};
  // An init blocked in open() is woken by our open and writes at once. If no byte comes, the
  // init is not waiting on the FIFO any more (a start killed after releasing it): it runs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::unlink(fifo_path.c_str());
      return absl::FailedPreconditionError("cannot start an already running container");
    }
    int rc = ::poll(&p, 1, 100);
    if (rc > 0) {
      char c;
      ssize_t n = ::read(fifo.get(), &c, 1);
      if (n == 1) break;
      if (n < 0 && errno == EAGAIN) continue;
      if (n == 0 && !ProcessAlive(r.pid, r.pid_start_time)) {
        return absl::FailedPreconditionError("container init exited before start");
      }
      if (n == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
    }
    if (!ProcessAlive(r.pid, r.pid_start_time)) {
      return absl::FailedPreconditionError("cannot start a container that has stopped");
    }
  }
  FaultPoint("start.after-fifo");
  ::unlink(fifo_path.c_str());
  // The init keeps its write end open until execve (close-on-exec): EOF means the program has
  // started (after the startContainer hooks), or the init died. Only then the poststart hooks.
  if (HasHooks(r, "poststart")) {
    for (;;) {
      p.revents = 0;
      int rc = ::poll(&p, 1, 100);
      if (rc > 0) {
        char c;
        ssize_t n = ::read(fifo.get(), &c, 1);
        if (n == 0) break;
        if (n < 0 && errno != EAGAIN && errno != EINTR) break;
      }
      if (!ProcessAlive(r.pid, r.pid_start_time)) break;
    }
  }
  return RunPoststartHooks(r);
}

absl::Status RunPoststartHooks(const ContainerRecord& r) {
  if (!HasHooks(r, "poststart")) return absl::OkStatus();
  auto spec = spec::DecodeConfig(r.config);
  if (spec.ok() && spec->hooks && !spec->hooks->poststart.empty()) {
    absl::Status st =
        hooks::RunHooks("poststart", spec->hooks->poststart, StateJsonForHooks(r, "running"));
    if (!st.ok()) {
      // runtime.md lifecycle step 9: a failing poststart hook is an error; stop the container.
      (void)SignalInit(r, SIGKILL);
      return st;
    }
  }
  return absl::OkStatus();
}

std::string SeccompCacheDir() {
  // Outside every --root: clients (podman, containerd) expect a runtime root that holds only
  // container directories, and empty once they are deleted. Root's cache is per boot (/run is a
  // tmpfs); others use their runtime dir or go without.
  if (::geteuid() == 0) return "/run/hull-seccomp-cache";
  const char* xdg = ::getenv("XDG_RUNTIME_DIR");
  return xdg && *xdg == '/' ? std::string(xdg) + "/hull-seccomp-cache" : "";
}

absl::Status Kill(const Globals& g, const std::string& id, int sig, bool all) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, StateStore::Lock::kShared));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  std::string status = StatusOfDir(dir, r);
  if (all) {
    ASSIGN_OR_RETURN(auto cg, LoadCgroup(r));
    if (status == "stopped") {
      auto pids = cg->Pids();
      if (!pids.ok() || pids->empty())
        return absl::FailedPreconditionError("container not running");
    }
    return cg->KillAll(sig);
  }
  if (status == "stopped") return absl::FailedPreconditionError("container not running");
  return SignalInit(r, sig);
}

absl::Status Delete(const Globals& g, const std::string& id, bool force) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id));
  auto loaded = dir.Load();
  if (!loaded.ok()) {
    // A create killed before its first state write: nothing but the directory exists.
    if (!dir.HasRecord()) return dir.Remove();
    if (!force) return loaded.status();
    return dir.Remove();
  }
  ContainerRecord r = std::move(*loaded);
  std::string status = StatusOfDir(dir, r);
  if (status == "running" || status == "paused") {
    if (!force) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot delete container ", id, " that is not stopped: ", status));
    }
  }
  if (status != "stopped") {
    // created / creating (a killed create) / running with --force: kill everything first.
    if (auto cg = LoadCgroup(r); cg.ok()) {
      (void)(*cg)->KillAll(SIGKILL);
      (void)(*cg)->Thaw();
    }
    (void)SignalInit(r, SIGKILL);
    WaitForExit(r, 10000);
  }
  FaultPoint("delete.before-destroy");
  return DestroyContainer(dir, r);
}

absl::Status DeleteReaped(const Globals& g, const ContainerRecord& r) {
  StateStore store(g.root);
  auto dir = store.Open(r.id);
  if (!dir.ok()) return absl::IsNotFound(dir.status()) ? absl::OkStatus() : dir.status();
  // Processes left in the cgroup (no pid namespace) are killed by the cgroup's Destroy.
  return DestroyContainer(*dir, r);
}

absl::StatusOr<std::vector<ListEntry>> List(const Globals& g) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(std::vector<std::string> ids, store.List());
  std::vector<ListEntry> out;
  for (const auto& id : ids) {
    auto dir = store.Open(id, StateStore::Lock::kNone);
    if (!dir.ok()) continue;
    auto r = dir->Load();
    if (!r.ok()) continue;  // being created (no record yet) or removed meanwhile
    std::string status = StatusOfDir(*dir, *r);
    out.push_back({std::move(*r), status});
  }
  return out;
}

}  // namespace hull::container
