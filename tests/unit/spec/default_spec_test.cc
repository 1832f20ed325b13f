// DefaultSpec must match `runc spec` / `runc spec --rootless` (only ociVersion differs).
#include "spec/default_spec.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::spec {
namespace {

std::string FindRunc() {
  for (const char* p :
       {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// Runs `runc spec [--rootless]` in a fresh directory and returns the config it wrote.
absl::StatusOr<std::string> RuncSpec(const std::string& runc, bool rootless) {
  char tmpl[] = "/tmp/hull-runc-spec-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp");
  std::string dir = tmpl;
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    if (rootless) {
      execl(runc.c_str(), "runc", "spec", "--rootless", nullptr);
    } else {
      execl(runc.c_str(), "runc", "spec", nullptr);
    }
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  auto text = ReadFile(dir + "/config.json");
  std::filesystem::remove_all(dir);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError("runc spec failed");
  }
  return text;
}

void ExpectSameAsRunc(bool rootless) {
  std::string runc = FindRunc();
  if (runc.empty()) GTEST_SKIP() << "runc not installed (apt-get install runc)";
  auto text = RuncSpec(runc, rootless);
  ASSERT_TRUE(text.ok()) << text.status();
  auto theirs = ParseConfig(*text);
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  Spec ours = DefaultSpec(rootless);
  EXPECT_EQ(ours.oci_version, "1.3.0");
  ours.oci_version = theirs->oci_version;
  EXPECT_EQ(EmitConfig(ours, true), EmitConfig(*theirs, true));
  EXPECT_EQ(ours, *theirs);
  // Field order matches too: re-indenting runc's tab-indented file gives our bytes.
  auto dom = json::Parse(*text);
  ASSERT_TRUE(dom.ok());
  EXPECT_EQ(json::Emit(*dom, {.pretty = true}), EmitConfig(ours, true));
}

TEST(DefaultSpec, MatchesRuncSpec) { ExpectSameAsRunc(false); }
TEST(DefaultSpec, RootlessMatchesRuncSpecRootless) { ExpectSameAsRunc(true); }

TEST(DefaultSpec, IsValidAndRoundTrips) {
  for (bool rootless : {false, true}) {
    Spec s = DefaultSpec(rootless);
    auto back = ParseConfig(EmitConfig(s, true));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, s);
    EXPECT_TRUE(CheckSupportedOciVersion(s).ok());
    EXPECT_EQ(s.process->terminal, true);
  }
}

TEST(DefaultSpec, RootlessMapsRootToTheGivenIds) {
  Spec s = DefaultSpec(true, 1000, 1001);
  ASSERT_EQ(s.linux->uid_mappings.size(), 1u);
  EXPECT_EQ(s.linux->uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(s.linux->gid_mappings[0].host_id, 1001u);
  EXPECT_FALSE(s.linux->resources.has_value());
  bool has_user = false, has_net = false;
  for (const auto& ns : s.linux->namespaces) {
    has_user |= ns.type == "user";
    has_net |= ns.type == "network";
  }
  EXPECT_TRUE(has_user);
  EXPECT_FALSE(has_net);
}

}  // namespace
}  // namespace hull::spec
