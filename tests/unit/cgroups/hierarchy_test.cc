#include "runtime/cgroups/hierarchy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hull::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A systemd hybrid host (like this one): v1 controllers, name=systemd and cgroup2 at unified/.
constexpr char kHybridMountinfo[] =
    "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 "
    "cgroup2 rw,nsdelegate\n"
    "33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
    "cgroup rw,xattr,name=systemd\n"
    "34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup "
    "cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
    "rw,pids\n";
constexpr char kHybridProcCgroup[] =
    "5:pids:/user.slice/user-0.slice\n"
    "4:memory:/user.slice/user-0.slice/session-1.scope\n"
    "3:cpu,cpuacct:/\n"
    "1:name=systemd:/user.slice/user-0.slice/session-1.scope\n"
    "0::/user.slice/user-0.slice/session-1.scope\n";

constexpr char kV2Mountinfo[] =
    "24 1 0:22 / / rw - ext4 /dev/sda1 rw\n"
    "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

constexpr char kV1Mountinfo[] =
    "24 1 0:22 / / rw - ext4 /dev/sda1 rw\n"
    "40 24 0:35 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "41 24 0:36 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "42 24 0:37 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
    // the same memory hierarchy bind-mounted again elsewhere: ignored
    "43 24 0:35 /sub /mnt/memory rw - cgroup cgroup rw,memory\n";

TEST(ParseMountinfo, FindsCgroupMountsWithControllers) {
  auto mounts = ParseMountinfo(kHybridMountinfo);
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 5u);
  EXPECT_TRUE((*mounts)[0].unified);
  EXPECT_EQ((*mounts)[0].mount_point, "/sys/fs/cgroup/unified");
  EXPECT_THAT((*mounts)[0].controllers, IsEmpty());
  EXPECT_THAT((*mounts)[1].controllers, ElementsAre("name=systemd"));  // "xattr" is not one
  EXPECT_EQ((*mounts)[2].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_THAT((*mounts)[2].controllers, ElementsAre("cpu", "cpuacct"));
}

TEST(ParseMountinfo, UnescapesOctalSequencesInPaths) {
  auto mounts = ParseMountinfo("50 1 0:40 /a\\040b /mnt/cg\\040root rw - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].mount_point, "/mnt/cg root");
  EXPECT_EQ((*mounts)[0].root, "/a b");
}

TEST(ParseMountinfo, HandlesOptionalFieldsAndRejectsGarbage) {
  // several optional fields before the separator
  auto ok = ParseMountinfo(
      "60 1 0:50 / /cg rw shared:3 master:2 propagate_from:1 - cgroup cgroup rw,pids\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT((*ok)[0].controllers, ElementsAre("pids"));
  EXPECT_FALSE(ParseMountinfo("this is not mountinfo\n").ok());
  EXPECT_FALSE(ParseMountinfo("1 2 3 4 5 6 7 8 9 10 11\n").ok());  // no "-" separator
}

TEST(ParseProcCgroup, KeysByControllerList) {
  auto m = ParseProcCgroup(kHybridProcCgroup);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->at(""), "/user.slice/user-0.slice/session-1.scope");
  EXPECT_EQ(m->at("cpu,cpuacct"), "/");
  EXPECT_EQ(m->at("name=systemd"), "/user.slice/user-0.slice/session-1.scope");
  EXPECT_FALSE(ParseProcCgroup("garbage\n").ok());
}

TEST(BuildHostCgroups, Hybrid) {
  auto host = BuildHostCgroups(kHybridMountinfo, kHybridProcCgroup, "hugetlb\n");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->layout, Layout::kHybrid);
  ASSERT_EQ(host->hierarchies.size(), 5u);
  const Hierarchy* mem = host->For("memory");
  ASSERT_NE(mem, nullptr);
  EXPECT_FALSE(mem->unified);
  EXPECT_EQ(mem->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(mem->own_cgroup, "/user.slice/user-0.slice/session-1.scope");
  EXPECT_EQ(host->For("cpuacct"), host->For("cpu"));
  EXPECT_EQ(host->For("cpu")->own_cgroup, "/");
  // hugetlb is only on the unified hierarchy; freezer/devices have no v1 mount so the cgroup2
  // core features stand in; net_cls is nowhere.
  ASSERT_NE(host->For("hugetlb"), nullptr);
  EXPECT_TRUE(host->For("hugetlb")->unified);
  EXPECT_TRUE(host->For("freezer")->unified);
  EXPECT_EQ(host->For("net_cls"), nullptr);
  EXPECT_EQ(host->Unified()->own_cgroup, "/user.slice/user-0.slice/session-1.scope");
}

TEST(BuildHostCgroups, PureV2) {
  auto host = BuildHostCgroups(kV2Mountinfo, "0::/init.scope\n", "cpuset cpu io memory pids\n");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->layout, Layout::kV2);
  ASSERT_EQ(host->hierarchies.size(), 1u);
  EXPECT_THAT(host->hierarchies[0].controllers,
              ElementsAre("cpuset", "cpu", "io", "memory", "pids"));
  EXPECT_EQ(host->For("memory"), &host->hierarchies[0]);
  EXPECT_EQ(host->For("devices"), &host->hierarchies[0]);
  EXPECT_EQ(host->For("blkio"), nullptr);
  EXPECT_EQ(host->hierarchies[0].own_cgroup, "/init.scope");
}

TEST(BuildHostCgroups, PureV1DeduplicatesBindMounts) {
  auto host =
      BuildHostCgroups(kV1Mountinfo, "3:net_cls,net_prio:/\n2:freezer:/x\n1:memory:/y\n", "");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->layout, Layout::kV1);
  EXPECT_EQ(host->hierarchies.size(), 3u);
  EXPECT_EQ(host->Unified(), nullptr);
  EXPECT_EQ(host->For("memory")->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(host->For("memory")->own_cgroup, "/y");
  EXPECT_EQ(host->For("net_prio"), host->For("net_cls"));
  EXPECT_EQ(host->For("devices"), nullptr);  // no v1 devices and no cgroup2
}

TEST(BuildHostCgroups, OwnCgroupIsRelativeToTheMountRoot) {
  // Inside a container with a cgroup namespace-less bind of a sub-tree.
  auto host = BuildHostCgroups("70 1 0:60 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                               "0::/kubepods/pod1/ctr\n", "memory pids\n");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->hierarchies[0].own_cgroup, "/ctr");
}

TEST(BuildHostCgroups, NoCgroupMountIsAnError) {
  EXPECT_FALSE(BuildHostCgroups("24 1 0:22 / / rw - ext4 /dev/sda1 rw\n", "", "").ok());
}

TEST(DetectLayout, MatchesThisHost) {
  auto layout = DetectLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  auto controllers = AvailableControllers();
  ASSERT_TRUE(controllers.ok()) << controllers.status();
  bool v1_memory = false;
  for (const auto& c : *controllers) {
    if (c.name == "memory" && !c.unified) v1_memory = true;
  }
  // Whatever the host is, the layout and the controller list must agree.
  EXPECT_EQ(v1_memory, *layout != Layout::kV2) << LayoutName(*layout);
}

}  // namespace
}  // namespace hull::cgroups
