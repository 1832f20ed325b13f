// Manager::Set: linux.resources -> cgroup files, for v1 and v2 hierarchies (a hybrid host uses
// whichever hierarchy carries each controller).
//
// Two phases: first every block is checked and turned into a list of writes (controllers and
// files must exist; values are converted; the device program is loaded), then the writes run in
// order. A configuration the host cannot honour therefore fails before anything is changed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/device_filter.h"
#include "runtime/cgroups/manager.h"
#include "runtime/cgroups/v2_convert.h"
#include "spec/config.h"

namespace hull::cgroups {
namespace {

struct Write {
  std::string dir;
  std::string file;
  std::string value;
  std::string json_path;  // what to blame on failure
  // If this write fails with EINVAL, do the next write first and retry this one (v1 pairs whose
  // kernel check depends on the other value, e.g. cfs_period_us vs cfs_quota_us).
  bool swap_on_einval = false;
};

absl::Status NotAvailable(absl::string_view json_path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("linux.resources.", json_path, ": not available on this host (", why, ")"));
}

class Planner {
 public:
  Planner(const Manager& m) : m_(m) {}

  // The container's directory for `controller`, checked to be a real cgroup directory.
  absl::StatusOr<const Manager::Dir*> Dir(absl::string_view controller,
                                          absl::string_view json_path) {
    const Manager::Dir* d = nullptr;
    for (const Manager::Dir& x : m_.dirs()) {
      if (!x.unified && std::find(x.controllers.begin(), x.controllers.end(), controller) !=
                            x.controllers.end()) {
        d = &x;
        break;
      }
    }
    if (d == nullptr) {
      for (const Manager::Dir& x : m_.dirs()) {
        if (x.unified && (controller.empty() || controller == "devices" ||
                          std::find(x.controllers.begin(), x.controllers.end(), controller) !=
                              x.controllers.end())) {
          d = &x;
        }
      }
    }
    if (d == nullptr) {
      return NotAvailable(
          json_path,
          absl::StrCat("no ", controller.empty() ? "cgroup2" : controller, " hierarchy"));
    }
    if (checked_.insert(d->path).second) {
      RETURN_IF_ERROR(CheckCgroupFs(d->mount_point, d->unified));
      RETURN_IF_ERROR(CheckCgroupFs(d->path, d->unified));
    }
    return d;
  }

  // Queues a write to an existing control file of the controller's directory.
  absl::Status Add(absl::string_view controller, absl::string_view file, std::string value,
                   absl::string_view json_path, bool swap_on_einval = false) {
    ASSIGN_OR_RETURN(const Manager::Dir* d, Dir(controller, json_path));
    // Checked once per file: v1 device rules write devices.allow once per rule.
    std::string file_path = absl::StrCat(d->path, "/", file);
    if (!existing_files_.contains(file_path)) {
      if (!CgroupFileExists(d->path, file)) {
        return NotAvailable(json_path, absl::StrCat("no ", file, " in ", d->path));
      }
      existing_files_.insert(std::move(file_path));
    }
    writes_.push_back(
        {d->path, std::string(file), std::move(value), std::string(json_path), swap_on_einval});
    return absl::OkStatus();
  }

  std::vector<Write>& writes() { return writes_; }

