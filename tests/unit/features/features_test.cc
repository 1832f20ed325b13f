// `hull features` output: valid against the features schema shape, and true to the build.
#include "runtime/container/features.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "runtime/linux/capabilities.h"
#include "spec/features.h"

namespace hull {
namespace {

TEST(Features, RoundTripsThroughTheSpecDecoder) {
  spec::features::Features f = container::BuildFeatures();
  std::string text = spec::features::EmitFeatures(f, true);
  auto parsed = spec::features::ParseFeatures(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, f);
  EXPECT_EQ(parsed->oci_version_max, "1.3.0");
}

TEST(Features, ListsAllHooksNamespacesAndCapabilities) {
  spec::features::Features f = container::BuildFeatures();
  EXPECT_EQ(f.hooks.size(), 6u);
  ASSERT_TRUE(f.linux);
  EXPECT_EQ(f.linux->namespaces.size(), 8u);
  EXPECT_EQ(f.linux->capabilities, linux::KnownCapabilityNames());
  EXPECT_NE(std::find(f.linux->capabilities.begin(), f.linux->capabilities.end(), "CAP_SYS_ADMIN"),
            f.linux->capabilities.end());
  EXPECT_NE(std::find(f.mount_options.begin(), f.mount_options.end(), "rro"),
            f.mount_options.end());
  ASSERT_TRUE(f.linux->seccomp);
  EXPECT_NE(std::find(f.linux->seccomp->actions.begin(), f.linux->seccomp->actions.end(),
                      "SCMP_ACT_NOTIFY"),
            f.linux->seccomp->actions.end());
  ASSERT_TRUE(f.linux->cgroup);
  EXPECT_EQ(f.linux->cgroup->systemd, false);
}

TEST(Features, CliPrintsTheSameDocument) {
  FILE* p = ::popen(HULL_BIN " features", "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ASSERT_EQ(::pclose(p), 0);
  auto parsed = spec::features::ParseFeatures(out);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, container::BuildFeatures());
}

}  // namespace
}  // namespace hull
