#include "runtime/linux/process_attrs.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "child_runner.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proc_status.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

using ::hull::linux::testing::ProcCapField;
using ::hull::linux::testing::ProcStatusField;
using ::hull::linux::testing::RunInChild;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Msg(const absl::Status& st) { return std::string(st.message()); }

TEST(ProcessAttrsTest, NoNewPrivilegesShowsInProcStatus) {
  auto outcome = RunInChild([]() -> std::string {
    if (ProcStatusField("NoNewPrivs") != "0") return "already set before the test";
    if (absl::Status st = SetNoNewPrivileges(); !st.ok()) return st.ToString();
    return ProcStatusField("NoNewPrivs") == "1" ? "" : "NoNewPrivs not 1";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(ProcessAttrsTest, OomScoreAdjIsWrittenThroughProcfs) {
  auto outcome = RunInChild([]() -> std::string {
    if (absl::Status st = SetOomScoreAdj(432); !st.ok()) return st.ToString();
    absl::StatusOr<std::string> v = ReadFile("/proc/self/oom_score_adj");
    return v.ok() && *v == "432\n" ? "" : "oom_score_adj is " + v.value_or("?");
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
  EXPECT_FALSE(SetOomScoreAdj(1001).ok());
}

TEST(ProcessAttrsTest, NegativeOomScoreAdjFailsWithoutCapSysResource) {
  if ((ProcCapField("CapEff") >> CAP_SYS_RESOURCE) & 1) {
    GTEST_SKIP() << "this host grants CAP_SYS_RESOURCE";
  }
  auto outcome = RunInChild([]() -> std::string {
    absl::Status st = SetOomScoreAdj(-500);
    return st.ok() ? "" : "ERR:" + Msg(st);
  });
  EXPECT_EQ(outcome.exit_code, 1) << "negative oom_score_adj accepted";
  EXPECT_THAT(outcome.report, HasSubstr("ERR:process.oomScoreAdj: write -500"));
}

TEST(ProcessAttrsTest, VerifiedProcOpenRefusesAFileMountedOverProc) {
  auto outcome = RunInChild([]() -> std::string {
    if (unshare(CLONE_NEWNS) != 0) return "SKIP unshare(CLONE_NEWNS)";
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return "make private";
    // What a malicious container would do: put its own file where the runtime writes.
    char decoy[] = "/tmp/hull-decoyXXXXXX";
    int fd = mkstemp(decoy);
    if (fd < 0) return "mkstemp";
    close(fd);
    std::string target = absl::StrCat("/proc/", getpid(), "/oom_score_adj");
    if (mount(decoy, target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      unlink(decoy);
      return "SKIP bind mount over procfs not allowed here";
    }
    unlink(decoy);
    absl::Status st = SetOomScoreAdj(100);
    if (st.ok()) return "write went through a mount over /proc";
    // And a whole fake /proc is refused too.
    if (mount("tmpfs", "/proc", "tmpfs", 0, nullptr) != 0) return "mount tmpfs on /proc";
    absl::StatusOr<UniqueFd> f = OpenVerifiedProcFile("self/status", O_RDONLY);
    if (f.ok()) return "opened a file under a tmpfs /proc";
    return "ERR:" + Msg(st) + "|" + std::string(f.status().message());
  });
  if (outcome.report.rfind("SKIP", 0) == 0) GTEST_SKIP() << outcome.report;
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.report, HasSubstr("ERR:process.oomScoreAdj: open /proc/self/oom_score_adj: "
                                        "path crosses a mount point"));
  EXPECT_THAT(outcome.report, HasSubstr("/proc is not on procfs"));
}

TEST(ProcessAttrsTest, PersonalityLinux32ChangesUname) {
  spec::LinuxPersonality p;
  p.domain = "LINUX32";
  absl::StatusOr<unsigned long> persona = ResolvePersonality(p);
  ASSERT_TRUE(persona.ok());
  struct utsname host;
  uname(&host);
  if (std::strcmp(host.machine, "x86_64") != 0) GTEST_SKIP() << "checks x86_64 -> i686";
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = SetPersonality(*persona); !st.ok()) return st.ToString();
    int now = personality(0xffffffff);
    if ((now & PER_MASK) != PER_LINUX32) return absl::StrCat("personality ", now);
    struct utsname u;
    uname(&u);
    return std::string(u.machine) == "i686" ? "" : std::string("machine ") + u.machine;
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(ProcessAttrsTest, PersonalityValidation) {
  spec::LinuxPersonality p;
  p.domain = "LINUX";
  EXPECT_EQ(*ResolvePersonality(p), static_cast<unsigned long>(PER_LINUX));
  p.domain = "LINUX64";
  EXPECT_THAT(Msg(ResolvePersonality(p).status()), HasSubstr("linux.personality.domain"));
  p.domain = "LINUX";
  p.flags = {"ADDR_NO_RANDOMIZE"};
  EXPECT_THAT(Msg(ResolvePersonality(p).status()), HasSubstr("linux.personality.flags[0]"));
}

TEST(ProcessAttrsTest, SchedulerValidationFollowsRunc) {
  spec::Scheduler s;
  s.policy = "SCHED_OTHER";
  s.priority = 10;
  EXPECT_THAT(Msg(ResolveScheduler(s).status()), HasSubstr("process.scheduler.priority"));
  s = {};
  s.policy = "SCHED_BATCH";
  s.nice = 20;
  EXPECT_THAT(Msg(ResolveScheduler(s).status()), HasSubstr("process.scheduler.nice"));
  s = {};
  s.policy = "SCHED_FIFO";
  s.runtime = 1000;
  EXPECT_THAT(Msg(ResolveScheduler(s).status()), HasSubstr("runtime/deadline/period"));
  s = {};
  s.policy = "SCHED_FOO";
  EXPECT_THAT(Msg(ResolveScheduler(s).status()), HasSubstr("process.scheduler.policy"));
  s = {};
  s.policy = "SCHED_RR";
  s.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_BOGUS"};
  EXPECT_THAT(Msg(ResolveScheduler(s).status()), HasSubstr("process.scheduler.flags[1]"));
  s = {};
  s.policy = "SCHED_DEADLINE";
  s.runtime = 10000000;
  s.deadline = 20000000;
  s.period = 30000000;
  s.flags = {"SCHED_FLAG_RESET_ON_FORK"};
  absl::StatusOr<SchedulerSettings> ok = ResolveScheduler(s);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->policy, static_cast<uint32_t>(SCHED_DEADLINE));
  EXPECT_EQ(ok->flags, static_cast<uint64_t>(SCHED_FLAG_RESET_ON_FORK));
}

TEST(ProcessAttrsTest, SchedulerIsAppliedWithSchedSetattr) {
  spec::Scheduler s;
  s.policy = "SCHED_BATCH";
  s.nice = 7;
  absl::StatusOr<SchedulerSettings> settings = ResolveScheduler(s);
  ASSERT_TRUE(settings.ok());
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = ApplyScheduler(*settings); !st.ok()) return st.ToString();
    struct {
      uint32_t size, policy;
      uint64_t flags;
      int32_t nice;
      uint32_t priority;
      uint64_t runtime, deadline, period;
      uint32_t util_min, util_max;
    } attr{};
    if (syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) != 0) return "sched_getattr";
    if (attr.policy != SCHED_BATCH || attr.nice != 7) {
      return absl::StrCat("policy ", attr.policy, " nice ", attr.nice);
    }
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(ProcessAttrsTest, IOPriorityIsApplied) {
  spec::LinuxIOPriority p;
  p.class_ = "IOPRIO_CLASS_BE";
  p.priority = 6;
  absl::StatusOr<int> prio = ResolveIOPriority(p);
  ASSERT_TRUE(prio.ok());
  EXPECT_EQ(*prio, (2 << 13) | 6);
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = SetIOPriority(*prio); !st.ok()) return st.ToString();
    long got = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    return got == *prio ? "" : absl::StrCat("ioprio_get ", got);
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
  p.priority = 8;
  EXPECT_THAT(Msg(ResolveIOPriority(p).status()), HasSubstr("process.ioPriority.priority"));
  p.priority = 0;
  p.class_ = "IOPRIO_CLASS_NONE";
  EXPECT_THAT(Msg(ResolveIOPriority(p).status()), HasSubstr("process.ioPriority.class"));
}

TEST(ProcessAttrsTest, CpuListsParse) {
  EXPECT_THAT(*ParseCpuList("0-3,7"), ElementsAre(0, 1, 2, 3, 7));
  EXPECT_THAT(*ParseCpuList("5,1-2,2"), ElementsAre(1, 2, 5));
  EXPECT_THAT(*ParseCpuList(" 4 "), ElementsAre(4));
  for (const char* bad : {"", "3-1", "a", "1,,2", "-1", "1-", "0-99999999", "1-2-3"}) {
    EXPECT_FALSE(ParseCpuList(bad).ok()) << bad;
  }
  EXPECT_THAT(Msg(ParseCpuList("0-3,x").status()), HasSubstr("invalid CPU list \"0-3,x\""));
}

TEST(ProcessAttrsTest, FinalCpuAffinityIsApplied) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) last = c;
  }
  ASSERT_GE(last, 0);
  spec::CPUAffinity a;
  a.final = absl::StrCat(last);
  absl::StatusOr<ExecCpuAffinity> aff = ResolveExecCpuAffinity(a);
  ASSERT_TRUE(aff.ok());
  EXPECT_TRUE(aff->initial.empty());
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = ApplyFinalCpuAffinity(*aff); !st.ok()) return st.ToString();
    cpu_set_t now;
    sched_getaffinity(0, sizeof(now), &now);
    return CPU_COUNT(&now) == 1 && CPU_ISSET(last, &now) ? "" : "affinity not applied";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(ProcessAttrsTest, InitialCpuAffinityIsAppliedToAnotherProcess) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int first = -1;
  for (int c = 0; c < CPU_SETSIZE && first < 0; ++c) {
    if (CPU_ISSET(c, &allowed)) first = c;
  }
  spec::CPUAffinity a;
  a.initial = absl::StrCat(first);
  absl::StatusOr<ExecCpuAffinity> aff = ResolveExecCpuAffinity(a);
  ASSERT_TRUE(aff.ok());
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(go[1]);
    char c;
    (void)read(go[0], &c, 1);
    cpu_set_t now;
    sched_getaffinity(0, sizeof(now), &now);
    _exit(CPU_COUNT(&now) == 1 && CPU_ISSET(first, &now) ? 0 : 1);
  }
  close(go[0]);
  absl::Status st = ApplyInitialCpuAffinity(pid, *aff);
  close(go[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // An impossible CPU is the kernel's EINVAL, reported with the field.
  ExecCpuAffinity impossible;
  impossible.final = {60000};
  EXPECT_THAT(Msg(ApplyFinalCpuAffinity(impossible)), HasSubstr("process.execCPUAffinity.final"));
}

TEST(ProcessAttrsTest, HostnameAndDomainnameInANewUtsNamespace) {
  auto outcome = RunInChild([]() -> std::string {
    if (unshare(CLONE_NEWUTS) != 0) return "unshare(CLONE_NEWUTS)";
    if (absl::Status st = SetHostname("hull-test-host"); !st.ok()) return st.ToString();
    if (absl::Status st = SetDomainname("hull.example"); !st.ok()) return st.ToString();
    struct utsname u;
    uname(&u);
    if (std::string(u.nodename) != "hull-test-host") return std::string("nodename ") + u.nodename;
    if (std::string(u.domainname) != "hull.example") return std::string("domain ") + u.domainname;
    absl::Status too_long = SetHostname(std::string(100, 'x'));  // longer than HOST_NAME_MAX
    if (too_long.ok()) return "100-byte hostname accepted";
    if (std::string(too_long.message()).rfind("hostname: sethostname", 0) != 0) {
      return "error does not name the field: " + too_long.ToString();
    }
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

}  // namespace
}  // namespace hull::linux
