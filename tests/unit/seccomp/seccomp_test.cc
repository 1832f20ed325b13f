// Seccomp: every test compiles a real profile and loads it into a forked child, which reports
// what the kernel did through its exit status (0 = all checks passed, N = check N failed).
#include "runtime/linux/seccomp.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/json.h"

namespace hull::linux {
namespace {

using ::testing::HasSubstr;

spec::LinuxSyscall Rule(std::vector<std::string> names, std::string action,
                        std::optional<uint32_t> errno_ret = std::nullopt,
                        std::vector<spec::LinuxSeccompArg> args = {}) {
  spec::LinuxSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.errno_ret = errno_ret;
  s.args = std::move(args);
  return s;
}

spec::LinuxSeccompArg Arg(uint32_t index, std::string op, uint64_t value,
                          std::optional<uint64_t> value_two = std::nullopt) {
  spec::LinuxSeccompArg a;
  a.index = index;
  a.op = std::move(op);
  a.value = value;
  a.value_two = value_two;
  return a;
}

// The syscalls a forked child needs to report back and exit; allow-lists must include them.
std::vector<std::string> ChildEssentials() {
  std::vector<std::string> names = {
      "exit_group",     "exit",  "rt_sigreturn", "write",   "getpid", "gettid", "tgkill",
      "rt_sigprocmask", "futex", "munmap",       "madvise", "brk",    "mmap"};
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer runtimes make their own syscalls in the child (HULL_SANITIZE builds).
  for (const char* n : {"sigaltstack", "mprotect", "prctl", "openat", "read", "close", "fstat",
                        "newfstatat", "readlink", "sched_yield", "rt_sigaction", "prlimit64",
                        "getrlimit", "clock_gettime", "nanosleep", "sched_getaffinity"}) {
    names.push_back(n);
  }
#endif
  return names;
}

// Forks, loads `program` in the child and runs `body` there; `body` returns the exit code.
// Returns the raw wait status.
int RunFiltered(const SeccompProgram& program, const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    // SIGSYS kills dump core by default; keep the host's core handler out of it.
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    int listener = -1;
    if (LoadSeccompRaw(program, &listener) != 0) _exit(200);
    _exit(body());
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Asserts the child exited 0 and otherwise says which check failed.
void ExpectPassed(int status) {
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal "
                                 << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child check #" << WEXITSTATUS(status) << " failed"
                                    << (WEXITSTATUS(status) == 200 ? " (load failed)" : "");
}

// syscall() result as -errno or the value.
long Sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
  long rc = syscall(nr, a, b, c, d, e);
  return rc < 0 ? -errno : rc;
}

TEST(SeccompTest, DockerLikeDenyListReturnsEpermAndAllowsTheRest) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.syscalls = {Rule({"unshare", "mount", "keyctl"}, "SCMP_ACT_ERRNO")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    // As root these would succeed without the filter.
    if (Sys(SYS_unshare, CLONE_NEWUTS) != -EPERM) return 1;
    if (Sys(SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0) != -EPERM) return 2;
    if (Sys(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3, 0) != -EPERM) return 3;
    if (Sys(SYS_getpid) != getpid()) return 4;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 5;
    char buf[64];
    if (read(fd, buf, sizeof(buf)) <= 0) return 6;
    close(fd);
    return 0;
  }));
}

TEST(SeccompTest, DenyByDefaultAllowListGivesEpermToUnlistedSyscalls) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.architectures = {"SCMP_ARCH_X86_64"};
  std::vector<std::string> allowed = ChildEssentials();
  allowed.push_back("getppid");
  // Like Docker's profile, name something recent so older syscalls are not -ENOSYS-stubbed.
  allowed.push_back("faccessat2");  // 439
  s.syscalls = {Rule(allowed, "SCMP_ACT_ALLOW")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  pid_t parent = getpid();
  ExpectPassed(RunFiltered(*prog, [parent] {
    if (Sys(SYS_getppid) != parent) return 1;
    if (Sys(SYS_unshare, CLONE_NEWUTS) != -EPERM) return 2;
    if (Sys(SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0) != -EPERM) return 3;
    if (Sys(SYS_keyctl, 0, -3, 0) != -EPERM) return 4;
    if (Sys(SYS_getuid) != -EPERM) return 5;
    if (Sys(SYS_clone3, 0, 0) != -EPERM) return 6;  // 435 < 439: not stubbed
    return 0;
  }));
}

