// The lifecycle seen from outside: create/start/state/kill/delete/run/list with runc's CLI
// contract (messages, exit codes, state JSON), observed on real processes and cgroups.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/integration/lifecycle/util.h"

namespace hull::lifecycle_test {
namespace {

using ::testing::HasSubstr;

class LifecycleTest : public HullTest {};

bool FileExists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

bool WaitForFile(const std::string& p, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!FileExists(p)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_F(LifecycleTest, CreateBlocksBeforeProgramAndStartRunsIt) {
  Bundle b = MakeBundle({"sh", "-c", "echo ran > /tmp/marker; exec sleep 1000"});
  std::string id = NewId();
  std::string pid_file = b.dir() + "/pid";
  HullResult c = Hull({"create", "--bundle", b.dir(), "--pid-file", pid_file, id});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.err, "");

  // The pid file is there when create returns, and names a live process.
  std::string pid_text = ReadTestFile(pid_file);
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pid_text, &pid)) << "pid file: '" << pid_text << "'";
  EXPECT_TRUE(PidAlive(pid));
  EXPECT_EQ(StatusOf(id), "created");
  // The program has not run yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(FileExists(b.rootfs() + "/tmp/marker"));

  auto t0 = std::chrono::steady_clock::now();
  HullResult s = Hull({"start", id});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(WaitForFile(b.rootfs() + "/tmp/marker", 5000));
  EXPECT_EQ(StatusOf(id), "running");

  ASSERT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  HullResult st = Hull({"state", id});
  ASSERT_EQ(st.code, 0);
  EXPECT_EQ(IntField(ParseJson(st.out), "pid"), 0);

  HullResult d = Hull({"delete", id});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(FileExists(root() + "/" + id));
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, StateJsonHasOciFieldsAndRuncExtras) {
  Bundle b = MakeBundle({"sleep", "1000"});
  b.spec().annotations["org.example.key"] = "value";
  b.Write();
  std::string id = NewId();
  ASSERT_EQ(Hull({"create", "-b", b.dir(), id}).code, 0);
  HullResult r = Hull({"state", id});
  ASSERT_EQ(r.code, 0) << r.err;
  json::Value v = ParseJson(r.out);
  EXPECT_FALSE(StrField(v, "ociVersion").empty());
  EXPECT_EQ(StrField(v, "id"), id);
  EXPECT_EQ(StrField(v, "status"), "created");
  EXPECT_GT(IntField(v, "pid"), 0);
  EXPECT_EQ(StrField(v, "bundle"), b.dir());
  EXPECT_EQ(StrField(v, "rootfs"), b.rootfs());
  EXPECT_FALSE(StrField(v, "created").empty());
  EXPECT_NE(v.Find("owner"), nullptr);
  const json::Value* ann = v.Find("annotations");
  ASSERT_NE(ann, nullptr);
  EXPECT_EQ(StrField(*ann, "org.example.key"), "value");
  EXPECT_EQ(Hull({"delete", id}).code, 0);
}

TEST_F(LifecycleTest, UnknownContainerIsReportedLikeRunc) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"state", "nope"}, {"start", "nope"}, {"kill", "nope"}, {"delete", "nope"}}) {
    HullResult r = Hull(cmd);
    EXPECT_EQ(r.code, 1) << cmd[0];
    EXPECT_THAT(r.err, HasSubstr("container does not exist")) << cmd[0];
    // One line.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // runc: `delete --force` of an unknown id succeeds silently (idempotent cleanup).
  HullResult f = Hull({"delete", "--force", "nope"});
  EXPECT_EQ(f.code, 0) << f.err;
}

