// `hull exec` against real containers: namespaces, cgroup, process settings, terminal, errors.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/unique_fd.h"
#include "exec_test_util.h"
#include "runtime/linux/console.h"

namespace hull::exec_testing {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::string& s) {
  return absl::StrSplit(s, '\n', absl::SkipEmpty());
}

std::string HostReadlink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

TEST_F(ExecTest, JoinsEveryNamespaceOfTheInit) {
  StartContainer();
  pid_t init = InitPid();
  ASSERT_GT(init, 0);
  const std::vector<std::string> kinds = {"ipc", "mnt", "net", "pid", "uts", "cgroup", "user"};
  HullResult r = Exec({"sh", "-c",
                       "for n in " + absl::StrJoin(kinds, " ") +
                           "; do echo $n $(readlink /proc/self/ns/$n); done"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  std::map<std::string, std::string> inside;
  for (const auto& line : Lines(r.out)) {
    std::vector<std::string> kv = absl::StrSplit(line, ' ');
    ASSERT_EQ(kv.size(), 2u) << line;
    inside[kv[0]] = kv[1];
  }
  for (const auto& n : kinds) {
    std::string host = HostReadlink(absl::StrCat("/proc/", init, "/ns/", n));
    ASSERT_FALSE(host.empty()) << n;
    EXPECT_EQ(inside[n], host) << "namespace " << n;
  }
  // The container has its own pid, mount, net, ipc and uts namespaces: they differ from ours.
  for (const std::string n : {"pid", "mnt", "net", "ipc", "uts"}) {
    EXPECT_NE(inside[n], HostReadlink("/proc/self/ns/" + n)) << n;
  }
}

TEST_F(ExecTest, LivesInThePidNamespaceAndCgroupOfTheInit) {
  StartContainer();
  // Seen from inside: pid 1 is the container's sleep, and our cgroup lines equal its lines.
  HullResult r =
      Exec({"sh", "-c", "cat /proc/1/comm; cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  std::vector<std::string> parts = absl::StrSplit(r.out, "---\n");
  ASSERT_EQ(parts.size(), 2u) << r.out;
  ASSERT_TRUE(absl::StartsWith(parts[0], "sleep\n")) << r.out;
  EXPECT_EQ(parts[0].substr(6), parts[1]);
  EXPECT_FALSE(parts[1].empty());
}

TEST_F(ExecTest, SeesTheContainerHostname) {
  StartContainer();
  HullResult r = Exec({"hostname"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(r.out, "hull-exec-test\n");
}

TEST_F(ExecTest, EnvFlagsReplaceSameNamedKeysAndKeepPath) {
  spec::Spec s = BaseSpec();
  s.process->env = {"PATH=/usr/bin:/bin", "TERM=xterm", "KEEP=1"};
  StartContainer(s);
  HullResult r = Exec({"-e", "TERM=dumb", "--env", "FOO=bar", "-e", "FOO=baz", "--", "env"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  std::vector<std::string> env = Lines(r.out);
  std::multiset<std::string> keys;
  for (const auto& e : env) keys.insert(e.substr(0, e.find('=')));
  EXPECT_THAT(env, ::testing::Contains("PATH=/usr/bin:/bin"));
  EXPECT_THAT(env, ::testing::Contains("TERM=dumb"));
  EXPECT_THAT(env, ::testing::Contains("FOO=baz"));
  EXPECT_THAT(env, ::testing::Contains("KEEP=1"));
  EXPECT_EQ(keys.count("TERM"), 1u);
  EXPECT_EQ(keys.count("FOO"), 1u);
  EXPECT_EQ(keys.count("PATH"), 1u);
}

TEST_F(ExecTest, CwdFlagAndDefaultCwd) {
  spec::Spec s = BaseSpec();
  s.process->cwd = "/etc";
  StartContainer(s);
  HullResult def = Exec({"pwd"});
  ASSERT_EQ(def.code, 0) << Describe(def);
  EXPECT_EQ(def.out, "/etc\n");
  HullResult r = Exec({"--cwd", "/tmp", "--", "pwd"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(r.out, "/tmp\n");
}

TEST_F(ExecTest, UserAndAdditionalGids) {
  StartContainer();
  HullResult r = Exec(
      {"-u", "1000:1001", "-g", "44", "--additional-gids", "55", "--", "cat", "/proc/self/status"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(StatusField(r.out, "Uid"), "1000\t1000\t1000\t1000");
  EXPECT_EQ(StatusField(r.out, "Gid"), "1001\t1001\t1001\t1001");
  EXPECT_EQ(StatusField(r.out, "Groups"), "44 55");
  // Without the flags: the container's user (root), no supplementary groups.
  HullResult def = Exec({"cat", "/proc/self/status"});
  ASSERT_EQ(def.code, 0) << Describe(def);
  EXPECT_EQ(StatusField(def.out, "Uid"), "0\t0\t0\t0");
  EXPECT_EQ(StatusField(def.out, "Groups"), "");
}

TEST_F(ExecTest, CapFlagAddsToBoundingEffectivePermittedButNeverInheritable) {
  StartContainer();
  const uint64_t sys_admin = 1ULL << 21;  // CAP_SYS_ADMIN
  const uint64_t kill_cap = 1ULL << 5;    // CAP_KILL, in the default spec
  HullResult def = Exec({"cat", "/proc/self/status"});
  ASSERT_EQ(def.code, 0) << Describe(def);
  EXPECT_EQ(StatusMask(def.out, "CapBnd") & sys_admin, 0u);
  EXPECT_NE(StatusMask(def.out, "CapEff") & kill_cap, 0u);

  HullResult r = Exec({"--cap", "CAP_SYS_ADMIN", "--", "cat", "/proc/self/status"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_NE(StatusMask(r.out, "CapBnd") & sys_admin, 0u);
  EXPECT_NE(StatusMask(r.out, "CapEff") & sys_admin, 0u);
  EXPECT_NE(StatusMask(r.out, "CapPrm") & sys_admin, 0u);
  EXPECT_EQ(StatusMask(r.out, "CapInh") & sys_admin, 0u);  // CVE-2022-29162
  EXPECT_EQ(StatusMask(r.out, "CapInh"), StatusMask(def.out, "CapInh"));
  // The container's own capabilities are kept.
  EXPECT_NE(StatusMask(r.out, "CapEff") & kill_cap, 0u);
}

TEST_F(ExecTest, NoNewPrivsFromConfigAndFlag) {
  spec::Spec s = BaseSpec();
  s.process->no_new_privileges = false;
  StartContainer(s);
  HullResult def = Exec({"cat", "/proc/self/status"});
  ASSERT_EQ(def.code, 0) << Describe(def);
  EXPECT_EQ(StatusField(def.out, "NoNewPrivs"), "0");
  HullResult r = Exec({"--no-new-privs", "--", "cat", "/proc/self/status"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(StatusField(r.out, "NoNewPrivs"), "1");
}

TEST_F(ExecTest, InheritsTheContainerRlimits) {
  struct rlimit own;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &own), 0);
  if (own.rlim_max < 600) GTEST_SKIP() << "hard RLIMIT_NOFILE too low to pick distinct values";
  spec::Spec s = BaseSpec();
  s.process->rlimits = {{"RLIMIT_NOFILE", 600, 321}};
  StartContainer(s);
  HullResult r = Exec({"sh", "-c", "grep 'open files' /proc/self/limits"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  std::vector<std::string> cols = absl::StrSplit(r.out, ' ', absl::SkipWhitespace());
  ASSERT_GE(cols.size(), 5u) << r.out;
  EXPECT_EQ(cols[3], "321");
  EXPECT_EQ(cols[4], "600");
}

TEST_F(ExecTest, ContainerSeccompProfileApplies) {
  spec::Spec s = BaseSpec();
  spec::LinuxSeccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  spec::LinuxSyscall deny;
  deny.names = {"mkdir", "mkdirat"};
  deny.action = "SCMP_ACT_ERRNO";
  deny.errno_ret = EPERM;
  sc.syscalls.push_back(deny);
  s.linux->seccomp = sc;
  StartContainer(s);
  HullResult r = Exec({"sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/x; echo rc=$?"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2"));
  EXPECT_THAT(r.out, HasSubstr("rc=1"));
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  // /tmp is writable otherwise: creating a file (not a directory) works.
  HullResult t = Exec({"sh", "-c", "echo x > /tmp/file && cat /tmp/file"});
  EXPECT_EQ(t.code, 0) << Describe(t);
}

TEST_F(ExecTest, ExitCodesIncludingSignals) {
  StartContainer();
  EXPECT_EQ(Exec({"sh", "-c", "exit 7"}).code, 7);
  EXPECT_EQ(Exec({"true"}).code, 0);
  EXPECT_EQ(Exec({"sh", "-c", "kill -KILL $$"}).code, 128 + SIGKILL);
  EXPECT_EQ(Exec({"sh", "-c", "kill -TERM $$"}).code, 128 + SIGTERM);
}

TEST_F(ExecTest, DetachWritesPidFileOfAProcessInTheContainer) {
  StartContainer();
  pid_t init = InitPid();
  std::string pid_file = Dir() + "/exec.pid";
  HullResult r = Exec({"-d", "--pid-file", pid_file, "--", "sleep", "300"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  auto text = ReadFile(pid_file);
  ASSERT_TRUE(text.ok());
  pid_t pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*text, &pid)) << *text;
  ASSERT_GT(pid, 0);
  auto comm = ReadFile(absl::StrCat("/proc/", pid, "/comm"));
  ASSERT_TRUE(comm.ok());
  EXPECT_EQ(*comm, "sleep\n");
  auto cg = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  auto init_cg = ReadFile(absl::StrCat("/proc/", init, "/cgroup"));
  ASSERT_TRUE(cg.ok() && init_cg.ok());
  EXPECT_EQ(*cg, *init_cg);
  EXPECT_THAT(*cg, HasSubstr(cgroup_rel_));
  EXPECT_EQ(HostReadlink(absl::StrCat("/proc/", pid, "/ns/pid")),
            HostReadlink(absl::StrCat("/proc/", init, "/ns/pid")));
  // `ps` of the container lists it.
  HullResult ps = Hull({"ps", "--format", "json", id_});
  EXPECT_THAT(ps.out, HasSubstr(std::to_string(pid)));
}

TEST_F(ExecTest, ProcessFileReplacesTheWholeProcess) {
  StartContainer();
  std::string file = Dir() + "/process.json";
  ASSERT_TRUE(WriteFileAtomic(file, R"({
    "args": ["sh", "-c", "echo $GREETING; pwd; id -u; id -g"],
    "env": ["PATH=/bin", "GREETING=from-file"],
    "cwd": "/tmp",
    "user": {"uid": 123, "gid": 456}
  })")
                  .ok());
  // -e is ignored with --process, as in runc.
  HullResult r = Exec({"--process", file, "-e", "GREETING=flag", "--"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(r.out, "from-file\n/tmp\n123\n456\n");
}

TEST_F(ExecTest, ProcessFileWithTerminalNeedsConsoleSocketWhenDetached) {
  StartContainer();
  std::string file = Dir() + "/process.json";
  ASSERT_TRUE(WriteFileAtomic(file, R"({"terminal": true, "args": ["true"], "cwd": "/"})").ok());
  HullResult r = Exec({"-d", "-p", file, "--"});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err,
              HasSubstr("cannot allocate tty if runc will detach without setting console socket"));
}

// A console-socket listener as containerd runs one: accept, receive the master.
class ConsoleServer {
 public:
  explicit ConsoleServer(std::string path) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    unlink(path_.c_str());
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 1) == 0;
  }
  ~ConsoleServer() {
    close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  absl::StatusOr<linux::ReceivedFd> Receive(int timeout_ms) {
    struct pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return absl::DeadlineExceededError("no connection");
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return absl::InternalError("accept");
    UniqueFd conn(c);
    return linux::RecvFdWithName(conn.get());
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

// Reads from fd until `want` shows up or the deadline passes; returns everything read.
std::string ReadUntil(int fd, const std::string& want, int timeout_ms) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST_F(ExecTest, TtyWithConsoleSocketSendsTheMaster) {
  StartContainer();
  ConsoleServer server(Dir() + "/console.sock");
  ASSERT_TRUE(server.ok());
  auto exec = std::async(std::launch::async, [&] {
    return Exec({"-d", "-t", "--console-socket", Dir() + "/console.sock", "--", "sh"});
  });
  auto received = server.Receive(30000);
  HullResult r = exec.get();
  ASSERT_EQ(r.code, 0) << Describe(r);
  ASSERT_TRUE(received.ok()) << received.status();
  int master = received->fd.get();
  const std::string cmd = "tty; echo answer-$((6*7)); exit\n";
  ASSERT_EQ(write(master, cmd.data(), cmd.size()), static_cast<ssize_t>(cmd.size()));
  std::string out = ReadUntil(master, "answer-42", 10000);
  EXPECT_THAT(out, HasSubstr("answer-42"));
  EXPECT_THAT(out, HasSubstr("/dev/pts/"));
}

TEST_F(ExecTest, TtyInTheForegroundRelaysThroughTheCallersTerminal) {
  StartContainer();
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  UniqueFd m(master), s(slave);
  HullOptions ro;
  ro.stdin_fd = slave;
  ro.stdout_fd = slave;
  auto exec = std::async(std::launch::async, [&] {
    return Exec({"-t", "--", "sh", "-c", "tty; echo fg-$((2+3)); exit 3"}, ro);
  });
  std::string out = ReadUntil(master, "fg-5", 30000);
  HullResult r = exec.get();
  EXPECT_EQ(r.code, 3) << Describe(r) << "\nterminal: " << out;
  EXPECT_THAT(out, HasSubstr("fg-5"));
  EXPECT_THAT(out, HasSubstr("/dev/pts/"));
}

TEST_F(ExecTest, RefusesAStoppedContainer) {
  spec::Spec s = BaseSpec();
  s.process->args = {"true"};
  StartContainer(s);
  for (int i = 0; i < 100 && Status() != "stopped"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(Status(), "stopped");
  HullResult r = Exec({"true"});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("exec failed: cannot exec in a stopped container"));
}

TEST_F(ExecTest, RefusesAPausedContainerUnlessIgnorePaused) {
  StartContainer();
  HullResult p = Hull({"pause", id_});
  ASSERT_EQ(p.code, 0) << Describe(p);
  HullResult r = Exec({"true"});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err,
              HasSubstr("cannot exec in a paused container (use --ignore-paused to override)"));

  // With --ignore-paused the process joins the frozen cgroup and runs once resumed.
  auto exec = std::async(std::launch::async, [&] {
    return Exec({"--ignore-paused", "--", "echo", "after-resume"});
  });
  EXPECT_EQ(exec.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout)
      << "exec finished inside a paused container";
  HullResult res = Hull({"resume", id_});
  ASSERT_EQ(res.code, 0) << Describe(res);
  HullResult e = exec.get();
  EXPECT_EQ(e.code, 0) << Describe(e);
  EXPECT_EQ(e.out, "after-resume\n");
}

TEST_F(ExecTest, MissingBinaryFailsLikeRunc) {
  StartContainer();
  // With --log the error goes to the file and stderr gets the plain line runc prints.
  std::string log = Dir() + "/hull.log";
  HullResult r = Hull({"--log", log, "exec", id_, "nope"});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("exec failed: unable to start container process: exec: \"nope\": "
                               "executable file not found in $PATH\n"));
  HullResult abs = Exec({"/bin/nope"});
  EXPECT_EQ(abs.code, 255) << Describe(abs);
  EXPECT_THAT(abs.err, HasSubstr("/bin/nope"));
  // The container is unharmed.
  EXPECT_EQ(Exec({"true"}).code, 0);
}

TEST_F(ExecTest, MissingContainer) {
  HullResult r = Hull({"exec", id_ + "-absent", "true"});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("container does not exist"));
}

TEST_F(ExecTest, NoFdLeaksIntoTheProcess) {
  StartContainer();
  // An fd our caller leaked (not CLOEXEC) must not reach the container either.
  int leak = open("/dev/null", O_RDONLY);
  ASSERT_GE(leak, 0);
  HullOptions ro;
  ro.extra_fds = {leak};
  HullResult r = Exec({"ls", "/proc/self/fd"}, ro);
  close(leak);
  ASSERT_EQ(r.code, 0) << Describe(r);
  // 0 1 2 and the directory fd ls itself opened.
  EXPECT_EQ(Lines(r.out), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST_F(ExecTest, PreserveFdsPassesExactlyThatMany) {
  StartContainer();
  int a = open("/dev/null", O_RDONLY);
  int b = open("/dev/null", O_RDONLY);
  HullOptions ro;
  ro.extra_fds = {a, b};
  HullResult r = Exec({"--preserve-fds", "1", "--", "ls", "/proc/self/fd"}, ro);
  close(a);
  close(b);
  ASSERT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(Lines(r.out), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST_F(ExecTest, TwentyConcurrentExecs) {
  StartContainer();
  std::vector<std::future<HullResult>> runs;
  for (int i = 0; i < 20; ++i) {
    runs.push_back(std::async(std::launch::async, [this, i] {
      return Exec({"sh", "-c", "echo $0 $(cat /proc/1/comm)", std::to_string(i)});
    }));
  }
  for (int i = 0; i < 20; ++i) {
    HullResult r = runs[i].get();
    EXPECT_EQ(r.code, 0) << i << ": " << Describe(r);
    EXPECT_EQ(r.out, absl::StrCat(i, " sleep\n"));
  }
  EXPECT_EQ(Status(), "running");
}

TEST_F(ExecTest, CgroupFlagPutsTheProcessInASubCgroup) {
  struct stat st;
  std::string hierarchy = "/sys/fs/cgroup/pids";
  if (stat(hierarchy.c_str(), &st) != 0 || stat("/sys/fs/cgroup/pids/cgroup.procs", &st) != 0) {
    GTEST_SKIP() << "no v1 pids hierarchy on this host";
  }
  StartContainer();
  std::string sub = absl::StrCat(hierarchy, cgroup_rel_, "/sub");
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0) << strerror(errno);
  HullResult r = Exec({"--cgroup", "pids:sub", "--", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  bool found = false;
  for (const auto& line : Lines(r.out)) {
    if (absl::StrContains(line, ":pids:")) {
      found = true;
      EXPECT_TRUE(absl::EndsWith(line, "/sub")) << line;
    } else if (absl::StrContains(line, ":memory:")) {
      EXPECT_FALSE(absl::EndsWith(line, "/sub")) << line;
    }
  }
  EXPECT_TRUE(found) << r.out;
  HullResult bad = Exec({"--cgroup", "pids:absent", "--", "true"});
  EXPECT_EQ(bad.code, 255) << Describe(bad);
  HullResult two = Exec({"--cgroup", "a", "--cgroup", "b", "--", "true"});
  EXPECT_EQ(two.code, 255) << Describe(two);
  EXPECT_THAT(two.err, HasSubstr("missing <controller>: prefix"));
}

TEST_F(ExecTest, JoinsTheUserNamespaceFirst) {
  spec::Spec s = BaseSpec();
  s.linux->namespaces.push_back({"user", std::nullopt});
  s.linux->uid_mappings = {{0, 100000, 65536}};
  s.linux->gid_mappings = {{0, 100000, 65536}};
  // Not about exec: on a pure cgroup v2 host, create cannot mount cgroup2 inside a user
  // namespace yet (EPERM; runc falls back to a bind mount), so leave the cgroup mount out.
  s.mounts.erase(std::remove_if(s.mounts.begin(), s.mounts.end(),
                                [](const spec::Mount& m) { return m.type == "cgroup"; }),
                 s.mounts.end());
  StartContainer(s);
  pid_t init = InitPid();
  ASSERT_GT(init, 0);
  HullResult r = Exec({"-u", "1000:1000", "--", "sh", "-c",
                       "cat /proc/self/uid_map; readlink /proc/self/ns/user; id -u"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  std::vector<std::string> map = absl::StrSplit(lines[0], ' ', absl::SkipWhitespace());
  EXPECT_EQ(map, (std::vector<std::string>{"0", "100000", "65536"}));
  EXPECT_EQ(lines[1], HostReadlink(absl::StrCat("/proc/", init, "/ns/user")));
  EXPECT_NE(lines[1], HostReadlink("/proc/self/ns/user"));
  EXPECT_EQ(lines[2], "1000");
  // Seen from the host, uid 1000 of the container is 101000.
  HullResult d = Exec({"-d", "--pid-file", Dir() + "/u.pid", "-u", "1000", "--", "sleep", "100"});
  ASSERT_EQ(d.code, 0) << Describe(d);
  auto pid = ReadFile(Dir() + "/u.pid");
  ASSERT_TRUE(pid.ok());
  auto status = ReadFile(absl::StrCat("/proc/", *pid, "/status"));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(StatusField(*status, "Uid"), "101000\t101000\t101000\t101000");
}

TEST_F(ExecTest, ForwardsSignalsToTheProcess) {
  StartContainer();
  auto p = HullBackground({"exec", id_, "sh", "-c",
                           "trap 'echo got-term; exit 9' TERM; echo ready; "
                           "while true; do sleep 0.1; done"});
  ASSERT_TRUE(p->WaitForOutput("ready", 20000)) << p->err();
  p->Signal(SIGTERM);
  HullResult r = p->Wait(20000);
  EXPECT_EQ(r.code, 9) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("got-term"));
}

TEST_F(ExecTest, WorksInACreatedContainer) {
  spec::Spec s = BaseSpec();
  bundle_->spec() = s;
  bundle_->Write();
  HullResult c = Hull({"create", "--bundle", Dir(), id_});
  ASSERT_EQ(c.code, 0) << Describe(c);
  ASSERT_EQ(Status(), "created");
  HullResult r = Exec({"hostname"});
  EXPECT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(r.out, "hull-exec-test\n");
  EXPECT_EQ(Status(), "created");
}

TEST_F(ExecTest, DeleteForceKillsARunningExec) {
  StartContainer();
  auto p = HullBackground({"exec", id_, "sh", "-c", "echo started; sleep 1000"});
  ASSERT_TRUE(p->WaitForOutput("started", 20000)) << p->err();
  HullResult d = Hull({"delete", "--force", id_});
  EXPECT_EQ(d.code, 0) << Describe(d);
  HullResult r = p->Wait(20000);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 128 + SIGKILL) << Describe(r);
  EXPECT_TRUE(LeftoverCgroups().empty());
}

TEST_F(ExecTest, PidfdSocketReceivesAPidfdOfTheProcess) {
  StartContainer();
  ConsoleServer server(Dir() + "/pidfd.sock");
  ASSERT_TRUE(server.ok());
  auto exec = std::async(std::launch::async, [&] {
    return Exec({"-d", "--pid-file", Dir() + "/p.pid", "--pidfd-socket", Dir() + "/pidfd.sock",
                 "--", "sleep", "100"});
  });
  auto received = server.Receive(30000);
  HullResult r = exec.get();
  ASSERT_EQ(r.code, 0) << Describe(r);
  ASSERT_TRUE(received.ok()) << received.status();
  auto pid = ReadFile(Dir() + "/p.pid");
  ASSERT_TRUE(pid.ok());
  auto fdinfo = ReadFile(absl::StrCat("/proc/self/fdinfo/", received->fd.get()));
  ASSERT_TRUE(fdinfo.ok());
  EXPECT_EQ(StatusField(*fdinfo, "Pid"), *pid);
}

TEST_F(ExecTest, ConsoleSocketNeedsDetachAndTty) {
  StartContainer();
  HullResult fg = Exec({"-t", "--console-socket", Dir() + "/none.sock", "--", "true"});
  EXPECT_EQ(fg.code, 255) << Describe(fg);
  EXPECT_THAT(fg.err,
              HasSubstr("cannot use console socket if runc will not detach or allocate tty"));
  HullResult notty = Exec({"-d", "--console-socket", Dir() + "/none.sock", "--", "true"});
  EXPECT_EQ(notty.code, 255) << Describe(notty);
  HullResult nosock = Exec({"-d", "-t", "--", "true"});
  EXPECT_EQ(nosock.code, 255) << Describe(nosock);
  EXPECT_THAT(nosock.err,
              HasSubstr("cannot allocate tty if runc will detach without setting console socket"));
}

TEST_F(ExecTest, CgroupFlagWithoutControllerUsesTheUnifiedHierarchy) {
  struct stat st;
  std::string unified;
  if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0) {
    unified = "/sys/fs/cgroup";  // pure v2
  } else if (stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0) {
    unified = "/sys/fs/cgroup/unified";  // hybrid
  } else {
    GTEST_SKIP() << "no unified cgroup hierarchy on this host";
  }
  StartContainer();
  std::string sub = absl::StrCat(unified, cgroup_rel_, "/sub");
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0) << sub << ": " << strerror(errno);
  HullResult r = Exec({"--cgroup", "sub", "--", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.code, 0) << Describe(r);
  bool found = false;
  for (const auto& line : Lines(r.out)) {
    if (absl::StartsWith(line, "0::")) {
      found = true;
      EXPECT_TRUE(absl::EndsWith(line, "/sub")) << line;
    }
  }
  EXPECT_TRUE(found) << r.out;
}

// CVE-2019-5736: while the exec'd process is still hull (before execve), no process of the
// container may open /proc/<it>/exe. The process is held during setup by putting it into a
// frozen sub-cgroup (--cgroup), while another exec looks at it from inside the container.
// At this point (before the identity switch) the kernel's capability rules deny the access as
// well, so this checks the property, not specifically exec's PR_SET_DUMPABLE (which covers the
// window after the identity switch, where no test can hold the process).
TEST_F(ExecTest, HullBinaryOfAnExecInSetupIsNotReachableFromInside) {
  struct stat st;
  std::string freezer_dir, freeze_file, frozen, thawed, flag;
  if (stat("/sys/fs/cgroup/freezer/freezer.state", &st) == 0 ||
      stat("/sys/fs/cgroup/freezer/tasks", &st) == 0) {
    freezer_dir = "/sys/fs/cgroup/freezer";
    freeze_file = "freezer.state";
    frozen = "FROZEN";
    thawed = "THAWED";
    flag = "freezer:held";
  } else if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0) {
    freezer_dir = "/sys/fs/cgroup";
    freeze_file = "cgroup.freeze";
    frozen = "1";
    thawed = "0";
    flag = "held";
  } else {
    GTEST_SKIP() << "no freezer on this host";
  }
  StartContainer();
  std::string held = absl::StrCat(freezer_dir, cgroup_rel_, "/held");
  ASSERT_EQ(mkdir(held.c_str(), 0755), 0) << held << ": " << strerror(errno);
  ASSERT_TRUE(WriteExistingFile(held + "/" + freeze_file, frozen).ok());
  struct Thaw {
    std::string file, value;
    ~Thaw() { (void)WriteExistingFile(file, value); }
  } thaw{held + "/" + freeze_file, thawed};

  auto exec = std::async(std::launch::async, [&] {
    return Exec({"--cgroup", flag, "--", "echo", "released"});
  });
  // Wait for the held process to show up in the frozen cgroup.
  pid_t host_pid = 0;
  for (int i = 0; i < 200 && host_pid == 0; ++i) {
    auto procs = ReadFile(held + "/cgroup.procs");
    if (procs.ok() && !procs->empty()) (void)absl::SimpleAtoi(Lines(*procs)[0], &host_pid);
    if (host_pid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(host_pid, 0) << "exec process never reached the frozen cgroup";
  auto status = ReadFile(absl::StrCat("/proc/", host_pid, "/status"));
  ASSERT_TRUE(status.ok());
  std::vector<std::string> nspid =
      absl::StrSplit(StatusField(*status, "NSpid"), '\t', absl::SkipEmpty());
  ASSERT_EQ(nspid.size(), 2u) << StatusField(*status, "NSpid");
  const std::string& inner = nspid[1];

  // From inside: the init (a normal dumpable process) is readable, the held one is not.
  HullResult look =
      Exec({"sh", "-c",
            "readlink /proc/1/exe; echo init=$?; readlink /proc/" + inner +
                "/exe; echo held=$?; cat /proc/" + inner + "/exe > /dev/null; echo open=$?"});
  ASSERT_EQ(look.code, 0) << Describe(look);
  EXPECT_THAT(look.out, HasSubstr("init=0"));
  EXPECT_THAT(look.out, HasSubstr("held=1"));
  EXPECT_THAT(look.out, HasSubstr("open=1"));
  EXPECT_THAT(look.out, ::testing::Not(HasSubstr("hull")));

  ASSERT_TRUE(WriteExistingFile(held + "/" + freeze_file, thawed).ok());
  HullResult r = exec.get();
  EXPECT_EQ(r.code, 0) << Describe(r);
  EXPECT_EQ(r.out, "released\n");
}

TEST_F(ExecTest, EmptyCommandIsRefused) {
  StartContainer();
  HullResult r = Hull({"exec", id_});
  EXPECT_EQ(r.code, 255) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("process args cannot be empty"));
}

}  // namespace
}  // namespace hull::exec_testing
