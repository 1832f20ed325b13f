#include "runtime/cgroups/stats.h"

namespace hull::cgroups {
namespace {

// Go's omitempty: zero numbers and empty lists are left out.
void SetNonZero(json::Value& obj, std::string_view key, uint64_t v) {
  if (v != 0) obj.Set(key, json::Value(v));
}
void SetList(json::Value& obj, std::string_view key, const std::vector<uint64_t>& v) {
  if (v.empty()) return;
  json::Array a;
  for (uint64_t x : v) a.emplace_back(x);
  obj.Set(key, json::Value(std::move(a)));
}

json::Value MemoryEntry(const MemoryData& d) {
  json::Value o{json::Object{}};
  o.Set("limit", json::Value(d.limit));
  SetNonZero(o, "usage", d.usage);
  SetNonZero(o, "max", d.max_usage);
  o.Set("failcnt", json::Value(d.failcnt));
  return o;
}

json::Value BlkioList(const std::vector<BlkioEntry>& entries) {
  json::Array a;
  for (const BlkioEntry& e : entries) {
    json::Value o{json::Object{}};
    SetNonZero(o, "major", e.major);
    SetNonZero(o, "minor", e.minor);
    if (!e.op.empty()) o.Set("op", json::Value(e.op));
    SetNonZero(o, "value", e.value);
    a.push_back(std::move(o));
  }
  return json::Value(std::move(a));
}

}  // namespace

json::Value StatsToJson(const Stats& s) {
  json::Value data{json::Object{}};

  json::Value usage{json::Object{}};
  SetNonZero(usage, "total", s.cpu.usage.total);
  SetList(usage, "percpu", s.cpu.usage.percpu);
  SetList(usage, "percpu_kernel", s.cpu.usage.percpu_kernel);
  SetList(usage, "percpu_user", s.cpu.usage.percpu_user);
  usage.Set("kernel", json::Value(s.cpu.usage.kernel));
  usage.Set("user", json::Value(s.cpu.usage.user));
  json::Value throttling{json::Object{}};
  SetNonZero(throttling, "periods", s.cpu.throttling.periods);
  SetNonZero(throttling, "throttledPeriods", s.cpu.throttling.throttled_periods);
  SetNonZero(throttling, "throttledTime", s.cpu.throttling.throttled_time);
  json::Value cpu{json::Object{}};
  cpu.Set("usage", std::move(usage));
  cpu.Set("throttling", std::move(throttling));
  data.Set("cpu", std::move(cpu));

  json::Value cpuset{json::Object{}};
  cpuset.Set("cpu_exclusive", json::Value(uint64_t{0}));
  cpuset.Set("mem_hardwall", json::Value(uint64_t{0}));
  cpuset.Set("mem_exclusive", json::Value(uint64_t{0}));
  cpuset.Set("memory_migrate", json::Value(uint64_t{0}));
  cpuset.Set("memory_spread_page", json::Value(uint64_t{0}));
  cpuset.Set("memory_spread_slab", json::Value(uint64_t{0}));
  cpuset.Set("memory_pressure", json::Value(uint64_t{0}));
  cpuset.Set("sched_load_balance", json::Value(uint64_t{0}));
  cpuset.Set("sched_relax_domain_level", json::Value(int64_t{0}));
  data.Set("cpuset", std::move(cpuset));

  json::Value memory{json::Object{}};
  SetNonZero(memory, "cache", s.memory.cache);
  memory.Set("usage", MemoryEntry(s.memory.usage));
  memory.Set("swap", MemoryEntry(s.memory.swap));
  memory.Set("kernel", MemoryEntry(s.memory.kernel));
  memory.Set("kernelTCP", MemoryEntry(s.memory.kernel_tcp));
  if (!s.memory.raw.empty()) {
    json::Value raw{json::Object{}};
    for (const auto& [k, v] : s.memory.raw) raw.Set(k, json::Value(v));
    memory.Set("raw", std::move(raw));
  }
  data.Set("memory", std::move(memory));

  json::Value pids{json::Object{}};
  SetNonZero(pids, "current", s.pids.current);
  SetNonZero(pids, "limit", s.pids.limit);
  data.Set("pids", std::move(pids));

  json::Value blkio{json::Object{}};
  if (!s.blkio.io_service_bytes_recursive.empty()) {
    blkio.Set("ioServiceBytesRecursive", BlkioList(s.blkio.io_service_bytes_recursive));
  }
  if (!s.blkio.io_serviced_recursive.empty()) {
    blkio.Set("ioServicedRecursive", BlkioList(s.blkio.io_serviced_recursive));
  }
  data.Set("blkio", std::move(blkio));

  json::Value hugetlb{json::Object{}};
  for (const auto& [size, h] : s.hugetlb) {
    json::Value o{json::Object{}};
    SetNonZero(o, "usage", h.usage);
    SetNonZero(o, "max", h.max_usage);
    o.Set("failcnt", json::Value(h.failcnt));
    hugetlb.Set(size, std::move(o));
  }
  data.Set("hugetlb", std::move(hugetlb));
  data.Set("intel_rdt", json::Value(json::Object{}));
  data.Set("network_interfaces", json::Value(nullptr));
  return data;
}

json::Value StatsEventJson(std::string_view container_id, const Stats& stats) {
  json::Value ev{json::Object{}};
  ev.Set("type", json::Value("stats"));
  ev.Set("id", json::Value(container_id));
  ev.Set("data", StatsToJson(stats));
  return ev;
}

json::Value OomEventJson(std::string_view container_id) {
  json::Value ev{json::Object{}};
  ev.Set("type", json::Value("oom"));
  ev.Set("id", json::Value(container_id));
  return ev;
}

}  // namespace hull::cgroups
