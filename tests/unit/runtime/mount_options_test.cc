// The mount option table: flags, recursive attributes, atime modes, propagation, fs data.
#include "runtime/linux/mount_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/mount.h>
#include <sys/mount.h>

namespace hull::linux {
namespace {

TEST(MountOptionsTest, FlagsAndData) {
  auto o = ParseMountOptions({"nosuid", "nodev", "noexec", "ro", "size=1m", "mode=755"}, "m");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(
      o->attr_set & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY),
      static_cast<uint64_t>(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                            MOUNT_ATTR_RDONLY));
  EXPECT_THAT(o->data, ::testing::ElementsAre("size=1m", "mode=755"));
  EXPECT_FALSE(o->bind);
}

TEST(MountOptionsTest, LaterOptionWins) {
  auto o = ParseMountOptions({"ro", "rw", "nosuid", "suid"}, "m");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->attr_set & MOUNT_ATTR_RDONLY, 0u);
  EXPECT_NE(o->attr_clr & MOUNT_ATTR_RDONLY, 0u);
  EXPECT_EQ(o->attr_set & MOUNT_ATTR_NOSUID, 0u);
}

TEST(MountOptionsTest, BindRecursiveAndIdmap) {
  auto o = ParseMountOptions({"rbind", "rro", "ridmap"}, "m");
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->bind);
  EXPECT_TRUE(o->recursive);
  EXPECT_NE(o->rec_attr_set & MOUNT_ATTR_RDONLY, 0u);
  EXPECT_TRUE(o->idmap);
  EXPECT_TRUE(o->idmap_recursive);
}

TEST(MountOptionsTest, AtimeModesReplaceEachOther) {
  auto o = ParseMountOptions({"noatime", "strictatime"}, "m");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->attr_set & MOUNT_ATTR__ATIME, static_cast<uint64_t>(MOUNT_ATTR_STRICTATIME));
}

TEST(MountOptionsTest, PropagationInOrder) {
  auto o = ParseMountOptions({"rprivate", "shared"}, "m");
  ASSERT_TRUE(o.ok());
  EXPECT_THAT(o->propagation, ::testing::ElementsAre(MS_PRIVATE | MS_REC, MS_SHARED));
  EXPECT_TRUE(ParsePropagation("rslave").ok());
  EXPECT_FALSE(ParsePropagation("sideways").ok());
}

TEST(MountOptionsTest, BadOptionsNameTheirIndex) {
  auto empty = ParseMountOptions({"ro", ""}, "mounts[2].options");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), ::testing::HasSubstr("mounts[2].options[1]"));
  auto comma = ParseMountOptions({"ro,nosuid"}, "mounts[0].options");
  ASSERT_FALSE(comma.ok());
  EXPECT_THAT(std::string(comma.status().message()), ::testing::HasSubstr("comma"));
}

}  // namespace
}  // namespace hull::linux
