// Load: 100 containers, each created, started, exec'd into once (when hull has exec), killed
// and deleted, by 8 parallel workers; twice in a row, then once more with every hull process
// inside a test-owned 64 MiB v1 memory cgroup. Zero failures, and afterwards no leaked cgroup,
// mount, state directory or process, no fd beyond stdio in any container process, and no fd
// leaked into the test process.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "spec/config.h"
#include "spec/json.h"
#include "tests/support/bundle.h"
#include "tests/support/leak_check.h"

namespace hull::testing {
namespace {

constexpr int kContainers = 100;
constexpr int kWorkers = 8;
// Sanitized builds (tests/sanitize.sh) map shadow memory per process: a 64 MiB cgroup would
// measure ASan, not hull.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kMemoryLimit = int64_t{1024} << 20;
#else
constexpr int64_t kMemoryLimit = int64_t{64} << 20;
#endif

class LoadTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    // One shared read-only rootfs; each container gets its own bundle dir with a config that
    // points at it and its own cgroup.
    rootfs_bundle_.emplace(std::vector<std::string>{"sleep", "1000"});
    HullResult e = Hull({"exec", "--help"});
    has_exec_ = e.code == 0 && e.out.find("not supported") == std::string::npos;
  }

  std::string WriteBundle(const std::string& name) {
    spec::Spec s = rootfs_bundle_->spec();
    s.root->path = rootfs_bundle_->rootfs();
    s.root->readonly = true;
    s.linux->cgroups_path = absl::StrCat(cgroup_parent(), "/", name);
    std::string dir = absl::StrCat(bundles_.path(), "/", name);
    WriteTestFile(dir + "/config.json", spec::EmitConfig(s, true));
    return dir;
  }

  // Fds of a container process beyond stdio ("" when none).
  static std::string ExtraFds(pid_t pid) {
    std::string out;
    std::string dir = absl::StrCat("/proc/", pid, "/fd");
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == ".." || n == "0" || n == "1" || n == "2") continue;
      char target[512] = {};
      ssize_t len = ::readlink((dir + "/" + n).c_str(), target, sizeof target - 1);
      absl::StrAppend(&out, n, "->", len > 0 ? target : "?", " ");
    }
    ::closedir(d);
    return out;
  }

  static pid_t PidOf(const HullResult& state) {
    auto v = json::Parse(state.out);
    if (!v.ok()) return 0;
    const json::Value* p = v->Find("pid");
    return p && p->is_integer() ? static_cast<pid_t>(p->as_int64().value_or(0)) : 0;
  }

  // One container's whole life; returns "" or what went wrong.
  std::string Lifecycle(const std::string& id, const std::string& bundle) {
    HullResult c = Hull({"create", "--bundle", bundle, id});
    if (c.code != 0) return "create: " + c.err;
    HullResult s = Hull({"start", id});
    if (s.code != 0) return "start: " + s.err;
    HullResult st = Hull({"state", id});
    pid_t pid = PidOf(st);
    if (pid <= 0) return "state: no pid: " + st.out + st.err;
    if (std::string extra = ExtraFds(pid); !extra.empty()) return "container process fds: " + extra;
    if (has_exec_) {
      HullResult x = Hull({"exec", id, "true"});
      if (x.code != 0) return "exec: " + x.err;
    }
    HullResult k = Hull({"kill", id, "KILL"});
    if (k.code != 0) return "kill: " + k.err;
    bool stopped = false;
    for (int i = 0; i < 500 && !stopped; ++i) {
      HullResult q = Hull({"state", id});
      stopped = q.code == 0 && q.out.find("\"stopped\"") != std::string::npos;
      if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!stopped) return "kill: container never stopped";
    HullResult d = Hull({"delete", id});
    if (d.code != 0) return "delete: " + d.err;
    return "";
  }

  // kContainers lifecycles on kWorkers threads; every failure is reported.
  void RunBatch(const std::string& tag) {
    std::vector<std::string> ids, bundles;
    for (int i = 0; i < kContainers; ++i) {
      ids.push_back(UniqueId(tag));
      bundles.push_back(WriteBundle(ids.back()));
      Track(ids.back());
    }
    std::atomic<int> next{0};
    std::mutex mu;
    std::vector<std::string> failures;
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&] {
        for (int i = next++; i < kContainers; i = next++) {
          std::string err = Lifecycle(ids[i], bundles[i]);
          if (!err.empty()) {
            std::lock_guard<std::mutex> l(mu);
            failures.push_back(ids[i] + ": " + err);
          }
        }
      });
    }
    for (auto& t : workers) t.join();
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << kContainers
                                  << " failed, first: " << (failures.empty() ? "" : failures[0]);
  }

  void ExpectNothingLeaked() {
    std::vector<std::string> cgroups = LeftoverCgroups();
    EXPECT_TRUE(cgroups.empty()) << cgroups.size() << " cgroups left, first " << cgroups[0];
    std::vector<std::string> mounts = MountsUnder(rootfs_bundle_->dir());
    EXPECT_TRUE(mounts.empty()) << mounts[0];
    std::vector<std::string> procs = LiveProcesses(root(), cgroup_parent());
    EXPECT_TRUE(procs.empty()) << procs.size() << " processes left, first " << procs[0];
    HullResult list = Hull({"list", "-q"});
    EXPECT_EQ(list.code, 0) << list.err;
    EXPECT_EQ(list.out, "") << "containers still listed";
    int entries = 0;
    if (DIR* d = ::opendir(root().c_str())) {
      while (struct dirent* e = ::readdir(d)) entries += e->d_name[0] != '.';
      ::closedir(d);
    }
    EXPECT_EQ(entries, 0) << "state directories left in " << root();
  }

  std::optional<Bundle> rootfs_bundle_;
  TempDir bundles_{"hull-load-bundles"};
  bool has_exec_ = false;
};

