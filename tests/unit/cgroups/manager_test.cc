// Manager behaviour that needs no cgroup writes: path resolution, the systemd refusal, the state
// round trip, and the events JSON shape.
#include "runtime/cgroups/manager.h"

#include <gtest/gtest.h>

#include "runtime/cgroups/stats.h"

namespace hull::cgroups {
namespace {

TEST(CleanCgroupPath, IsLexicalAndCannotEscape) {
  EXPECT_EQ(CleanCgroupPath("/a/b/../c"), "/a/c");
  EXPECT_EQ(CleanCgroupPath("/../../etc"), "/etc");
  EXPECT_EQ(CleanCgroupPath("a//b/./c/"), "a/b/c");
  EXPECT_EQ(CleanCgroupPath("../../x"), "x");
  EXPECT_EQ(CleanCgroupPath(""), "");
  EXPECT_EQ(CleanCgroupPath("/"), "/");
}

TEST(ManagerCreate, SystemdDriverIsRefused) {
  auto m = Manager::Create("system.slice:hull:abc", "abc", /*systemd=*/true);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "systemd cgroup driver is not supported: no systemd cgroup manager in hull yet");
}

TEST(ManagerCreate, AbsolutePathLandsUnderEveryMountPoint) {
  auto m = Manager::Create("/hull-test/../hull-test/abc", "abc", false);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_FALSE((*m)->dirs().empty());
  for (const auto& d : (*m)->dirs()) {
    EXPECT_EQ(d.path, d.mount_point + "/hull-test/abc");
    EXPECT_TRUE(d.created.empty());  // Create makes nothing
  }
}

TEST(ManagerCreate, EmptyPathDefaultsToTheContainerIdRelativeToOwnCgroup) {
  auto m = Manager::Create("", "ctr-1", false);
  ASSERT_TRUE(m.ok()) << m.status();
  auto host = GetHostCgroups();
  ASSERT_TRUE(host.ok());
  for (const auto& d : (*m)->dirs()) {
    EXPECT_TRUE(d.path.starts_with(d.mount_point)) << d.path;
    EXPECT_TRUE(d.path.ends_with("/ctr-1")) << d.path;
  }
}

TEST(ManagerCreate, RootCgroupIsRefused) {
  EXPECT_FALSE(Manager::Create("/", "x", false).ok());
  EXPECT_FALSE(Manager::Create("/..", "x", false).ok());
}

TEST(ManagerSerialize, RoundTrips) {
  auto m = Manager::Create("/hull-test/rt", "rt", false);
  ASSERT_TRUE(m.ok()) << m.status();
  json::Value state = (*m)->Serialize();
  auto back = Manager::Load(state);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->container_id(), "rt");
  EXPECT_EQ((*back)->layout(), (*m)->layout());
  ASSERT_EQ((*back)->dirs().size(), (*m)->dirs().size());
  for (size_t i = 0; i < (*m)->dirs().size(); ++i) {
    EXPECT_EQ((*back)->dirs()[i].path, (*m)->dirs()[i].path);
    EXPECT_EQ((*back)->dirs()[i].unified, (*m)->dirs()[i].unified);
  }
  EXPECT_EQ((*back)->Serialize(), state);
}

TEST(ManagerLoad, RejectsDirectoriesOutsideTheHierarchy) {
  auto m = Manager::Create("/hull-test/evil", "evil", false);
  ASSERT_TRUE(m.ok());
  json::Value state = (*m)->Serialize();
  json::Value& dir = state.as_object()[4].second.as_array()[0];
  ASSERT_EQ(state.as_object()[4].first, "dirs");
  dir.Set("path", json::Value("/etc"));
  EXPECT_FALSE(Manager::Load(state).ok());
  dir.Set("path", json::Value(dir.Find("mount_point")->as_string() + "/a/../../../etc"));
  EXPECT_FALSE(Manager::Load(state).ok());
  EXPECT_FALSE(Manager::Load(json::Value("nope")).ok());
}

TEST(StatsToJson, HasRuncEventsShape) {
  Stats s;
  s.cpu.usage.total = 123;
  s.cpu.usage.percpu = {100, 23};
  s.memory.usage.usage = 4096;
  s.memory.usage.limit = 8192;
  s.memory.raw["cache"] = 7;
  s.pids.current = 3;
  s.hugetlb["2MB"] = {};
  json::Value ev = StatsEventJson("c1", s);
  EXPECT_EQ(ev.Find("type")->as_string(), "stats");
  EXPECT_EQ(ev.Find("id")->as_string(), "c1");
  const json::Value* data = ev.Find("data");
  ASSERT_NE(data, nullptr);
  const json::Value* usage = data->Find("cpu")->Find("usage");
  EXPECT_EQ(*usage->Find("total")->as_uint64(), 123u);
  EXPECT_EQ(usage->Find("percpu")->as_array().size(), 2u);
  EXPECT_EQ(*usage->Find("kernel")->as_uint64(), 0u);  // not omitempty in runc
  EXPECT_EQ(data->Find("cpu")->Find("throttling")->as_object().size(), 0u);
  const json::Value* mem = data->Find("memory");
  EXPECT_EQ(*mem->Find("usage")->Find("usage")->as_uint64(), 4096u);
  EXPECT_EQ(*mem->Find("usage")->Find("limit")->as_uint64(), 8192u);
  EXPECT_EQ(mem->Find("usage")->Find("max"), nullptr);  // omitempty
  EXPECT_EQ(*mem->Find("raw")->Find("cache")->as_uint64(), 7u);
  EXPECT_EQ(*data->Find("pids")->Find("current")->as_uint64(), 3u);
  EXPECT_EQ(data->Find("pids")->Find("limit"), nullptr);
  EXPECT_EQ(*data->Find("hugetlb")->Find("2MB")->Find("failcnt")->as_uint64(), 0u);
  EXPECT_NE(data->Find("blkio"), nullptr);
  EXPECT_EQ(OomEventJson("c1").Find("type")->as_string(), "oom");
}

}  // namespace
}  // namespace hull::cgroups
