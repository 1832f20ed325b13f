// Robustness: a failed or killed create leaves nothing behind that `delete --force` cannot
// clean, and many hull processes working in parallel never corrupt the state.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "spec/config.h"
#include "tests/integration/lifecycle/util.h"

namespace hull::lifecycle_test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Pids of our direct children (orphans of a killed hull are reparented to us: we are a child
// subreaper, as containerd's shim and conmon are).
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    int pid;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::string stat = ReadTestFile(absl::StrCat("/proc/", pid, "/stat"));
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
    int ppid;
    if (f.size() > 1 && absl::SimpleAtoi(f[1], &ppid) && ppid == ::getpid()) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// Reaps zombie children; returns the children still alive after up to timeout_ms.
std::vector<pid_t> LiveChildrenAfter(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    std::vector<pid_t> live;
    for (pid_t p : Children()) {
      if (PidAlive(p)) live.push_back(p);
    }
    if (live.empty() || std::chrono::steady_clock::now() > deadline) return live;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class RobustnessTest : public SubreaperTest {
 protected:
  void HandleLeftoverChildren() override {
    for (pid_t p : LiveChildrenAfter(0)) ::kill(p, SIGKILL);
    LiveChildrenAfter(2000);
  }
  bool StateDirExists(const std::string& id) {
    struct stat st;
    return ::stat((root() + "/" + id).c_str(), &st) == 0;
  }
};

class CreateFaultTest : public RobustnessTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CreateFaultTest, DeleteForceCleansUpAfterHullIsKilled) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  std::string pid_file = b.dir() + "/pid";
  HullResult c = Hull({"create", "-b", b.dir(), "--pid-file", pid_file, id},
                      {.env = {absl::StrCat("HULL_FAULT_AT=", GetParam())}});
  ASSERT_EQ(c.code, 128 + SIGKILL) << "fault point not reached: " << c.err;
  if (std::string(GetParam()) != "create.after-created") {
    EXPECT_EQ(ReadTestFile(pid_file), "") << "pid file written by a create that did not finish";
  }
  HullResult d = Hull({"delete", "--force", id});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(StateDirExists(id));
  EXPECT_EQ(Hull({"state", id}).code, 1);
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
  EXPECT_THAT(LiveChildrenAfter(5000), IsEmpty()) << "a container process survived";
  HullResult l = Hull({"list", "-q"});
  EXPECT_EQ(l.out, "");
}

INSTANTIATE_TEST_SUITE_P(AllCreateFaultPoints, CreateFaultTest,
                         ::testing::Values("create.after-state-dir", "create.after-clone",
                                           "create.after-pid-saved", "create.after-cgroup",
                                           "create.after-ready", "create.after-created"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

TEST_F(RobustnessTest, DeleteKilledHalfWayCanBeRepeated) {
  for (const char* point : {"delete.before-destroy", "delete.after-cgroup"}) {
    Bundle b = MakeBundle({"sleep", "1000"});
    std::string id = NewId();
    ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
    HullResult d =
        Hull({"delete", "--force", id}, {.env = {absl::StrCat("HULL_FAULT_AT=", point)}});
    EXPECT_EQ(d.code, 128 + SIGKILL) << point;
    HullResult again = Hull({"delete", "--force", id});
    EXPECT_EQ(again.code, 0) << point << ": " << again.err;
    EXPECT_FALSE(StateDirExists(id)) << point;
    EXPECT_THAT(LeftoverCgroups(), IsEmpty()) << point;
    EXPECT_THAT(LiveChildrenAfter(5000), IsEmpty()) << point;
  }
}

TEST_F(RobustnessTest, StartKilledAfterReleasingTheInit) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"create", "-b", b.dir(), id}).code, 0);
  HullResult s = Hull({"start", id}, {.env = {"HULL_FAULT_AT=start.after-fifo"}});
  EXPECT_EQ(s.code, 128 + SIGKILL);
  // The program runs; a second start must not hang, and the container reads as running.
  HullResult again = Hull({"start", id}, {.timeout_s = 30});
  EXPECT_FALSE(again.timed_out);
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(StatusOf(id), "running");
  EXPECT_EQ(Hull({"delete", "--force", id}).code, 0);
  EXPECT_THAT(LiveChildrenAfter(5000), IsEmpty());
}

