// Helpers for the exec integration tests, on top of tests/support: a fixture that creates a
// real container (absolute cgroupsPath under the test's /hull-test/<unique> parent) and parsers
// for /proc/PID/status.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "spec/config.h"
#include "spec/json.h"
#include "tests/support/bundle.h"
#include "tests/support/hull_runner.h"

namespace hull::exec_testing {

using hull::testing::Bundle;
using hull::testing::HullOptions;
using hull::testing::HullResult;

inline std::string Describe(const HullResult& r) {
  return absl::StrCat("exit ", r.code, "\nstdout: ", r.out, "\nstderr: ", r.err);
}

// A container running `sleep 1000` (the default spec's process settings, a read-only busybox
// root with a tmpfs on /tmp, hostname hull-exec-test), made in the shared HullTest fixture,
// which force-deletes it and removes its cgroups in TearDown, also when the test failed.
class ExecTest : public hull::testing::HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    id_ = NewId("exec");
  }

  spec::Spec BaseSpec() {
    if (!bundle_) bundle_.emplace(MakeBundle({"sleep", "1000"}));
    spec::Spec s = bundle_->spec();
    s.root->readonly = true;
    s.hostname = "hull-exec-test";
    spec::Mount tmp;
    tmp.destination = "/tmp";
    tmp.type = "tmpfs";
    tmp.source = "tmpfs";
    tmp.options = {"nosuid", "nodev", "mode=1777"};
    s.mounts.push_back(tmp);
    return s;
  }

  // Writes the config, creates and starts the container.
  void StartContainer(const spec::Spec& s) {
    if (!bundle_) bundle_.emplace(MakeBundle({"sleep", "1000"}));
    bundle_->spec() = s;
    bundle_->Write();
    cgroup_rel_ = s.linux->cgroups_path.value_or("");
    HullResult c = Hull({"create", "--bundle", bundle_->dir(), id_});
    ASSERT_EQ(c.code, 0) << Describe(c);
    HullResult st = Hull({"start", id_});
    ASSERT_EQ(st.code, 0) << Describe(st);
  }
  void StartContainer() { StartContainer(BaseSpec()); }

  // The bundle directory (scratch space for pid files, sockets, process.json).
  std::string Dir() const { return bundle_->dir(); }

  // `exec`: callers give {flags..., "--", cmd...}, or just {cmd...}.
  HullResult Exec(const std::vector<std::string>& flags_and_cmd, const HullOptions& ho = {}) {
    std::vector<std::string> args = {"exec"};
    auto sep = std::find(flags_and_cmd.begin(), flags_and_cmd.end(), "--");
    if (sep == flags_and_cmd.end()) {
      args.push_back(id_);
      args.insert(args.end(), flags_and_cmd.begin(), flags_and_cmd.end());
    } else {
      args.insert(args.end(), flags_and_cmd.begin(), sep);
      args.push_back(id_);
      args.insert(args.end(), sep + 1, flags_and_cmd.end());
    }
    return Hull(args, ho);
  }

  std::string Status() { return StatusOf(id_); }

  pid_t InitPid() {
    HullResult r = Hull({"state", id_});
    auto v = json::Parse(r.out);
    if (!v.ok() || v->Find("pid") == nullptr) return 0;
    return static_cast<pid_t>(v->Find("pid")->as_int64().value_or(0));
  }

  std::string id_, cgroup_rel_;
  std::optional<Bundle> bundle_;
};

// "CapEff:\t0000..." -> the mask, from a /proc/PID/status text.
inline uint64_t StatusMask(const std::string& status, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::StartsWith(line, key + ":")) {
      std::string v(absl::StripAsciiWhitespace(line.substr(key.size() + 1)));
      return std::stoull(v, nullptr, 16);
    }
  }
  return ~0ULL;
}

inline std::string StatusField(const std::string& status, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::StartsWith(line, key + ":")) {
      return std::string(absl::StripAsciiWhitespace(line.substr(key.size() + 1)));
    }
  }
  return "<missing " + key + ">";
}

}  // namespace hull::exec_testing
