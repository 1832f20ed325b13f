#include "runtime/linux/rlimits.h"

#include <sys/capability.h>
#include <sys/resource.h>

#include "absl/strings/str_cat.h"
#include "child_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

using ::hull::linux::testing::RunInChild;
using ::testing::HasSubstr;

// Clears CAP_SYS_RESOURCE from the effective and permitted sets of the calling process.
int prctl_drop_sys_resource() {
  cap_t caps = cap_get_proc();
  if (caps == nullptr) return -1;
  cap_value_t v = CAP_SYS_RESOURCE;
  int rc = cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
  if (rc == 0) rc = cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR);
  if (rc == 0) rc = cap_set_proc(caps);
  cap_free(caps);
  return rc;
}

TEST(RlimitsTest, UnknownTypeNamesTheField) {
  std::vector<spec::POSIXRlimit> in = {{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_FOO", 1, 1}};
  absl::StatusOr<std::vector<Rlimit>> r = ResolveRlimits(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
}

TEST(RlimitsTest, DuplicateTypeAndSoftAboveHardAreErrors) {
  absl::StatusOr<std::vector<Rlimit>> dup =
      ResolveRlimits({{"RLIMIT_CORE", 0, 0}, {"RLIMIT_CORE", 1, 1}});
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(std::string(dup.status().message()),
              HasSubstr("process.rlimits[1].type: duplicate rlimit \"RLIMIT_CORE\""));
  absl::StatusOr<std::vector<Rlimit>> inverted = ResolveRlimits({{"RLIMIT_NOFILE", 10, 20}});
  ASSERT_FALSE(inverted.ok());
  EXPECT_THAT(std::string(inverted.status().message()), HasSubstr("process.rlimits[0]"));
}

TEST(RlimitsTest, EveryKnownNameResolves) {
  for (const std::string& name : KnownRlimitNames()) {
    EXPECT_TRUE(RlimitFromName(name).ok()) << name;
  }
  EXPECT_EQ(*RlimitFromName("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_FALSE(RlimitFromName("rlimit_nofile").ok());
}

TEST(RlimitsTest, LoweredLimitsAreInForceInTheChild) {
  absl::StatusOr<std::vector<Rlimit>> r =
      ResolveRlimits({{"RLIMIT_NOFILE", 128, 64}, {"RLIMIT_CORE", 0, 0}});
  ASSERT_TRUE(r.ok()) << r.status();
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = ApplyRlimits(*r); !st.ok()) return st.ToString();
    struct rlimit nofile, core;
    getrlimit(RLIMIT_NOFILE, &nofile);
    getrlimit(RLIMIT_CORE, &core);
    if (nofile.rlim_cur != 64 || nofile.rlim_max != 128 || core.rlim_cur != 0 ||
        core.rlim_max != 0) {
      return absl::StrCat("got NOFILE ", nofile.rlim_cur, "/", nofile.rlim_max, " CORE ",
                          core.rlim_cur, "/", core.rlim_max);
    }
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(RlimitsTest, ApplyToAnotherPidWithPrlimit) {
  absl::StatusOr<std::vector<Rlimit>> r = ResolveRlimits({{"RLIMIT_NOFILE", 100, 50}});
  ASSERT_TRUE(r.ok());
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(go[1]);
    char c;
    (void)read(go[0], &c, 1);  // wait until the parent has applied the limits
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    _exit(lim.rlim_cur == 50 && lim.rlim_max == 100 ? 0 : 1);
  }
  close(go[0]);
  absl::Status st = ApplyRlimits(*r, pid);
  close(go[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(RlimitsTest, RaisingTheHardLimitNeedsCapSysResource) {
  struct rlimit cur;
  getrlimit(RLIMIT_NOFILE, &cur);
  if (cur.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "hard NOFILE limit is already unlimited";
  auto outcome = RunInChild([&]() -> std::string {
    // Make sure the capability really is absent (the sandbox lacks it; a full root drops it).
    absl::StatusOr<std::vector<Rlimit>> r =
        ResolveRlimits({{"RLIMIT_NOFILE", cur.rlim_max + 1000, cur.rlim_cur}});
    if (!r.ok()) return r.status().ToString();
    if (prctl_drop_sys_resource() != 0) return "cannot drop CAP_SYS_RESOURCE";
    absl::Status st = ApplyRlimits(*r);
    if (st.ok()) return "raising the hard limit succeeded";
    return std::string("ERR:") + std::string(st.message());
  });
  ASSERT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.report, HasSubstr(absl::StrCat("ERR:process.rlimits[0]: setrlimit "
                                                     "RLIMIT_NOFILE soft=",
                                                     cur.rlim_cur, " hard=", cur.rlim_max + 1000)));
  EXPECT_THAT(outcome.report, HasSubstr("Operation not permitted"));
}

}  // namespace
}  // namespace hull::linux