TEST(SeccompTest, DockerStyleCloneRulesAllowForkButNotNewNamespaces) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  std::vector<std::string> allowed = ChildEssentials();
  for (const char* name : {"wait4", "set_robust_list", "rseq", "faccessat2"}) {
    allowed.push_back(name);
  }
  constexpr uint64_t kNamespaceFlags = 0x7E020000;  // CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET}
  s.syscalls = {
      Rule(allowed, "SCMP_ACT_ALLOW"),
      // Docker's rule: clone is fine as long as no namespace flag is set.
      Rule({"clone"}, "SCMP_ACT_ALLOW", {}, {Arg(0, "SCMP_CMP_MASKED_EQ", kNamespaceFlags, 0)}),
      // ... and clone3 (whose flags live in memory) gets ENOSYS so libc falls back to clone.
      Rule({"clone3"}, "SCMP_ACT_ERRNO", ENOSYS),
  };
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    pid_t pid = fork();  // glibc tries clone3, gets ENOSYS, falls back to clone
    if (pid < 0) return 1;
    if (pid == 0) _exit(7);
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7) return 2;
    if (Sys(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0) != -EPERM) return 3;
    if (Sys(SYS_clone3, 0, 0) != -ENOSYS) return 4;
    return 0;
  }));
}

TEST(SeccompTest, ErrnoRetAndDefaultErrnoRetAreReturned) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.default_errno_ret = EACCES;
  std::vector<std::string> allowed = ChildEssentials();
  s.syscalls = {Rule(allowed, "SCMP_ACT_ALLOW"), Rule({"getppid"}, "SCMP_ACT_ERRNO", ENOTTY)};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    if (Sys(SYS_getppid) != -ENOTTY) return 1;
    if (Sys(SYS_getuid) != -EACCES) return 2;
    return 0;
  }));
}

struct OperatorCase {
  std::string op;
  uint64_t value;
  std::optional<uint64_t> value_two;
  std::vector<std::pair<long, bool>> probes;  // getpgid(arg) -> matches?
};

TEST(SeccompTest, ArgumentOperatorsMatchExactlyTheirValues) {
  const std::vector<OperatorCase> cases = {
      {"SCMP_CMP_NE", 10, {}, {{5, true}, {10, false}, {15, true}}},
      {"SCMP_CMP_LT", 10, {}, {{5, true}, {10, false}, {15, false}}},
      {"SCMP_CMP_LE", 10, {}, {{5, true}, {10, true}, {15, false}}},
      {"SCMP_CMP_EQ", 10, {}, {{5, false}, {10, true}, {15, false}}},
      {"SCMP_CMP_GE", 10, {}, {{5, false}, {10, true}, {15, true}}},
      {"SCMP_CMP_GT", 10, {}, {{5, false}, {10, false}, {15, true}}},
      // value is the mask, valueTwo the value the masked argument must equal.
      {"SCMP_CMP_MASKED_EQ", 0xf0, 0x10, {{0x10, true}, {0x1f, true}, {0x20, false}, {0, false}}},
  };
  for (const OperatorCase& c : cases) {
    SCOPED_TRACE(c.op);
    spec::LinuxSeccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = {Rule({"getpgid"}, "SCMP_ACT_ERRNO", EDOM, {Arg(0, c.op, c.value, c.value_two)})};
    auto prog = CompileSeccomp(s);
    ASSERT_TRUE(prog.ok()) << prog.status();
    ExpectPassed(RunFiltered(*prog, [&c] {
      int i = 1;
      for (const auto& [arg, matches] : c.probes) {
        if ((Sys(SYS_getpgid, arg) == -EDOM) != matches) return i;
        ++i;
      }
      return 0;
    }));
  }
}

