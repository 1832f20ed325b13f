#include "ctr-pull/reference.h"

#include "gtest/gtest.h"

namespace hull::pull {
namespace {

struct Case {
  const char* in;
  const char* domain;
  const char* repo;
  const char* tag;
  const char* digest;
};

TEST(ImageRefTest, ParsesDockerStyleReferences) {
  const std::string d = "sha256:" + std::string(64, 'a');
  const Case cases[] = {
      {"alpine", "docker.io", "library/alpine", "latest", ""},
      {"alpine:3.19", "docker.io", "library/alpine", "3.19", ""},
      {"library/alpine", "docker.io", "library/alpine", "latest", ""},
      {"user/app:v1", "docker.io", "user/app", "v1", ""},
      {"registry.example:5000/team/app:v1", "registry.example:5000", "team/app", "v1", ""},
      {"localhost:5000/busybox", "localhost:5000", "busybox", "latest", ""},
      {"localhost/busybox", "localhost", "busybox", "latest", ""},
      {"127.0.0.1:5000/a/b/c:t", "127.0.0.1:5000", "a/b/c", "t", ""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ImageRef> r = ParseImageRef(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status();
    EXPECT_EQ(r->domain, c.domain) << c.in;
    EXPECT_EQ(r->repository, c.repo) << c.in;
    EXPECT_EQ(r->tag, c.tag) << c.in;
    EXPECT_EQ(r->digest, c.digest) << c.in;
  }
  absl::StatusOr<ImageRef> r = ParseImageRef("library/alpine@" + d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->digest, d);
  EXPECT_EQ(r->tag, "");
  EXPECT_EQ(r->ManifestReference(), d);
  EXPECT_EQ(r->String(), "docker.io/library/alpine@" + d);
  EXPECT_EQ(r->RegistryHost(), "registry-1.docker.io");
  r = ParseImageRef("alpine:3.19@" + d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->String(), "docker.io/library/alpine:3.19@" + d);
}

TEST(ImageRefTest, RejectsInvalidReferences) {
  for (const char* bad : {"", "UPPER", "a//b", "a:", "a@sha256:123", "a/../b", "-a", "a:b/c",
                          "alpine@md5:abc", "a:" /* empty tag */, "ab:t@t"}) {
    EXPECT_FALSE(ParseImageRef(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace hull::pull