 private:
  const Manager& m_;
  std::set<std::string> checked_;
  std::set<std::string> existing_files_;
  std::vector<Write> writes_;
};

bool IsUnified(absl::StatusOr<const Manager::Dir*> d) { return d.ok() && (*d)->unified; }

absl::Status PlanMemory(Planner& p, const spec::LinuxMemory& mem) {
  auto dir = p.Dir("memory", "memory");
  if (!dir.ok()) {
    // Report the first field that is set, by its own path.
    for (auto [set, name] : {std::pair{mem.limit.has_value(), "limit"},
                             {mem.reservation.has_value(), "reservation"},
                             {mem.swap.has_value(), "swap"},
                             {mem.kernel.has_value(), "kernel"},
                             {mem.kernel_tcp.has_value(), "kernelTCP"},
                             {mem.swappiness.has_value(), "swappiness"},
                             {mem.disable_oom_killer.has_value(), "disableOOMKiller"},
                             {mem.use_hierarchy.has_value(), "useHierarchy"}}) {
      if (set) return NotAvailable(absl::StrCat("memory.", name), "no memory controller");
    }
    return absl::OkStatus();
  }
  if (mem.swappiness && *mem.swappiness > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "linux.resources.memory.swappiness: ", *mem.swappiness, " is out of range [0, 100]"));
  }
  const std::string& path = (*dir)->path;
  if ((*dir)->unified) {
    if (mem.kernel) return NotAvailable("memory.kernel", "cgroup v2 has no kernel memory limit");
    if (mem.kernel_tcp) {
      return NotAvailable("memory.kernelTCP", "cgroup v2 has no kernel TCP memory limit");
    }
    if (mem.swappiness) return NotAvailable("memory.swappiness", "cgroup v2 has no swappiness");
    if (mem.disable_oom_killer) {
      return NotAvailable("memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer");
    }
    if (mem.use_hierarchy && !*mem.use_hierarchy) {
      return NotAvailable("memory.useHierarchy", "cgroup v2 accounting is always hierarchical");
    }
    const int64_t limit = mem.limit.value_or(0);
    if (mem.swap || limit == -1) {
      auto swap = MemorySwapToV2(mem.swap.value_or(0), limit);
      if (!swap.ok()) return Annotate(swap.status(), "linux.resources.memory.swap");
      if (*swap != 0)
        RETURN_IF_ERROR(p.Add("memory", "memory.swap.max", V2Limit(*swap), "memory.swap"));
    }
    if (mem.limit) {
      if (mem.check_before_update.value_or(false) && limit > 0) {
        ASSIGN_OR_RETURN(uint64_t current, ReadCgroupUint(path, "memory.current"));
        if (current > static_cast<uint64_t>(limit)) {
          return absl::FailedPreconditionError(
              absl::StrCat("linux.resources.memory.limit: rejecting memory limit ", limit,
                           " below the current usage ", current, " (checkBeforeUpdate)"));
        }
      }
      RETURN_IF_ERROR(p.Add("memory", "memory.max", V2Limit(limit), "memory.limit"));
    }
    if (mem.reservation) {
      RETURN_IF_ERROR(
          p.Add("memory", "memory.low", V2Limit(*mem.reservation), "memory.reservation"));
    }
    return absl::OkStatus();
  }
  // v1. memsw is memory+swap and must stay >= the memory limit at every step, so the order of
  // the two writes depends on whether the limit goes up or down.
  std::optional<int64_t> limit = mem.limit;
  std::optional<int64_t> swap = mem.swap;
  if (limit == -1 && !swap && CgroupFileExists(path, "memory.memsw.limit_in_bytes")) swap = -1;
  bool swap_first = false;
  if (limit && swap && *limit != 0 && *swap != 0) {
    ASSIGN_OR_RETURN(uint64_t current, ReadCgroupUint(path, "memory.limit_in_bytes"));
    swap_first = *swap == -1 || current < static_cast<uint64_t>(*swap);
  }
  auto add_limit = [&]() -> absl::Status {
    if (!limit) return absl::OkStatus();
    return p.Add("memory", "memory.limit_in_bytes", absl::StrCat(*limit), "memory.limit");
  };
  auto add_swap = [&]() -> absl::Status {
    if (!swap) return absl::OkStatus();
    return p.Add("memory", "memory.memsw.limit_in_bytes", absl::StrCat(*swap), "memory.swap");
  };
  if (swap_first) {
    RETURN_IF_ERROR(add_swap());
    RETURN_IF_ERROR(add_limit());
  } else {
    RETURN_IF_ERROR(add_limit());
    RETURN_IF_ERROR(add_swap());
  }
  if (mem.reservation) {
    RETURN_IF_ERROR(p.Add("memory", "memory.soft_limit_in_bytes", absl::StrCat(*mem.reservation),
                          "memory.reservation"));
  }
  if (mem.kernel) {
    RETURN_IF_ERROR(
        p.Add("memory", "memory.kmem.limit_in_bytes", absl::StrCat(*mem.kernel), "memory.kernel"));
  }
  if (mem.kernel_tcp) {
    RETURN_IF_ERROR(p.Add("memory", "memory.kmem.tcp.limit_in_bytes", absl::StrCat(*mem.kernel_tcp),
                          "memory.kernelTCP"));
  }
  if (mem.swappiness) {
    RETURN_IF_ERROR(
        p.Add("memory", "memory.swappiness", absl::StrCat(*mem.swappiness), "memory.swappiness"));
  }
  if (mem.use_hierarchy) {
    RETURN_IF_ERROR(p.Add("memory", "memory.use_hierarchy", *mem.use_hierarchy ? "1" : "0",
                          "memory.useHierarchy"));
  }
  if (mem.disable_oom_killer) {
    RETURN_IF_ERROR(p.Add("memory", "memory.oom_control", *mem.disable_oom_killer ? "1" : "0",
                          "memory.disableOOMKiller"));
  }
  return absl::OkStatus();
}

