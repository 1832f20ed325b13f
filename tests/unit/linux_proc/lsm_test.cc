#include "runtime/linux/lsm.h"

#include "child_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::linux {
namespace {

using ::hull::linux::testing::RunInChild;
using ::testing::HasSubstr;

TEST(LsmTest, ApparmorProfileWithoutApparmorIsAnErrorNamingTheField) {
  if (AppArmorEnabled()) GTEST_SKIP() << "AppArmor is enabled on this host";
  EXPECT_TRUE(ApplyApparmorProfile("").ok());
  absl::Status st = ApplyApparmorProfile("hull-test-profile");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(st.message()), HasSubstr("process.apparmorProfile"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("hull-test-profile"));
}

TEST(LsmTest, ApparmorWriteIsNotSilentlyDropped) {
  // Without AppArmor loaded, the kernel has no attr/apparmor directory and refuses the legacy
  // attr/exec write: whatever the path taken, the result must be an error, never OK.
  if (AppArmorEnabled()) GTEST_SKIP() << "AppArmor is enabled on this host";
  auto outcome = RunInChild([]() -> std::string {
    absl::Status st = WriteApparmorExecProfile("hull-test-profile");
    return st.ok() ? "" : "ERR:" + std::string(st.message());
  });
  EXPECT_EQ(outcome.exit_code, 1) << "write reported success without AppArmor";
  EXPECT_THAT(outcome.report, HasSubstr("process.apparmorProfile \"hull-test-profile\""));
}

TEST(LsmTest, SelinuxLabelIsIgnoredWhenSelinuxIsOff) {
  if (SelinuxEnabled()) GTEST_SKIP() << "SELinux is enabled on this host";
  EXPECT_TRUE(ApplySelinuxLabel("system_u:system_r:container_t:s0").ok());
  EXPECT_EQ(SelinuxMountContextOption("system_u:object_r:container_file_t:s0"), "");
  EXPECT_EQ(AppendSelinuxMountContext("nosuid,mode=755", "system_u:object_r:x:s0"),
            "nosuid,mode=755");
}

TEST(LsmTest, MountLabelBecomesAContextOption) {
  EXPECT_EQ(AppendSelinuxMountContext("nosuid,mode=755", "system_u:object_r:x:s0:c1,c2", true),
            "nosuid,mode=755,context=\"system_u:object_r:x:s0:c1,c2\"");
  EXPECT_EQ(AppendSelinuxMountContext("", "l", true), "context=\"l\"");
  EXPECT_EQ(AppendSelinuxMountContext("ro", "", true), "ro");
  EXPECT_EQ(AppendSelinuxMountContext("ro", "l", false), "ro");
}

}  // namespace
}  // namespace hull::linux