TEST(SeccompTest, ArgsOnDifferentIndexesAreAndedAndOnTheSameIndexOred) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {
      // getpriority(which, who): both conditions must hold.
      Rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
           {Arg(0, "SCMP_CMP_EQ", PRIO_PROCESS), Arg(1, "SCMP_CMP_EQ", 12345)}),
      // Two conditions on getpgid's arg 0: runc turns them into two rules (either matches).
      Rule({"getpgid"}, "SCMP_ACT_ERRNO", EDOM,
           {Arg(0, "SCMP_CMP_EQ", 5), Arg(0, "SCMP_CMP_EQ", 15)}),
  };
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    if (Sys(SYS_getpriority, PRIO_PROCESS, 12345) != -EDOM) return 1;
    if (Sys(SYS_getpriority, PRIO_PROCESS, 0) == -EDOM) return 2;
    if (Sys(SYS_getpriority, PRIO_PGRP, 12345) == -EDOM) return 3;
    if (Sys(SYS_getpgid, 5) != -EDOM) return 4;
    if (Sys(SYS_getpgid, 15) != -EDOM) return 5;
    if (Sys(SYS_getpgid, 10) == -EDOM) return 6;
    return 0;
  }));
}

TEST(SeccompTest, KillProcessKillsTheWholeProcessWithSigsys) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  int status = RunFiltered(*prog, [] {
    // A second thread makes the call: the main thread must die too.
    std::thread t([] { syscall(SYS_getppid); });
    t.join();
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SeccompTest, KillThreadKillsOnlyTheCallingThread) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_KILL")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    std::atomic<bool> returned{false};
    std::thread t([&] {
      syscall(SYS_getppid);
      returned = true;
    });
    t.join();
    return returned ? 1 : 0;
  }));
}

volatile sig_atomic_t g_sigsys_syscall = -1;
volatile sig_atomic_t g_sigsys_code = -1;

void OnSigsys(int, siginfo_t* info, void*) {
  g_sigsys_syscall = info->si_syscall;
  g_sigsys_code = info->si_code;
}

TEST(SeccompTest, TrapDeliversSigsysWithTheSyscallNumber) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_TRAP")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnSigsys;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, nullptr) != 0) return 1;
    syscall(SYS_getppid);
    if (g_sigsys_code != 1 /*SYS_SECCOMP*/) return 2;
    if (g_sigsys_syscall != SYS_getppid) return 3;
    return 0;
  }));
}

TEST(SeccompTest, LogLetsTheSyscallThrough) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  std::vector<std::string> allowed = ChildEssentials();
  s.syscalls = {Rule(allowed, "SCMP_ACT_ALLOW"), Rule({"getppid"}, "SCMP_ACT_LOG")};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  EXPECT_TRUE(prog->flags & SECCOMP_FILTER_FLAG_LOG);
  pid_t parent = getpid();
  ExpectPassed(RunFiltered(*prog, [parent] {
    if (Sys(SYS_getppid) != parent) return 1;  // logged, not denied
    if (Sys(SYS_getuid) != -EPERM) return 2;   // the default still applies elsewhere
    return 0;
  }));
}

// With no auditd, the kernel prints seccomp audit records (type=1326) to the kernel log.
TEST(SeccompTest, LogActionIsAuditedByTheKernel) {
  UniqueFd kmsg(open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!kmsg.valid()) GTEST_SKIP() << "/dev/kmsg not readable: " << strerror(errno);
  lseek(kmsg.get(), 0, SEEK_END);  // only records from now on
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_LOG")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  const std::string want_nr = " syscall=" + std::to_string(SYS_getppid) + " ";
  bool found = false;
  // The kernel rate-limits these printks (10 per 5 s by default) and earlier tests log too, so
  // retry across a rate-limit window before calling it a failure.
  for (int run = 0; run < 3 && !found; ++run) {
    ExpectPassed(RunFiltered(*prog, [] { return Sys(SYS_getppid) > 0 ? 0 : 1; }));
    for (int attempt = 0; attempt < 30 && !found; ++attempt) {
      char buf[8192];
      for (;;) {
        ssize_t n = read(kmsg.get(), buf, sizeof(buf));
        if (n < 0 && errno == EPIPE) continue;  // records overwritten under us: keep going
        if (n <= 0) break;
        std::string rec(buf, static_cast<size_t>(n));
        if (rec.find("type=1326") != std::string::npos && rec.find(want_nr) != std::string::npos &&
            rec.find(" code=0x7ffc0000") != std::string::npos) {
          found = true;
        }
      }
      if (!found) usleep(100000);
    }
  }
  EXPECT_TRUE(found) << "no SECCOMP_RET_LOG audit record for getppid in /dev/kmsg";
}

