// process.apparmorProfile and `hull exec --apparmor` against a real AppArmor kernel.
//
// Most hosts hull is developed on have no AppArmor; the cgroup v2 QEMU guest (tests/vm/) boots
// a Debian kernel with AppArmor enabled and securityfs mounted, and runs this binary. Each test
// SKIPs with the reason when AppArmor (or apparmor_parser) is missing, except the one that checks
// the refusal on a host without AppArmor.
//
// The suite loads one profile, "hull-test-<pid>", that allows everything except reading
// /hull-aa-denied, so confinement is observable from inside a busybox container: the name in
// /proc/self/attr/current, and `cat` of that one file failing while its neighbour reads fine.
// The profile is unloaded (apparmor_parser -R) when the suite ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "spec/config.h"
#include "spec/json.h"
#include "tests/support/bundle.h"
#include "tests/support/hull_runner.h"
#include "tests/support/leak_check.h"

namespace hull::apparmor_test {
namespace {

using ::hull::testing::Bundle;
using ::hull::testing::FindLeftovers;
using ::hull::testing::HullResult;
using ::hull::testing::HullTest;
using ::hull::testing::Leftovers;
using ::hull::testing::ReadTestFile;
using ::hull::testing::TempDir;
using ::hull::testing::WriteTestFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDeniedFile[] = "/hull-aa-denied";
constexpr char kAllowedFile[] = "/hull-aa-allowed";

std::string Describe(const HullResult& r) {
  return absl::StrCat("exit ", r.code, "\nstdout: ", r.out, "\nstderr: ", r.err);
}

bool AppArmorEnabled() {
  return absl::StripAsciiWhitespace(ReadTestFile("/sys/module/apparmor/parameters/enabled")) == "Y";
}

std::string ParserPath() {
  for (const char* p : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// Runs a shell command line; output (stdout+stderr) in *out, exit status returned.
int Shell(const std::string& cmd, std::string* out) {
  out->clear();
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  int st = pclose(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// The suite's profile: loaded once per test process, unloaded in TearDownTestSuite.
struct LoadedProfile {
  std::string name;
  std::string file;   // the profile source, kept for apparmor_parser -R
  std::string error;  // why it could not be loaded ("" when loaded)
};

class AppArmorTest : public HullTest {
 protected:
  static std::optional<LoadedProfile>& Profile() {
    static std::optional<LoadedProfile> p;
    return p;
  }
  static std::optional<TempDir>& ProfileDir() {
    static std::optional<TempDir> d;
    return d;
  }

  // Loads the test profile (once). Returns "" or the reason it cannot be used.
  static std::string EnsureProfile() {
    if (Profile()) return Profile()->error;
    LoadedProfile p;
    p.name = absl::StrCat("hull-test-", getpid());
    const std::string parser = ParserPath();
    if (parser.empty()) {
      p.error = "apparmor_parser not installed (Debian package apparmor)";
    } else if (access("/sys/kernel/security/apparmor/.replace", W_OK) != 0) {
      p.error = "securityfs not mounted at /sys/kernel/security (apparmor_parser cannot load)";
    } else {
      ProfileDir().emplace("hull-aa");
      p.file = ProfileDir()->path() + "/profile";
      // attach_disconnected, as container profiles carry it (docker-default): a file whose path
      // is disconnected from the container's root (opened before pivot_root) is mediated as if
      // attached instead of being refused.
      WriteTestFile(p.file, absl::StrCat("profile ", p.name,
                                         " flags=(attach_disconnected,mediate_deleted) {\n"
                                         "  file,\n  capability,\n  network,\n  mount,\n"
                                         "  remount,\n  umount,\n  pivot_root,\n  signal,\n"
                                         "  ptrace,\n  unix,\n  dbus,\n  deny ",
                                         kDeniedFile, " r,\n}\n"));
      std::string out;
      // -K: no cache (the host's /var/cache/apparmor is not ours to fill).
      int rc = Shell(absl::StrCat(parser, " -r -K ", p.file), &out);
      if (rc != 0) {
        p.error = absl::StrCat("apparmor_parser -r failed (exit ", rc, "): ", out);
      } else if (!absl::StrContains(ReadTestFile("/sys/kernel/security/apparmor/profiles"),
                                    p.name + " (enforce)")) {
        p.error = absl::StrCat("profile ", p.name, " not listed as loaded after apparmor_parser");
      }
    }
    Profile() = p;
    return p.error;
  }

  static void TearDownTestSuite() {
    std::optional<LoadedProfile>& p = Profile();
    if (p && p->error.empty()) {
      std::string out;
      int rc = Shell(absl::StrCat(ParserPath(), " -R ", p->file), &out);
      if (rc != 0) ADD_FAILURE() << "apparmor_parser -R " << p->name << ": " << out;
    }
    p.reset();
    ProfileDir().reset();
  }

  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    if (!AppArmorEnabled()) {
      GTEST_SKIP() << "AppArmor is not enabled on this kernel "
                      "(/sys/module/apparmor/parameters/enabled is not Y); the cgroup v2 VM "
                      "(tests/vm/run-cgroup-v2-tests.sh) runs these tests";
    }
    std::string why = EnsureProfile();
    if (!why.empty()) GTEST_SKIP() << why;
  }

  const std::string& ProfileName() { return Profile()->name; }

  // A busybox bundle running `script` with the two probe files in its rootfs.
  Bundle ScriptBundle(const std::string& script) {
    Bundle b = MakeBundle({"sh", "-c", script});
    b.WriteRootfsFile(kDeniedFile, "denied-content\n");
    b.WriteRootfsFile(kAllowedFile, "allowed-content\n");
    return b;
  }

  // Prints the label, then tries both probe files; every line is checked by Confined/Unconfined.
  static std::string ProbeScript() {
    return absl::StrCat("echo label=$(cat /proc/self/attr/current); cat ", kAllowedFile, "; cat ",
                        kDeniedFile, "; echo denied_rc=$?");
  }

  void ExpectConfined(const HullResult& r) {
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("label=", ProfileName(), " (enforce)\n")))
        << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("allowed-content\n")) << Describe(r);
    EXPECT_THAT(r.out, Not(HasSubstr("denied-content"))) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("denied_rc=1\n")) << Describe(r);
    EXPECT_THAT(r.err, HasSubstr("Permission denied")) << Describe(r);
  }
  void ExpectUnconfined(const HullResult& r) {
    EXPECT_THAT(r.out, HasSubstr("label=unconfined\n")) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("allowed-content\n")) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("denied-content\n")) << Describe(r);
    EXPECT_THAT(r.out, HasSubstr("denied_rc=0\n")) << Describe(r);
  }

  // Creates and starts `sleep 1000` from `b` (after Write()); returns the init's pid.
  pid_t StartSleeper(Bundle& b, const std::string& id) {
    b.spec().process->args = {"sleep", "1000"};
    b.Write();
    HullResult c = Hull({"create", "--bundle", b.dir(), id});
    EXPECT_EQ(c.code, 0) << Describe(c);
    HullResult s = Hull({"start", id});
    EXPECT_EQ(s.code, 0) << Describe(s);
    auto st = json::Parse(Hull({"state", id}).out);
    if (!st.ok() || st->Find("pid") == nullptr) return 0;
    return static_cast<pid_t>(st->Find("pid")->as_int64().value_or(0));
  }

  // The AppArmor label of a host pid ("" when unreadable), without the trailing newline.
  static std::string LabelOf(pid_t pid) {
    return std::string(absl::StripTrailingAsciiWhitespace(
        ReadTestFile(absl::StrCat("/proc/", pid, "/attr/apparmor/current"))));
  }
};

