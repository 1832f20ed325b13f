// sys::FchmodFd changes the mode of what the fd refers to and nothing else: given an O_PATH fd
// of a symlink (what a name swapped by a rootfs owner yields), the symlink's target is untouched.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "runtime/linux/syscalls.h"
#include "tests/support/bundle.h"

namespace hull::sys {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(FchmodFdTest, ChangesTheFileTheFdRefersTo) {
  ::hull::testing::TempDir dir{"hull-fchmod"};
  const std::string file = dir.path() + "/node";
  std::ofstream(file) << "x";
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  int fd = ::open(file.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(FchmodFd(fd, 0666), 0) << strerror(errno);
  ::close(fd);
  EXPECT_EQ(ModeOf(file), 0666u);
}

TEST(FchmodFdTest, NeverFollowsASymlinkToItsTarget) {
  ::hull::testing::TempDir dir{"hull-fchmod"};
  const std::string target = dir.path() + "/host-file";
  const std::string link = dir.path() + "/null";
  std::ofstream(target) << "secret";
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  int fd = ::open(link.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_NE(FchmodFd(fd, 0666), 0);
  ::close(fd);
  EXPECT_EQ(ModeOf(target), 0600u) << "the symlink's target was chmod'ed";
}

}  // namespace
}  // namespace hull::sys
