#include "runtime/linux/capabilities.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "child_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proc_status.h"
#include "runtime/linux/identity.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

using ::hull::linux::testing::ProcCapField;
using ::hull::linux::testing::RunInChild;
using ::testing::Contains;
using ::testing::HasSubstr;

CapMask M(std::initializer_list<int> caps) {
  CapMask m = 0;
  for (int c : caps) m |= CapMask{1} << c;
  return m;
}

TEST(CapabilitiesTest, NamesComeFromLibcap) {
  EXPECT_EQ(*CapabilityFromName("CAP_CHOWN"), CAP_CHOWN);
  EXPECT_EQ(*CapabilityFromName("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(CapabilityName(CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE");
  EXPECT_FALSE(CapabilityFromName("cap_chown").ok());  // runc wants the canonical spelling
  EXPECT_FALSE(CapabilityFromName("CHOWN").ok());
  EXPECT_FALSE(CapabilityFromName("12").ok());
  std::vector<std::string> all = KnownCapabilityNames();
  EXPECT_THAT(all, Contains("CAP_AUDIT_WRITE"));
  EXPECT_GE(static_cast<int>(all.size()), LastCapability() + 1);
  for (const std::string& n : all) {
    absl::StatusOr<int> v = CapabilityFromName(n);
    // A name libcap knows but this kernel does not is "unavailable", not "unknown".
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition) << n;
      continue;
    }
    EXPECT_EQ(CapabilityName(*v), n);
  }
}

TEST(CapabilitiesTest, UnknownNamesAreWarnedAboutAndIgnoredLikeRunc) {
  spec::LinuxCapabilities in;
  in.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_FOO"};
  in.permitted = {"CAP_CHOWN"};
  absl::StatusOr<CapSets> sets = ResolveCapabilities(in);
  ASSERT_TRUE(sets.ok()) << sets.status();
  EXPECT_EQ(sets->bounding, M({CAP_CHOWN, CAP_KILL}));
  EXPECT_EQ(sets->permitted, M({CAP_CHOWN}));
  ASSERT_EQ(sets->warnings.size(), 1u);
  EXPECT_THAT(sets->warnings[0],
              HasSubstr("process.capabilities.bounding[2]: unknown capability \"CAP_FOO\""));
}

TEST(CapabilitiesTest, MissingCapabilitiesMeanNone) {
  absl::StatusOr<CapSets> sets = ResolveCapabilities(std::optional<spec::LinuxCapabilities>());
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->bounding | sets->permitted | sets->effective | sets->inheritable | sets->ambient,
            0u);
}

TEST(CapabilitiesTest, UngrantableEffectiveAndAmbientAreWarnedAboutAndLeftOut) {
  spec::LinuxCapabilities in;
  in.permitted = {"CAP_CHOWN", "CAP_KILL"};
  in.effective = {"CAP_CHOWN", "CAP_SETUID"};
  in.inheritable = {"CAP_KILL"};
  in.ambient = {"CAP_KILL", "CAP_CHOWN"};
  absl::StatusOr<CapSets> sets = ResolveCapabilities(in);
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->effective, M({CAP_CHOWN}));
  EXPECT_EQ(sets->ambient, M({CAP_KILL}));
  EXPECT_EQ(sets->warnings.size(), 2u) << absl::StrJoin(sets->warnings, "\n");
}