TEST_F(AppArmorTest, ProfileConfinesTheContainerProcess) {
  Bundle b = ScriptBundle(ProbeScript());
  b.spec().process->apparmor_profile = ProfileName();
  b.Write();
  HullResult r = Hull({"run", "--bundle", b.dir(), NewId()});
  EXPECT_EQ(r.code, 0) << Describe(r);
  ExpectConfined(r);
}

TEST_F(AppArmorTest, WithoutProfileTheContainerRunsUnconfined) {
  Bundle b = ScriptBundle(ProbeScript());
  HullResult r = Hull({"run", "--bundle", b.dir(), NewId()});
  EXPECT_EQ(r.code, 0) << Describe(r);
  ExpectUnconfined(r);
}

TEST_F(AppArmorTest, ExecApparmorFlagAndProcessFileConfineOnlyTheExecdProcess) {
  Bundle b = ScriptBundle("true");
  std::string id = NewId();
  pid_t init = StartSleeper(b, id);
  ASSERT_GT(init, 0);
  HullResult confined = Hull({"exec", "--apparmor", ProfileName(), id, "sh", "-c", ProbeScript()});
  EXPECT_EQ(confined.code, 0) << Describe(confined);
  ExpectConfined(confined);
  // The container itself, and an exec without the flag, stay unconfined.
  EXPECT_EQ(LabelOf(init), "unconfined");
  HullResult plain = Hull({"exec", id, "sh", "-c", ProbeScript()});
  EXPECT_EQ(plain.code, 0) << Describe(plain);
  ExpectUnconfined(plain);

  // exec --process FILE: the file's apparmorProfile (a process.json made from the bundle's own
  // process, with the probe as args).
  auto config = json::Parse(spec::EmitConfig(b.spec(), true));
  ASSERT_TRUE(config.ok()) << config.status();
  const json::Value* process_in = config->Find("process");
  ASSERT_NE(process_in, nullptr);
  json::Value process = *process_in;
  json::Value args = json::Array{};
  for (const std::string a : {"sh", "-c"}) args.Push(a);
  args.Push(ProbeScript());
  process.Set("args", std::move(args));
  process.Set("apparmorProfile", ProfileName());
  const std::string file = b.dir() + "/process.json";
  WriteTestFile(file, json::Emit(process));
  HullResult from_file = Hull({"exec", "--process", file, id});
  EXPECT_EQ(from_file.code, 0) << Describe(from_file);
  ExpectConfined(from_file);
}