TEST(SeccompTest, SyscallsAboveTheHighestNamedGetEnosys) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  // Highest named on x86_64: exit_group (231).
  s.syscalls = {Rule(ChildEssentials(), "SCMP_ACT_ALLOW")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    if (Sys(SYS_getuid) != -EPERM) return 1;         // below the max: default action
    if (Sys(SYS_clone3, 0, 0) != -ENOSYS) return 2;  // 435: libcs fall back to clone
    // 458 (listmount) exists in newer kernels but not in libseccomp 2.5.4's table.
    if (Sys(458, 0, 0, 0, 0) != -ENOSYS) return 3;
    return 0;
  }));

  // With a permissive default there is no stub: an unlisted new syscall reaches the kernel.
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO")};
  prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] {
    // clone3(NULL, 0): the kernel itself answers EINVAL (or EFAULT), not the filter.
    long rc = Sys(SYS_clone3, 0, 0);
    return rc == -ENOSYS ? 1 : 0;
  }));
}

TEST(SeccompTest, UnknownSyscallNamesAreSkipped) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"no_such_syscall_hull", "getppid"}, "SCMP_ACT_ERRNO", EDOM)};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ExpectPassed(RunFiltered(*prog, [] { return Sys(SYS_getppid) == -EDOM ? 0 : 1; }));
}

TEST(SeccompTest, TsyncAppliesTheFilterToEveryThread) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO", EDOM)};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  pid_t pid = fork();
  if (pid == 0) {
    std::atomic<int> phase{0};
    long seen = 0;
    // The thread exists before the filter is loaded.
    std::thread t([&] {
      while (phase.load() == 0) {
      }
      seen = Sys(SYS_getppid);
      phase = 2;
    });
    int listener;
    if (LoadSeccompRaw(*prog, &listener) != 0) _exit(200);
    phase = 1;
    t.join();
    _exit(seen == -EDOM ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ExpectPassed(status);
}

TEST(SeccompTest, EverySupportedFlagLoads) {
  for (const std::string& flag : GetSeccompFeatures().supported_flags) {
    SCOPED_TRACE(flag);
    spec::LinuxSeccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.flags = {flag};
    s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO", EDOM)};
    auto prog = CompileSeccomp(s);
    ASSERT_TRUE(prog.ok()) << prog.status();
    ExpectPassed(RunFiltered(*prog, [] { return Sys(SYS_getppid) == -EDOM ? 0 : 1; }));
  }
}

// --- compile-time validation ---

absl::Status CompileError(const spec::LinuxSeccomp& s) { return CompileSeccomp(s).status(); }

TEST(SeccompTest, ErrorsNameTheJsonPath) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO"), Rule({"getpid"}, "SCMP_ACT_ERRNO"),
                Rule({"getuid"}, "SCMP_ACT_ERRNO"), Rule({"getgid"}, "SCMP_ACT_FOO")};
  EXPECT_EQ(CompileError(s).message(),
            "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");

  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ALLOW", EPERM)};
  s.default_action = "SCMP_ACT_ERRNO";
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.syscalls[0].errnoRet"));

  s = {};
  s.default_action = "SCMP_ACT_BOGUS";
  EXPECT_EQ(CompileError(s).message(),
            "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\"");
  s.default_action = "SCMP_ACT_KILL";
  s.default_errno_ret = 1;
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.defaultErrnoRet"));

  s = {};
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  EXPECT_EQ(CompileError(s).message(),
            "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");

  s = {};
  s.default_action = "SCMP_ACT_ALLOW";
  s.flags = {"SECCOMP_FILTER_FLAG_NOPE"};
  EXPECT_EQ(CompileError(s).message(),
            "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"");

  s = {};
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getpgid"}, "SCMP_ACT_ERRNO", {}, {Arg(0, "SCMP_CMP_EQ", 1)}),
                Rule({"getpgid"}, "SCMP_ACT_ERRNO", {}, {Arg(0, "SCMP_CMP_ALMOST", 1)})};
  EXPECT_EQ(CompileError(s).message(),
            "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"");
  s.syscalls = {Rule({"getpgid"}, "SCMP_ACT_ERRNO", {}, {Arg(6, "SCMP_CMP_EQ", 1)})};
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.syscalls[0].args[0].index"));
  s.syscalls = {Rule({}, "SCMP_ACT_ERRNO")};
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.syscalls[0].names"));
}

