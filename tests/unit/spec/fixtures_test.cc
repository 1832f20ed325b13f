// The upstream runtime-spec schema fixtures (tests/data/runtime-spec-schema): every good file
// parses and survives decode -> encode -> decode unchanged; every bad file is rejected, with an
// error that names a JSON path (or, for malformed JSON, the byte offset).
#include <filesystem>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/config.h"
#include "spec/features.h"
#include "spec/state.h"
#include "test_util.h"

namespace hull::spec {
namespace {

using ::hull::spec::testing::DataDir;
using ::hull::spec::testing::Msg;
using ::testing::ContainsRegex;
using ::testing::Not;

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Read(const std::string& path) {
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// An error line either names a JSON path ("a.b[2].c: ...") or a byte offset of bad JSON.
constexpr char kPathOrOffset[] =
    "^(invalid JSON at byte [0-9]+: "
    "|[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*|\\[[^]]+\\])*: )";

TEST(ConfigFixtures, GoodFilesParseAndRoundTrip) {
  auto files = FilesIn(DataDir() + "/config/good");
  ASSERT_GE(files.size(), 9u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    auto spec = ParseConfig(Read(f));
    ASSERT_TRUE(spec.ok()) << spec.status();
    std::string emitted = EmitConfig(*spec, /*pretty=*/true);
    auto again = ParseConfig(emitted);
    ASSERT_TRUE(again.ok()) << again.status() << "\n" << emitted;
    EXPECT_EQ(*again, *spec) << emitted;
    // Encoding is stable: a second emission is byte-identical.
    EXPECT_EQ(EmitConfig(*again, true), emitted);
  }
}

TEST(ConfigFixtures, LoadConfigReadsFiles) {
  auto spec = LoadConfig(DataDir() + "/config/good/spec-example.json");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->hostname, "slartibartfast");
  ASSERT_TRUE(spec->linux.has_value());
  EXPECT_EQ(spec->linux->cgroups_path, "/myRuntime/myContainer");

  auto missing = LoadConfig(DataDir() + "/config/good/no-such-file.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(Msg(missing), ::testing::HasSubstr("no-such-file.json"));

  auto bad = LoadConfig(DataDir() + "/config/bad/linux-rdma.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(Msg(bad), ::testing::HasSubstr("linux-rdma.json: linux.resources.rdma.mlx5_1"));
}

TEST(ConfigFixtures, BadFilesAreRejectedWithAPath) {
  auto files = FilesIn(DataDir() + "/config/bad");
  ASSERT_GE(files.size(), 5u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    auto spec = ParseConfig(Read(f));
    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Msg(spec), ContainsRegex(kPathOrOffset));
  }
}

TEST(ConfigFixtures, BadFilesNameTheOffendingField) {
  struct Case {
    const char* file;
    const char* error;
  } cases[] = {
      {"freebsd-vnet-disable.json", "freebsd.jail.vnet: unknown value \"disable\""},
      {"linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize: invalid page size"},
      {"linux-netdevice.json", "linux.netDevices.eth0.name: expected string, got integer 23"},
      {"linux-rdma.json",
       "linux.resources.rdma.mlx5_1.hcaHandles: expected integer, got string \"not a uint32\""},
      {"invalid-json.json", "invalid JSON at byte "},
  };
  for (const Case& c : cases) {
    auto spec = ParseConfig(Read(DataDir() + "/config/bad/" + c.file));
    ASSERT_FALSE(spec.ok()) << c.file;
    EXPECT_THAT(Msg(spec), ::testing::StartsWith(c.error)) << c.file;
  }
}

TEST(StateFixtures, GoodFilesParseAndRoundTrip) {
  for (const std::string& f : FilesIn(DataDir() + "/state/good")) {
    SCOPED_TRACE(f);
    auto state = ParseState(Read(f));
    ASSERT_TRUE(state.ok()) << state.status();
    auto again = ParseState(EmitState(*state, true));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *state);
  }
}

TEST(StateFixtures, BadFilesAreRejected) {
  auto files = FilesIn(DataDir() + "/state/bad");
  ASSERT_FALSE(files.empty());
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    auto state = ParseState(Read(f));
    ASSERT_FALSE(state.ok());
    EXPECT_THAT(Msg(state), ContainsRegex(kPathOrOffset));
  }
}

TEST(FeaturesFixtures, GoodFilesParseAndRoundTrip) {
  auto files = FilesIn(DataDir() + "/features/good");
  ASSERT_GE(files.size(), 2u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    auto features = features::ParseFeatures(Read(f));
    ASSERT_TRUE(features.ok()) << features.status();
    auto again = features::ParseFeatures(features::EmitFeatures(*features));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *features);
    // Nothing from the document is dropped: re-encoding gives the same JSON value.
    EXPECT_EQ(features::EncodeFeatures(*features), *json::Parse(Read(f)));
  }
}

TEST(FeaturesFixtures, BadFilesAreRejected) {
  for (const std::string& f : FilesIn(DataDir() + "/features/bad")) {
    SCOPED_TRACE(f);
    auto features = features::ParseFeatures(Read(f));
    ASSERT_FALSE(features.ok());
    EXPECT_THAT(Msg(features), ContainsRegex(kPathOrOffset));
  }
  auto missing =
      features::ParseFeatures(Read(DataDir() + "/features/bad/missing-ociVersionMax.json"));
  EXPECT_EQ(Msg(missing), "ociVersionMax: required field missing");
}

}  // namespace
}  // namespace hull::spec
