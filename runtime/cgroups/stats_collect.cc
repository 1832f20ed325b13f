// Manager::GetStats: reads the usage files of every controller the container has, v1 or v2.
// A controller that is missing simply leaves its part of Stats at zero, as runc does.
#include <dirent.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/manager.h"

namespace hull::cgroups {
namespace {

uint64_t ReadOr0(const std::string& dir, absl::string_view file) {
  auto v = ReadCgroupUint(dir, file);
  return v.ok() ? *v : 0;
}

// runc reports "max" limits as 0 in pids and as the raw huge number in memory.
uint64_t MaxAsZero(uint64_t v) { return v == UINT64_MAX ? 0 : v; }

std::vector<uint64_t> ReadList(const std::string& dir, absl::string_view file) {
  std::vector<uint64_t> out;
  auto s = ReadCgroupFile(dir, file);
  if (!s.ok()) return out;
  for (absl::string_view w : absl::StrSplit(*s, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    uint64_t v;
    if (absl::SimpleAtoi(w, &v)) out.push_back(v);
  }
  return out;
}

// Page sizes the kernel supports, as the cgroup files name them ("2MB", "1GB").
std::vector<std::string> HugePageSizes() {
  std::vector<std::string> out;
  DIR* d = opendir("/sys/kernel/mm/hugepages");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    absl::string_view name = e->d_name;
    if (!absl::ConsumePrefix(&name, "hugepages-") || !absl::ConsumeSuffix(&name, "kB")) continue;
    uint64_t kb;
    if (!absl::SimpleAtoi(name, &kb)) continue;
    if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0) {
      out.push_back(absl::StrCat(kb / (1024 * 1024), "GB"));
    } else if (kb >= 1024 && kb % 1024 == 0) {
      out.push_back(absl::StrCat(kb / 1024, "MB"));
    } else {
      out.push_back(absl::StrCat(kb, "KB"));
    }
  }
  closedir(d);
  return out;
}

// v1 blkio "8:0 Read 4096" lines (the "Total" summary line has no device).
std::vector<BlkioEntry> ParseBlkioV1(const std::string& text) {
  std::vector<BlkioEntry> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() != 3) continue;
    std::vector<absl::string_view> mm = absl::StrSplit(f[0], ':');
    BlkioEntry e;
    if (mm.size() != 2 || !absl::SimpleAtoi(mm[0], &e.major) ||
        !absl::SimpleAtoi(mm[1], &e.minor) || !absl::SimpleAtoi(f[2], &e.value)) {
      continue;
    }
    e.op = std::string(f[1]);
    out.push_back(std::move(e));
  }
  return out;
}

void CpuV1(const std::string& cpu_dir, const std::string& acct_dir, CpuStats* s) {
  if (!acct_dir.empty()) {
    s->usage.total = ReadOr0(acct_dir, "cpuacct.usage");
    s->usage.percpu = ReadList(acct_dir, "cpuacct.usage_percpu");
    s->usage.percpu_kernel = ReadList(acct_dir, "cpuacct.usage_percpu_sys");
    s->usage.percpu_user = ReadList(acct_dir, "cpuacct.usage_percpu_user");
    auto stat = ReadCgroupFile(acct_dir, "cpuacct.stat");
    if (stat.ok()) {
      // USER_HZ ticks -> ns
      const long hz = sysconf(_SC_CLK_TCK);
      auto kv = ParseFlatKeyed(*stat);
      if (hz > 0) {
        s->usage.user = kv["user"] * (1000000000ULL / static_cast<uint64_t>(hz));
        s->usage.kernel = kv["system"] * (1000000000ULL / static_cast<uint64_t>(hz));
      }
    }
  }
  if (!cpu_dir.empty()) {
    auto stat = ReadCgroupFile(cpu_dir, "cpu.stat");
    if (stat.ok()) {
      auto kv = ParseFlatKeyed(*stat);
      s->throttling.periods = kv["nr_periods"];
      s->throttling.throttled_periods = kv["nr_throttled"];
      s->throttling.throttled_time = kv["throttled_time"];
    }
  }
}

void CpuV2(const std::string& dir, CpuStats* s) {
  auto stat = ReadCgroupFile(dir, "cpu.stat");
  if (!stat.ok()) return;
  auto kv = ParseFlatKeyed(*stat);
  s->usage.total = kv["usage_usec"] * 1000;
  s->usage.user = kv["user_usec"] * 1000;
  s->usage.kernel = kv["system_usec"] * 1000;
  s->throttling.periods = kv["nr_periods"];
  s->throttling.throttled_periods = kv["nr_throttled"];
  s->throttling.throttled_time = kv["throttled_usec"] * 1000;
}

MemoryData MemV1Entry(const std::string& dir, const std::string& prefix) {
  MemoryData d;
  d.usage = ReadOr0(dir, prefix + ".usage_in_bytes");
  d.max_usage = ReadOr0(dir, prefix + ".max_usage_in_bytes");
  d.failcnt = ReadOr0(dir, prefix + ".failcnt");
  d.limit = ReadOr0(dir, prefix + ".limit_in_bytes");
  return d;
}

void MemV1(const std::string& dir, MemoryStats* s) {
  s->usage = MemV1Entry(dir, "memory");
  if (CgroupFileExists(dir, "memory.memsw.usage_in_bytes"))
    s->swap = MemV1Entry(dir, "memory.memsw");
  if (CgroupFileExists(dir, "memory.kmem.usage_in_bytes"))
    s->kernel = MemV1Entry(dir, "memory.kmem");
  if (CgroupFileExists(dir, "memory.kmem.tcp.usage_in_bytes")) {
    s->kernel_tcp = MemV1Entry(dir, "memory.kmem.tcp");
  }
  auto stat = ReadCgroupFile(dir, "memory.stat");
  if (stat.ok()) s->raw = ParseFlatKeyed(*stat);
  s->cache = s->raw["cache"];
}

