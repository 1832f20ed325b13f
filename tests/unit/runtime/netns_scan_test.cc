// The entry point's config scan (netns_ahead.h): it decides whether a helper makes the network
// namespace ahead. A wrong "true" costs a namespace; a wrong "false" only the head start. The
// parsed config decides in the end, but the scan must not start helpers for configs that cannot
// use them (a user namespace, a namespace joined by path, none at all).
#include <gtest/gtest.h>

#include <string>

#include "runtime/linux/netns_ahead.h"

namespace hull::linux {
namespace {

bool Wants(const std::string& json) {
  return netns_scan::WantsNewNetnsWithoutUserns(json.data(), static_cast<long>(json.size()));
}

TEST(NetnsScanTest, NewNetworkNamespaceWithoutUserNamespace) {
  EXPECT_TRUE(Wants(R"({"linux":{"namespaces":[{"type":"pid"},{"type":"network"}]}})"));
  // Formatting as `hull spec` writes it, and other keys around.
  EXPECT_TRUE(Wants(R"({
  "process": {"args": ["sh"], "env": ["A=\"namespaces\""]},
  "linux": {
    "namespaces": [
      { "type" : "mount" },
      { "path": "", "type": "network" },
      { "type": "ipc", "extra": {"nested": [1, {"x": "]"}]} }
    ],
    "cgroupsPath": "/x"
  }
})"));
}

TEST(NetnsScanTest, NoHelperForAJoinedOrAbsentNetworkNamespace) {
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"network","path":"/proc/1/ns/net"}]}})"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"path":"/run/netns/x","type":"network"}]}})"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"pid"},{"type":"mount"}]}})"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[]}})"));
  EXPECT_FALSE(Wants(R"({"linux":{}})"));
  EXPECT_FALSE(Wants(""));
}

TEST(NetnsScanTest, NoHelperWithAUserNamespace) {
  // The network namespace must belong to the container's user namespace, new or joined.
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"network"},{"type":"user"}]}})"));
  EXPECT_FALSE(Wants(
      R"({"linux":{"namespaces":[{"type":"user","path":"/proc/1/ns/user"},{"type":"network"}]}})"));
}

TEST(NetnsScanTest, StringsThatOnlyLookLikeTheKeyAreSkipped) {
  // "namespaces" as a value, or as a key whose value is not an array.
  EXPECT_FALSE(Wants(R"({"annotations":{"a":"namespaces","namespaces":"network"}})"));
  // An escaped quote inside a string does not end it.
  EXPECT_TRUE(Wants(R"({"x":"a\"namespaces\":[","linux":{"namespaces":[{"type":"network"}]}})"));
}

TEST(NetnsScanTest, AnythingUnexpectedAnswersNo) {
  // Truncated (a config larger than the entry point's buffer) or malformed.
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"network")"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"network" "path":"x"}]}})"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"netw)"));
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":["network"]}})"));
  // An escaped type name is not decoded: no helper (the init unshares as before).
  EXPECT_FALSE(Wants(R"({"linux":{"namespaces":[{"type":"netw\u006frk"}]}})"));
}

}  // namespace
}  // namespace hull::linux
