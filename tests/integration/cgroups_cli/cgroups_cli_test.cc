// End-to-end tests of hull's cgroup commands (update, events, pause/resume, ps, kill --all,
// delete) through the hull binary, with real containers whose cgroups live under a test-owned
// /hull-test/<unique> parent in every hierarchy of the host (v1 hybrid or pure v2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "hull_helpers.h"
#include "spec/json.h"

namespace hull::cgcli_test {
namespace {

using ::testing::HasSubstr;

uint64_t ReadUint(const std::string& path) {
  uint64_t v = 0;
  std::string t = ReadText(path);
  if (t == "max") return UINT64_MAX;
  EXPECT_TRUE(absl::SimpleAtoi(t, &v)) << path << ": \"" << t << "\"";
  return v;
}

// Value of `key` in a flat-keyed cgroup file ("oom_kill 3\nmax 0").
uint64_t FlatKey(const std::string& path, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(ReadText(path), '\n')) {
    std::vector<std::string> kv = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t v;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return 0;
}

const json::Value* Path(const json::Value& v, std::initializer_list<const char*> keys) {
  const json::Value* cur = &v;
  for (const char* k : keys) {
    if (cur == nullptr) return nullptr;
    cur = cur->Find(k);
  }
  return cur;
}

uint64_t UintAt(const json::Value& v, std::initializer_list<const char*> keys) {
  const json::Value* x = Path(v, keys);
  if (x == nullptr || !x->is_integer()) return 0;
  return x->as_uint64().value_or(0);
}

class CgroupsCliTest : public testing::HullTest {
 protected:
  void SetUp() override {
    testing::HullTest::SetUp();
    if (IsSkipped()) return;
    trigger_ = std::make_unique<testing::TempDir>("hull-cgcli-trigger");
  }

  // A bundle running `args`, edited by `edit`, written. Its cgroup is
  // <cgroup_parent()>/<unique>.
  Bundle MakeEdited(std::vector<std::string> args, const std::function<void(spec::Spec&)>& edit) {
    Bundle b = MakeBundle(std::move(args));
    if (edit) edit(b.spec());
    b.Write();
    return b;
  }
  static std::string CgroupPath(Bundle& b) { return *b.spec().linux->cgroups_path; }
  // The container's directory in the hierarchy of `controller` ("" = cgroup2).
  static std::string CgroupDir(Bundle& b, const std::string& controller) {
    return MountFor(controller) + CgroupPath(b);
  }

  // run -d; the id was made by NewId() so TearDown deletes it.
  ::testing::AssertionResult RunDetached(const std::string& id, const Bundle& b) {
    HullResult r = Hull({"run", "-d", "--bundle", b.dir(), id});
    if (r.code != 0) {
      return ::testing::AssertionFailure() << "hull run -d " << id << ": exit " << r.code << "\n"
                                           << r.err << r.out;
    }
    return ::testing::AssertionSuccess();
  }

  // Every hierarchy is free of the bundle's cgroup.
  void ExpectNoCgroup(Bundle& b) {
    for (const std::string& mnt : testing::CgroupMountPoints()) {
      EXPECT_FALSE(Exists(mnt + CgroupPath(b))) << mnt + CgroupPath(b) << " left behind";
    }
    EXPECT_TRUE(LeftoverCgroups().empty());
  }

  // Adds a writable bind mount of the trigger directory at /trigger.
  void AddTrigger(spec::Spec& s) {
    s.mounts.push_back(spec::Mount{.destination = "/trigger",
                                   .type = "bind",
                                   .source = trigger_->path(),
                                   .options = {"rbind", "rw"}});
  }
  void Fire() { std::ofstream(trigger_->path() + "/go") << "go"; }
  // sh snippet waiting for Fire().
  static std::string AwaitTrigger() { return "while [ ! -e /trigger/go ]; do sleep 0.1; done; "; }

  HullResult HullWithStdin(std::vector<std::string> args, const std::string& data) {
    StdinData in(data);
    return Hull(std::move(args), {.stdin_fd = in.fd()});
  }

  std::vector<int64_t> PsJson(const std::string& id) {
    HullResult r = Hull({"ps", "--format", "json", id});
    EXPECT_EQ(r.code, 0) << r.err;
    auto v = json::Parse(r.out);
    EXPECT_TRUE(v.ok() && v->is_array()) << r.out;
    std::vector<int64_t> pids;
    if (!v.ok() || !v->is_array()) return pids;
    for (const auto& e : v->as_array()) {
      EXPECT_TRUE(e.is_integer()) << r.out;
      pids.push_back(e.as_int64().value_or(-1));
    }
    return pids;
  }