TEST_F(LifecycleTest, StoppedContainerIsNotRunning) {
  Bundle b = MakeBundle({"true"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  ASSERT_TRUE(WaitForStatus(id, "stopped"));
  HullResult k = Hull({"kill", id});
  EXPECT_EQ(k.code, 1);
  EXPECT_THAT(k.err, HasSubstr("container not running"));
  HullResult s = Hull({"start", id});
  EXPECT_EQ(s.code, 1);
  EXPECT_THAT(s.err, HasSubstr("cannot start a container that has stopped"));
  EXPECT_EQ(Hull({"delete", id}).code, 0);
}

TEST_F(LifecycleTest, DeleteRunningNeedsForce) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  ASSERT_EQ(StatusOf(id), "running");
  HullResult d = Hull({"delete", id});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(d.err, HasSubstr("is not stopped"));
  EXPECT_EQ(StatusOf(id), "running");
  int pid = static_cast<int>(IntField(ParseJson(Hull({"state", id}).out), "pid"));
  HullResult f = Hull({"delete", "--force", id});
  EXPECT_EQ(f.code, 0) << f.err;
  EXPECT_FALSE(PidAlive(pid));
  EXPECT_EQ(Hull({"state", id}).code, 1);
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, DeleteStoppedKillsLeftoverProcessesWithoutPidNamespace) {
  // No pid namespace: the init's background child survives the init.
  Bundle b = MakeBundle({"sh", "-c", "sleep 1000 & echo $! > /tmp/child; exit 0"});
  auto& ns = b.spec().linux->namespaces;
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](auto& n) { return n.type == "pid"; }), ns.end());
  b.Write();
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  ASSERT_TRUE(WaitForStatus(id, "stopped"));
  int child = 0;
  for (int i = 0; i < 100 && !absl::SimpleAtoi(ReadTestFile(b.rootfs() + "/tmp/child"), &child);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(child, 0);
  EXPECT_TRUE(PidAlive(child));
  HullResult d = Hull({"delete", id});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(PidAlive(child));
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, DeleteCreatedKillsBlockedProcess) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"create", "-b", b.dir(), id}).code, 0);
  int pid = static_cast<int>(IntField(ParseJson(Hull({"state", id}).out), "pid"));
  ASSERT_TRUE(PidAlive(pid));
  HullResult d = Hull({"delete", id});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_FALSE(PidAlive(pid));
  EXPECT_FALSE(FileExists(root() + "/" + id));
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, StartTwiceIsAnError) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"create", "-b", b.dir(), id}).code, 0);
  ASSERT_EQ(Hull({"start", id}).code, 0);
  HullResult again = Hull({"start", id});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("cannot start an already running container"));
  EXPECT_EQ(Hull({"delete", "-f", id}).code, 0);
}

TEST_F(LifecycleTest, CreateWithExistingIdFails) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"create", "-b", b.dir(), id}).code, 0);
  HullResult again = Hull({"create", "-b", b.dir(), id});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("container with given ID already exists"));
  EXPECT_EQ(StatusOf(id), "created");
}

TEST_F(LifecycleTest, InvalidIdIsRejected) {
  Bundle b = MakeBundle();
  HullResult r = Hull({"create", "-b", b.dir(), "../escape"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid container id"));
}

TEST_F(LifecycleTest, RunExitsWithProgramExitCode) {
  Bundle b = MakeBundle({"sh", "-c", "exit 3"});
  std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_EQ(r.code, 3) << r.err;
  // Deleted afterwards without --keep.
  EXPECT_EQ(Hull({"state", id}).code, 1);
  EXPECT_FALSE(FileExists(root() + "/" + id));
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, RunMissingProgramFails) {
  Bundle b = MakeBundle({"/no/such/program"});
  std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("/no/such/program"));
  EXPECT_EQ(Hull({"state", id}).code, 1);
}

TEST_F(LifecycleTest, RunKilledBySignalExits128PlusSignal) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  auto run = HullBackground({"run", "-b", b.dir(), id});
  ASSERT_TRUE(WaitForStatus(id, "running"));
  ASSERT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  HullResult r = run->Wait(20000);
  EXPECT_EQ(r.code, 128 + SIGKILL) << r.err;
}

TEST_F(LifecycleTest, RunForwardsSignalsToTheContainer) {
  Bundle b = MakeBundle(
      {"sh", "-c",
       "trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.1; done"});
  std::string id = NewId();
  auto run = HullBackground({"run", "-b", b.dir(), id});
  ASSERT_TRUE(run->WaitForOutput("ready", 20000)) << run->err();
  run->Signal(SIGTERM);
  HullResult r = run->Wait(20000);
  EXPECT_EQ(r.code, 42) << r.err;
  EXPECT_THAT(r.out, HasSubstr("got-term"));
}

