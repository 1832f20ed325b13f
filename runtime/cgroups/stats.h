// Resource usage of a container's cgroup, in the shape of runc's libcontainer/cgroups Stats, and
// its JSON form as `runc events --stats` prints it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "spec/json.h"

namespace hull::cgroups {

struct ThrottlingData {
  uint64_t periods = 0;
  uint64_t throttled_periods = 0;
  uint64_t throttled_time = 0;  // ns
};
struct CpuUsage {
  uint64_t total = 0;  // ns
  std::vector<uint64_t> percpu;
  std::vector<uint64_t> percpu_kernel;
  std::vector<uint64_t> percpu_user;
  uint64_t kernel = 0;  // ns
  uint64_t user = 0;    // ns
};
struct CpuStats {
  CpuUsage usage;
  ThrottlingData throttling;
};
struct MemoryData {
  uint64_t usage = 0;
  uint64_t max_usage = 0;
  uint64_t failcnt = 0;
  uint64_t limit = 0;
};
struct MemoryStats {
  uint64_t cache = 0;
  MemoryData usage;
  MemoryData swap;
  MemoryData kernel;
  MemoryData kernel_tcp;
  std::map<std::string, uint64_t> raw;  // memory.stat
};
struct PidsStats {
  uint64_t current = 0;
  uint64_t limit = 0;  // 0: unlimited
};
struct BlkioEntry {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;
};
struct BlkioStats {
  std::vector<BlkioEntry> io_service_bytes_recursive;
  std::vector<BlkioEntry> io_serviced_recursive;
};
struct HugetlbStats {
  uint64_t usage = 0;
  uint64_t max_usage = 0;
  uint64_t failcnt = 0;
};

struct Stats {
  CpuStats cpu;
  MemoryStats memory;
  PidsStats pids;
  BlkioStats blkio;
  std::map<std::string, HugetlbStats> hugetlb;  // page size ("2MB") -> stats
};

// The "data" object of a runc `events` stats event: {"cpu":{...},"memory":{...},"pids":{...},
// "blkio":{...},"hugetlb":{...},...} with runc's key names and omitempty behaviour.
json::Value StatsToJson(const Stats& stats);
// {"type":"stats","id":ID,"data":StatsToJson(stats)}
json::Value StatsEventJson(std::string_view container_id, const Stats& stats);
// {"type":"oom","id":ID}
json::Value OomEventJson(std::string_view container_id);

}  // namespace hull::cgroups
