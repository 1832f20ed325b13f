// Helpers for the cgroup integration tests: a test-owned cgroup parent and forked children that
// wait on a pipe until the test has put them into the cgroup.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/cgroups/manager.h"

namespace hull::cgroups::testing {

// A child that blocks until Release(), then runs fn and exits with its return value.
class Child {
 public:
  explicit Child(std::function<int()> fn) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(p[1]);
      char c;
      if (read(p[0], &c, 1) != 1) _exit(120);
      _exit(fn());
    }
    close(p[0]);
    release_fd_ = p[1];
  }
  Child(const Child&) = delete;
  ~Child() {
    if (release_fd_ >= 0) close(release_fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void Release() {
    if (release_fd_ >= 0) {
      (void)!write(release_fd_, "x", 1);
      close(release_fd_);
      release_fd_ = -1;
    }
  }
  // waitpid status.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int release_fd_ = -1;
  bool reaped_ = false;
};

// Shared counters between the test and its children.
struct Shared {
  std::atomic<uint64_t> counter{0};
  std::atomic<int64_t> value{0};
};
inline Shared* MapShared() {
  void* p =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return new (p) Shared();
}

inline std::string UniqueParent() {
  std::random_device rd;
  return absl::StrCat("/hull-test/", getpid(), "-", rd() % 1000000);
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    parent_ = UniqueParent();
    path_ = parent_ + "/ctr";
    auto m = Manager::Create(path_, "ctr", false);
    ASSERT_TRUE(m.ok()) << m.status();
    manager_ = std::move(m).value();
  }
  void TearDown() override {
    if (!manager_) return;
    auto st = manager_->Destroy();
    EXPECT_TRUE(st.ok()) << st;
    for (const auto& d : manager_->dirs()) {
      EXPECT_FALSE(access(d.path.c_str(), F_OK) == 0) << d.path << " left behind";
      // The parent stays (as runc leaves it); it is the test's to remove.
      EXPECT_EQ(rmdir((d.mount_point + parent_).c_str()) == 0 || errno == ENOENT, true)
          << d.mount_point + parent_ << ": " << strerror(errno);
      rmdir((d.mount_point + "/hull-test").c_str());  // the shared top, once no test uses it
    }
  }

  std::string parent_;
  std::string path_;
  std::unique_ptr<Manager> manager_;
};

}  // namespace hull::cgroups::testing