TEST_F(LifecycleTest, RunKeepLeavesStoppedContainerWithExitCode) {
  Bundle b = MakeBundle({"sh", "-c", "exit 7"});
  b.spec().annotations["org.opencontainers.image.ref.name"] = "busybox:test";
  b.Write();
  std::string id = NewId();
  HullResult r = Hull({"run", "--keep", "-b", b.dir(), id});
  EXPECT_EQ(r.code, 7);
  EXPECT_EQ(StatusOf(id), "stopped");
  HullResult ps = Hull({"list", "--format", "ps"});
  ASSERT_EQ(ps.code, 0) << ps.err;
  EXPECT_THAT(ps.out, HasSubstr("CONTAINER ID"));
  EXPECT_THAT(ps.out, HasSubstr("busybox:test"));
  EXPECT_THAT(ps.out, HasSubstr("Exited (7)"));
  EXPECT_THAT(ps.out, HasSubstr("\"sh -c exit 7\""));
  EXPECT_EQ(Hull({"delete", id}).code, 0);
}

TEST_F(LifecycleTest, RunDetachReturnsWhileContainerRuns) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  std::string pid_file = b.dir() + "/pid";
  HullResult r = Hull({"run", "-d", "--pid-file", pid_file, "-b", b.dir(), id}, {.timeout_s = 20});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(StatusOf(id), "running");
  EXPECT_FALSE(ReadTestFile(pid_file).empty());
  EXPECT_EQ(Hull({"delete", "-f", id}).code, 0);
}

TEST_F(LifecycleTest, StdioIsPassedThroughUntouched) {
  Bundle b =
      MakeBundle({"sh", "-c", "read x; echo got $x; echo to-stderr >&2; ls -l /proc/self/fd/"});
  std::string id = NewId();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "hello\n", 6), 6);
  ::close(p[1]);
  HullResult r = Hull({"run", "-b", b.dir(), id}, {.stdin_fd = p[0]});
  ::close(p[0]);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("got hello"));
  EXPECT_THAT(r.err, HasSubstr("to-stderr"));
  // Nothing but stdio (and ls's own directory fd) is open in the container.
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    if (!absl::StrContains(line, "->")) continue;
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    auto arrow = std::find(f.begin(), f.end(), "->");
    ASSERT_NE(arrow, f.begin());
    int fd = -1;
    ASSERT_TRUE(absl::SimpleAtoi(*(arrow - 1), &fd)) << line;
    EXPECT_TRUE(fd <= 3) << "leaked fd: " << line;
  }
}

TEST_F(LifecycleTest, PreserveFdsPassesExtraFds) {
  Bundle b = MakeBundle({"sh", "-c", "cat <&3; echo via-fd4 >&4; ls /proc/self/fd"});
  std::string id = NewId();
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::write(in[1], "from-fd3\n", 9), 9);
  ::close(in[1]);
  HullResult r =
      Hull({"run", "--preserve-fds", "2", "-b", b.dir(), id}, {.extra_fds = {in[0], out[1]}});
  ::close(in[0]);
  ::close(out[1]);
  std::string via4;
  char buf[256];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) via4.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("from-fd3"));
  EXPECT_EQ(via4, "via-fd4\n");
  // fds 0-4 and ls's directory; nothing above.
  std::vector<std::string> fds =
      absl::StrSplit(r.out.substr(r.out.find('\n') + 1), absl::ByAnyChar(" \n"), absl::SkipEmpty());
  for (const auto& f : fds) {
    int fd;
    if (absl::SimpleAtoi(f, &fd)) {
      EXPECT_LE(fd, 5) << r.out;
    }
  }
}

TEST_F(LifecycleTest, WithoutPreserveFdsExtraFdsAreClosed) {
  Bundle b = MakeBundle({"sh", "-c", "echo x >&4 && echo leaked"});
  std::string id = NewId();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  HullResult r = Hull({"run", "-b", b.dir(), id}, {.extra_fds = {out[0], out[1]}});
  ::close(out[0]);
  ::close(out[1]);
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("leaked")));
}

