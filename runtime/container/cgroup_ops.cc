#include "runtime/container/cgroup_ops.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "runtime/cgroups/manager.h"
#include "runtime/cgroups/oom.h"
#include "runtime/cgroups/stats.h"
#include "runtime/linux/syscalls.h"

namespace hull::container {
namespace {

struct Opened {
  ContainerDir dir;
  ContainerRecord record;
  std::unique_ptr<cgroups::Manager> cgroup;
};

absl::StatusOr<Opened> OpenWithCgroup(const Globals& g, const std::string& id,
                                      StateStore::Lock lock) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, lock));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  if (r.cgroup.is_null()) {
    return absl::FailedPreconditionError(absl::StrCat("container ", id, " has no cgroup"));
  }
  ASSIGN_OR_RETURN(auto cg, cgroups::Manager::Load(r.cgroup));
  return Opened{std::move(dir), std::move(r), std::move(cg)};
}

absl::StatusOr<spec::LinuxResources> ResourcesOf(const ContainerRecord& r) {
  ASSIGN_OR_RETURN(spec::Spec s, spec::DecodeConfig(r.config));
  if (s.linux && s.linux->resources) return *s.linux->resources;
  return spec::LinuxResources{};
}

template <typename T>
void Take(std::optional<T>& dst, const std::optional<T>& src) {
  if (src) dst = src;
}

}  // namespace

absl::Status Pause(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  std::string status = StatusOf(o.record);
  // runc: only a created or running container can be paused; a paused one is "not running".
  if (status != "running" && status != "created") {
    return absl::FailedPreconditionError("container not running");
  }
  return o.cgroup->Freeze();
}

absl::Status Resume(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  if (StatusOf(o.record) != "paused") return absl::FailedPreconditionError("container not paused");
  return o.cgroup->Thaw();
}

absl::StatusOr<std::vector<pid_t>> Pids(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kShared));
  ASSIGN_OR_RETURN(std::vector<pid_t> pids, o.cgroup->Pids());
  std::sort(pids.begin(), pids.end());
  return pids;
}

absl::StatusOr<spec::LinuxResources> ParseResources(std::string_view json_text) {
  ASSIGN_OR_RETURN(json::Value v, json::Parse(json_text));
  if (!v.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("resources: expected object, got ", std::string(json::TypeName(v.type()))));
  }
  // The config decoder validates every block and names fields by their JSON path; wrap the
  // object as linux.resources of a minimal config and strip that prefix from the errors.
  json::Value linux{json::Object{}};
  linux.Set("resources", std::move(v));
  json::Value doc{json::Object{}};
  doc.Set("ociVersion", "1.0.0");
  doc.Set("linux", std::move(linux));
  auto s = spec::DecodeConfig(doc);
  if (!s.ok()) {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(s.status().message(), '\n', absl::SkipEmpty())) {
      std::string l(line);
      if (absl::StartsWith(l, "linux.resources.")) l = l.substr(16);
      lines.push_back(std::move(l));
    }
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }
  if (s->linux && s->linux->resources) return *s->linux->resources;
  return spec::LinuxResources{};
}

