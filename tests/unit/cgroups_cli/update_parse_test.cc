// The value syntaxes of `update`/`events` flags and runc's update merge rules.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "runtime/cli/units.h"
#include "runtime/container/cgroup_ops.h"

namespace hull {
namespace {

using cli::ParseGoDuration;
using cli::ParseRamInBytes;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(ParseRamInBytes, AcceptsGoUnitsSizes) {
  EXPECT_EQ(*ParseRamInBytes("1024"), 1024);
  EXPECT_EQ(*ParseRamInBytes("100M"), 100LL << 20);
  EXPECT_EQ(*ParseRamInBytes("100m"), 100LL << 20);
  EXPECT_EQ(*ParseRamInBytes("64KiB"), 64LL << 10);
  EXPECT_EQ(*ParseRamInBytes("2 GB"), 2LL << 30);
  EXPECT_EQ(*ParseRamInBytes("1.5g"), 3LL << 29);
  EXPECT_EQ(*ParseRamInBytes("10b"), 10);
  EXPECT_EQ(*ParseRamInBytes("1t"), 1LL << 40);
}

TEST(ParseRamInBytes, RejectsGarbageWithGoUnitsMessage) {
  for (const char* bad : {"", "abc", "-5", "10x", "1.2.3", "M", "10  M", "5."}) {
    auto r = ParseRamInBytes(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("invalid size: '") + bad + "'");
  }
}

TEST(ParseGoDuration, AcceptsGoDurations) {
  EXPECT_EQ(*ParseGoDuration("5s"), std::chrono::seconds(5));
  EXPECT_EQ(*ParseGoDuration("100ms"), milliseconds(100));
  EXPECT_EQ(*ParseGoDuration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseGoDuration("1.5h"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseGoDuration("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(*ParseGoDuration("7ns"), nanoseconds(7));
  EXPECT_EQ(*ParseGoDuration("0"), nanoseconds(0));
  EXPECT_EQ(*ParseGoDuration("-2s"), std::chrono::seconds(-2));
}

TEST(ParseGoDuration, RejectsMissingOrUnknownUnits) {
  EXPECT_EQ(ParseGoDuration("5").status().message(), "time: missing unit in duration \"5\"");
  EXPECT_EQ(ParseGoDuration("5x").status().message(),
            "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("s").ok());
}

TEST(ParseResources, DecodesALinuxResourcesObject) {
  auto r = container::ParseResources(
      R"({"memory":{"limit":33554432,"swap":67108864},"cpu":{"shares":512,"cpus":"0"},
          "pids":{"limit":20},"blockIO":{"weight":300},"unified":{"memory.high":"max"}})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->memory->limit, 33554432);
  EXPECT_EQ(r->memory->swap, 67108864);
  EXPECT_EQ(r->cpu->shares, 512u);
  EXPECT_EQ(r->cpu->cpus, "0");
  EXPECT_EQ(r->pids->limit, 20);
  EXPECT_EQ(r->block_io->weight, 300);
  EXPECT_EQ(r->unified.at("memory.high"), "max");
}

TEST(ParseResources, ErrorsNameTheFieldRelativeToTheObject) {
  auto r = container::ParseResources(R"({"memory":{"limit":"lots"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "memory.limit: ")) << r.status();
  auto arr = container::ParseResources("[1]");
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().message(), "resources: expected object, got array");
  EXPECT_FALSE(container::ParseResources("{").ok());
}

TEST(MergeResources, OnlyGivenFieldsChange) {
  spec::LinuxResources cur;
  cur.memory = spec::LinuxMemory{.limit = 100 << 20, .reservation = 50 << 20};
  cur.cpu = spec::LinuxCPU{.shares = 1024, .quota = 50000, .period = 100000, .cpus = "0-1"};
  cur.pids = spec::LinuxPids{.limit = 100};
  cur.devices.push_back(spec::LinuxDeviceCgroup{.allow = false, .access = "rwm"});
  cur.unified["memory.high"] = "max";

  spec::LinuxResources ch;
  ch.memory = spec::LinuxMemory{.limit = 200 << 20};
  ch.cpu = spec::LinuxCPU{.quota = 20000, .cpus = ""};
  ch.unified["pids.max"] = "7";
  spec::LinuxResources m = container::MergeResources(cur, ch);
  EXPECT_EQ(m.memory->limit, 200 << 20);
  EXPECT_EQ(m.memory->reservation, 50 << 20);
  EXPECT_FALSE(m.memory->swap.has_value());
  EXPECT_EQ(m.cpu->shares, 1024u);
  EXPECT_EQ(m.cpu->quota, 20000);
  EXPECT_EQ(m.cpu->period, 100000u);
  EXPECT_EQ(m.cpu->cpus, "0-1");  // empty string: unchanged
  EXPECT_EQ(m.pids->limit, 100);
  EXPECT_EQ(m.devices, cur.devices);
  EXPECT_EQ(m.unified.at("memory.high"), "max");
  EXPECT_EQ(m.unified.at("pids.max"), "7");
}

TEST(MergeResources, UnlimitedMemoryWithoutSwapMakesSwapUnlimited) {
  spec::LinuxResources cur;
  cur.memory = spec::LinuxMemory{.limit = 100 << 20, .swap = 200 << 20};
  spec::LinuxResources ch;
  ch.memory = spec::LinuxMemory{.limit = -1};
  auto m = container::MergeResources(cur, ch);
  EXPECT_EQ(m.memory->limit, -1);
  EXPECT_EQ(m.memory->swap, -1);
  // With an explicit swap, that one wins.
  ch.memory->swap = 300 << 20;
  m = container::MergeResources(cur, ch);
  EXPECT_EQ(m.memory->swap, 300 << 20);
}

TEST(MergeResources, ZeroValuesMeanUnchanged) {
  spec::LinuxResources cur;
  cur.memory = spec::LinuxMemory{.limit = 100 << 20};
  spec::LinuxResources ch;
  ch.memory = spec::LinuxMemory{.limit = 0, .reservation = 0};
  ch.pids = spec::LinuxPids{.limit = 0};
  ch.block_io = spec::LinuxBlockIO{.weight = 0};
  cur.pids = spec::LinuxPids{.limit = 50};
  auto m = container::MergeResources(cur, ch);
  EXPECT_EQ(m.memory->limit, 100 << 20);
  EXPECT_FALSE(m.memory->reservation.has_value());
  EXPECT_EQ(m.pids->limit, 50);
  EXPECT_FALSE(m.block_io.has_value());
}

TEST(IgnoredUpdateFields, NamesWhatUpdateCannotChange) {
  spec::LinuxResources ch;
  ch.devices.push_back(spec::LinuxDeviceCgroup{.allow = true});
  ch.memory = spec::LinuxMemory{.kernel = 1 << 20};
  ch.network = spec::LinuxNetwork{.class_id = 1};
  EXPECT_EQ(container::IgnoredUpdateFields(ch),
            (std::vector<std::string>{"devices", "memory.kernel", "network"}));
  EXPECT_TRUE(container::IgnoredUpdateFields(spec::LinuxResources{}).empty());
}

}  // namespace
}  // namespace hull