absl::Status PlanCpu(Planner& p, const spec::LinuxCPU& cpu) {
  if (cpu.burst && cpu.quota && *cpu.quota > 0 && *cpu.burst > static_cast<uint64_t>(*cpu.quota)) {
    return absl::InvalidArgumentError(absl::StrCat("linux.resources.cpu.burst: ", *cpu.burst,
                                                   " is larger than the quota ", *cpu.quota));
  }
  const bool any_cpu = cpu.shares || cpu.quota || cpu.period || cpu.burst || cpu.realtime_period ||
                       cpu.realtime_runtime || cpu.idle;
  if (any_cpu) {
    auto dir = p.Dir("cpu", "cpu");
    if (!dir.ok()) {
      for (auto [set, name] : {std::pair{cpu.shares.has_value(), "shares"},
                               {cpu.quota.has_value(), "quota"},
                               {cpu.period.has_value(), "period"},
                               {cpu.burst.has_value(), "burst"},
                               {cpu.realtime_runtime.has_value(), "realtimeRuntime"},
                               {cpu.realtime_period.has_value(), "realtimePeriod"},
                               {cpu.idle.has_value(), "idle"}}) {
        if (set) return NotAvailable(absl::StrCat("cpu.", name), "no cpu controller");
      }
    }
    if (IsUnified(dir)) {
      if (cpu.realtime_runtime) {
        return NotAvailable("cpu.realtimeRuntime", "cgroup v2 has no realtime CPU limits");
      }
      if (cpu.realtime_period) {
        return NotAvailable("cpu.realtimePeriod", "cgroup v2 has no realtime CPU limits");
      }
      if (cpu.shares && *cpu.shares != 0) {
        RETURN_IF_ERROR(
            p.Add("cpu", "cpu.weight", absl::StrCat(CpuSharesToWeight(*cpu.shares)), "cpu.shares"));
      }
      if (auto max = CpuMax(cpu.quota, cpu.period)) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.max", *max, cpu.quota ? "cpu.quota" : "cpu.period"));
      }
      if (cpu.burst) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.max.burst", absl::StrCat(*cpu.burst), "cpu.burst"));
      }
      if (cpu.idle) RETURN_IF_ERROR(p.Add("cpu", "cpu.idle", absl::StrCat(*cpu.idle), "cpu.idle"));
    } else {
      if (cpu.shares && *cpu.shares != 0) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.shares", absl::StrCat(*cpu.shares), "cpu.shares"));
      }
      if (cpu.period && *cpu.period != 0) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.cfs_period_us", absl::StrCat(*cpu.period), "cpu.period",
                              /*swap_on_einval=*/cpu.quota.has_value()));
      }
      if (cpu.quota && *cpu.quota != 0) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.cfs_quota_us", absl::StrCat(*cpu.quota), "cpu.quota"));
      }
      if (cpu.burst) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.cfs_burst_us", absl::StrCat(*cpu.burst), "cpu.burst"));
      }
      if (cpu.realtime_period && *cpu.realtime_period != 0) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.rt_period_us", absl::StrCat(*cpu.realtime_period),
                              "cpu.realtimePeriod", cpu.realtime_runtime.has_value()));
      }
      if (cpu.realtime_runtime && *cpu.realtime_runtime != 0) {
        RETURN_IF_ERROR(p.Add("cpu", "cpu.rt_runtime_us", absl::StrCat(*cpu.realtime_runtime),
                              "cpu.realtimeRuntime"));
      }
      if (cpu.idle) RETURN_IF_ERROR(p.Add("cpu", "cpu.idle", absl::StrCat(*cpu.idle), "cpu.idle"));
    }
  }
  if (cpu.cpus && !cpu.cpus->empty()) {
    RETURN_IF_ERROR(p.Add("cpuset", "cpuset.cpus", *cpu.cpus, "cpu.cpus"));
  }
  if (cpu.mems && !cpu.mems->empty()) {
    RETURN_IF_ERROR(p.Add("cpuset", "cpuset.mems", *cpu.mems, "cpu.mems"));
  }
  return absl::OkStatus();
}