TEST_F(RobustnessTest, FailedCreateUndoesEverything) {
  struct Case {
    const char* what;
    std::function<void(Bundle&)> break_it;
    const char* message;
  };
  std::vector<Case> cases = {
      {"missing program", [](Bundle& b) { b.spec().process->args = {"/nope"}; }, "/nope"},
      {"bad mount",
       [](Bundle& b) {
         b.spec().mounts.push_back({.destination = "/x",
                                    .type = "bind",
                                    .source = "/does/not/exist",
                                    .options = {"bind"}});
       },
       "mounts[7]"},
      {"bad sysctl", [](Bundle& b) { b.spec().linux->sysctl["kernel.nope"] = "1"; }, "kernel.nope"},
      {"bad cwd",
       [](Bundle& b) {
         b.WriteRootfsFile("/afile", "x");
         b.spec().process->cwd = "/afile";
       },
       "cwd"},
      {"prestart hook fails",
       [](Bundle& b) { b.spec().hooks.emplace().prestart.push_back({.path = "/bin/false"}); },
       "prestart"},
  };
  for (auto& c : cases) {
    Bundle b = MakeBundle({"sleep", "1000"});
    c.break_it(b);
    b.Write();
    std::string id = NewId();
    std::string pid_file = b.dir() + "/pid";
    HullResult r = Hull({"create", "-b", b.dir(), "--pid-file", pid_file, id});
    EXPECT_EQ(r.code, 1) << c.what;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.what;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.what << ": " << r.err;
    EXPECT_FALSE(StateDirExists(id)) << c.what;
    EXPECT_EQ(ReadTestFile(pid_file), "") << c.what;
    EXPECT_THAT(LeftoverCgroups(), IsEmpty()) << c.what;
    EXPECT_THAT(LiveChildrenAfter(5000), IsEmpty()) << c.what;
  }
}

TEST_F(RobustnessTest, FiftyContainersInParallel) {
  constexpr int kCount = 50;
  Bundle shared = MakeBundle({"sleep", "1000"});
  std::vector<::hull::testing::TempDir> dirs;
  std::vector<std::string> ids;
  for (int i = 0; i < kCount; ++i) {
    dirs.emplace_back("hull-par");
    spec::Spec s = shared.spec();
    s.root->path = shared.rootfs();
    s.root->readonly = true;
    s.linux->cgroups_path = absl::StrCat(cgroup_parent(), "/par-", i);
    ::hull::testing::WriteTestFile(dirs.back().path() + "/config.json", spec::EmitConfig(s, true));
    ids.push_back(NewId("par"));
  }
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kCount);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back([&, i] {
      auto step = [&](std::vector<std::string> args) {
        HullResult r = Hull(args, {.timeout_s = 180});
        if (r.code != 0) {
          ++failures;
          errors[i] += absl::StrCat(args[0], ": ", r.code, " ", r.err, "\n");
        }
        return r.code == 0;
      };
      if (!step({"create", "-b", dirs[i].path(), ids[i]})) return;
      if (!step({"start", ids[i]})) return;
      if (!step({"kill", ids[i], "KILL"})) return;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (StatusOf(ids[i]) != "stopped" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      step({"delete", ids[i]});
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(errors[i], "") << ids[i];
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Hull({"list", "-q"}).out, "");
  DIR* d = ::opendir(root().c_str());
  ASSERT_NE(d, nullptr);
  int entries = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++entries;
  }
  ::closedir(d);
  EXPECT_EQ(entries, 0);
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
  EXPECT_THAT(LiveChildrenAfter(10000), IsEmpty());
}

}  // namespace
}  // namespace hull::lifecycle_test
