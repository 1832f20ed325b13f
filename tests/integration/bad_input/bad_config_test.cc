// Bad config.json catalogue: every class of invalid configuration makes `hull create` exit 1
// with one error line naming the problem (the JSON path of the offending field), and leaves
// nothing behind: no state directory under --root, no cgroup, no mount, no process.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "spec/config.h"
#include "spec/json.h"
#include "tests/integration/bad_input/expect_clean_failure.h"
#include "tests/support/bundle.h"
#include "tests/support/leak_check.h"

namespace hull::testing {
namespace {

// The object at dotted `path` below `root`, created when missing.
json::Value& ObjectAt(json::Value& root, const std::string& path) {
  json::Value* cur = &root;
  if (path.empty()) return *cur;
  for (absl::string_view key : absl::StrSplit(path, '.')) {
    if (cur->is_null()) *cur = json::Object{};
    json::Object& o = cur->as_object();
    json::Value* next = nullptr;
    for (auto& [k, v] : o) {
      if (k == key) next = &v;
    }
    if (!next) {
      o.emplace_back(std::string(key), json::Value());
      next = &o.back().second;
    }
    cur = next;
  }
  return *cur;
}

void SetPath(json::Value& root, const std::string& path, json::Value v) {
  size_t dot = path.rfind('.');
  json::Value& parent = ObjectAt(root, dot == std::string::npos ? "" : path.substr(0, dot));
  parent.Set(dot == std::string::npos ? path : path.substr(dot + 1), std::move(v));
}

void ErasePath(json::Value& root, const std::string& path) {
  size_t dot = path.rfind('.');
  json::Value& parent = ObjectAt(root, dot == std::string::npos ? "" : path.substr(0, dot));
  std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
  auto& o = parent.as_object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it->first == key) {
      o.erase(it);
      return;
    }
  }
}

json::Value Obj(std::vector<std::pair<std::string, json::Value>> kv) {
  json::Value v = json::Object{};
  for (auto& [k, val] : kv) v.Set(k, std::move(val));
  return v;
}

class BadConfigTest : public HullTest {
 protected:
  // A valid config as a JSON DOM (busybox bundle, cgroup under the test's parent).
  json::Value Base() {
    bundle_.emplace(MakeBundle({"true"}));
    cgroup_ = *bundle_->spec().linux->cgroups_path;
    auto v = json::Parse(spec::EmitConfig(bundle_->spec(), true));
    EXPECT_TRUE(v.ok());
    return *v;
  }
  // Writes `text` as config.json, runs create, expects a clean failure naming `want` (every
  // substring of it, in order of appearance not required).
  void ExpectRefused(const std::string& text, const std::vector<std::string>& want) {
    bundle_->WriteRawConfig(text);
    std::string id = NewId("bad");
    HullResult r = Hull({"create", "--bundle", bundle_->dir(), id});
    ExpectCleanFailure(r, want);
    Leftovers left = FindLeftovers(root(), id, bundle_->dir(), cgroup_);
    EXPECT_TRUE(left.empty()) << "left behind after a refused create:\n" << left.Describe();
  }
  void ExpectRefused(const json::Value& v, const std::vector<std::string>& want) {
    ExpectRefused(json::Emit(v, {.pretty = true}), want);
  }

  std::optional<Bundle> bundle_;
  std::string cgroup_;
};

TEST_F(BadConfigTest, WrongTypeNamesPathExpectedAndGot) {
  json::Value v = Base();
  SetPath(v, "linux.resources.memory.limit", "abc");
  ExpectRefused(v, {"linux.resources.memory.limit", "expected integer", "string"});
}

TEST_F(BadConfigTest, WrongTypeForArrayField) {
  json::Value v = Base();
  SetPath(v, "process.args", "sh -c true");
  ExpectRefused(v, {"process.args", "expected array"});
}

TEST_F(BadConfigTest, WrongTypeForBoolean) {
  json::Value v = Base();
  SetPath(v, "process.terminal", "yes");
  ExpectRefused(v, {"process.terminal", "expected boolean"});
}

TEST_F(BadConfigTest, MissingOciVersion) {
  json::Value v = Base();
  ErasePath(v, "ociVersion");
  ExpectRefused(v, {"ociVersion"});
}

TEST_F(BadConfigTest, MissingProcessCwd) {
  json::Value v = Base();
  ErasePath(v, "process.cwd");
  ExpectRefused(v, {"process.cwd"});
}

TEST_F(BadConfigTest, MissingRoot) {
  json::Value v = Base();
  ErasePath(v, "root");
  ExpectRefused(v, {"root"});
}

TEST_F(BadConfigTest, MissingMountDestination) {
  json::Value v = Base();
  json::Value m = Obj({{"type", "tmpfs"}, {"source", "tmpfs"}});
  ObjectAt(v, "mounts").Push(m);
  ExpectRefused(v, {"mounts[", "destination"});
}

TEST_F(BadConfigTest, UnknownNamespaceType) {
  json::Value v = Base();
  json::Value& ns = ObjectAt(v, "linux.namespaces");
  size_t index = ns.as_array().size();
  ns.Push(Obj({{"type", "bogus"}}));
  ExpectRefused(v, {absl::StrCat("linux.namespaces[", index, "].type"), "bogus"});
}

