// Cgroup-specific helpers for the cgroups CLI tests, on top of tests/support (bundles, running
// hull, the HullTest fixture that cleans state and the /hull-test/<unique> cgroup parent).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "spec/config.h"
#include "tests/support/bundle.h"
#include "tests/support/hull_runner.h"

namespace hull::cgcli_test {

using testing::Bundle;
using testing::HullProcess;
using testing::HullResult;

inline std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

inline bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

inline bool WaitUntil(const std::function<bool()>& cond, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// The mount point of the hierarchy carrying `controller` ("" = the cgroup2 mount): a v1 mount
// whose super options name it, else the cgroup2 mount.
inline std::string MountFor(const std::string& controller) {
  std::ifstream f("/proc/self/mountinfo");
  std::string line, unified;
  while (std::getline(f, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string fstype, source, opts;
    rest >> fstype >> source >> opts;
    std::istringstream head(line);
    std::string f1, f2, f3, f4, mnt;
    head >> f1 >> f2 >> f3 >> f4 >> mnt;
    if (fstype == "cgroup2") unified = mnt;
    if (fstype != "cgroup" || controller.empty()) continue;
    std::istringstream o(opts);
    std::string opt;
    while (std::getline(o, opt, ',')) {
      if (opt == controller) return mnt;
    }
  }
  return unified;
}

// True if `controller` is handled by the cgroup2 hierarchy on this host.
inline bool IsUnifiedFor(const std::string& controller) {
  return MountFor(controller) == MountFor("");
}

// True if the host can put a container's cgroup under `controller`.
inline bool HostHas(const std::string& controller) {
  std::string mnt = MountFor(controller);
  if (mnt.empty()) return false;
  if (!IsUnifiedFor(controller)) return true;  // a v1 hierarchy of its own
  // On cgroup2 the controller must be available at the root of the hierarchy.
  return absl::StrContains(absl::StrCat(" ", ReadText(mnt + "/cgroup.controllers"), " "),
                           absl::StrCat(" ", controller, " "));
}

// Reads stdout lines of a background hull until one satisfies pred; "" on timeout/exit.
class LineReader {
 public:
  explicit LineReader(HullProcess* p) : p_(p) {}
  std::string Next(const std::function<bool(const std::string&)>& pred, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t nl;
      while ((nl = p_->out().find('\n', scanned_)) != std::string::npos) {
        std::string line = p_->out().substr(scanned_, nl - scanned_);
        scanned_ = nl + 1;
        if (pred(line)) return line;
      }
      if (std::chrono::steady_clock::now() > deadline) return "";
      if (p_->Exited()) {
        p_->Pump(0);
        if (p_->out().find('\n', scanned_) == std::string::npos) return "";
        continue;
      }
      p_->Pump(100);
    }
  }

 private:
  HullProcess* p_;
  size_t scanned_ = 0;
};

// An fd reading `data` (through a pipe; data must fit in the pipe buffer).
class StdinData {
 public:
  explicit StdinData(const std::string& data) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return;
    (void)!write(p[1], data.data(), data.size());
    close(p[1]);
    fd_ = p[0];
  }
  ~StdinData() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace hull::cgcli_test