// The scenario of the brief: a non-root user with a small, exact set of capabilities.
TEST(CapabilitiesTest, FinalizeToUid1000KeepsExactlyTheListedSets) {
  spec::Process process;
  process.user.uid = 1000;
  process.user.gid = 1000;
  process.user.additional_gids = {10, 20};
  process.user.umask = 027;
  spec::LinuxCapabilities in;
  in.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  in.permitted = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  in.effective = {"CAP_CHOWN", "CAP_KILL"};
  in.inheritable = {"CAP_NET_BIND_SERVICE"};
  in.ambient = {"CAP_NET_BIND_SERVICE"};
  absl::StatusOr<CapSets> sets = ResolveCapabilities(in);
  ASSERT_TRUE(sets.ok());
  ASSERT_TRUE(sets->warnings.empty());

  auto outcome = RunInChild([&]() -> std::string {
    absl::Status st = FinalizeIdentityAndCapabilities(process, *sets);
    if (!st.ok()) return st.ToString();
    std::string errs;
    auto expect = [&](const char* field, CapMask want) {
      CapMask got = ProcCapField(field);
      if (got != want)
        absl::StrAppend(&errs, field, "=", absl::Hex(got), " want ", absl::Hex(want), "; ");
    };
    expect("CapBnd", M({CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE}));
    expect("CapPrm", M({CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE}));
    expect("CapEff", M({CAP_CHOWN, CAP_KILL}));
    expect("CapInh", M({CAP_NET_BIND_SERVICE}));
    expect("CapAmb", M({CAP_NET_BIND_SERVICE}));
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    if (r != 1000 || e != 1000 || s != 1000)
      absl::StrAppend(&errs, "uids ", r, ",", e, ",", s, "; ");
    gid_t gr, ge, gs;
    getresgid(&gr, &ge, &gs);
    if (gr != 1000 || ge != 1000 || gs != 1000)
      absl::StrAppend(&errs, "gids ", gr, ",", ge, ",", gs, "; ");
    gid_t groups[16];
    int n = getgroups(16, groups);
    std::vector<gid_t> got(groups, groups + std::max(n, 0));
    if (got != std::vector<gid_t>{10, 20})
      absl::StrAppend(&errs, "groups ", absl::StrJoin(got, ","), "; ");
    mode_t old = umask(0);
    if (old != 027) absl::StrAppend(&errs, "umask ", old, "; ");
    // The capabilities must be usable: CAP_CHOWN lets uid 1000 give a file away.
    char path[] = "/tmp/hull-capXXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
      absl::StrAppend(&errs, "mkstemp failed; ");
    } else {
      if (fchown(fd, 4242, 4242) != 0) absl::StrAppend(&errs, "fchown with CAP_CHOWN failed; ");
      close(fd);
      unlink(path);
    }
    return errs;
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

// CVE-2022-29162: the process must not inherit the runtime's inheritable set.
TEST(CapabilitiesTest, InheritableIsEmptyUnlessListed) {
  spec::LinuxCapabilities in;
  in.bounding = {"CAP_CHOWN", "CAP_KILL"};
  in.permitted = {"CAP_CHOWN", "CAP_KILL"};
  in.effective = {"CAP_CHOWN", "CAP_KILL"};
  absl::StatusOr<CapSets> sets = ResolveCapabilities(in);
  ASSERT_TRUE(sets.ok());
  spec::Process process;
  process.user.uid = 1000;
  process.user.gid = 1000;
  auto outcome = RunInChild([&]() -> std::string {
    // Give the "runtime" a full inheritable set first, as a careless parent might.
    cap_t caps = cap_get_proc();
    cap_value_t list[] = {CAP_CHOWN, CAP_KILL, CAP_NET_RAW};
    cap_set_flag(caps, CAP_INHERITABLE, 3, list, CAP_SET);
    if (cap_set_proc(caps) != 0) return "could not set inheritable";
    cap_free(caps);
    if (ProcCapField("CapInh") == 0) return "setup: inheritable still empty";
    absl::Status st = FinalizeIdentityAndCapabilities(process, *sets);
    if (!st.ok()) return st.ToString();
    if (ProcCapField("CapInh") != 0)
      return absl::StrCat("CapInh=", absl::Hex(ProcCapField("CapInh")));
    if (ProcCapField("CapAmb") != 0) return "ambient not empty";
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(CapabilitiesTest, RootKeepsOnlyTheBoundingSetListed) {
  spec::LinuxCapabilities in;
  in.bounding = {"CAP_KILL", "CAP_SETPCAP"};
  in.permitted = {"CAP_KILL", "CAP_SETPCAP"};
  in.effective = {"CAP_KILL"};
  absl::StatusOr<CapSets> sets = ResolveCapabilities(in);
  ASSERT_TRUE(sets.ok());
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = ApplyCapabilities(*sets); !st.ok()) return st.ToString();
    if (ProcCapField("CapBnd") != M({CAP_KILL, CAP_SETPCAP})) return "CapBnd";
    if (ProcCapField("CapPrm") != M({CAP_KILL, CAP_SETPCAP})) return "CapPrm";
    if (ProcCapField("CapEff") != M({CAP_KILL})) return "CapEff";
    if (getuid() != 0) return "uid changed";
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

TEST(CapabilitiesTest, KernelRefusalIsAnErrorNotASkip) {
  // Permitted can only shrink: once CAP_KILL is gone, asking for it again must fail loudly.
  CapSets first;
  first.bounding = first.permitted = first.effective = M({CAP_CHOWN, CAP_SETPCAP});
  CapSets second;
  second.bounding = M({CAP_CHOWN});
  second.permitted = second.effective = M({CAP_CHOWN, CAP_KILL});
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = ApplyCapabilities(first); !st.ok()) return "first: " + st.ToString();
    absl::Status st = SetProcessCapabilities(second);
    if (st.ok()) return "regaining CAP_KILL succeeded";
    return "ERR:" + std::string(st.message());
  });
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.report, HasSubstr("ERR:process.capabilities: capset"));
  EXPECT_THAT(outcome.report, HasSubstr("CAP_KILL"));
  EXPECT_THAT(outcome.report, HasSubstr("Operation not permitted"));
}

TEST(IdentityTest, SetgroupsDeniedSkipsEmptyGroupsAndRejectsRequestedOnes) {
  auto outcome = RunInChild([&]() -> std::string {
    if (unshare(CLONE_NEWUSER) != 0) return "SKIP unshare(CLONE_NEWUSER) failed";
    auto write_file = [](const char* path, const std::string& data) {
      int fd = open(path, O_WRONLY);
      if (fd < 0) return false;
      bool ok = write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
      close(fd);
      return ok;
    };
    if (!write_file("/proc/self/setgroups", "deny")) return "write setgroups";
    if (!write_file("/proc/self/uid_map", "0 0 1")) return "write uid_map";
    if (!write_file("/proc/self/gid_map", "0 0 1")) return "write gid_map";
    absl::StatusOr<bool> denied = SetgroupsDenied();
    if (!denied.ok() || !*denied) return "SetgroupsDenied did not see deny";
    spec::User user;
    if (absl::Status st = SwitchUser(user); !st.ok()) return "empty groups: " + st.ToString();
    user.additional_gids = {5};
    absl::Status st = SwitchUser(user);
    if (st.ok()) return "additional gids accepted with setgroups denied";
    // Only id 0 is mapped: uid 1000 cannot exist in this namespace.
    spec::User unmapped;
    unmapped.uid = 1000;
    absl::Status st2 = SwitchUser(unmapped);
    if (st2.ok()) return "unmapped uid accepted";
    return "ERR:" + std::string(st.message()) + "|" + std::string(st2.message());
  });
  if (outcome.report.rfind("SKIP", 0) == 0) GTEST_SKIP() << outcome.report;
  EXPECT_THAT(outcome.report, HasSubstr("ERR:process.user.additionalGids: cannot set [5]"));
  EXPECT_THAT(
      outcome.report,
      HasSubstr("process.user.uid: setresuid(1000) (uid not mapped in the user namespace)"));
  EXPECT_FALSE(*SetgroupsDenied());
}

TEST(IdentityTest, SwitchUserAloneDropsCapabilities) {
  spec::User user;
  user.uid = 1000;
  user.gid = 1000;
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = SwitchUser(user); !st.ok()) return st.ToString();
    if (ProcCapField("CapEff") != 0 || ProcCapField("CapPrm") != 0) return "caps kept";
    int n = getgroups(0, nullptr);
    if (n != 0) return absl::StrCat(n, " supplementary groups left");
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
}

}  // namespace
}  // namespace hull::linux