TEST_F(LifecycleTest, KillSignalByNameAndNumber) {
  Bundle b = MakeBundle({"sh", "-c",
                         "trap 'echo usr1 >> /tmp/log' USR1; trap 'echo hup >> /tmp/log' HUP; "
                         "while true; do sleep 0.1; done"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Hull({"kill", id, "USR1"}).code, 0);
  ASSERT_TRUE(WaitForFile(b.rootfs() + "/tmp/log", 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Standard signals do not queue: wait for each to be handled before sending the next.
  auto wait_log = [&](const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (ReadTestFile(b.rootfs() + "/tmp/log") != want &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  EXPECT_EQ(Hull({"kill", id, "SIGHUP"}).code, 0);
  wait_log("usr1\nhup\n");
  EXPECT_EQ(Hull({"kill", id, "1"}).code, 0);
  wait_log("usr1\nhup\nhup\n");
  EXPECT_EQ(ReadTestFile(b.rootfs() + "/tmp/log"), "usr1\nhup\nhup\n");
  HullResult bad = Hull({"kill", id, "NOTASIGNAL"});
  EXPECT_EQ(bad.code, 1);
  // Default is TERM; the shell's default TERM disposition is ignored for a pid-namespace init,
  // so check with KILL that the container then stops.
  EXPECT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
}

TEST_F(LifecycleTest, KillAllSignalsEveryProcessInTheCgroup) {
  Bundle b = MakeBundle({"sh", "-c", "sleep 1000 & sleep 1000 & echo started > /tmp/s; wait"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  ASSERT_TRUE(WaitForFile(b.rootfs() + "/tmp/s", 5000));
  HullResult ps = Hull({"ps", id});
  EXPECT_EQ(Hull({"kill", "--all", id, "KILL"}).code, 0);
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  // No process is left in the container's cgroup.
  std::string procs;
  for (const auto& mp : ::hull::testing::CgroupMountPoints()) {
    for (const auto& d : LeftoverCgroups()) {
      if (absl::StartsWith(d, mp)) procs += ReadTestFile(d + "/cgroup.procs");
    }
  }
  EXPECT_EQ(procs, "");
  EXPECT_EQ(Hull({"delete", id}).code, 0);
}

TEST_F(LifecycleTest, ListShowsContainersInAllFormats) {
  Bundle b = MakeBundle({"sleep", "1000"}), b2 = MakeBundle({"sleep", "1000"});
  std::string a = NewId("la"), c = NewId("lb");
  ASSERT_EQ(Hull({"create", "-b", b.dir(), a}).code, 0);
  ASSERT_EQ(Hull({"run", "-d", "-b", b2.dir(), c}).code, 0);

  HullResult q = Hull({"list", "-q"});
  ASSERT_EQ(q.code, 0);
  EXPECT_THAT(q.out, HasSubstr(a + "\n"));
  EXPECT_THAT(q.out, HasSubstr(c + "\n"));

  HullResult t = Hull({"list"});
  ASSERT_EQ(t.code, 0);
  EXPECT_TRUE(absl::StartsWith(t.out, "ID")) << t.out;
  for (const char* col : {"PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}) {
    EXPECT_THAT(t.out, HasSubstr(col));
  }
  EXPECT_THAT(t.out, HasSubstr("created"));
  EXPECT_THAT(t.out, HasSubstr("running"));

  HullResult j = Hull({"list", "--format", "json"});
  ASSERT_EQ(j.code, 0);
  json::Value arr = ParseJson(j.out);
  ASSERT_TRUE(arr.is_array());
  EXPECT_EQ(arr.as_array().size(), 2u);
  for (const auto& e : arr.as_array()) {
    std::string status = StrField(e, "status");
    EXPECT_EQ(status, StrField(e, "id") == a ? "created" : "running");
  }

  HullResult ps = Hull({"list", "--format", "ps"});
  ASSERT_EQ(ps.code, 0);
  EXPECT_THAT(ps.out, HasSubstr("Created"));
  EXPECT_THAT(ps.out, HasSubstr("Up "));
  HullResult bad = Hull({"list", "--format", "yaml"});
  EXPECT_EQ(bad.code, 1);
}

TEST_F(LifecycleTest, PausedContainerStateListAndDelete) {
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  HullResult p = Hull({"pause", id});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(StatusOf(id), "paused");
  HullResult ps = Hull({"list", "--format", "ps"});
  EXPECT_THAT(ps.out, HasSubstr("Paused"));
  HullResult d = Hull({"delete", id});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(d.err, HasSubstr("is not stopped: paused"));
  HullResult f = Hull({"delete", "--force", id});
  EXPECT_EQ(f.code, 0) << f.err;
  EXPECT_EQ(Hull({"state", id}).code, 1);
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(LifecycleTest, SessionKeyringUnlessNoNewKeyring) {
  Bundle b = MakeBundle({"cat", "/proc/keys"});
  // /proc/keys is masked by default; unmask it to look at our keyrings.
  auto& masked = b.spec().linux->masked_paths;
  masked.erase(std::remove(masked.begin(), masked.end(), "/proc/keys"), masked.end());
  b.Write();
  std::string id = NewId();
  HullResult with = Hull({"run", "-b", b.dir(), id});
  ASSERT_EQ(with.code, 0) << with.err;
  EXPECT_THAT(with.out, HasSubstr("_ses." + id));
  std::string id2 = NewId();
  HullResult without = Hull({"run", "--no-new-keyring", "-b", b.dir(), id2});
  ASSERT_EQ(without.code, 0) << without.err;
  EXPECT_THAT(without.out, ::testing::Not(HasSubstr("_ses." + id2)));
}

TEST_F(LifecycleTest, ErrorsGoToJsonLogWhenAsked) {
  std::string log = root() + "/../" + ::hull::testing::UniqueId("log") + ".json";
  HullResult r = Hull({"--log", log, "--log-format", "json", "state", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
  std::string text = ReadTestFile(log);
  ::unlink(log.c_str());
  ASSERT_FALSE(text.empty());
  json::Value line = ParseJson(text.substr(0, text.find('\n')));
  EXPECT_EQ(StrField(line, "level"), "error");
  EXPECT_EQ(StrField(line, "msg"), "container does not exist");
  EXPECT_FALSE(StrField(line, "time").empty());
}

TEST_F(LifecycleTest, DefaultSpecRunPrintsNoWarnings) {
  // `hull spec` + busybox behaves like `runc run`: nothing on stderr.
  Bundle b = MakeBundle({"sh", "-c", "echo hi"});
  std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(LifecycleTest, StoppedIsDetectedAfterPidReuseGuard) {
  // A container whose init died is stopped, even if the recorded pid were reused: status
  // derives from the pid *and* its start time.
  Bundle b = MakeBundle({"sleep", "1000"});
  std::string id = NewId();
  ASSERT_EQ(Hull({"run", "-d", "-b", b.dir(), id}).code, 0);
  std::string state_path = root() + "/" + id + "/state.json";
  std::string state = ReadTestFile(state_path);
  ASSERT_FALSE(state.empty());
  // Point the record at a live process that is not the container (this test process).
  json::Value v = ParseJson(state);
  int64_t real_pid = IntField(v, "pid");
  ASSERT_GT(real_pid, 0);
  std::string fake = state;
  std::string needle = "\"pid\":" + std::to_string(real_pid);
  size_t at = fake.find(needle);
  ASSERT_NE(at, std::string::npos) << state;
  fake.replace(at, needle.size(), "\"pid\":" + std::to_string(::getpid()));
  ::hull::testing::WriteTestFile(state_path, fake);
  EXPECT_EQ(StatusOf(id), "stopped");
  // Restore, so delete -f finds and kills the real init.
  ::hull::testing::WriteTestFile(state_path, state);
  EXPECT_EQ(Hull({"delete", "-f", id}).code, 0);
  EXPECT_FALSE(PidAlive(static_cast<pid_t>(real_pid)));
}

}  // namespace
}  // namespace hull::lifecycle_test