spec::LinuxResources MergeResources(const spec::LinuxResources& current,
                                    const spec::LinuxResources& changes) {
  spec::LinuxResources out = current;
  if (changes.memory) {
    spec::LinuxMemory m = out.memory.value_or(spec::LinuxMemory{});
    const spec::LinuxMemory& c = *changes.memory;
    auto nonzero = [](std::optional<int64_t> v) {
      return v && *v != 0 ? v : std::optional<int64_t>();
    };
    Take(m.limit, nonzero(c.limit));
    Take(m.reservation, nonzero(c.reservation));
    Take(m.swap, nonzero(c.swap));
    Take(m.check_before_update, c.check_before_update);
    // runc: "memory unlimited" without a swap value means both unlimited (v1 compatibility).
    if (c.limit == -1 && !nonzero(c.swap)) m.swap = -1;
    if (m != spec::LinuxMemory{}) out.memory = m;
  }
  if (changes.cpu) {
    spec::LinuxCPU cpu = out.cpu.value_or(spec::LinuxCPU{});
    const spec::LinuxCPU& c = *changes.cpu;
    Take(cpu.shares, c.shares);
    Take(cpu.quota, c.quota);
    Take(cpu.burst, c.burst);
    Take(cpu.period, c.period);
    Take(cpu.realtime_runtime, c.realtime_runtime);
    Take(cpu.realtime_period, c.realtime_period);
    Take(cpu.idle, c.idle);
    if (c.cpus && !c.cpus->empty()) cpu.cpus = c.cpus;
    if (c.mems && !c.mems->empty()) cpu.mems = c.mems;
    if (cpu != spec::LinuxCPU{}) out.cpu = cpu;
  }
  // runc's cgroup drivers treat a pids limit or blkio weight of 0 as "leave it alone".
  if (changes.pids && changes.pids->limit.value_or(0) != 0) out.pids = changes.pids;
  if (changes.block_io && changes.block_io->weight.value_or(0) != 0) {
    spec::LinuxBlockIO io = out.block_io.value_or(spec::LinuxBlockIO{});
    io.weight = changes.block_io->weight;
    out.block_io = io;
  }
  for (const auto& [k, v] : changes.unified) out.unified[k] = v;
  return out;
}

std::vector<std::string> IgnoredUpdateFields(const spec::LinuxResources& c) {
  std::vector<std::string> out;
  if (!c.devices.empty()) out.push_back("devices");
  if (c.memory) {
    if (c.memory->kernel) out.push_back("memory.kernel");
    if (c.memory->kernel_tcp) out.push_back("memory.kernelTCP");
    if (c.memory->swappiness) out.push_back("memory.swappiness");
    if (c.memory->disable_oom_killer) out.push_back("memory.disableOOMKiller");
    if (c.memory->use_hierarchy) out.push_back("memory.useHierarchy");
  }
  if (c.block_io) {
    const spec::LinuxBlockIO& b = *c.block_io;
    if (b.leaf_weight) out.push_back("blockIO.leafWeight");
    if (!b.weight_device.empty()) out.push_back("blockIO.weightDevice");
    if (!b.throttle_read_bps_device.empty()) out.push_back("blockIO.throttleReadBpsDevice");
    if (!b.throttle_write_bps_device.empty()) out.push_back("blockIO.throttleWriteBpsDevice");
    if (!b.throttle_read_iops_device.empty()) out.push_back("blockIO.throttleReadIOPSDevice");
    if (!b.throttle_write_iops_device.empty()) out.push_back("blockIO.throttleWriteIOPSDevice");
  }
  if (!c.hugepage_limits.empty()) out.push_back("hugepageLimits");
  if (c.network) out.push_back("network");
  if (!c.rdma.empty()) out.push_back("rdma");
  return out;
}

absl::StatusOr<spec::LinuxResources> CurrentResources(const Globals& g, const std::string& id) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, StateStore::Lock::kShared));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  return ResourcesOf(r);
}

absl::Status UpdateResources(const Globals& g, const std::string& id,
                             const spec::LinuxResources& changes) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  if (StatusOf(o.record) == "stopped")
    return absl::FailedPreconditionError("container not running");
  ASSIGN_OR_RETURN(spec::Spec s, spec::DecodeConfig(o.record.config));
  if (!s.linux) s.linux = spec::Linux{};
  spec::LinuxResources merged =
      MergeResources(s.linux->resources.value_or(spec::LinuxResources{}), changes);
  // The whole merged set goes to the cgroup (some values depend on each other: memory vs swap,
  // quota vs period), except devices: create added runc's default rules to the spec's, and
  // `update` cannot change devices anyway (runc's SkipDevices).
  spec::LinuxResources to_apply = merged;
  to_apply.devices.clear();
  RETURN_IF_ERROR(o.cgroup->Set(to_apply));
  s.linux->resources = std::move(merged);
  o.record.config = spec::EncodeConfig(s);
  return o.dir.Save(o.record);
}