void MemV2(const std::string& dir, MemoryStats* s) {
  auto stat = ReadCgroupFile(dir, "memory.stat");
  if (stat.ok()) s->raw = ParseFlatKeyed(*stat);
  s->cache = s->raw.count("file") ? s->raw["file"] : 0;
  s->usage.usage = ReadOr0(dir, "memory.current");
  s->usage.limit = ReadOr0(dir, "memory.max");
  s->usage.max_usage = ReadOr0(dir, "memory.peak");
  auto events = ReadCgroupFile(dir, "memory.events");
  if (events.ok()) s->usage.failcnt = ParseFlatKeyed(*events)["max"];
  if (CgroupFileExists(dir, "memory.swap.current")) {
    // Like runc: report memory+swap, the v1 memsw meaning the OCI swap field has.
    const uint64_t swap = ReadOr0(dir, "memory.swap.current");
    const uint64_t swap_max = ReadOr0(dir, "memory.swap.max");
    s->swap.usage = s->usage.usage + swap;
    s->swap.limit = (swap_max == UINT64_MAX || s->usage.limit == UINT64_MAX)
                        ? UINT64_MAX
                        : s->usage.limit + swap_max;
    s->swap.max_usage = ReadOr0(dir, "memory.swap.peak");
    auto sev = ReadCgroupFile(dir, "memory.swap.events");
    if (sev.ok()) s->swap.failcnt = ParseFlatKeyed(*sev)["fail"];
  }
}

void IoV2(const std::string& dir, BlkioStats* s) {
  auto stat = ReadCgroupFile(dir, "io.stat");
  if (!stat.ok()) return;
  // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
  for (absl::string_view line : absl::StrSplit(*stat, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.empty()) continue;
    std::vector<absl::string_view> mm = absl::StrSplit(f[0], ':');
    uint64_t major, minor;
    if (mm.size() != 2 || !absl::SimpleAtoi(mm[0], &major) || !absl::SimpleAtoi(mm[1], &minor)) {
      continue;
    }
    for (size_t i = 1; i < f.size(); ++i) {
      std::vector<absl::string_view> kv = absl::StrSplit(f[i], '=');
      uint64_t v;
      if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &v)) continue;
      if (kv[0] == "rbytes") s->io_service_bytes_recursive.push_back({major, minor, "Read", v});
      if (kv[0] == "wbytes") s->io_service_bytes_recursive.push_back({major, minor, "Write", v});
      if (kv[0] == "rios") s->io_serviced_recursive.push_back({major, minor, "Read", v});
      if (kv[0] == "wios") s->io_serviced_recursive.push_back({major, minor, "Write", v});
    }
  }
}

}  // namespace

absl::StatusOr<Stats> Manager::GetStats() {
  if (!Exists()) {
    return absl::NotFoundError(absl::StrCat("cgroup ", cgroups_path_, " does not exist"));
  }
  Stats s;
  const Dir* cpu = DirFor("cpu");
  if (cpu != nullptr && cpu->unified) {
    CpuV2(cpu->path, &s.cpu);
  } else {
    const Dir* acct = DirFor("cpuacct");
    CpuV1(cpu ? cpu->path : "", acct ? acct->path : "", &s.cpu);
  }
  if (const Dir* mem = DirFor("memory")) {
    if (mem->unified) {
      MemV2(mem->path, &s.memory);
    } else {
      MemV1(mem->path, &s.memory);
    }
  }
  if (const Dir* pids = DirFor("pids")) {
    s.pids.current = ReadOr0(pids->path, "pids.current");
    s.pids.limit = MaxAsZero(ReadOr0(pids->path, "pids.max"));
  }
  if (const Dir* blk = DirFor("blkio")) {
    // CFQ/BFQ accounting if present, else the throttle layer's (always there).
    for (const char* prefix : {"blkio.", "blkio.bfq.", "blkio.throttle."}) {
      auto bytes = ReadCgroupFile(blk->path, absl::StrCat(prefix, "io_service_bytes_recursive"));
      auto ios = ReadCgroupFile(blk->path, absl::StrCat(prefix, "io_serviced_recursive"));
      if (!bytes.ok() || !ios.ok()) continue;
      s.blkio.io_service_bytes_recursive = ParseBlkioV1(*bytes);
      s.blkio.io_serviced_recursive = ParseBlkioV1(*ios);
      if (!s.blkio.io_service_bytes_recursive.empty() || std::string(prefix) == "blkio.throttle.") {
        break;
      }
    }
  } else if (const Dir* io = DirFor("io")) {
    IoV2(io->path, &s.blkio);
  }
  if (const Dir* h = DirFor("hugetlb")) {
    for (const std::string& size : HugePageSizes()) {
      HugetlbStats hs;
      const std::string p = "hugetlb." + size;
      if (h->unified) {
        if (!CgroupFileExists(h->path, p + ".current")) continue;
        hs.usage = ReadOr0(h->path, p + ".current");
        auto ev = ReadCgroupFile(h->path, p + ".events");
        if (ev.ok()) hs.failcnt = ParseFlatKeyed(*ev)["max"];
      } else {
        if (!CgroupFileExists(h->path, p + ".usage_in_bytes")) continue;
        hs.usage = ReadOr0(h->path, p + ".usage_in_bytes");
        hs.max_usage = ReadOr0(h->path, p + ".max_usage_in_bytes");
        hs.failcnt = ReadOr0(h->path, p + ".failcnt");
      }
      s.hugetlb[size] = hs;
    }
  }
  return s;
}

}  // namespace hull::cgroups
