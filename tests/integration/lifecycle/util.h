// Small helpers shared by the lifecycle integration tests (on top of tests/support).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <string>

#include "spec/json.h"
#include "tests/support/bundle.h"

namespace hull::lifecycle_test {

using ::hull::testing::Bundle;
using ::hull::testing::HullOptions;
using ::hull::testing::HullResult;
using ::hull::testing::HullTest;
using ::hull::testing::ReadTestFile;

// Parses a JSON document (fails the test and returns null on error).
inline json::Value ParseJson(const std::string& text) {
  auto v = json::Parse(text);
  if (!v.ok()) {
    ADD_FAILURE() << "invalid JSON: " << v.status().message() << "\n" << text;
    return {};
  }
  return *v;
}

inline std::string StrField(const json::Value& v, const std::string& key) {
  const json::Value* f = v.Find(key);
  return f && f->is_string() ? f->as_string() : "";
}

inline int64_t IntField(const json::Value& v, const std::string& key) {
  const json::Value* f = v.Find(key);
  return f && f->is_integer() ? f->as_int64().value_or(-1) : -1;
}

// A line of /proc/self/status ("CapEff:\t0000...") from text: the value after the tab.
inline std::string StatusField(const std::string& status, const std::string& key) {
  size_t p = status.find("\n" + key + ":");
  if (p == std::string::npos && status.rfind(key + ":", 0) == 0)
    p = 0;
  else if (p != std::string::npos)
    ++p;
  if (p == std::string::npos) return "";
  size_t start = status.find_first_not_of(" \t", p + key.size() + 1);
  size_t end = status.find('\n', start);
  return status.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Is the process alive (not a zombie)?
inline bool PidAlive(pid_t pid) {
  std::string stat = ::hull::testing::ReadTestFile("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// A HullTest that is a child subreaper, as containerd's shim and conmon are: whatever hull
// leaves behind (the init of a killed create, an unreaped helper) is reparented to the test.
class SubreaperTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  void TearDown() override {
    HullTest::TearDown();
    HandleLeftoverChildren();
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  }
  // Called after the fixture's cleanup, while still the subreaper.
  virtual void HandleLeftoverChildren() {}
};

}  // namespace hull::lifecycle_test
