// Hooks: real /bin/sh hooks in a temp dir; they record what they saw into files we read back.
#include "hooks/hooks.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::hooks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-hooks-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A hook running `script` with /bin/sh -c; $0 is "hook", further args follow.
  spec::Hook Sh(const std::string& script, std::vector<std::string> extra = {}) const {
    spec::Hook h;
    h.path = "/bin/sh";
    h.args = {"sh", "-c", script, "hook"};
    h.args.insert(h.args.end(), extra.begin(), extra.end());
    return h;
  }

  std::string Read(const std::string& name) const {
    auto s = ReadFile(Path(name));
    return s.ok() ? *s : "<missing: " + std::string(s.status().message()) + ">";
  }

  std::string dir_;
};

TEST_F(HooksTest, StateIsPassedOnStdin) {
  const std::string state = R"({"ociVersion":"1.3.0","id":"c1","status":"created","pid":42})";
  absl::Status st = RunHook(Sh("cat > \"$1\"", {Path("stdin")}), state);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read("stdin"), state);
}

TEST_F(HooksTest, ArgsAndEnvAreExactlyTheHooks) {
  spec::Hook h;
  h.path = "/bin/sh";
  // argv[0] is whatever the hook says, not the path.
  h.args = {"my-argv0",
            "-c",
            "cat /proc/$$/cmdline > \"$1\"; cat /proc/$$/environ > \"$2\"",
            "zero",
            Path("cmdline"),
            Path("environ")};
  h.env = {"FOO=bar baz", "EMPTY="};
  setenv("HULL_HOOK_TEST_LEAK", "1", 1);  // hull's own environment must not leak
  absl::Status st = RunHook(h, "{}");
  unsetenv("HULL_HOOK_TEST_LEAK");
  ASSERT_TRUE(st.ok()) << st;
  std::string want_cmdline;
  for (const std::string& a : h.args) want_cmdline += a + '\0';
  EXPECT_EQ(Read("cmdline"), want_cmdline);
  EXPECT_EQ(Read("environ"), std::string("FOO=bar baz\0EMPTY=\0", 19));
}

TEST_F(HooksTest, EmptyArgsUseThePathAsArgv0) {
  ASSERT_TRUE(WriteFileAtomic(Path("hook.sh"),
                              "#!/bin/sh\nprintf '%s' \"$0\" > \"$(dirname \"$0\")/argv0\"\n", 0755)
                  .ok());
  spec::Hook h;
  h.path = Path("hook.sh");
  absl::Status st = RunHook(h, "{}");
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read("argv0"), Path("hook.sh"));
}

TEST_F(HooksTest, TimeoutKillsTheHookAndSaysSo) {
  spec::Hook h = Sh("echo $$ > \"$1\"; exec sleep 30", {Path("pid")});
  h.timeout = 1;
  auto start = std::chrono::steady_clock::now();
  absl::Status st = RunHook(h, "{}");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("timeout after 1 seconds"));
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  pid_t pid = std::atoi(Read("pid").c_str());
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0) << "hook still alive";  // killed and reaped
}

TEST_F(HooksTest, NonZeroExitIsReportedWithItsOutput) {
  absl::Status st = RunHook(Sh("echo to-stdout; echo to-stderr >&2; exit 3"), "{}");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(std::string(st.message()), "exit status 3: to-stderr; stdout: to-stdout");
}

TEST_F(HooksTest, DeathBySignalIsReported) {
  absl::Status st = RunHook(Sh("kill -SEGV $$"), "{}");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("terminated by signal SIGSEGV"));
}

TEST_F(HooksTest, HookIgnoringALargeStateDoesNotKillUs) {
  // Far more than a pipe buffer: our write hits EPIPE (SIGPIPE) once the hook has exited.
  std::string state(8 << 20, 'x');
  for (int i = 0; i < 3; ++i) {
    absl::Status st = RunHook(Sh("exit 0"), state);
    EXPECT_TRUE(st.ok()) << st;
    st = RunHook(Sh("head -c 10 > /dev/null"), state);  // reads a little, then leaves
    EXPECT_TRUE(st.ok()) << st;
  }
  // Still alive (SIGPIPE's default action would have killed the test), nothing left pending,
  // and the caller's mask is unchanged.
  sigset_t pending, mask;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGPIPE));
  struct sigaction sa {};
  sigaction(SIGPIPE, nullptr, &sa);
  EXPECT_EQ(sa.sa_handler, SIG_DFL);
}

TEST_F(HooksTest, HugeOutputIsCappedAndDoesNotDeadlock) {
  absl::Status st = RunHook(Sh("head -c 3000000 /dev/zero | tr '\\0' e >&2; exit 1"), "{}");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("[truncated]"));
  EXPECT_LT(st.message().size(), 100u * 1024);
}

TEST_F(HooksTest, BackgroundChildHoldingStdoutDoesNotBlock) {
  auto start = std::chrono::steady_clock::now();
  absl::Status st = RunHook(Sh("sleep 30 & echo $! > \"$1\"; exit 0", {Path("bg")}), "{}");
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  pid_t bg = std::atoi(Read("bg").c_str());
  if (bg > 0) kill(bg, SIGKILL);  // the sleep we started
}

