// Encoding of config.json: exact round trips (64-bit and negative integers), omitempty, key
// order, and the JSON layout of the pretty form.
#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/config.h"
#include "test_util.h"

namespace hull::spec {
namespace {

Spec RoundTrip(const Spec& in) {
  std::string text = EmitConfig(in, /*pretty=*/false);
  auto out = ParseConfig(text);
  EXPECT_TRUE(out.ok()) << out.status() << "\n" << text;
  return out.ok() ? *out : Spec();
}

TEST(ConfigEncode, ExtremeIntegersRoundTripExactly) {
  Spec s;
  s.oci_version = "1.3.0";
  LinuxResources& r = s.linux.emplace().resources.emplace();
  r.memory.emplace();
  r.memory->limit = INT64_MAX;
  r.memory->swap = INT64_MIN;
  r.memory->reservation = -1;
  r.memory->swappiness = UINT64_MAX;
  r.cpu.emplace();
  r.cpu->quota = -1;
  r.cpu->shares = UINT64_MAX - 1;
  r.cpu->realtime_runtime = INT64_MIN + 1;
  r.pids = LinuxPids{.limit = -1};
  r.hugepage_limits.push_back({.page_size = "1GB", .limit = UINT64_MAX});
  s.linux->devices.push_back(
      {.type = "c", .path = "/dev/x", .major = INT64_MAX, .minor = -1, .file_mode = 0777});
  s.linux->time_offsets["monotonic"] = {.secs = INT64_MIN, .nanosecs = UINT32_MAX};
  LinuxSeccomp& sc = s.linux->seccomp.emplace();
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.syscalls.push_back({.names = {"x"},
                         .action = "SCMP_ACT_ERRNO",
                         .errno_ret = UINT32_MAX,
                         .args = {{.index = UINT32_MAX,
                                   .value = UINT64_MAX,
                                   .value_two = UINT64_MAX - 7,
                                   .op = "SCMP_CMP_EQ"}}});
  Process& p = s.process.emplace();
  p.cwd = "/";
  p.args = {"sh"};
  p.user.uid = UINT32_MAX;
  p.user.umask = 0;
  p.oom_score_adj = -1000;
  p.rlimits.push_back({.type = "RLIMIT_AS", .hard = UINT64_MAX, .soft = UINT64_MAX});
  p.console_size = Box{.height = UINT64_MAX, .width = 0};
  p.scheduler = Scheduler{.policy = "SCHED_OTHER", .nice = INT32_MIN, .priority = INT32_MAX};

  Spec back = RoundTrip(s);
  EXPECT_EQ(back, s);
  EXPECT_EQ(back.linux->resources->memory->swap, INT64_MIN);
  EXPECT_EQ(back.linux->seccomp->syscalls[0].args[0].value, UINT64_MAX);

  std::string text = EmitConfig(s, false);
  EXPECT_THAT(text, ::testing::HasSubstr("\"swap\":-9223372036854775808"));
  EXPECT_THAT(text, ::testing::HasSubstr("\"swappiness\":18446744073709551615"));
  EXPECT_THAT(text, ::testing::HasSubstr("\"umask\":0"));
}

TEST(ConfigEncode, AbsentAndEmptyFieldsAreOmitted) {
  Spec s;
  s.oci_version = "1.3.0";
  s.root = Root{.path = "rootfs"};
  s.process.emplace();
  s.process->cwd = "/";
  s.process->args = {"true"};
  s.linux.emplace();
  // Like Go: user (not a pointer) is always written, optionals and empty lists are not.
  EXPECT_EQ(EmitConfig(s, false),
            R"({"ociVersion":"1.3.0","process":{"user":{"uid":0,"gid":0},"args":["true"],)"
            R"("cwd":"/"},"root":{"path":"rootfs"},"linux":{}})");
}

TEST(ConfigEncode, ExplicitFalseAndZeroSurvive) {
  auto spec = ParseConfig(R"({"ociVersion":"1.3.0","root":{"path":"r","readonly":false},
      "process":{"cwd":"/","args":["a"],"terminal":false,"noNewPrivileges":false,"oomScoreAdj":0},
      "linux":{"resources":{"memory":{"swappiness":0,"disableOOMKiller":false}}}})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  std::string text = EmitConfig(*spec, false);
  EXPECT_THAT(text, ::testing::HasSubstr(R"("readonly":false)"));
  EXPECT_THAT(text, ::testing::HasSubstr(R"("terminal":false)"));
  EXPECT_THAT(text, ::testing::HasSubstr(R"("oomScoreAdj":0)"));
  EXPECT_THAT(text, ::testing::HasSubstr(R"("swappiness":0,"disableOOMKiller":false)"));
  EXPECT_EQ(RoundTrip(*spec), *spec);
}

TEST(ConfigEncode, NonLinuxBlocksAreCopiedVerbatim) {
  const char* text =
      R"({"ociVersion":"1.3.0","windows":{"layerFolders":["C:\\x"],"custom":{"n":-5,"big":18446744073709551615}}})";
  auto spec = ParseConfig(text);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(EmitConfig(*spec, false), text);
}

TEST(ConfigEncode, PrettyOutputUsesTwoSpaceIndent) {
  Spec s;
  s.oci_version = "1.3.0";
  s.root = Root{.path = "rootfs", .readonly = true};
  EXPECT_EQ(EmitConfig(s, true),
            "{\n"
            "  \"ociVersion\": \"1.3.0\",\n"
            "  \"root\": {\n"
            "    \"path\": \"rootfs\",\n"
            "    \"readonly\": true\n"
            "  }\n"
            "}");
}

TEST(ConfigEncode, EncodeConfigGivesTheDom) {
  Spec s;
  s.oci_version = "1.0.0";
  s.annotations = {{"b", "2"}, {"a", "1"}};
  json::Value v = EncodeConfig(s);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.Find("ociVersion")->as_string(), "1.0.0");
  const json::Value* ann = v.Find("annotations");
  ASSERT_NE(ann, nullptr);
  EXPECT_EQ(ann->Find("a")->as_string(), "1");
  auto back = DecodeConfig(v);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
}

}  // namespace
}  // namespace hull::spec