absl::Status PlanPids(Planner& p, const spec::LinuxPids& pids) {
  if (!pids.limit) return absl::OkStatus();
  // 0 and negative values mean "no limit" (runc).
  std::string v = *pids.limit > 0 ? absl::StrCat(*pids.limit) : "max";
  return p.Add("pids", "pids.max", v, "pids.limit");
}

absl::Status PlanBlockIO(Planner& p, const spec::LinuxBlockIO& io) {
  const bool any = io.weight || io.leaf_weight || !io.weight_device.empty() ||
                   !io.throttle_read_bps_device.empty() || !io.throttle_write_bps_device.empty() ||
                   !io.throttle_read_iops_device.empty() || !io.throttle_write_iops_device.empty();
  if (!any) return absl::OkStatus();
  // v1 calls it blkio, v2 io.
  auto v1 = p.Dir("blkio", "blockIO");
  const bool unified = !v1.ok();
  const char* ctrl = unified ? "io" : "blkio";
  if (unified) {
    auto v2 = p.Dir("io", "blockIO");
    if (!v2.ok()) return v2.status();
  }
  const std::string dir = unified ? p.Dir("io", "blockIO").value()->path : (*v1)->path;
  auto dev = [](int64_t major, int64_t minor) { return absl::StrCat(major, ":", minor); };
  if (!unified) {
    const char* weight_file =
        CgroupFileExists(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
    const char* weight_dev_file = CgroupFileExists(dir, "blkio.weight_device")
                                      ? "blkio.weight_device"
                                      : "blkio.bfq.weight_device";
    if (io.weight)
      RETURN_IF_ERROR(p.Add(ctrl, weight_file, absl::StrCat(*io.weight), "blockIO.weight"));
    if (io.leaf_weight) {
      RETURN_IF_ERROR(
          p.Add(ctrl, "blkio.leaf_weight", absl::StrCat(*io.leaf_weight), "blockIO.leafWeight"));
    }
    for (size_t i = 0; i < io.weight_device.size(); ++i) {
      const auto& wd = io.weight_device[i];
      const std::string where = absl::StrCat("blockIO.weightDevice[", i, "]");
      if (wd.weight) {
        RETURN_IF_ERROR(p.Add(ctrl, weight_dev_file,
                              absl::StrCat(dev(wd.major, wd.minor), " ", *wd.weight),
                              where + ".weight"));
      }
      if (wd.leaf_weight) {
        RETURN_IF_ERROR(p.Add(ctrl, "blkio.leaf_weight_device",
                              absl::StrCat(dev(wd.major, wd.minor), " ", *wd.leaf_weight),
                              where + ".leafWeight"));
      }
    }
    auto throttle = [&](const std::vector<spec::LinuxThrottleDevice>& list, const char* file,
                        const char* name) -> absl::Status {
      for (size_t i = 0; i < list.size(); ++i) {
        RETURN_IF_ERROR(p.Add(ctrl, file,
                              absl::StrCat(dev(list[i].major, list[i].minor), " ", list[i].rate),
                              absl::StrCat("blockIO.", name, "[", i, "]")));
      }
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(throttle(io.throttle_read_bps_device, "blkio.throttle.read_bps_device",
                             "throttleReadBpsDevice"));
    RETURN_IF_ERROR(throttle(io.throttle_write_bps_device, "blkio.throttle.write_bps_device",
                             "throttleWriteBpsDevice"));
    RETURN_IF_ERROR(throttle(io.throttle_read_iops_device, "blkio.throttle.read_iops_device",
                             "throttleReadIOPSDevice"));
    RETURN_IF_ERROR(throttle(io.throttle_write_iops_device, "blkio.throttle.write_iops_device",
                             "throttleWriteIOPSDevice"));
    return absl::OkStatus();
  }
  // v2: BFQ's io.bfq.weight takes the v1 range as is; io.weight needs the conversion.
  const bool bfq = CgroupFileExists(dir, "io.bfq.weight");
  if (io.weight) {
    if (bfq) {
      RETURN_IF_ERROR(p.Add(ctrl, "io.bfq.weight", absl::StrCat(*io.weight), "blockIO.weight"));
    } else {
      RETURN_IF_ERROR(p.Add(ctrl, "io.weight",
                            absl::StrCat("default ", BlkioWeightToIoWeight(*io.weight)),
                            "blockIO.weight"));
    }
  }
  if (io.leaf_weight) return NotAvailable("blockIO.leafWeight", "cgroup v2 has no leaf weight");
  for (size_t i = 0; i < io.weight_device.size(); ++i) {
    const auto& wd = io.weight_device[i];
    const std::string where = absl::StrCat("blockIO.weightDevice[", i, "]");
    if (wd.leaf_weight) return NotAvailable(where + ".leafWeight", "cgroup v2 has no leaf weight");
    if (!wd.weight) continue;
    if (bfq) {
      RETURN_IF_ERROR(p.Add(ctrl, "io.bfq.weight",
                            absl::StrCat(dev(wd.major, wd.minor), " ", *wd.weight),
                            where + ".weight"));
    } else {
      RETURN_IF_ERROR(
          p.Add(ctrl, "io.weight",
                absl::StrCat(dev(wd.major, wd.minor), " ", BlkioWeightToIoWeight(*wd.weight)),
                where + ".weight"));
    }
  }
  auto throttle = [&](const std::vector<spec::LinuxThrottleDevice>& list, const char* key,
                      const char* name) -> absl::Status {
    for (size_t i = 0; i < list.size(); ++i) {
      RETURN_IF_ERROR(
          p.Add(ctrl, "io.max",
                absl::StrCat(dev(list[i].major, list[i].minor), " ", key, "=",
                             list[i].rate == 0 ? std::string("max") : absl::StrCat(list[i].rate)),
                absl::StrCat("blockIO.", name, "[", i, "]")));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(throttle(io.throttle_read_bps_device, "rbps", "throttleReadBpsDevice"));
  RETURN_IF_ERROR(throttle(io.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice"));
  RETURN_IF_ERROR(throttle(io.throttle_read_iops_device, "riops", "throttleReadIOPSDevice"));
  RETURN_IF_ERROR(throttle(io.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice"));
  return absl::OkStatus();
}

// "2MB" -> true if it is <digits><K|M|G>B.
bool ValidPageSize(const std::string& s) {
  if (s.size() < 3 || !absl::EndsWith(s, "B")) return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  uint64_t n;
  return absl::SimpleAtoi(s.substr(0, s.size() - 2), &n) && n > 0;
}

absl::Status PlanHugetlb(Planner& p, const std::vector<spec::LinuxHugepageLimit>& limits) {
  for (size_t i = 0; i < limits.size(); ++i) {
    const auto& l = limits[i];
    const std::string where = absl::StrCat("hugepageLimits[", i, "]");
    if (!ValidPageSize(l.page_size)) {
      return absl::InvalidArgumentError(absl::StrCat("linux.resources.", where, ".pageSize: \"",
                                                     l.page_size, "\" is not a size like 2MB"));
    }
    ASSIGN_OR_RETURN(const Manager::Dir* d, p.Dir("hugetlb", where));
    const std::string prefix = absl::StrCat("hugetlb.", l.page_size);
    const std::string limit_file = d->unified ? prefix + ".max" : prefix + ".limit_in_bytes";
    const std::string rsvd_file =
        d->unified ? prefix + ".rsvd.max" : prefix + ".rsvd.limit_in_bytes";
    RETURN_IF_ERROR(p.Add("hugetlb", limit_file, absl::StrCat(l.limit), where));
    // Reservation accounting, where the kernel has it, is the one that cannot SIGBUS later.
    if (CgroupFileExists(d->path, rsvd_file)) {
      RETURN_IF_ERROR(p.Add("hugetlb", rsvd_file, absl::StrCat(l.limit), where));
    }
  }
  return absl::OkStatus();
}

absl::Status PlanNetwork(Planner& p, const spec::LinuxNetwork& net) {
  if (net.class_id) {
    RETURN_IF_ERROR(
        p.Add("net_cls", "net_cls.classid", absl::StrCat(*net.class_id), "network.classID"));
  }
  for (size_t i = 0; i < net.priorities.size(); ++i) {
    RETURN_IF_ERROR(p.Add("net_prio", "net_prio.ifpriomap",
                          absl::StrCat(net.priorities[i].name, " ", net.priorities[i].priority),
                          absl::StrCat("network.priorities[", i, "]")));
  }
  return absl::OkStatus();
}

absl::Status PlanRdma(Planner& p, const std::map<std::string, spec::LinuxRdma>& rdma) {
  for (const auto& [device, lim] : rdma) {
    auto num = [](std::optional<uint32_t> v) { return v ? absl::StrCat(*v) : std::string("max"); };
    RETURN_IF_ERROR(p.Add("rdma", "rdma.max",
                          absl::StrCat(device, " hca_handle=", num(lim.hca_handles),
                                       " hca_object=", num(lim.hca_objects)),
                          absl::StrCat("rdma[\"", device, "\"]")));
  }
  return absl::OkStatus();
}

absl::Status PlanUnified(Planner& p, const std::map<std::string, std::string>& unified) {
  if (unified.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const Manager::Dir* d, p.Dir("", "unified"));
  ASSIGN_OR_RETURN(std::string ctrls, ReadCgroupFile(d->path, "cgroup.controllers"));
  std::set<std::string> enabled;
  for (absl::string_view c : absl::StrSplit(ctrls, ' ', absl::SkipEmpty())) enabled.emplace(c);
  for (const auto& [key, value] : unified) {
    RETURN_IF_ERROR(ValidateUnifiedKey(key, enabled));
    RETURN_IF_ERROR(p.Add("", key, value, absl::StrCat("unified[\"", key, "\"]")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DeviceRule>> DeviceRules(
    const std::vector<spec::LinuxDeviceCgroup>& in) {
  std::vector<DeviceRule> rules;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& d = in[i];
    DeviceRule r;
    r.allow = d.allow;
    std::string type = d.type.value_or("a");
    if (type.size() != 1) type = "?";
    r.type = type[0];
    r.major = d.major.value_or(-1);
    r.minor = d.minor.value_or(-1);
    r.access = d.access.value_or("rwm");
    auto n = NormalizeRule(r);
    if (!n.ok()) return Annotate(n.status(), absl::StrCat("linux.resources.devices[", i, "]"));
    rules.push_back(*n);
  }
  return rules;
}

absl::Status RunWrites(std::vector<Write>& writes) {
  CgroupFileWriter writer;
  for (size_t i = 0; i < writes.size(); ++i) {
    const Write& w = writes[i];
    absl::Status s = writer.Write(w.dir, w.file, w.value);
    if (!s.ok() && w.swap_on_einval && ErrnoOf(s) == EINVAL && i + 1 < writes.size()) {
      const Write& next = writes[i + 1];
      RETURN_IF_ERROR_CTX(writer.Write(next.dir, next.file, next.value),
                          absl::StrCat("linux.resources.", next.json_path));
      s = writer.Write(w.dir, w.file, w.value);
      ++i;
    }
    if (!s.ok()) return Annotate(s, absl::StrCat("linux.resources.", w.json_path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Manager::Set(const spec::LinuxResources& r) { return SetImpl(r); }

absl::Status Manager::SetImpl(const spec::LinuxResources& r) {
  Planner p(*this);
  if (r.memory) RETURN_IF_ERROR(PlanMemory(p, *r.memory));
  if (r.cpu) RETURN_IF_ERROR(PlanCpu(p, *r.cpu));
  if (r.pids) RETURN_IF_ERROR(PlanPids(p, *r.pids));
  if (r.block_io) RETURN_IF_ERROR(PlanBlockIO(p, *r.block_io));
  RETURN_IF_ERROR(PlanHugetlb(p, r.hugepage_limits));
  if (r.network) RETURN_IF_ERROR(PlanNetwork(p, *r.network));
  RETURN_IF_ERROR(PlanRdma(p, r.rdma));

  // Devices: v1 rewrites the lists (deny everything, then the rules in order); v2 swaps in a
  // freshly built BPF program.
  UniqueFd device_prog;
  std::string device_bpf_dir;
  if (!r.devices.empty()) {
    ASSIGN_OR_RETURN(std::vector<DeviceRule> rules, DeviceRules(r.devices));
    ASSIGN_OR_RETURN(const Dir* d, p.Dir("devices", "devices"));
    if (d->unified) {
      ASSIGN_OR_RETURN(std::vector<bpf_insn> insns, GenerateDeviceProgram(rules));
      auto prog = LoadDeviceProgram(insns);
      if (!prog.ok()) return Annotate(prog.status(), "linux.resources.devices");
      device_prog = std::move(prog).value();
      device_bpf_dir = d->path;
    } else {
      RETURN_IF_ERROR(p.Add("devices", "devices.deny", "a", "devices"));
      for (size_t i = 0; i < rules.size(); ++i) {
        RETURN_IF_ERROR(p.Add("devices", rules[i].allow ? "devices.allow" : "devices.deny",
                              V1RuleString(rules[i]), absl::StrCat("devices[", i, "]")));
      }
    }
  }
  // unified last: it is the escape hatch and overrides the converted values.
  RETURN_IF_ERROR(PlanUnified(p, r.unified));

  RETURN_IF_ERROR(RunWrites(p.writes()));
  if (device_prog) {
    int fd = open(device_bpf_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(absl::StrCat("linux.resources.devices: open ", device_bpf_dir));
    UniqueFd dir_fd(fd);
    RETURN_IF_ERROR_CTX(ReplaceDeviceProgram(dir_fd.get(), device_prog.get()),
                        "linux.resources.devices");
  }
  return absl::OkStatus();
}

}  // namespace hull::cgroups
