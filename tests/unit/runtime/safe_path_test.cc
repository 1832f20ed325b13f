// MkdirAllInRoot / OpenInRoot / EnsureMountTarget on a scratch directory used as a rootfs:
// whatever the symlinks in it say, nothing is created or opened outside it.
#include "runtime/linux/safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/status.h"
#include "tests/support/bundle.h"

namespace hull::linux {
namespace {

class SafePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_fd_ = ::open(root_.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override { ::close(root_fd_); }
  std::string In(const std::string& p) const { return root_.path() + p; }
  static bool IsDir(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  static bool Exists(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
  }

  ::hull::testing::TempDir root_{"hull-saferoot"};
  ::hull::testing::TempDir outside_{"hull-outside"};
  int root_fd_ = -1;
};

TEST_F(SafePathTest, CreatesMissingDirectories) {
  auto fd = MkdirAllInRoot(root_fd_, "/a/b/c");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  EXPECT_TRUE(IsDir(In("/a/b/c")));
}

TEST_F(SafePathTest, AbsoluteSymlinkIsFollowedInsideTheRoot) {
  ASSERT_EQ(::symlink(outside_.path().c_str(), In("/evil").c_str()), 0);
  auto fd = MkdirAllInRoot(root_fd_, "/evil/sub");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  EXPECT_FALSE(Exists(outside_.path() + "/sub")) << "created outside the root";
  EXPECT_TRUE(IsDir(In(outside_.path() + "/sub")));
}

TEST_F(SafePathTest, DotDotStopsAtTheRoot) {
  auto fd = MkdirAllInRoot(root_fd_, "/../../../../tmp/x-escape-check");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  EXPECT_TRUE(IsDir(In("/tmp/x-escape-check")));
  ASSERT_EQ(::symlink("../../../../..", In("/up").c_str()), 0);
  auto up = MkdirAllInRoot(root_fd_, "/up/made-by-test");
  ASSERT_TRUE(up.ok()) << up.status().message();
  EXPECT_TRUE(IsDir(In("/made-by-test")));
  EXPECT_FALSE(Exists("/made-by-test"));
}

TEST_F(SafePathTest, RelativeSymlinkChainIsFollowed) {
  ASSERT_EQ(::mkdir(In("/real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("real", In("/l1").c_str()), 0);
  ASSERT_EQ(::symlink("/l1/deeper", In("/l2").c_str()), 0);
  auto fd = MkdirAllInRoot(root_fd_, "/l2/x");
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  EXPECT_TRUE(IsDir(In("/real/deeper/x")));
}

TEST_F(SafePathTest, SymlinkLoopIsAnError) {
  ASSERT_EQ(::symlink("/loop2", In("/loop1").c_str()), 0);
  ASSERT_EQ(::symlink("/loop1", In("/loop2").c_str()), 0);
  auto fd = MkdirAllInRoot(root_fd_, "/loop1/x");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(ErrnoOf(fd.status()), ELOOP);
}

TEST_F(SafePathTest, FileComponentIsNotADirectory) {
  ::hull::testing::WriteTestFile(In("/file"), "x");
  auto fd = MkdirAllInRoot(root_fd_, "/file/x");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(ErrnoOf(fd.status()), ENOTDIR);
}

TEST_F(SafePathTest, OpenInRootRefusesMagicLinks) {
  ASSERT_EQ(::symlink("/proc/self/root", In("/magic").c_str()), 0);
  // Resolved inside the root: /proc/self/root does not exist there.
  EXPECT_FALSE(OpenInRoot(root_fd_, "/magic", O_PATH).ok());
}

TEST_F(SafePathTest, EnsureMountTargetMakesAFileForFileMounts) {
  auto fd = EnsureMountTarget(root_fd_, "/etc/hosts", /*directory=*/false);
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  struct stat st;
  ASSERT_EQ(::stat(In("/etc/hosts").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  // A dangling symlink as the last component must not create a file outside.
  ASSERT_EQ(::symlink((outside_.path() + "/victim").c_str(), In("/etc/link").c_str()), 0);
  (void)EnsureMountTarget(root_fd_, "/etc/link", false);
  EXPECT_FALSE(Exists(outside_.path() + "/victim"));
}

TEST(CleanPathTest, Normalises) {
  EXPECT_EQ(CleanPath("//a/./b/"), "/a/b");
  EXPECT_EQ(CleanPath("/../a/../../b"), "/b");
  EXPECT_EQ(CleanPath(""), "/");
  EXPECT_EQ(SplitParent("/a/b").first, "/a");
  EXPECT_EQ(SplitParent("/a/b").second, "b");
}

}  // namespace
}  // namespace hull::linux
