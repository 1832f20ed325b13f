// The cgroup Manager against the real kernel: real cgroups under /hull-test/<unique>, real forked
// processes, limits observed both in the cgroup files and in the children's behaviour.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_util.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/device_filter.h"
#include "runtime/cgroups/oom.h"
#include "runtime/cgroups/v2_convert.h"
#include "spec/config.h"
#include "tests/integration/cgroups/test_util.h"

namespace hull::cgroups::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string Read(const std::string& dir, const std::string& file) {
  auto s = ReadFile(dir + "/" + file);
  if (!s.ok()) return "<" + std::string(s.status().message()) + ">";
  while (!s->empty() && (s->back() == '\n' || s->back() == ' ')) s->pop_back();
  return *s;
}

bool IsUnified(const Manager& m, const char* controller) {
  for (const auto& d : m.dirs()) {
    if (d.path == m.PathFor(controller)) return d.unified;
  }
  return false;
}

int SleepForever() {
  for (;;) pause();
}

TEST_F(CgroupTest, ApplyMovesTheProcessIntoEveryHierarchy) {
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  auto proc = ReadFile(absl::StrCat("/proc/", child.pid(), "/cgroup"));
  ASSERT_TRUE(proc.ok());
  std::istringstream lines(*proc);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_THAT(line, HasSubstr(":" + path_)) << *proc;
    ++n;
  }
  EXPECT_EQ(n, static_cast<int>(manager_->dirs().size()));
  auto pids = manager_->Pids();
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, Contains(child.pid()));
}

// v1 cpuset: a new cgroup starts with empty cpus/mems and takes no task until they are set. A
// parent made by someone else (here: by hand) and left empty is filled in on the way.
TEST_F(CgroupTest, AnEmptyCpusetParentMadeElsewhereIsFilledIn) {
  std::string mount;
  for (const auto& d : manager_->dirs()) {
    if (!d.unified &&
        std::find(d.controllers.begin(), d.controllers.end(), "cpuset") != d.controllers.end()) {
      mount = d.mount_point;
    }
  }
  if (mount.empty()) GTEST_SKIP() << "no v1 cpuset hierarchy on this host";
  mkdir((mount + "/hull-test").c_str(), 0755);
  ASSERT_EQ(mkdir((mount + parent_).c_str(), 0755), 0) << strerror(errno);
  ASSERT_EQ(Read(mount + parent_, "cpuset.cpus"), "") << "a new v1 cpuset should start empty";
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  EXPECT_NE(Read(mount + parent_, "cpuset.cpus"), "");
  EXPECT_NE(Read(mount + parent_, "cpuset.mems"), "");
  EXPECT_EQ(Read(manager_->PathFor("cpuset"), "cpuset.cpus"), Read(mount, "cpuset.cpus"));
}

TEST_F(CgroupTest, JoiningAPopulatedCgroupNeedsPermission) {
  Child a(SleepForever), b(SleepForever);
  ASSERT_TRUE(manager_->Apply(a.pid()).ok());
  auto other = Manager::Create(path_, "other", false);
  ASSERT_TRUE(other.ok());
  auto st = (*other)->Apply(b.pid());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("container's cgroup is not empty"));
  (*other)->set_allow_populated(true);
  EXPECT_TRUE((*other)->Apply(b.pid()).ok());
  auto pids = manager_->Pids();
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(pids->size(), 2u);
}