  absl::StatusOr<json::Value> StatsEvent(const std::string& id) {
    HullResult r = Hull({"events", "--stats", id});
    if (r.code != 0) return absl::InternalError(absl::StrCat("events --stats: ", r.err));
    // Exactly one line.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    return json::Parse(r.out);
  }

  uint64_t CpuUsage(const std::string& id) {
    auto ev = StatsEvent(id);
    EXPECT_TRUE(ev.ok()) << ev.status();
    return ev.ok() ? UintAt(*ev, {"data", "cpu", "usage", "total"}) : 0;
  }

  std::unique_ptr<testing::TempDir> trigger_;
};

// --- memory -----------------------------------------------------------------------------------

TEST_F(CgroupsCliTest, MemoryLimitIsWrittenEnforcedAndOomIsReported) {
  if (!HostHas("memory")) GTEST_SKIP() << "no memory controller";
  const int64_t limit = 32 << 20;
  const std::string id = NewId("mem");
  Bundle b =
      MakeEdited({"sh", "-c", AwaitTrigger() + "tail /dev/zero; sleep 600"}, [&](spec::Spec& s) {
        AddTrigger(s);
        s.linux->resources = spec::LinuxResources{};
        s.linux->resources->memory = spec::LinuxMemory{.limit = limit};
      });
  ASSERT_TRUE(RunDetached(id, b));
  const std::string dir = CgroupDir(b, "memory");
  const bool v2 = IsUnifiedFor("memory");
  EXPECT_EQ(ReadUint(dir + (v2 ? "/memory.max" : "/memory.limit_in_bytes")),
            static_cast<uint64_t>(limit));

  // The event stream must be running (its first stats event proves the OOM watch is armed)
  // before the memory hog starts.
  auto events = HullBackground({"events", "--interval", "200ms", id});
  LineReader lines(events.get());
  std::string first = lines.Next(
      [](const std::string& l) { return absl::StrContains(l, "\"type\":\"stats\""); }, 60000);
  ASSERT_FALSE(first.empty()) << "no stats event; stderr: " << events->err();
  Fire();
  std::string oom = lines.Next(
      [](const std::string& l) { return absl::StrContains(l, "\"type\":\"oom\""); }, 120000);
  ASSERT_FALSE(oom.empty()) << "no oom event; stderr: " << events->err();
  auto ev = json::Parse(oom);
  ASSERT_TRUE(ev.ok()) << oom;
  EXPECT_EQ(ev->Find("id")->as_string(), id);

  // The kernel did kill something in the container's cgroup; the container (sh) survives.
  const std::string oom_file = dir + (v2 ? "/memory.events" : "/memory.oom_control");
  // (v1 notifies when the OOM starts; the kill is counted a moment later.)
  EXPECT_TRUE(WaitUntil([&] { return FlatKey(oom_file, "oom_kill") >= 1; }, 10000))
      << ReadText(oom_file);
  EXPECT_EQ(StatusOf(id), "running");

  // The stream ends by itself when the container stops.
  ASSERT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  HullResult r = events->Wait(60000);
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(CgroupsCliTest, UpdateMemoryWithHumanSizesAndUnlimited) {
  if (!HostHas("memory")) GTEST_SKIP() << "no memory controller";
  const std::string id = NewId("upmem");
  Bundle b = MakeEdited({"sleep", "600"}, [](spec::Spec& s) {
    s.linux->resources = spec::LinuxResources{};
    s.linux->resources->memory = spec::LinuxMemory{.limit = 64 << 20};
  });
  ASSERT_TRUE(RunDetached(id, b));
  const bool v2 = IsUnifiedFor("memory");
  const std::string file = CgroupDir(b, "memory") + (v2 ? "/memory.max" : "/memory.limit_in_bytes");
  EXPECT_EQ(ReadUint(file), 64u << 20);

  // Options after the id are accepted, as in runc.
  HullResult r = Hull({"update", id, "--memory", "100M"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadUint(file), 100u << 20);

  r = Hull({"update", "--memory", "-1", id});
  ASSERT_EQ(r.code, 0) << r.err;
  // v2 writes "max"; v1 shows the kernel's page-rounded maximum.
  EXPECT_GT(ReadUint(file), 1ull << 62);

  r = Hull({"update", "--memory-reservation=16m", "--memory", "48M", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadUint(file), 48u << 20);
  const std::string low =
      CgroupDir(b, "memory") + (v2 ? "/memory.low" : "/memory.soft_limit_in_bytes");
  EXPECT_EQ(ReadUint(low), 16u << 20);

  r = Hull({"update", "--memory", "lots", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid value for memory: invalid size: 'lots'"));
  EXPECT_EQ(ReadUint(file), 48u << 20);

  // --memory-swap is memory+swap (runc); v2 stores only the swap part.
  const std::string swap_file =
      CgroupDir(b, "memory") + (v2 ? "/memory.swap.max" : "/memory.memsw.limit_in_bytes");
  r = Hull({"update", "--memory", "64M", "--memory-swap", "128M", id});
  if (!Exists(swap_file)) {
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("linux.resources.memory.swap: not available on this host"));
    GTEST_SKIP() << "no swap accounting (" << swap_file << ")";
  }
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadUint(file), 64u << 20);
  EXPECT_EQ(ReadUint(swap_file), v2 ? 64u << 20 : 128u << 20);
}

// --- pids ------------------------------------------------------------------------------------

TEST_F(CgroupsCliTest, PidsLimitStopsAForkLoop) {
  if (!HostHas("pids")) GTEST_SKIP() << "no pids controller";
  const int64_t limit = 10;
  const std::string id = NewId("pids");
  // The inner shell forks sleeps until fork fails (and dies of it); the init stays.
  Bundle b = MakeEdited(
      {"sh", "-c",
       AwaitTrigger() + "sh -c 'while :; do sleep 600 & done' 2>/dev/null; exec sleep 600"},
      [&](spec::Spec& s) {
        AddTrigger(s);
        s.linux->resources = spec::LinuxResources{};
        s.linux->resources->pids = spec::LinuxPids{.limit = limit};
      });
  ASSERT_TRUE(RunDetached(id, b));
  const std::string dir = CgroupDir(b, "pids");
  EXPECT_EQ(ReadText(dir + "/pids.max"), "10");
  Fire();
  // The loop hit the limit: the kernel counted refused forks.
  ASSERT_TRUE(WaitUntil([&] { return FlatKey(dir + "/pids.events", "max") > 0; }, 120000))
      << ReadText(dir + "/pids.events");
  EXPECT_LE(ReadUint(dir + "/pids.current"), static_cast<uint64_t>(limit));
  std::vector<int64_t> pids = PsJson(id);
  EXPECT_GE(pids.size(), 2u);
  EXPECT_LE(pids.size(), static_cast<size_t>(limit));

  auto ev = StatsEvent(id);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(UintAt(*ev, {"data", "pids", "limit"}), static_cast<uint64_t>(limit));
  EXPECT_GE(UintAt(*ev, {"data", "pids", "current"}), 2u);

  // update raises and removes the limit.
  HullResult r = Hull({"update", "--pids-limit", "50", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir + "/pids.max"), "50");
  r = Hull({"update", "--pids-limit", "-1", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir + "/pids.max"), "max");
}

// --- cpu / cpuset ----------------------------------------------------------------------------

TEST_F(CgroupsCliTest, CpuValuesAreWrittenAndUpdatedByFlags) {
  if (!HostHas("cpu") || !HostHas("cpuset")) GTEST_SKIP() << "no cpu or cpuset controller";
  const std::string id = NewId("cpu");
  Bundle b = MakeEdited({"sleep", "600"}, [](spec::Spec& s) {
    s.linux->resources = spec::LinuxResources{};
    s.linux->resources->cpu =
        spec::LinuxCPU{.shares = 512, .quota = 20000, .period = 100000, .cpus = "0"};
  });
  ASSERT_TRUE(RunDetached(id, b));
  const std::string cpu = CgroupDir(b, "cpu");
  const std::string cpuset = CgroupDir(b, "cpuset");
  const bool v2 = IsUnifiedFor("cpu");
  // v2 gets cpu.weight from the shares (runc's conversion: the default 1024 shares map to the
  // default weight 100, fewer shares to a smaller weight).
  uint64_t last_weight = 0, last_shares = 0;
  auto check = [&](uint64_t shares, int64_t quota, uint64_t period, const std::string& cpus) {
    if (v2) {
      uint64_t w = ReadUint(cpu + "/cpu.weight");
      if (shares == 1024) {
        EXPECT_EQ(w, 100u);
      } else {
        EXPECT_GT(w, 1u);
        EXPECT_LT(w, 100u);
      }
      if (last_weight != 0) {
        EXPECT_EQ(w > last_weight, shares > last_shares) << w << " vs " << last_weight;
      }
      last_weight = w;
      last_shares = shares;
      EXPECT_EQ(ReadText(cpu + "/cpu.max"), absl::StrCat(quota, " ", period));
    } else {
      EXPECT_EQ(ReadUint(cpu + "/cpu.shares"), shares);
      EXPECT_EQ(ReadText(cpu + "/cpu.cfs_quota_us"), absl::StrCat(quota));
      EXPECT_EQ(ReadUint(cpu + "/cpu.cfs_period_us"), period);
    }
    EXPECT_EQ(ReadText(cpuset + "/cpuset.cpus"), cpus);
  };
  check(512, 20000, 100000, "0");

  const bool two_cpus = std::thread::hardware_concurrency() >= 2;
  const std::string cpus = two_cpus ? "0-1" : "0";
  HullResult r = Hull({"update", "--cpu-share", "256", "--cpu-quota", "50000", "--cpu-period",
                       "200000", "--cpuset-cpus", cpus, id});
  ASSERT_EQ(r.code, 0) << r.err;
  check(256, 50000, 200000, cpus);

  // Only the given field changes; the rest comes from the recorded state.
  r = Hull({"update", "--cpu-shares", "1024", id});
  ASSERT_EQ(r.code, 0) << r.err;
  check(1024, 50000, 200000, cpus);

  r = Hull({"update", "--cpu-quota", "x", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid value for cpu-quota"));
  r = Hull({"update", "--cpu-period", "-5", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid value for cpu-period"));
  check(1024, 50000, 200000, cpus);
}

TEST_F(CgroupsCliTest, CpuRealtimeUpdateNeedsKernelSupport) {
  if (!HostHas("cpu")) GTEST_SKIP() << "no cpu controller";
  const std::string id = NewId("rt");
  Bundle b = MakeBundle({"sleep", "600"});
  ASSERT_TRUE(RunDetached(id, b));
  const std::string cpu = CgroupDir(b, "cpu");
  HullResult r = Hull({"update", "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "0", id});
  if (!Exists(cpu + "/cpu.rt_runtime_us")) {
    // Named by field, as every unavailable setting is.
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("linux.resources.cpu.realtime"));
    EXPECT_THAT(r.err, HasSubstr("not available on this host"));
    GTEST_SKIP() << "kernel without CONFIG_RT_GROUP_SCHED (or cgroup v2): no realtime cgroup";
  }
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadUint(cpu + "/cpu.rt_period_us"), 1000000u);
}

TEST_F(CgroupsCliTest, UpdateBlkioWeight) {
  const std::string id = NewId("blkio");
  Bundle b = MakeBundle({"sleep", "600"});
  ASSERT_TRUE(RunDetached(id, b));
  HullResult r = Hull({"update", "--blkio-weight", "300", id});
  if (r.code != 0 && absl::StrContains(r.err, "not available on this host")) {
    EXPECT_THAT(r.err, HasSubstr("linux.resources.blockIO.weight"));
    GTEST_SKIP() << "no block I/O weight here: " << r.err;
  }
  ASSERT_EQ(r.code, 0) << r.err;
  // Whichever weight file the host has (CFQ/BFQ on v1, io.weight/io.bfq.weight on v2).
  const bool v2 = !HostHas("blkio");
  const std::string dir = CgroupDir(b, v2 ? "" : "blkio");
  std::string found;
  for (const char* f : {"blkio.weight", "blkio.bfq.weight", "io.bfq.weight", "io.weight"}) {
    if (Exists(dir + "/" + f)) {
      found = ReadText(dir + "/" + f);
      break;
    }
  }
  ASSERT_FALSE(found.empty()) << "no weight file in " << dir;
  if (absl::StartsWith(found, "default ")) found = found.substr(8);
  uint64_t w = 0;
  ASSERT_TRUE(absl::SimpleAtoi(found.substr(0, found.find('\n')), &w)) << found;
  if (Exists(dir + "/io.weight") && !Exists(dir + "/io.bfq.weight")) {
    EXPECT_EQ(w, 1 + (300u - 10) * 9999 / 990);  // blkio range [10,1000] -> io [1,10000]
  } else {
    EXPECT_EQ(w, 300u);
  }
  r = Hull({"update", "--blkio-weight", "x", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid value for blkio-weight"));
}

// --- update --resources ----------------------------------------------------------------------

TEST_F(CgroupsCliTest, UpdateFromStdinAndFileMergesOntoCurrentResources) {
  if (!HostHas("memory") || !HostHas("pids") || !HostHas("cpu")) {
    GTEST_SKIP() << "needs memory, pids and cpu controllers";
  }
  const std::string id = NewId("res");
  Bundle b = MakeEdited({"sleep", "600"}, [](spec::Spec& s) {
    s.linux->resources = spec::LinuxResources{};
    s.linux->resources->memory = spec::LinuxMemory{.limit = 64 << 20};
    s.linux->resources->pids = spec::LinuxPids{.limit = 100};
    s.linux->resources->cpu = spec::LinuxCPU{.shares = 512};
  });
  ASSERT_TRUE(RunDetached(id, b));
  const std::string mem =
      CgroupDir(b, "memory") + (IsUnifiedFor("memory") ? "/memory.max" : "/memory.limit_in_bytes");
  const std::string pids = CgroupDir(b, "pids") + "/pids.max";
  const std::string shares =
      CgroupDir(b, "cpu") + (IsUnifiedFor("cpu") ? "/cpu.weight" : "/cpu.shares");
  const std::string shares_before = ReadText(shares);

  // containerd's CRI: JSON on stdin.
  HullResult r = HullWithStdin({"update", "--resources", "-", id},
                               R"({"memory":{"limit":52428800},"pids":{"limit":30}})");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadUint(mem), 52428800u);
  EXPECT_EQ(ReadText(pids), "30");
  EXPECT_EQ(ReadText(shares), shares_before);

  // podman: --resources=FILE. Resource flags are ignored when --resources is given (runc).
  const std::string file = b.dir() + "/resources.json";
  std::ofstream(file) << R"({"cpu":{"shares":1024}})";
  r = Hull({"update", "--resources=" + file, "--pids-limit", "5", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(ReadText(shares), shares_before);
  EXPECT_EQ(ReadText(pids), "30");
  EXPECT_EQ(ReadUint(mem), 52428800u);

  // Errors name the field and change nothing.
  std::ofstream(file, std::ios::trunc) << R"({"memory":{"limit":"big"}})";
  r = Hull({"update", "-r", file, id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("memory.limit"));
  r = HullWithStdin({"update", "--resources", "-", id}, "{not json");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("decode resources from stdin"));
  r = Hull({"update", "--resources", b.dir() + "/missing.json", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.json"));
  EXPECT_EQ(ReadUint(mem), 52428800u);

  r = Hull({"update", "--pids-limit", "5", "nosuchcontainer"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
}

TEST_F(CgroupsCliTest, UpdateOfAStoppedContainerFails) {
  const std::string id = NewId("stopped");
  Bundle b = MakeBundle({"true"});
  ASSERT_TRUE(RunDetached(id, b));
  ASSERT_TRUE(WaitForStatus(id, "stopped", 30000));
  HullResult r = Hull({"update", "--pids-limit", "5", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("container not running"));
}

// --- pause / resume --------------------------------------------------------------------------

TEST_F(CgroupsCliTest, PauseFreezesProcessesAndResumeThawsThem) {
  if (!HostHas("freezer") && !IsUnifiedFor("freezer")) GTEST_SKIP() << "no freezer";
  const std::string id = NewId("spin");
  Bundle b = MakeBundle({"sh", "-c", "while :; do :; done"});
  ASSERT_TRUE(RunDetached(id, b));
  EXPECT_EQ(StatusOf(id), "running");

  HullResult r = Hull({"resume", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("container not paused"));

  r = Hull({"pause", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "paused");
  if (IsUnifiedFor("freezer")) {
    EXPECT_EQ(ReadText(CgroupDir(b, "") + "/cgroup.freeze"), "1");
  } else {
    EXPECT_EQ(ReadText(CgroupDir(b, "freezer") + "/freezer.state"), "FROZEN");
  }
  // A frozen busy loop uses no CPU.
  uint64_t before = CpuUsage(id);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  uint64_t after = CpuUsage(id);
  EXPECT_EQ(before, after);

  r = Hull({"pause", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("container not running"));

  r = Hull({"resume", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "running");
  EXPECT_TRUE(WaitUntil([&] { return CpuUsage(id) > after; }, 10000));
}

TEST_F(CgroupsCliTest, DeleteForceOfAPausedContainerRemovesItsCgroup) {
  const std::string id = NewId("frozen");
  Bundle b = MakeBundle({"sh", "-c", "sleep 600 & exec sleep 601"});
  ASSERT_TRUE(RunDetached(id, b));
  ASSERT_EQ(Hull({"pause", id}).code, 0);
  ASSERT_EQ(StatusOf(id), "paused");

  HullResult r = Hull({"delete", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("not stopped: paused"));

  r = Hull({"delete", "--force", id});
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectNoCgroup(b);
  r = Hull({"state", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
}

TEST_F(CgroupsCliTest, CreatedContainerCanBePausedResumedAndDeleted) {
  const std::string id = NewId("created");
  Bundle b = MakeBundle({"sleep", "600"});
  HullResult r = Hull({"create", "--bundle", b.dir(), id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "created");
  EXPECT_EQ(PsJson(id).size(), 1u);  // the init, blocked until start

  r = Hull({"pause", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "paused");
  r = Hull({"resume", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "created");

  auto ev = StatsEvent(id);
  ASSERT_TRUE(ev.ok()) << ev.status();
  if (HostHas("pids")) {
    EXPECT_EQ(UintAt(*ev, {"data", "pids", "current"}), 1u);
  }

  r = Hull({"delete", "--force", id});
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectNoCgroup(b);
}

TEST_F(CgroupsCliTest, DeleteOfAStoppedContainerRemovesItsCgroup) {
  const std::string id = NewId("done");
  Bundle b = MakeBundle({"true"});
  ASSERT_TRUE(RunDetached(id, b));
  ASSERT_TRUE(WaitForStatus(id, "stopped", 30000));
  bool any = false;
  for (const std::string& mnt : testing::CgroupMountPoints()) any |= Exists(mnt + CgroupPath(b));
  EXPECT_TRUE(any) << "the stopped container's cgroup stays until delete";
  HullResult r = Hull({"delete", id});
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectNoCgroup(b);
}

// --- ps --------------------------------------------------------------------------------------

TEST_F(CgroupsCliTest, PsListsTheContainersProcessesAsTableAndJson) {
  const std::string id = NewId("ps");
  Bundle b = MakeBundle({"sh", "-c", "sleep 600 & exec sleep 601"});
  ASSERT_TRUE(RunDetached(id, b));
  std::vector<int64_t> pids;
  ASSERT_TRUE(WaitUntil([&] { return (pids = PsJson(id)).size() == 2; }, 10000)) << pids.size();
  for (int64_t pid : pids) {
    EXPECT_THAT(ReadText(absl::StrCat("/proc/", pid, "/cmdline")), HasSubstr("sleep"));
  }

  // Default table: `ps -ef` filtered to the container's PIDs.
  HullResult r = Hull({"ps", id});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("PID"));
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_THAT(lines[i], HasSubstr("sleep 60"));

  // ps options after the id, with or without "--".
  for (auto args : {std::vector<std::string>{"ps", id, "--", "-o", "pid,comm"},
                    std::vector<std::string>{"ps", id, "-o", "pid,comm"}}) {
    r = Hull(args);
    ASSERT_EQ(r.code, 0) << r.err;
    lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 3u) << r.out;
    std::vector<std::string> title = absl::StrSplit(lines[0], ' ', absl::SkipWhitespace());
    EXPECT_EQ(title, (std::vector<std::string>{"PID", "COMMAND"}));
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> cols = absl::StrSplit(lines[i], ' ', absl::SkipWhitespace());
      ASSERT_EQ(cols.size(), 2u) << lines[i];
      int64_t pid;
      ASSERT_TRUE(absl::SimpleAtoi(cols[0], &pid));
      EXPECT_NE(std::find(pids.begin(), pids.end(), pid), pids.end()) << pid;
      EXPECT_EQ(cols[1], "sleep");
    }
  }

  r = Hull({"ps", "-f", "yaml", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid format option"));
  r = Hull({"ps", id, "-o", "comm"});  // no PID column
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("couldn't find PID field in ps output"));
  r = Hull({"ps"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("requires a minimum of 1 argument"));
}

// --- events ----------------------------------------------------------------------------------

TEST_F(CgroupsCliTest, EventsStatsPrintsOneStatsEvent) {
  const std::string id = NewId("stats");
  Bundle b =
      MakeEdited({"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 600"},
                 [](spec::Spec& s) {
                   s.linux->resources = spec::LinuxResources{};
                   s.linux->resources->pids = spec::LinuxPids{.limit = 64};
                   s.linux->resources->memory = spec::LinuxMemory{.limit = 128 << 20};
                 });
  ASSERT_TRUE(RunDetached(id, b));
  // Wait until the busy loop is done (the init became sleep).
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto p = PsJson(id);
        return p.size() == 1 &&
               absl::StrContains(ReadText(absl::StrCat("/proc/", p[0], "/cmdline")), "sleep");
      },
      60000));
  auto ev = StatsEvent(id);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(ev->Find("type")->as_string(), "stats");
  EXPECT_EQ(ev->Find("id")->as_string(), id);
  ASSERT_NE(Path(*ev, {"data"}), nullptr);
  if (HostHas("cpu") || HostHas("cpuacct")) {
    EXPECT_GT(UintAt(*ev, {"data", "cpu", "usage", "total"}), 0u);
  }
  if (HostHas("memory")) {
    EXPECT_GT(UintAt(*ev, {"data", "memory", "usage", "usage"}), 0u);
    EXPECT_EQ(UintAt(*ev, {"data", "memory", "usage", "limit"}), 128u << 20);
  }
  if (HostHas("pids")) {
    EXPECT_EQ(UintAt(*ev, {"data", "pids", "current"}), 1u);
    EXPECT_EQ(UintAt(*ev, {"data", "pids", "limit"}), 64u);
  }
}

TEST_F(CgroupsCliTest, EventsStreamsStatsUntilTheContainerStops) {
  const std::string id = NewId("stream");
  Bundle b = MakeBundle({"sleep", "600"});
  ASSERT_TRUE(RunDetached(id, b));
  auto events = HullBackground({"events", "--interval", "100ms", id});
  LineReader lines(events.get());
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    std::string line = lines.Next(
        [](const std::string& l) { return absl::StrContains(l, "\"type\":\"stats\""); }, 30000);
    if (line.empty()) break;
    auto ev = json::Parse(line);
    ASSERT_TRUE(ev.ok()) << line;
    EXPECT_EQ(ev->Find("id")->as_string(), id);
    ++n;
  }
  EXPECT_EQ(n, 3) << events->err();
  EXPECT_FALSE(events->Exited());
  ASSERT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  HullResult r = events->Wait(30000);
  EXPECT_EQ(r.code, 0) << r.err;

  r = Hull({"events", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("container with id ", id, " is not running")));
}

TEST_F(CgroupsCliTest, EventsStopsWhenItsReaderGoesAway) {
  const std::string id = NewId("reader");
  Bundle b = MakeBundle({"sleep", "600"});
  ASSERT_TRUE(RunDetached(id, b));
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  close(p[0]);  // nobody will read: the first event gets EPIPE
  auto events = HullBackground({"events", "--interval", "100ms", id}, {.stdout_fd = p[1]});
  close(p[1]);
  HullResult r = events->Wait(30000);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StatusOf(id), "running");
}

TEST_F(CgroupsCliTest, EventsRejectsBadIntervals) {
  const std::string id = NewId("iv");
  Bundle b = MakeBundle({"sleep", "600"});
  ASSERT_TRUE(RunDetached(id, b));
  HullResult r = Hull({"events", "--interval", "0s", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("duration interval must be greater than 0"));
  r = Hull({"events", "--interval", "5", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing unit in duration"));
  r = Hull({"events", "--stats", "nosuch"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
}

// --- kill --all ------------------------------------------------------------------------------

TEST_F(CgroupsCliTest, KillAllSignalsEveryProcessInTheCgroup) {
  // The init (sleep, PID 1 of its namespace, no handler) ignores SIGTERM from outside; its
  // children do not.
  const std::string id = NewId("killall");
  Bundle b = MakeBundle({"sh", "-c", "sleep 600 & sleep 601 & exec sleep 602"});
  ASSERT_TRUE(RunDetached(id, b));
  ASSERT_TRUE(WaitUntil([&] { return PsJson(id).size() == 3; }, 10000));
  HullResult r = Hull({"kill", "--all", id, "TERM"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(WaitUntil([&] { return PsJson(id).size() == 1; }, 10000));
  EXPECT_EQ(StatusOf(id), "running");

  r = Hull({"kill", "-a", id, "KILL"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(WaitForStatus(id, "stopped", 10000));
}

// --- create failures and cleanup -------------------------------------------------------------

TEST_F(CgroupsCliTest, UnavailableSettingFailsCreateAndLeavesNoCgroup) {
  if (HostHas("net_cls")) GTEST_SKIP() << "net_cls is available here: classID would work";
  const std::string id = NewId("classid");
  Bundle b = MakeEdited({"sleep", "600"}, [](spec::Spec& s) {
    s.linux->resources = spec::LinuxResources{};
    s.linux->resources->network = spec::LinuxNetwork{.class_id = 0x100001};
  });
  HullResult r = Hull({"run", "-d", "--bundle", b.dir(), id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("linux.resources.network.classID: not available on this host"));
  ExpectNoCgroup(b);
  for (const std::string& mnt : testing::CgroupMountPoints()) {
    EXPECT_FALSE(Exists(mnt + cgroup_parent())) << mnt + cgroup_parent();
  }
  r = Hull({"state", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
}

TEST_F(CgroupsCliTest, SystemdCgroupFailsCreateClearly) {
  const std::string id = NewId("systemd");
  Bundle b = MakeBundle({"sleep", "600"});
  HullResult r = Hull({"--systemd-cgroup", "run", "-d", "--bundle", b.dir(), id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("systemd cgroup driver is not supported"));
  ExpectNoCgroup(b);
  r = Hull({"state", id});
  EXPECT_EQ(r.code, 1);
}

// create guesses the layout from /sys/fs/cgroup alone (statfs) to clone the init early, and
// checks it against the mount table. Here the guess is wrong: a pure v2 host whose cgroup2
// hierarchy is mounted elsewhere, with a tmpfs at /sys/fs/cgroup (in a private mount namespace
// of the test). The container must still run in its own cgroup, limits applied, with a
// cgroup2 mount of that cgroup at its /sys/fs/cgroup.
TEST_F(CgroupsCliTest, Cgroup2MountedAwayFromSysFsCgroupStillConfinesTheContainer) {
  struct statfs sfs;
  if (statfs("/sys/fs/cgroup", &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
    GTEST_SKIP() << "needs a pure cgroup v2 host (cgroup2 at /sys/fs/cgroup)";
  }
  if (!HostHas("pids")) GTEST_SKIP() << "no pids controller";
  const std::string id = NewId("cg2away");
  Bundle b =
      MakeEdited({"cat", "/sys/fs/cgroup/pids.max", "/proc/self/cgroup"}, [&](spec::Spec& s) {
        s.linux->resources = spec::LinuxResources{};
        s.linux->resources->pids = spec::LinuxPids{.limit = 42};
        bool has_cgroupns = false;
        for (const auto& ns : s.linux->namespaces)
          has_cgroupns = has_cgroupns || ns.type == "cgroup";
        if (!has_cgroupns) s.linux->namespaces.push_back({.type = "cgroup"});
      });
  testing::TempDir away("hull-cg2-away");
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // No gtest assertions here: report through the pipe.
    close(out[0]);
    std::string report;
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) ||
        umount2("/sys/fs/cgroup", MNT_DETACH) != 0 ||
        mount("cgroup2", away.path().c_str(), "cgroup2", 0, nullptr) != 0 ||
        mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, "mode=755") != 0) {
      report = absl::StrCat("setup failed: ", strerror(errno));
    } else {
      HullResult r = Hull({"--debug", "run", "--bundle", b.dir(), id});
      report = absl::StrCat("exit ", r.code, "\n", r.out, r.err);
    }
    (void)!write(out[1], report.data(), report.size());
    _exit(0);
  }
  close(out[1]);
  std::string report;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
  close(out[0]);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(absl::StartsWith(report, "exit 0\n")) << report;
  EXPECT_THAT(report, HasSubstr("\n42\n")) << "pids.max of the container's own cgroup";
  EXPECT_THAT(report, HasSubstr("0::/\n")) << "its cgroup namespace is rooted at its cgroup";
  EXPECT_THAT(report, HasSubstr("init restarted")) << "the wrong-guess path was not taken";
}

}  // namespace
}  // namespace hull::cgcli_test
