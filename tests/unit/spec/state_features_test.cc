// state.json and features.json: encode/decode and validation.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/enums.h"
#include "spec/features.h"
#include "spec/state.h"
#include "test_util.h"

namespace hull::spec {
namespace {

using ::hull::spec::testing::Msg;
using ::testing::HasSubstr;

TEST(State, EncodesInGoOrder) {
  State s{.oci_version = "1.3.0",
          .id = "c1",
          .status = "created",
          .pid = 1234,
          .bundle = "/run/b",
          .annotations = {{"k", "v"}}};
  EXPECT_EQ(EmitState(s),
            R"({"ociVersion":"1.3.0","id":"c1","status":"created","pid":1234,"bundle":"/run/b",)"
            R"("annotations":{"k":"v"}})");
  auto back = ParseState(EmitState(s, true));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
}

TEST(State, StoppedContainerHasNoPid) {
  State s{.oci_version = "1.3.0", .id = "c1", .status = "stopped", .bundle = "/b"};
  EXPECT_EQ(EmitState(s), R"({"ociVersion":"1.3.0","id":"c1","status":"stopped","bundle":"/b"})");
  auto back = ParseState(EmitState(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->pid.has_value());
}

TEST(State, Validation) {
  EXPECT_EQ(Msg(ParseState("{}")),
            "ociVersion: required field missing\nid: required field missing\n"
            "status: required field missing\nbundle: required field missing");
  EXPECT_THAT(
      Msg(ParseState(R"({"ociVersion":"1.0.0","id":"x","status":"paused","pid":1,"bundle":"/b"})")),
      ::testing::StartsWith("status: unknown status \"paused\""));
  EXPECT_EQ(Msg(ParseState(R"({"ociVersion":"1.0.0","id":"x","status":"running","bundle":"/b"})")),
            "pid: required when status is running");
  EXPECT_EQ(Msg(ParseState(
                R"({"ociVersion":"1.0.0","id":"x","status":"running","pid":-3,"bundle":"/b"})")),
            "pid: must not be negative, got -3");
  EXPECT_EQ(
      Msg(ParseState(R"({"ociVersion":"1.0.0","id":"x","status":"creating","bundle":"rel"})")),
      "bundle: must be an absolute path");
  EXPECT_EQ(Msg(ParseState(R"({"ociVersion":"1.0.0","id":"","status":"creating","bundle":"/b"})")),
            "id: must not be empty");
}

TEST(State, ContainerProcessStateForSeccompListener) {
  ContainerProcessState cps{
      .oci_version = "1.3.0",
      .fds = {"seccompFd"},
      .pid = 42,
      .metadata = "m",
      .state = {
          .oci_version = "1.3.0", .id = "c", .status = "creating", .pid = 42, .bundle = "/b"}};
  EXPECT_EQ(
      EmitContainerProcessState(cps),
      R"({"ociVersion":"1.3.0","fds":["seccompFd"],"pid":42,"metadata":"m",)"
      R"("state":{"ociVersion":"1.3.0","id":"c","status":"creating","pid":42,"bundle":"/b"}})");
  cps.fds.clear();
  cps.metadata.reset();
  EXPECT_THAT(EmitContainerProcessState(cps), HasSubstr(R"("fds":[],"pid":42,"state")"));
}

TEST(Features, EncodeDecode) {
  features::Features f;
  f.oci_version_min = "1.0.0";
  f.oci_version_max = "1.3.0";
  f.hooks = {"prestart", "poststop"};
  f.mount_options = {"ro", "rbind"};
  features::Linux& l = f.linux.emplace();
  l.namespaces.assign(std::begin(kNamespaceTypes), std::end(kNamespaceTypes));
  l.capabilities = {"CAP_CHOWN", "CAP_SYS_ADMIN"};
  l.cgroup = features::Cgroup{.v1 = true, .v2 = true, .systemd = false};
  l.seccomp.emplace();
  l.seccomp->enabled = true;
  l.seccomp->actions.assign(std::begin(kSeccompActions), std::end(kSeccompActions));
  l.seccomp->supported_flags = {"SECCOMP_FILTER_FLAG_LOG"};
  l.apparmor = features::Apparmor{.enabled = true};
  l.intel_rdt = features::IntelRdt{.enabled = false, .schemata = true, .monitoring = false};
  l.mount_extensions = features::MountExtensions{.idmap = features::IDMap{.enabled = true}};
  l.net_devices = features::NetDevices{.enabled = true};
  l.memory_policy = features::MemoryPolicy{.modes = {"MPOL_BIND"}, .flags = {}};
  f.annotations = {{"org.opencontainers.runc.version", "x"}};
  f.potentially_unsafe_config_annotations = {"run.oci.", "org.criu.config"};

  std::string text = features::EmitFeatures(f, false);
  EXPECT_THAT(text, ::testing::StartsWith(
                        R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.3.0","hooks":["prestart")"));
  EXPECT_THAT(text, HasSubstr(R"("cgroup":{"v1":true,"v2":true,"systemd":false})"));
  EXPECT_THAT(text, HasSubstr(R"("mountExtensions":{"idmap":{"enabled":true}})"));
  EXPECT_THAT(text, HasSubstr(R"("memoryPolicy":{"modes":["MPOL_BIND"]})"));
  auto back = features::ParseFeatures(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, f);
}

TEST(Features, Validation) {
  EXPECT_EQ(Msg(features::ParseFeatures(R"({"ociVersionMin":"1.0","ociVersionMax":"1.1.0"})")),
            "ociVersionMin: invalid version \"1.0\"; expected SemVer 2.0.0");
  EXPECT_EQ(
      Msg(features::ParseFeatures(
          R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.1.0","linux":{"capabilities":["cap_chown"]}})")),
      "linux.capabilities[0]: invalid capability \"cap_chown\"; expected CAP_[A-Z_]+");
  EXPECT_THAT(
      Msg(features::ParseFeatures(
          R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.1.0","linux":{"namespaces":["net"]}})")),
      ::testing::StartsWith("linux.namespaces[0]: unknown namespace type \"net\""));
  EXPECT_EQ(
      Msg(features::ParseFeatures(
          R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.1.0","linux":{"cgroup":{"v2":"yes"}}})")),
      "linux.cgroup.v2: expected boolean, got string \"yes\"");
}

}  // namespace
}  // namespace hull::spec