TEST_F(BadConfigTest, DuplicateNamespace) {
  json::Value v = Base();
  json::Value& ns = ObjectAt(v, "linux.namespaces");
  ns.Push(Obj({{"type", "pid"}}));
  ExpectRefused(v, {"linux.namespaces", "pid"});
}

TEST_F(BadConfigTest, UnknownRlimit) {
  json::Value v = Base();
  SetPath(v, "process.rlimits",
          json::Array{Obj({{"type", "RLIMIT_BOGUS"}, {"hard", 1}, {"soft", 1}})});
  ExpectRefused(v, {"process.rlimits[0].type", "RLIMIT_BOGUS"});
}

TEST_F(BadConfigTest, UnknownCapabilityIsWarnedAboutByPath) {
  // Like runc, an unknown capability is ignored with a warning (images name capabilities newer
  // kernels added); the warning must still name it and its JSON path.
  json::Value v = Base();
  SetPath(v, "process.capabilities.bounding", json::Array{"CAP_BOGUS"});
  bundle_->WriteRawConfig(json::Emit(v, {.pretty = true}));
  std::string id = NewId("cap");
  HullResult r = Hull({"create", "--bundle", bundle_->dir(), id});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("process.capabilities.bounding[0]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CAP_BOGUS"), std::string::npos) << r.err;
}

TEST_F(BadConfigTest, InvalidMountOptionIsNamed) {
  json::Value v = Base();
  json::Value& mounts = ObjectAt(v, "mounts");
  size_t index = mounts.as_array().size();
  mounts.Push(Obj({{"destination", "/data"},
                   {"type", "tmpfs"},
                   {"source", "tmpfs"},
                   {"options", json::Array{"nosuid", "bogusopt=1"}}}));
  ExpectRefused(v, {absl::StrCat("mounts[", index, "]"), "bogusopt"});
}

TEST_F(BadConfigTest, InvalidPropagationIsNamed) {
  json::Value v = Base();
  SetPath(v, "linux.rootfsPropagation", "sideways");
  ExpectRefused(v, {"linux.rootfsPropagation", "sideways"});
}

TEST_F(BadConfigTest, RelativeCwd) {
  json::Value v = Base();
  SetPath(v, "process.cwd", "relative/dir");
  ExpectRefused(v, {"process.cwd", "absolute"});
}

TEST_F(BadConfigTest, RelativeHookPath) {
  json::Value v = Base();
  SetPath(v, "hooks.prestart", json::Array{Obj({{"path", "bin/hook"}})});
  ExpectRefused(v, {"hooks.prestart[0].path", "absolute"});
}

TEST_F(BadConfigTest, NegativeUid) {
  json::Value v = Base();
  SetPath(v, "process.user.uid", -1);
  ExpectRefused(v, {"process.user.uid"});
}

TEST_F(BadConfigTest, OversizedUid) {
  json::Value v = Base();
  SetPath(v, "process.user.uid", int64_t{1} << 40);
  ExpectRefused(v, {"process.user.uid"});
}

TEST_F(BadConfigTest, IntegerBeyondInt64) {
  std::string text;
  {
    json::Value v = Base();
    SetPath(v, "linux.resources.memory.limit", "PLACEHOLDER");
    text = absl::StrReplaceAll(json::Emit(v, {.pretty = true}),
                               {{"\"PLACEHOLDER\"", "99999999999999999999999999"}});
  }
  ExpectRefused(text, {"linux.resources.memory.limit"});
}

TEST_F(BadConfigTest, OversizedHostname) {
  json::Value v = Base();
  SetPath(v, "hostname", std::string(100000, 'h'));
  ExpectRefused(v, {"hostname"});
}

TEST_F(BadConfigTest, NonUtf8String) {
  std::string text;
  {
    json::Value v = Base();
    SetPath(v, "annotations", Obj({{"k", "PLACEHOLDER"}}));
    text = absl::StrReplaceAll(json::Emit(v, {.pretty = true}), {{"PLACEHOLDER", "a\xff\xfe"}});
  }
  ExpectRefused(text, {"config.json", "UTF"});
}

TEST_F(BadConfigTest, DeeplyNestedJson) {
  std::string text;
  {
    json::Value v = Base();
    text = json::Emit(v, {.pretty = false});
  }
  const int depth = 100000;
  text = absl::StrCat("{\"deep\":", std::string(depth, '['), std::string(depth, ']'), ",",
                      text.substr(1));
  ExpectRefused(text, {"nest"});
}

TEST_F(BadConfigTest, TruncatedJson) {
  json::Value v = Base();
  std::string text = json::Emit(v, {.pretty = true});
  ExpectRefused(text.substr(0, text.size() / 2), {"config.json"});
}

TEST_F(BadConfigTest, EmptyFile) {
  Base();
  ExpectRefused(std::string(), {"config.json"});
}

TEST_F(BadConfigTest, UnsupportedOciVersion) {
  json::Value v = Base();
  SetPath(v, "ociVersion", "2.0.0");
  ExpectRefused(v, {"ociVersion", "2.0.0"});
}

}  // namespace
}  // namespace hull::testing