TEST_F(CgroupTest, MemoryLimitOomKillsTheChild) {
  if (manager_->PathFor("memory").empty()) GTEST_SKIP() << "no memory controller";
  Child child([] {
    // 256 MiB, touched page by page, against a 32 MiB limit
    const size_t size = 256 << 20;
    char* p = static_cast<char*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  spec::LinuxResources r;
  r.memory.emplace();
  r.memory->limit = 32 << 20;
  r.memory->swap = 32 << 20;  // no swapping out of the way
  auto st = manager_->Set(r);
  ASSERT_TRUE(st.ok()) << st;
  const std::string dir = manager_->PathFor("memory");
  if (IsUnified(*manager_, "memory")) {
    EXPECT_EQ(Read(dir, "memory.max"), "33554432");
  } else {
    EXPECT_EQ(Read(dir, "memory.limit_in_bytes"), "33554432");
  }
  auto oom = OomWatcher::Create(*manager_);
  ASSERT_TRUE(oom.ok()) << oom.status();
  child.Release();
  int status = child.Wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto events = (*oom)->Wait(5000);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_GE(*events, 1u);
}

TEST_F(CgroupTest, PidsLimitStopsAForkBomb) {
  if (manager_->PathFor("pids").empty()) GTEST_SKIP() << "no pids controller";
  Shared* shared = MapShared();
  Child child([shared] {
    for (int i = 0; i < 50; ++i) {
      pid_t p = fork();
      if (p < 0) break;
      if (p == 0) {
        pause();
        _exit(0);
      }
      shared->counter++;
    }
    shared->value = 1;  // done
    pause();
    return 0;
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  spec::LinuxResources r;
  r.pids = spec::LinuxPids{.limit = 5};
  ASSERT_TRUE(manager_->Set(r).ok());
  EXPECT_EQ(Read(manager_->PathFor("pids"), "pids.max"), "5");
  child.Release();
  for (int i = 0; i < 500 && shared->value == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(shared->value, 1);
  EXPECT_EQ(shared->counter, 4u);  // the child itself is the fifth
  auto stats = manager_->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pids.current, 5u);
  EXPECT_EQ(stats->pids.limit, 5u);
}

TEST_F(CgroupTest, FrozenChildMakesNoProgress) {
  Shared* shared = MapShared();
  Child child([shared] {
    for (;;) shared->counter++;
    return 0;
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  child.Release();
  while (shared->counter == 0) std::this_thread::sleep_for(milliseconds(1));
  auto st = manager_->Freeze();
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_TRUE(*manager_->IsFrozen());
  uint64_t before = shared->counter;
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(shared->counter, before);
  ASSERT_TRUE(manager_->Thaw().ok());
  EXPECT_FALSE(*manager_->IsFrozen());
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_GT(shared->counter, before);
}

TEST_F(CgroupTest, KillAllReachesGrandchildren) {
  for (int sig : {SIGTERM, SIGKILL}) {
    Child child([] {
      for (int i = 0; i < 3; ++i) {
        if (fork() == 0) SleepForever();
      }
      return SleepForever();
    });
    manager_->set_allow_populated(true);
    ASSERT_TRUE(manager_->Apply(child.pid()).ok());
    child.Release();
    for (int i = 0; i < 200; ++i) {
      if (manager_->Pids()->size() == 4) break;
      std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_EQ(manager_->Pids()->size(), 4u);
    ASSERT_TRUE(manager_->KillAll(sig).ok());
    int status = child.Wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    for (int i = 0; i < 300 && !manager_->Pids()->empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_TRUE(manager_->Pids()->empty()) << "signal " << sig;
    EXPECT_FALSE(*manager_->IsFrozen());
  }
}

TEST_F(CgroupTest, CpuSettingsAreWrittenAndUpdated) {
  if (manager_->PathFor("cpu").empty()) GTEST_SKIP() << "no cpu controller";
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  spec::LinuxResources r;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  auto st = manager_->Set(r);
  ASSERT_TRUE(st.ok()) << st;
  const std::string dir = manager_->PathFor("cpu");
  if (IsUnified(*manager_, "cpu")) {
    EXPECT_EQ(Read(dir, "cpu.weight"), absl::StrCat(CpuSharesToWeight(512)));
    EXPECT_EQ(Read(dir, "cpu.max"), "50000 100000");
  } else {
    EXPECT_EQ(Read(dir, "cpu.shares"), "512");
    EXPECT_EQ(Read(dir, "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(Read(dir, "cpu.cfs_period_us"), "100000");
  }
  // update: a period shorter than the old quota needs the quota written first on v1
  spec::LinuxResources u;
  u.cpu.emplace();
  u.cpu->quota = 10000;
  u.cpu->period = 20000;
  st = manager_->Set(u);
  ASSERT_TRUE(st.ok()) << st;
  if (IsUnified(*manager_, "cpu")) {
    EXPECT_EQ(Read(dir, "cpu.max"), "10000 20000");
  } else {
    EXPECT_EQ(Read(dir, "cpu.cfs_quota_us"), "10000");
    EXPECT_EQ(Read(dir, "cpu.cfs_period_us"), "20000");
  }
  if (!manager_->PathFor("cpuset").empty()) {
    spec::LinuxResources c;
    c.cpu.emplace();
    c.cpu->cpus = "0";
    c.cpu->mems = "0";
    st = manager_->Set(c);
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(Read(manager_->PathFor("cpuset"), "cpuset.cpus"), "0");
    auto affinity = ReadFile(absl::StrCat("/proc/", child.pid(), "/status"));
    EXPECT_THAT(*affinity, HasSubstr("Cpus_allowed_list:\t0\n"));
  }
}

TEST_F(CgroupTest, MemoryUpdateRaisesAndLowersTheLimit) {
  if (manager_->PathFor("memory").empty()) GTEST_SKIP() << "no memory controller";
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  const std::string dir = manager_->PathFor("memory");
  const bool v2 = IsUnified(*manager_, "memory");
  for (int64_t mib : {64, 128, 48, -1}) {
    spec::LinuxResources r;
    r.memory.emplace();
    r.memory->limit = mib < 0 ? -1 : mib << 20;
    r.memory->swap = mib < 0 ? -1 : mib << 20;
    auto st = manager_->Set(r);
    ASSERT_TRUE(st.ok()) << mib << ": " << st;
    auto v = ReadCgroupUint(dir, v2 ? "memory.max" : "memory.limit_in_bytes");
    ASSERT_TRUE(v.ok());
    if (mib < 0) {
      EXPECT_GT(*v, uint64_t{1} << 50);
    } else {
      EXPECT_EQ(*v, static_cast<uint64_t>(mib) << 20);
    }
  }
  if (v2) {
    // v2 keeps swap apart: memory+swap == memory means no swap.
    spec::LinuxResources r;
    r.memory.emplace();
    r.memory->limit = 64 << 20;
    r.memory->swap = 96 << 20;
    ASSERT_TRUE(manager_->Set(r).ok());
    if (CgroupFileExists(dir, "memory.swap.max")) {
      EXPECT_EQ(Read(dir, "memory.swap.max"), "33554432");
    }
    spec::LinuxResources bad;
    bad.memory.emplace();
    bad.memory->swappiness = 10;
    auto st = manager_->Set(bad);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(),
                HasSubstr("linux.resources.memory.swappiness: not available on this host"));
  } else {
    spec::LinuxResources r;
    r.memory.emplace();
    r.memory->swappiness = 10;
    r.memory->reservation = 16 << 20;
    auto st = manager_->Set(r);
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(Read(dir, "memory.swappiness"), "10");
    EXPECT_EQ(Read(dir, "memory.soft_limit_in_bytes"), "16777216");
  }
}

TEST_F(CgroupTest, CheckBeforeUpdateRejectsALimitBelowUsage) {
  if (!IsUnified(*manager_, "memory")) GTEST_SKIP() << "checkBeforeUpdate matters on v2 only";
  Child child([] {
    const size_t size = 32 << 20;
    char* p = static_cast<char*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return SleepForever();
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  child.Release();
  while (*ReadCgroupUint(manager_->PathFor("memory"), "memory.current") < (30 << 20)) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  spec::LinuxResources r;
  r.memory.emplace();
  r.memory->limit = 8 << 20;
  r.memory->check_before_update = true;
  auto st = manager_->Set(r);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("below the current usage"));
  EXPECT_EQ(Read(manager_->PathFor("memory"), "memory.max"), "max");
}

// Runs open(path) in a child inside the cgroup; returns errno (0 on success).
int OpenErrnoInCgroup(Manager& m, const char* path) {
  Shared* shared = MapShared();
  Child child([shared, path] {
    int fd = open(path, O_RDWR);
    shared->value = fd >= 0 ? 0 : errno;
    return 0;
  });
  m.set_allow_populated(true);
  auto st = m.Apply(child.pid());
  if (!st.ok()) return -1;
  child.Release();
  child.Wait();
  return static_cast<int>(shared->value);
}

TEST_F(CgroupTest, DeviceRulesDenyAccess) {
  if (manager_->PathFor("devices").empty()) GTEST_SKIP() << "no device controller";
  // Create the cgroup with a parked process so Set has a directory to work on.
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  spec::LinuxResources r;
  r.devices.push_back({.allow = false, .access = "rwm"});
  r.devices.push_back({.allow = true, .type = "c", .major = 1, .minor = 5, .access = "rwm"});
  auto st = manager_->Set(r);
  ASSERT_TRUE(st.ok()) << st;
  if (!IsUnified(*manager_, "devices")) {
    EXPECT_EQ(Read(manager_->PathFor("devices"), "devices.list"), "c 1:5 rwm");
  }
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/null"), EPERM);
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/zero"), 0);
  // update with runc's default list: /dev/null becomes usable again
  spec::LinuxResources u;
  u.devices.push_back({.allow = false, .access = "rwm"});
  for (const auto& d : DefaultAllowedDevices()) {
    spec::LinuxDeviceCgroup c;
    c.allow = d.allow;
    c.type = std::string(1, d.type);
    if (d.major >= 0) c.major = d.major;
    if (d.minor >= 0) c.minor = d.minor;
    c.access = d.access;
    u.devices.push_back(c);
  }
  st = manager_->Set(u);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/null"), 0);
  ASSERT_EQ(access("/dev/kmsg", F_OK), 0);
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/kmsg"), EPERM);  // c 1:11 is not in the list
}

// On a hybrid host the unified hierarchy also holds the container's processes, so the cgroup v2
// BPF device filter can be exercised here even though the Manager uses the v1 devices controller.
TEST_F(CgroupTest, BpfDeviceFilterOnTheUnifiedHierarchy) {
  const std::string unified = manager_->UnifiedPath();
  if (unified.empty()) GTEST_SKIP() << "no cgroup2 hierarchy";
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  int dir = open(unified.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  UniqueFd dir_fd(dir);
  std::vector<DeviceRule> rules = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 5, "rw"}};
  for (int round = 0; round < 2; ++round) {
    auto prog = GenerateDeviceProgram(rules);
    ASSERT_TRUE(prog.ok());
    auto fd = LoadDeviceProgram(*prog);
    ASSERT_TRUE(fd.ok()) << fd.status();
    auto st = ReplaceDeviceProgram(dir_fd.get(), fd->get());
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(*CountDevicePrograms(dir_fd.get()), 1);  // replaced, not stacked
  }
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/null"), EPERM);
  EXPECT_EQ(OpenErrnoInCgroup(*manager_, "/dev/zero"), 0);
}

TEST_F(CgroupTest, UnavailableSettingsFailWithTheirJsonPath) {
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  int checked = 0;
  if (manager_->PathFor("net_cls").empty()) {
    spec::LinuxResources r;
    r.network = spec::LinuxNetwork{.class_id = 0x100001};
    auto st = manager_->Set(r);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(),
                HasSubstr("linux.resources.network.classID: not available on this host"));
    ++checked;
  }
  if (manager_->PathFor("rdma").empty()) {
    spec::LinuxResources r;
    r.rdma["mlx5_1"] = spec::LinuxRdma{.hca_handles = 3};
    auto st = manager_->Set(r);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr("linux.resources.rdma[\"mlx5_1\"]: not available"));
    ++checked;
  }
  // A failing block stops the whole Set before anything is written.
  if (!manager_->PathFor("pids").empty() && manager_->PathFor("net_cls").empty()) {
    spec::LinuxResources r;
    r.pids = spec::LinuxPids{.limit = 7};
    r.network = spec::LinuxNetwork{.class_id = 1};
    EXPECT_FALSE(manager_->Set(r).ok());
    EXPECT_EQ(Read(manager_->PathFor("pids"), "pids.max"), "max");
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "net_cls and rdma are both available here";
}

TEST_F(CgroupTest, UnifiedKeysAreValidatedAndWritten) {
  const std::string unified = manager_->UnifiedPath();
  if (unified.empty()) GTEST_SKIP() << "no cgroup2 hierarchy";
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  spec::LinuxResources bad;
  bad.unified["../cgroup.procs"] = "1";
  EXPECT_FALSE(manager_->Set(bad).ok());
  spec::LinuxResources off;
  off.unified["nosuch.max"] = "1";
  auto st = manager_->Set(off);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("controller \"nosuch\""));
  spec::LinuxResources good;
  good.unified["cgroup.max.descendants"] = "7";
  st = manager_->Set(good);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read(unified, "cgroup.max.descendants"), "7");
}

TEST_F(CgroupTest, HugetlbLimitOrNotAvailable) {
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  spec::LinuxResources r;
  r.hugepage_limits.push_back({.page_size = "2MB", .limit = 4 << 20});
  auto st = manager_->Set(r);
  const std::string dir = manager_->PathFor("hugetlb");
  const bool have = !dir.empty() && (CgroupFileExists(dir, "hugetlb.2MB.max") ||
                                     CgroupFileExists(dir, "hugetlb.2MB.limit_in_bytes"));
  if (!have) {
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr("linux.resources.hugepageLimits[0]: not available"));
    GTEST_SKIP() << "hugetlb 2MB not usable in the container's cgroup: " << st;
  }
  ASSERT_TRUE(st.ok()) << st;
  const bool v2 = IsUnified(*manager_, "hugetlb");
  EXPECT_EQ(Read(dir, v2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes"), "4194304");
}

TEST_F(CgroupTest, BlockIOThrottleIsWritten) {
  struct stat st_dev;
  if (stat("/dev/vda", &st_dev) != 0 && stat("/dev/sda", &st_dev) != 0) {
    GTEST_SKIP() << "no /dev/vda or /dev/sda";
  }
  const int64_t dev_major = major(st_dev.st_rdev), dev_minor = minor(st_dev.st_rdev);
  Child parked(SleepForever);
  ASSERT_TRUE(manager_->Apply(parked.pid()).ok());
  spec::LinuxResources r;
  r.block_io.emplace();
  r.block_io->throttle_read_bps_device.push_back(
      {.major = dev_major, .minor = dev_minor, .rate = 1048576});
  auto st = manager_->Set(r);
  std::string dir = manager_->PathFor("blkio");
  if (dir.empty()) dir = manager_->PathFor("io");
  if (dir.empty()) {
    ASSERT_FALSE(st.ok());
    GTEST_SKIP() << "no blkio/io controller: " << st;
  }
  ASSERT_TRUE(st.ok()) << st;
  if (IsUnified(*manager_, "io")) {
    EXPECT_THAT(Read(dir, "io.max"),
                HasSubstr(absl::StrCat(dev_major, ":", dev_minor, " rbps=1048576")));
  } else {
    EXPECT_EQ(Read(dir, "blkio.throttle.read_bps_device"),
              absl::StrCat(dev_major, ":", dev_minor, " 1048576"));
  }
  // weight: written where the host has a weight file, otherwise refused by name
  spec::LinuxResources w;
  w.block_io.emplace();
  w.block_io->weight = 500;
  st = manager_->Set(w);
  if (!st.ok()) {
    EXPECT_THAT(st.message(), HasSubstr("linux.resources.blockIO.weight: not available"));
  }
}

TEST_F(CgroupTest, StatsReportUsage) {
  Shared* shared = MapShared();
  Child child([shared] {
    const size_t size = 16 << 20;
    char* p = static_cast<char*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    // 100 ms of CPU time (not wall time: the host may be busy)
    timespec ts{};
    do {
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec == 0 && ts.tv_nsec < 100'000'000);
    shared->value = 1;
    return SleepForever();
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  child.Release();
  while (shared->value == 0) std::this_thread::sleep_for(milliseconds(5));
  auto stats = manager_->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  if (!manager_->PathFor("memory").empty()) {
    EXPECT_GE(stats->memory.usage.usage, 16u << 20);
  }
  if (!manager_->PathFor("cpuacct").empty() || IsUnified(*manager_, "cpu")) {
    EXPECT_GE(stats->cpu.usage.total, 90'000'000u);  // most of the busy loop's CPU time
  }
  if (!manager_->PathFor("pids").empty()) {
    EXPECT_EQ(stats->pids.current, 1u);
  }
  json::Value j = StatsEventJson("ctr", *stats);
  EXPECT_NE(j.Find("data")->Find("memory"), nullptr);
}

TEST_F(CgroupTest, DestroyKillsAFrozenCgroupAndIsIdempotent) {
  Child child([] {
    if (fork() == 0) SleepForever();
    return SleepForever();
  });
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  child.Release();
  while (manager_->Pids()->size() < 2) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_TRUE(manager_->Freeze().ok());
  auto st = manager_->Destroy();
  ASSERT_TRUE(st.ok()) << st;
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_FALSE(manager_->Exists());
  EXPECT_TRUE(manager_->Destroy().ok());
}

TEST_F(CgroupTest, DestroyCleansAHalfCreatedCgroup) {
  auto fd = manager_->CreateAndOpenForClone();
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_TRUE(manager_->Exists());
  // The container made a sub-cgroup of its own.
  for (const auto& d : manager_->dirs()) {
    ASSERT_EQ(mkdir((d.path + "/nested").c_str(), 0755), 0) << d.path;
  }
  ASSERT_TRUE(manager_->Destroy().ok());
  EXPECT_FALSE(manager_->Exists());
}

TEST_F(CgroupTest, DestroyLeavesPreexistingParents) {
  // Pre-create the parent as if someone else owned it.
  auto owner = Manager::Create(parent_ + "/other", "other", false);
  ASSERT_TRUE(owner.ok());
  ASSERT_TRUE((*owner)->CreateAndOpenForClone().ok());
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  ASSERT_TRUE(manager_->Destroy().ok());
  for (const auto& d : manager_->dirs()) {
    EXPECT_NE(access(d.path.c_str(), F_OK), 0);
    EXPECT_EQ(access((d.mount_point + parent_ + "/other").c_str(), F_OK), 0);
  }
  ASSERT_TRUE((*owner)->Destroy().ok());
}

TEST_F(CgroupTest, StateSurvivesIntoAnotherManager) {
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  json::Value state = manager_->Serialize();
  auto text = json::Emit(state);
  auto parsed = json::Parse(text);
  ASSERT_TRUE(parsed.ok());
  auto loaded = Manager::Load(*parsed);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(*(*loaded)->Pids(), Contains(child.pid()));
  ASSERT_TRUE((*loaded)->Destroy().ok());
  EXPECT_FALSE(manager_->Exists());
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST_F(CgroupTest, StateSerializedBeforeApplyStillDestroysEverything) {
  json::Value early = manager_->Serialize();  // what `create` records before the init exists
  Child child(SleepForever);
  ASSERT_TRUE(manager_->Apply(child.pid()).ok());
  auto loaded = Manager::Load(early);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE((*loaded)->Destroy().ok());
  for (const auto& d : manager_->dirs()) {
    EXPECT_NE(access(d.path.c_str(), F_OK), 0) << d.path;  // (the parent is TearDown's)
  }
}

TEST_F(CgroupTest, CloneIntoCgroupOnPureV2) {
  auto fd = manager_->CreateAndOpenForClone();
  ASSERT_TRUE(fd.ok()) << fd.status();
  if (manager_->layout() != Layout::kV2) {
    EXPECT_FALSE(fd->valid()) << "v1/hybrid must fall back to Apply";
    GTEST_SKIP() << "CLONE_INTO_CGROUP needs a pure v2 host (layout "
                 << LayoutName(manager_->layout()) << ")";
  }
  ASSERT_TRUE(fd->valid());
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(fd->get());
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(pid, 0) << strerror(errno);
  auto pids = manager_->Pids();
  ASSERT_TRUE(pids.ok());
  EXPECT_THAT(*pids, Contains(static_cast<pid_t>(pid)));
  // Apply afterwards is harmless
  manager_->set_allow_populated(true);
  EXPECT_TRUE(manager_->Apply(static_cast<pid_t>(pid)).ok());
  kill(static_cast<pid_t>(pid), SIGKILL);
  waitpid(static_cast<pid_t>(pid), nullptr, 0);
}

TEST(CgroupHost, RefusesToWriteIntoAPlainDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  // A manager whose state points into a tmpfs that merely looks like a cgroup.
  char tmpl[] = "/tmp/hull-fake-cgroup-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string fake = tmpl;
  ASSERT_EQ(mkdir((fake + "/ctr").c_str(), 0755), 0);
  { std::ofstream(fake + "/ctr/pids.max") << "max\n"; }
  json::Value state{json::Object{}};
  state.Set("version", json::Value(1));
  state.Set("id", json::Value("ctr"));
  state.Set("path", json::Value("/ctr"));
  state.Set("layout", json::Value("v1"));
  json::Value dir{json::Object{}};
  dir.Set("unified", json::Value(false));
  dir.Set("mount_point", json::Value(fake));
  dir.Set("controllers", json::Value(json::Array{json::Value("pids")}));
  dir.Set("path", json::Value(fake + "/ctr"));
  dir.Set("created", json::Value(json::Array{}));
  state.Set("dirs", json::Value(json::Array{dir}));
  auto m = Manager::Load(state);
  ASSERT_TRUE(m.ok()) << m.status();
  spec::LinuxResources r;
  r.pids = spec::LinuxPids{.limit = 3};
  auto st = (*m)->Set(r);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("is not on a cgroup filesystem"));
  EXPECT_EQ(Read(fake + "/ctr", "pids.max"), "max");
  unlink((fake + "/ctr/pids.max").c_str());
  rmdir((fake + "/ctr").c_str());
  rmdir(fake.c_str());
}

}  // namespace
}  // namespace hull::cgroups::testing
