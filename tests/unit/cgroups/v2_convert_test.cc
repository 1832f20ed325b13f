#include "runtime/cgroups/v2_convert.h"

#include <gtest/gtest.h>

namespace hull::cgroups {
namespace {

TEST(CpuSharesToWeight, MapsTheV1RangeOntoTheV2Range) {
  EXPECT_EQ(CpuSharesToWeight(0), 0u);  // unset stays unset
  EXPECT_EQ(CpuSharesToWeight(2), 1u);
  EXPECT_EQ(CpuSharesToWeight(1024), 100u);  // the defaults line up
  EXPECT_EQ(CpuSharesToWeight(262144), 10000u);
  EXPECT_EQ(CpuSharesToWeight(1000000), 10000u);  // clamped
  // monotonic in between
  uint64_t prev = 0;
  for (uint64_t s = 2; s <= 262144; s *= 2) {
    uint64_t w = CpuSharesToWeight(s);
    EXPECT_GE(w, prev) << s;
    EXPECT_GE(w, 1u);
    EXPECT_LE(w, 10000u);
    prev = w;
  }
}

TEST(BlkioWeightToIoWeight, LinearMapping) {
  EXPECT_EQ(BlkioWeightToIoWeight(0), 0u);
  EXPECT_EQ(BlkioWeightToIoWeight(10), 1u);
  EXPECT_EQ(BlkioWeightToIoWeight(1000), 10000u);
  EXPECT_EQ(BlkioWeightToIoWeight(500), 1u + 490u * 9999u / 990u);
}

TEST(MemorySwapToV2, FollowsRuncSemantics) {
  EXPECT_EQ(*MemorySwapToV2(0, -1), -1);                        // unlimited memory, swap unset
  EXPECT_EQ(*MemorySwapToV2(-1, 100 << 20), -1);                // unlimited swap
  EXPECT_EQ(*MemorySwapToV2(0, 100 << 20), 0);                  // unset
  EXPECT_EQ(*MemorySwapToV2(300 << 20, 100 << 20), 200 << 20);  // memory+swap -> swap
  EXPECT_EQ(*MemorySwapToV2(100 << 20, 100 << 20), 0);          // no swap at all
  EXPECT_FALSE(MemorySwapToV2(100 << 20, 0).ok());              // swap without memory limit
  EXPECT_FALSE(MemorySwapToV2(100 << 20, -1).ok());
  EXPECT_FALSE(MemorySwapToV2(50 << 20, 100 << 20).ok());  // memory+swap < memory
}

TEST(CpuMax, QuotaAndPeriod) {
  EXPECT_EQ(CpuMax(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(CpuMax(50000, 100000), "50000 100000");
  EXPECT_EQ(CpuMax(50000, std::nullopt), "50000");
  EXPECT_EQ(CpuMax(-1, 100000), "max 100000");
  EXPECT_EQ(CpuMax(std::nullopt, 200000), "max 200000");
}

TEST(V2Limit, NegativeIsMax) {
  EXPECT_EQ(V2Limit(-1), "max");
  EXPECT_EQ(V2Limit(4096), "4096");
}

TEST(ValidateUnifiedKey, AcceptsFilesOfEnabledControllers) {
  const std::set<std::string> enabled = {"memory", "pids"};
  EXPECT_TRUE(ValidateUnifiedKey("memory.high", enabled).ok());
  EXPECT_TRUE(ValidateUnifiedKey("pids.max", enabled).ok());
  EXPECT_TRUE(ValidateUnifiedKey("cgroup.max.depth", enabled).ok());
}

TEST(ValidateUnifiedKey, RejectsPathsAndUnknownControllers) {
  const std::set<std::string> enabled = {"memory"};
  for (const char* bad : {"", ".", "..", "../memory.max", "memory.max/x", "/etc/passwd",
                          "memory..max", "nodot", ".max", "memory."}) {
    EXPECT_FALSE(ValidateUnifiedKey(bad, enabled).ok()) << bad;
  }
  auto st = ValidateUnifiedKey("io.max", enabled);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("linux.resources.unified[\"io.max\"]"), std::string::npos) << st;
}

}  // namespace
}  // namespace hull::cgroups