absl::Status Events(const Globals& g, const std::string& id, const EventsOptions& opts,
                    const std::function<bool(const json::Value&)>& emit) {
  if (opts.interval.count() <= 0) {
    return absl::InvalidArgumentError("duration interval must be greater than 0");
  }
  ContainerRecord record;
  std::unique_ptr<cgroups::Manager> cg;
  {
    // The lock is held only while reading the state: a long-running `events` must not block
    // `delete`.
    ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kShared));
    if (StatusOf(o.record) == "stopped") {
      return absl::FailedPreconditionError(
          absl::StrCat("container with id ", id, " is not running"));
    }
    record = std::move(o.record);
    cg = std::move(o.cgroup);
  }
  if (opts.stats_only) {
    ASSIGN_OR_RETURN(cgroups::Stats st, cg->GetStats());
    (void)emit(cgroups::StatsEventJson(id, st));
    return absl::OkStatus();
  }
  // The init's pidfd turns readable when it exits: the container has stopped.
  int raw_pidfd = sys::PidfdOpen(record.pid);
  if (raw_pidfd < 0) return absl::OkStatus();  // already gone
  UniqueFd pidfd(raw_pidfd);
  if (!ProcessAlive(record.pid, record.pid_start_time)) return absl::OkStatus();

  std::unique_ptr<cgroups::OomWatcher> oom;
  if (auto w = cgroups::OomWatcher::Create(*cg); w.ok()) {
    oom = std::move(w).value();
  } else {
    log::Warn(absl::StrCat("events: no OOM notifications: ", w.status().message()));
  }
  // False once the stream should end: the cgroup is gone or nobody reads the events.
  auto emit_ooms = [&](int timeout_ms) -> bool {
    if (!oom) return true;
    auto n = oom->Wait(timeout_ms);
    if (!n.ok()) {
      if (n.status().code() == absl::StatusCode::kNotFound) return false;
      log::Error(n.status().message());
      return true;
    }
    for (uint64_t i = 0; i < *n; ++i) {
      if (!emit(cgroups::OomEventJson(id))) return false;
    }
    return true;
  };

  using Clock = std::chrono::steady_clock;
  auto next_stats = Clock::now() + opts.interval;
  for (;;) {
    auto now = Clock::now();
    if (now >= next_stats) {
      if (auto st = cg->GetStats(); st.ok()) {
        if (!emit(cgroups::StatsEventJson(id, *st))) return absl::OkStatus();
      } else {
        log::Error(st.status().message());
      }
      next_stats += opts.interval;
      if (next_stats < now) next_stats = now + opts.interval;
      continue;
    }
    int timeout_ms =
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - now).count()) +
        1;
    pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {oom ? oom->fd() : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) return ErrnoError("poll");
    if (n <= 0) continue;
    if (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) {
      if (!emit_ooms(0)) return absl::OkStatus();
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      // An OOM kill of the init itself is counted before it exits; report it before leaving.
      (void)emit_ooms(0);
      return absl::OkStatus();
    }
  }
}

absl::StatusOr<std::string> RunHostPs(const std::vector<std::string>& args) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  std::vector<std::string> argv_s = {"ps"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork ps");
  if (pid == 0) {
    ::dup2(wr.get(), 1);
    ::dup2(wr.get(), 2);
    ::execvp("ps", argv.data());
    _exit(127);
  }
  wr.reset();
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;
  std::string how = WIFEXITED(status) ? absl::StrCat("exit status ", WEXITSTATUS(status))
                                      : absl::StrCat("signal: ", WTERMSIG(status));
  return absl::InternalError(absl::StrCat(how, ": ", out));
}

}  // namespace hull::container