TEST_F(AppArmorTest, ContainerInitAndItsExecsRunUnderTheProfile) {
  // Each test boots containers under TCG in the VM (seconds each): one container serves both
  // checks. The label belongs to the container's process, not to hull: seen from the host too.
  Bundle b = ScriptBundle("true");
  b.spec().process->apparmor_profile = ProfileName();
  std::string id = NewId();
  pid_t init = StartSleeper(b, id);
  ASSERT_GT(init, 0);
  EXPECT_EQ(LabelOf(init), absl::StrCat(ProfileName(), " (enforce)"));
  EXPECT_EQ(LabelOf(getpid()), "unconfined");
  // As runc: an exec without --apparmor runs with the container's process.apparmorProfile.
  HullResult r = Hull({"exec", id, "sh", "-c", ProbeScript()});
  EXPECT_EQ(r.code, 0) << Describe(r);
  ExpectConfined(r);
}

TEST_F(AppArmorTest, ProfileNotLoadedIsAnErrorThatLeavesNothingBehind) {
  const std::string missing = absl::StrCat(ProfileName(), "-not-loaded");
  Bundle b = ScriptBundle("echo must-not-run");
  b.spec().process->apparmor_profile = missing;
  b.Write();
  const std::string cgroup = *b.spec().linux->cgroups_path;
  // `create` only: `run` fails in the same create step (and each container costs seconds in the
  // VM).
  {
    std::string id = NewId();
    HullResult r = Hull({"create", "--bundle", b.dir(), id});
    EXPECT_NE(r.code, 0) << Describe(r);
    EXPECT_THAT(r.out, Not(HasSubstr("must-not-run")));
    EXPECT_THAT(r.err, HasSubstr("process.apparmorProfile")) << Describe(r);
    EXPECT_THAT(r.err, HasSubstr(missing)) << Describe(r);
    EXPECT_THAT(r.err, HasSubstr("not loaded")) << Describe(r);
    Leftovers left = FindLeftovers(root(), id, b.dir(), cgroup);
    EXPECT_TRUE(left.empty()) << "left behind:\n" << left.Describe();
    EXPECT_EQ(StatusOf(id), "");
  }
}

TEST_F(AppArmorTest, ExecWithProfileNotLoadedFailsAndTheContainerKeepsRunning) {
  Bundle b = ScriptBundle("true");
  std::string id = NewId();
  pid_t init = StartSleeper(b, id);
  ASSERT_GT(init, 0);
  const std::string missing = absl::StrCat(ProfileName(), "-not-loaded");
  HullResult r = Hull({"exec", "--apparmor", missing, id, "echo", "must-not-run"});
  EXPECT_NE(r.code, 0) << Describe(r);
  EXPECT_THAT(r.out, Not(HasSubstr("must-not-run")));
  EXPECT_THAT(r.err, HasSubstr("process.apparmorProfile")) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr(missing)) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("not loaded")) << Describe(r);
  EXPECT_EQ(StatusOf(id), "running");
  // Only the init is left in the container: the failed exec's process is gone.
  HullResult ps = Hull({"ps", "--format", "json", id});
  EXPECT_EQ(ps.code, 0) << Describe(ps);
  EXPECT_EQ(absl::StripAsciiWhitespace(ps.out), absl::StrCat("[", init, "]")) << Describe(ps);
}

// Hosts without AppArmor (like most CI hosts): a requested profile is refused, not ignored.
class NoAppArmorTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    if (AppArmorEnabled()) GTEST_SKIP() << "AppArmor is enabled here: AppArmorTest covers it";
  }
};

TEST_F(NoAppArmorTest, RequestedProfileIsRefusedNamingTheField) {
  Bundle b = MakeBundle({"echo", "must-not-run"});
  b.spec().process->apparmor_profile = "hull-test-profile";
  b.Write();
  std::string id = NewId();
  HullResult r = Hull({"run", "--bundle", b.dir(), id});
  EXPECT_NE(r.code, 0) << Describe(r);
  EXPECT_THAT(r.out, Not(HasSubstr("must-not-run")));
  EXPECT_THAT(r.err, HasSubstr("process.apparmorProfile")) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("AppArmor is not enabled")) << Describe(r);
  Leftovers left = FindLeftovers(root(), id, b.dir(), *b.spec().linux->cgroups_path);
  EXPECT_TRUE(left.empty()) << "left behind:\n" << left.Describe();
}

}  // namespace
}  // namespace hull::apparmor_test