TEST_F(HooksTest, EndlessOutputFromABackgroundChildDoesNotHangUs) {
  auto start = std::chrono::steady_clock::now();
  absl::Status st =
      RunHook(Sh("yes spam & echo $! > \"$1\"; sleep 0.2; exit 0", {Path("bg")}), "{}");
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  pid_t bg = std::atoi(Read("bg").c_str());
  if (bg > 0) kill(bg, SIGKILL);  // the writer we started
}

TEST_F(HooksTest, HooksRunInOrderAndStopAtTheFirstFailure) {
  std::string log = Path("order");
  std::vector<spec::Hook> hooks = {Sh("echo 1 >> \"$1\"", {log}), Sh("echo 2 >> \"$1\"", {log}),
                                   Sh("echo 3 >> \"$1\"", {log})};
  ASSERT_TRUE(RunHooks("poststart", hooks, "{}").ok());
  EXPECT_EQ(Read("order"), "1\n2\n3\n");

  unlink(log.c_str());
  hooks[1] = Sh("echo 2 >> \"$1\"; echo broken >&2; exit 2", {log});
  absl::Status st = RunHooks("createRuntime", hooks, "{}");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(std::string(st.message()), "createRuntime hook[1] /bin/sh: exit status 2: broken");
  EXPECT_EQ(Read("order"), "1\n2\n");
}

TEST_F(HooksTest, RunAllHooksKeepsGoingAndReportsEveryFailure) {
  std::string log = Path("order");
  std::vector<spec::Hook> hooks = {Sh("echo 1 >> \"$1\"; exit 4", {log}),
                                   Sh("echo 2 >> \"$1\"", {log}),
                                   Sh("echo 3 >> \"$1\"; exit 5", {log})};
  std::vector<absl::Status> failures = RunAllHooks("poststop", hooks, "{}");
  EXPECT_EQ(Read("order"), "1\n2\n3\n");
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(std::string(failures[0].message()), "poststop hook[0] /bin/sh: exit status 4");
  EXPECT_EQ(std::string(failures[1].message()), "poststop hook[2] /bin/sh: exit status 5");
}

TEST_F(HooksTest, OnlyStdioIsInherited) {
  // Deliberately leaky fds in this process: no O_CLOEXEC.
  int leaky = open("/dev/null", O_RDONLY);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_GE(leaky, 0);
  // Probe each fd number with stat(2) on /proc/$$/fd/N: listing the directory or redirecting
  // would itself open fds in the shell.
  absl::Status st =
      RunHook(Sh("r=; for i in $(seq 0 1023); do [ -e /proc/$$/fd/$i ] && r=\"$r $i\"; "
                 "done; echo \"$r\" > \"$1\"",
                 {Path("fds")}),
              "{}");
  close(leaky);
  close(p[0]);
  close(p[1]);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read("fds"), " 0 1 2\n");
}

TEST_F(HooksTest, WorksWhenOurStdioIsClosed) {
  // A daemonized runtime may run without fds 0-2: the pipes then get those numbers.
  pid_t pid = fork();
  if (pid == 0) {
    close(0);
    close(1);
    close(2);
    const std::string state = "{\"id\":\"x\"}";
    absl::Status ok = RunHook(Sh("cat > \"$1\"", {Path("stdin")}), state);
    absl::Status fails = RunHook(Sh("echo oops >&2; exit 9"), state);
    absl::Status missing = RunHook(spec::Hook{.path = "/nonexistent"}, state);
    bool good = ok.ok() && std::string(fails.message()) == "exit status 9: oops" &&
                std::string(missing.message()).find("exec /nonexistent") != std::string::npos;
    _exit(good ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Read("stdin"), "{\"id\":\"x\"}");
}

TEST_F(HooksTest, HookStartsWithDefaultSignalsAndAnEmptyMask) {
  // What hull ignores or blocks must not be inherited by the hook. grep replaces the shell (no
  // fork: dash blocks every signal around its forks) and reads its own, inherited, state.
  struct sigaction ignore = {};
  struct sigaction old_int = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  absl::Status st =
      RunHook(Sh("exec grep -E '^Sig(Blk|Ign):' /proc/self/status > \"$1\"", {Path("sigs")}), "{}");
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read("sigs"), "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_F(HooksTest, BadHooksAreRejected) {
  spec::Hook h;
  h.path = "/nonexistent/hook";
  absl::Status st = RunHook(h, "{}");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("exec /nonexistent/hook"));

  h.path = "relative/hook";
  EXPECT_THAT(std::string(RunHook(h, "{}").message()), HasSubstr("must be absolute"));

  h = Sh("exit 0");
  h.timeout = 0;
  EXPECT_THAT(std::string(RunHook(h, "{}").message()), HasSubstr("greater than zero"));

  ASSERT_TRUE(WriteFileAtomic(Path("noexec.sh"), "#!/bin/sh\nexit 0\n", 0644).ok());
  h = spec::Hook{};
  h.path = Path("noexec.sh");
  st = RunHook(h, "{}");
  EXPECT_THAT(std::string(st.message()), HasSubstr("Permission denied"));
}

TEST_F(HooksTest, SuccessfulHookOutputIsNotAnError) {
  absl::Status st = RunHook(Sh("echo chatty; echo noisy >&2; cat > /dev/null"), "{\"a\":1}");
  EXPECT_TRUE(st.ok()) << st;
}

}  // namespace
}  // namespace hull::hooks