TEST_F(LoadTest, HundredContainersByEightWorkersTwice) {
  const int fds_before = OpenFdCount();
  auto t0 = std::chrono::steady_clock::now();
  RunBatch("load1");
  ExpectNothingLeaked();
  RunBatch("load2");
  ExpectNothingLeaked();
  EXPECT_EQ(OpenFdCount(), fds_before) << "fds leaked into the test process";
  std::cout << "2 x " << kContainers << " containers (exec: " << (has_exec_ ? "yes" : "no")
            << ") in "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                t0)
                   .count()
            << " s\n";
}

// Every hull process (and the inits it clones, until they move to their own cgroups) runs
// inside a 64 MiB memory cgroup the test owns: hull must not need more, and must not fail or
// leak under that pressure.
TEST_F(LoadTest, HundredContainersUnderA64MiBMemoryCgroup) {
  const std::string mem_root = "/sys/fs/cgroup/memory";
  struct stat st;
  if (::stat((mem_root + "/memory.limit_in_bytes").c_str(), &st) != 0) {
    GTEST_SKIP() << "no v1 memory controller at " << mem_root;
  }
  const std::string cg = mem_root + cgroup_parent() + "-hullmem";
  ASSERT_EQ(::system(("mkdir -p " + cg).c_str()), 0);
  { std::ofstream(cg + "/memory.limit_in_bytes") << kMemoryLimit; }
  // A wrapper that enters the cgroup, then becomes hull.
  TempDir wrap_dir("hull-load-wrap");
  const std::string wrapper = wrap_dir.path() + "/hull-in-memcg";
  WriteTestFile(wrapper,
                absl::StrCat("#!/bin/sh\necho $$ > ", cg, "/cgroup.procs || exit 125\nexec ",
                             HullBinary(), " \"$@\"\n"),
                0755);
  const char* old = ::getenv("HULL_TEST_BINARY");
  std::string saved = old ? old : "";
  ::setenv("HULL_TEST_BINARY", wrapper.c_str(), 1);
  RunBatch("loadmem");
  if (saved.empty()) {
    ::unsetenv("HULL_TEST_BINARY");
  } else {
    ::setenv("HULL_TEST_BINARY", saved.c_str(), 1);
  }
  std::string failcnt = ReadTestFile(cg + "/memory.failcnt");
  std::string max = ReadTestFile(cg + "/memory.max_usage_in_bytes");
  std::cout << "memory cgroup: max usage " << max << " failcnt " << failcnt;
  ExpectNothingLeaked();
  // The cgroup must be empty now (every hull exited, every init moved out or died).
  std::string procs = ReadTestFile(cg + "/cgroup.procs");
  EXPECT_EQ(procs, "") << "processes left in the memory cgroup";
  RemoveCgroupEverywhere(cgroup_parent() + "-hullmem");
  EXPECT_NE(::stat(cg.c_str(), &st), 0);
}

}  // namespace
}  // namespace hull::testing
