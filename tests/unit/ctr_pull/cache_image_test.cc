#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ctr-pull/auth.h"
#include "ctr-pull/cache.h"
#include "ctr-pull/digest.h"
#include "ctr-pull/pull.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/image.h"

namespace hull::pull {
namespace {

using ::testing::HasSubstr;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctrpull-cache-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(CacheTest, PutVerifyAndRejectMismatch) {
  auto c = BlobCache::Open(dir_);
  ASSERT_TRUE(c.ok());
  std::string d = Sha256Digest("hello");
  EXPECT_EQ(d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  ASSERT_TRUE(c->Put("hello", d).ok());
  EXPECT_TRUE(c->Has(d));
  auto got = c->ReadVerified(d);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "hello");

  // Wrong content for the digest: nothing is stored, the temp file is gone.
  std::string other = Sha256Digest("other");
  auto bad = c->Put("tampered", other);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(c->Has(other));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/ingest"));

  // Corrupted on disk after the fact: detected before use and removed.
  std::ofstream(c->BlobPath(d)) << "HELLO";
  auto corrupt = c->ReadVerified(d);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_FALSE(c->Has(d));
}

TEST_F(CacheTest, RefsSurviveConcurrentWriters) {
  auto c = BlobCache::Open(dir_);
  ASSERT_TRUE(c.ok());
  constexpr int kProcs = 4, kRefs = 10;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto cc = BlobCache::Open(dir_);
      for (int i = 0; i < kRefs; ++i) {
        spec::Descriptor d{std::string(spec::media_type::kOciManifest),
                           Sha256Digest(std::to_string(p * 100 + i)), 1};
        if (!cc->SetRef("ref-" + std::to_string(p) + "-" + std::to_string(i), d).ok()) _exit(1);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto idx = c->ReadIndex();
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(idx->manifests.size(), static_cast<size_t>(kProcs * kRefs));
  auto r = c->LookupRef("ref-2-7");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->digest, Sha256Digest("207"));
}

TEST(ImageSpecTest, ParsesManifestAndReportsPaths) {
  std::string d = "sha256:" + std::string(64, 'a');
  std::string m =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      d +
      R"(","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
      d + R"(","size":1,"annotations":{"a":"b"}}],"unknown":1})";
  auto man = spec::ParseManifest(m);
  ASSERT_TRUE(man.ok()) << man.status();
  EXPECT_EQ(man->layers.size(), 1u);
  EXPECT_EQ(man->layers[0].annotations.at("a"), "b");
  auto again = spec::ParseManifest(spec::EmitManifest(*man));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->config.size, 7);

  auto bad = spec::ParseManifest(
      R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:../../etc","size":1},"layers":[]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("manifest.config.digest"));
  bad = spec::ParseManifest(R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + d +
                            R"(","size":1},"layers":[{"mediaType":1}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("manifest.layers[0].mediaType"));
}

TEST(ImageSpecTest, ImageConfigAndPlatformSelection) {
  auto img = spec::ParseImage(R"({"architecture":"arm64","os":"linux","variant":"v8",
    "config":{"User":"app","Entrypoint":null,"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}},
    "Labels":{"k":"v"}},"rootfs":{"type":"layers","diff_ids":[]}})");
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_FALSE(img->config.entrypoint.has_value());
  EXPECT_EQ(img->config.cmd->at(0), "sh");
  EXPECT_EQ(img->config.exposed_ports.at(0), "80/tcp");
  EXPECT_EQ(*img->platform.variant, "v8");

  spec::Index idx;
  for (auto [arch, variant] :
       {std::pair{"amd64", ""}, std::pair{"arm", "v7"}, std::pair{"arm64", ""}}) {
    spec::Descriptor d{std::string(spec::media_type::kOciManifest), Sha256Digest(arch), 1};
    d.platform = spec::Platform{arch, "linux"};
    if (*variant) d.platform->variant = variant;
    idx.manifests.push_back(d);
  }
  auto sel = SelectPlatform(idx, *ParsePlatform("linux/arm64/v8"));
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->digest, Sha256Digest("arm64"));
  sel = SelectPlatform(idx, *ParsePlatform("linux/arm/v7"));
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->digest, Sha256Digest("arm"));
  sel = SelectPlatform(idx, *ParsePlatform("linux/s390x"));
  ASSERT_FALSE(sel.ok());
  EXPECT_THAT(std::string(sel.status().message()),
              HasSubstr("linux/amd64, linux/arm/v7, linux/arm64"));
}

TEST(AuthTest, ParsesChallengesAndCredentials) {
  auto c = ParseChallenge(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params["realm"], "https://auth.example/token");
  EXPECT_EQ(c->params["scope"], "repository:a/b:pull,push");
  c = ParseChallenge(R"(Basic realm="Registry Realm")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, "basic");
  auto cr = ParseCredentials("user:pa:ss");
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->password, "pa:ss");
  auto bad = ParseCredentials("secretnocolon");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::Not(HasSubstr("secretnocolon")));
}

TEST(AuthTest, DockerConfigCredentials) {
  char tmpl[] = "/tmp/ctrpull-dcfg-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  // "dXNlcjpwYXNz" = base64("user:pass")
  std::ofstream(dir + "/config.json")
      << R"({"auths":{"localhost:5000":{"auth":"dXNlcjpwYXNz"},"https://index.docker.io/v1/":{"username":"hub","password":"pw"}}})";
  setenv("DOCKER_CONFIG", dir.c_str(), 1);
  auto c = LoadDockerCredentials("localhost:5000");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->username, "user");
  EXPECT_EQ((*c)->password, "pass");
  c = LoadDockerCredentials("docker.io");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->username, "hub");
  c = LoadDockerCredentials("other:1");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  unsetenv("DOCKER_CONFIG");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hull::pull