TEST(SeccompTest, NotifyRulesNeedAListenerAndCannotBeTheDefault) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_NOTIFY";
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.defaultAction"));
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_NOTIFY")};
  EXPECT_THAT(CompileError(s).message(), HasSubstr("linux.seccomp.listenerPath"));
  s.listener_path = "/run/agent.sock";
  s.syscalls = {Rule({"write"}, "SCMP_ACT_NOTIFY")};
  EXPECT_THAT(CompileError(s).message(), HasSubstr("write"));
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_NOTIFY")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  EXPECT_TRUE(prog->uses_notify);
  EXPECT_TRUE(prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

TEST(SeccompTest, ProfileHashTracksTheProgramNotTheListener) {
  spec::LinuxSeccomp a;
  a.default_action = "SCMP_ACT_ERRNO";
  a.syscalls = {Rule({"getppid"}, "SCMP_ACT_ALLOW")};
  spec::LinuxSeccomp b = a;
  EXPECT_EQ(ProfileHash(a), ProfileHash(b));
  EXPECT_EQ(ProfileHash(a).size(), 64u);
  b.syscalls[0].names = {"getpid"};
  EXPECT_NE(ProfileHash(a), ProfileHash(b));
  b = a;
  b.syscalls[0].errno_ret = 1;
  EXPECT_NE(ProfileHash(a), ProfileHash(b));
  b = a;
  b.syscalls[0].args = {Arg(0, "SCMP_CMP_EQ", 1)};
  spec::LinuxSeccomp c = a;
  c.syscalls[0].args = {Arg(0, "SCMP_CMP_EQ", 1, 0)};  // valueTwo 0 vs unset
  EXPECT_NE(ProfileHash(b), ProfileHash(c));
  // Names are length-prefixed: ["ab","c"] and ["a","bc"] differ.
  b = a;
  c = a;
  b.syscalls[0].names = {"ab", "c"};
  c.syscalls[0].names = {"a", "bc"};
  EXPECT_NE(ProfileHash(b), ProfileHash(c));
}

TEST(SeccompTest, SerializedProgramRoundTripsAndStillLoads) {
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO", EDOM)};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  auto back = ParseSeccompProgram(SerializeSeccompProgram(*prog));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->flags, prog->flags);
  EXPECT_EQ(back->uses_notify, prog->uses_notify);
  ASSERT_EQ(back->filter.size(), prog->filter.size());
  ExpectPassed(RunFiltered(*back, [] { return Sys(SYS_getppid) == -EDOM ? 0 : 1; }));
  std::string truncated = SerializeSeccompProgram(*prog);
  truncated.pop_back();
  EXPECT_FALSE(ParseSeccompProgram(truncated).ok());
  EXPECT_FALSE(ParseSeccompProgram("garbage").ok());
}

TEST(SeccompTest, CacheReturnsTheSameProgramAndIgnoresUntrustedEntries) {
  char tmpl[] = "/tmp/hull-seccomp-cache-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/cache";  // created by the cache, 0700
  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO", EDOM)};
  std::string entry = dir + "/" + ProfileHash(s) + ".bpf";

  auto first = CompileSeccompCached(s, dir);
  ASSERT_TRUE(first.ok()) << first.status();
  struct stat st {};
  ASSERT_EQ(stat(entry.c_str(), &st), 0) << "no cache entry written";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = CompileSeccompCached(s, dir);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(SerializeSeccompProgram(*second), SerializeSeccompProgram(*first));
  ExpectPassed(RunFiltered(*second, [] { return Sys(SYS_getppid) == -EDOM ? 0 : 1; }));

  // A corrupt entry is recompiled (and rewritten), not loaded.
  ASSERT_TRUE(WriteFileAtomic(entry, "HULLBPF1 garbage", 0600).ok());
  auto third = CompileSeccompCached(s, dir);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(SerializeSeccompProgram(*third), SerializeSeccompProgram(*first));

  // A world-writable entry is not trusted: plant an allow-all program under this profile's key.
  spec::LinuxSeccomp allow_all;
  allow_all.default_action = "SCMP_ACT_ALLOW";
  auto weak = CompileSeccomp(allow_all);
  ASSERT_TRUE(weak.ok());
  ASSERT_TRUE(WriteFileAtomic(entry, SerializeSeccompProgram(*weak), 0666).ok());
  chmod(entry.c_str(), 0666);
  auto fourth = CompileSeccompCached(s, dir);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  ExpectPassed(RunFiltered(*fourth, [] { return Sys(SYS_getppid) == -EDOM ? 0 : 1; }));
  std::system((std::string("rm -rf ") + tmpl).c_str());
}

TEST(SeccompTest, FeaturesListWhatThisBuildRecognizes) {
  SeccompFeatures f = GetSeccompFeatures();
  EXPECT_TRUE(f.enabled);
  EXPECT_THAT(f.actions, ::testing::IsSupersetOf({"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                                                  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_NOTIFY"}));
  EXPECT_EQ(f.operators.size(), 7u);
  EXPECT_THAT(f.archs, ::testing::Contains("SCMP_ARCH_X86_64"));
  EXPECT_THAT(f.known_flags, ::testing::Contains("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  // Every supported flag is known, and each one the kernel claims is really loadable.
  for (const std::string& flag : f.supported_flags) {
    EXPECT_THAT(f.known_flags, ::testing::Contains(flag));
  }
  EXPECT_THAT(f.supported_flags, ::testing::Contains("SECCOMP_FILTER_FLAG_LOG"));
  EXPECT_FALSE(LibseccompVersion().empty());

  spec::features::Seccomp as_spec = GetSeccompFeaturesSpec();
  EXPECT_EQ(as_spec.enabled, std::optional<bool>(true));
  EXPECT_EQ(as_spec.actions, f.actions);
  EXPECT_EQ(as_spec.archs, f.archs);
  EXPECT_EQ(as_spec.supported_flags, f.supported_flags);
}

// --- NOTIFY with a real agent over a unix socket ---

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hull-seccomp-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SeccompTest, NotifyListenerIsSentToTheAgentWhichAnswersTheSyscall) {
  TempDir dir;
  std::string sock_path = dir.path() + "/agent.sock";
  UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(server.valid());
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, sock_path.c_str());
  ASSERT_EQ(bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(server.get(), 1), 0);

  spec::LinuxSeccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.listener_path = sock_path;
  s.listener_metadata = "MKNOD=/dev/null;\"quoted\"";
  s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  s.syscalls = {Rule({"getppid"}, "SCMP_ACT_NOTIFY")};
  auto prog = CompileSeccomp(s);
  ASSERT_TRUE(prog.ok()) << prog.status();
  ASSERT_TRUE(prog->uses_notify);

  const std::string state =
      R"({"ociVersion":"1.3.0","id":"ctr1","status":"creating","pid":1,"bundle":"/b"})";
  pid_t child = fork();
  if (child == 0) {
    auto listener = LoadSeccomp(*prog);
    if (!listener.ok() || !listener->valid()) _exit(10);
    // In hull the runtime sends it; here the child plays both roles.
    if (!SendSeccompListener(sock_path, listener->get(),
                             BuildContainerProcessState(getpid(), *s.listener_metadata, state))
             .ok()) {
      _exit(11);
    }
    listener->reset();
    _exit(syscall(SYS_getppid) == 4242 ? 0 : 12);  // answered by the agent
  }

  auto fail = [&](const std::string& why) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    FAIL() << why;
  };
  pollfd pfd{server.get(), POLLIN, 0};
  if (poll(&pfd, 1, 10000) != 1) return fail("agent: no connection");
  UniqueFd conn(accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn.valid()) return fail("accept");

  // Read the whole message (until the runtime closes), collecting the fd from the first part.
  std::string payload;
  UniqueFd notify_fd;
  for (;;) {
    char buf[4096];
    iovec iov{buf, sizeof(buf)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return fail("recvmsg");
    if (n == 0) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        if (notify_fd.valid() || c->cmsg_len != CMSG_LEN(sizeof(int))) {
          return fail("more than one fd sent");
        }
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        notify_fd.reset(fd);
      }
    }
    payload.append(buf, static_cast<size_t>(n));
  }
  if (!notify_fd.valid()) return fail("no fd received");

  auto doc = json::Parse(payload);
  if (!doc.ok()) return fail("state JSON: " + std::string(doc.status().message()) + payload);
  ASSERT_TRUE(doc->is_object());
  ASSERT_NE(doc->Find("ociVersion"), nullptr);
  EXPECT_EQ(doc->Find("ociVersion")->as_string(), "1.3.0");
  ASSERT_NE(doc->Find("fds"), nullptr);
  ASSERT_EQ(doc->Find("fds")->as_array().size(), 1u);
  EXPECT_EQ(doc->Find("fds")->as_array()[0].as_string(), "seccompFd");
  ASSERT_NE(doc->Find("pid"), nullptr);
  EXPECT_EQ(doc->Find("pid")->as_int64(), child);
  ASSERT_NE(doc->Find("metadata"), nullptr);
  EXPECT_EQ(doc->Find("metadata")->as_string(), *s.listener_metadata);
  ASSERT_NE(doc->Find("state"), nullptr);
  ASSERT_NE(doc->Find("state")->Find("id"), nullptr);
  EXPECT_EQ(doc->Find("state")->Find("id")->as_string(), "ctr1");

  // Answer the intercepted getppid.
  pollfd npfd{notify_fd.get(), POLLIN, 0};
  if (poll(&npfd, 1, 10000) != 1) return fail("no notification");
  seccomp_notif req{};
  if (ioctl(notify_fd.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return fail("NOTIF_RECV");
  EXPECT_EQ(req.data.nr, SYS_getppid);
  EXPECT_EQ(static_cast<pid_t>(req.pid), child);
  seccomp_notif_resp resp{};
  resp.id = req.id;
  resp.val = 4242;
  if (ioctl(notify_fd.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) return fail("NOTIF_SEND");

  int status = 0;
  waitpid(child, &status, 0);
  ExpectPassed(status);
}

TEST(SeccompTest, ContainerProcessStateOmitsEmptyMetadataAndEscapes) {
  auto doc = json::Parse(BuildContainerProcessState(7, "", R"({"id":"x"})"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->Find("metadata"), nullptr);
  EXPECT_EQ(doc->Find("pid")->as_int64(), 7);
  doc = json::Parse(BuildContainerProcessState(7, "a\"b\\c\n\x01", R"({"id":"x"})"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->Find("metadata")->as_string(), "a\"b\\c\n\x01");
}

TEST(SeccompTest, SendSeccompListenerReachesSocketsWithPathsLongerThanSunPath) {
  TempDir dir;
  std::string deep = dir.path() + "/" + std::string(100, 'd');
  ASSERT_EQ(mkdir(deep.c_str(), 0700), 0);
  std::string sock_path = deep + "/agent.sock";
  ASSERT_GT(sock_path.size(), sizeof(sockaddr_un::sun_path));
  // Bind through an O_PATH handle on the directory, the same trick the sender uses.
  UniqueFd dfd(open(deep.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dfd.valid());
  UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/agent.sock", dfd.get());
  ASSERT_EQ(bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
      << strerror(errno);
  ASSERT_EQ(listen(server.get(), 1), 0);

  UniqueFd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const std::string payload = BuildContainerProcessState(1, "", R"({"id":"long"})");
  ASSERT_TRUE(SendSeccompListener(sock_path, devnull.get(), payload).ok());
  UniqueFd conn(accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn.valid());
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = recv(conn.get(), buf, sizeof(buf), 0)) > 0) got.append(buf, n);
  EXPECT_EQ(got, payload);
}

TEST(SeccompTest, SendSeccompListenerFailsWithoutAnAgent) {
  TempDir dir;
  absl::Status st = SendSeccompListener(dir.path() + "/missing.sock", 0, "{}");
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("missing.sock"));
}

}  // namespace
}  // namespace hull::linux
