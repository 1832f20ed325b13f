#include "ctr-pull/unpack.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/ctr_pull/tar_builder.h"

namespace hull::pull {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TarBuilder;

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctrpull-unpack-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    rootfs_ = base_ + "/rootfs";
    outside_ = base_ + "/outside";
    fs::create_directories(rootfs_);
    fs::create_directories(outside_);
    std::ofstream(outside_ + "/sentinel") << "keep";
    root_fd_.reset(open(rootfs_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd_.valid());
  }
  void TearDown() override { fs::remove_all(base_); }

  absl::Status Apply(const std::string& layer, const std::string& name = "layer-test") {
    return ApplyLayerBuffer(root_fd_.get(), layer, name, DefaultUnpackOptions());
  }
  std::string Read(const std::string& rel) {
    std::ifstream f(rootfs_ + "/" + rel);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  bool Exists(const std::string& rel) {
    struct stat st;
    return lstat((rootfs_ + "/" + rel).c_str(), &st) == 0;
  }
  // Everything under base_ that is not under rootfs/: must stay {outside, outside/sentinel}.
  std::set<std::string> OutsideTree() {
    std::set<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(base_)) {
      std::string p = e.path().string().substr(base_.size());
      if (p.rfind("/rootfs", 0) != 0) out.insert(p);
    }
    return out;
  }
  void ExpectNothingOutside() {
    EXPECT_EQ(OutsideTree(), (std::set<std::string>{"/outside", "/outside/sentinel"}));
    std::ifstream f(outside_ + "/sentinel");
    std::string s;
    f >> s;
    EXPECT_EQ(s, "keep");
  }

  std::string base_, rootfs_, outside_;
  UniqueFd root_fd_;
};

TEST_F(UnpackTest, AppliesFilesDirsSymlinksAndHardlinks) {
  std::string layer = TarBuilder()
                          .Dir("etc", 0755)
                          .File("etc/hostname", "box\n", 0640)
                          .Symlink("etc/alias", "hostname")
                          .Hardlink("etc/hostname2", "etc/hostname")
                          .File("bin/tool", "#!/bin/sh\n", 04755)
                          .Build();
  ASSERT_TRUE(Apply(layer).ok());
  EXPECT_EQ(Read("etc/hostname"), "box\n");
  EXPECT_EQ(fs::read_symlink(rootfs_ + "/etc/alias"), "hostname");
  struct stat a, b;
  ASSERT_EQ(stat((rootfs_ + "/etc/hostname").c_str(), &a), 0);
  ASSERT_EQ(stat((rootfs_ + "/etc/hostname2").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_mode & 07777, 0640u);
  EXPECT_EQ(a.st_mtime, 1700000000);
  struct stat t;
  ASSERT_EQ(stat((rootfs_ + "/bin/tool").c_str(), &t), 0);
  EXPECT_EQ(t.st_mode & 07777, 04755u);  // a parent created on demand, setuid kept
}

TEST_F(UnpackTest, GzipAndZstdLayersAreDetected) {
  ASSERT_TRUE(Apply(TarBuilder().File("a", "gz").Build(TarBuilder::Compression::kGzip)).ok());
  ASSERT_TRUE(Apply(TarBuilder().File("b", "zst").Build(TarBuilder::Compression::kZstd)).ok());
  EXPECT_EQ(Read("a"), "gz");
  EXPECT_EQ(Read("b"), "zst");
}

TEST_F(UnpackTest, OwnershipIsRestoredAsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_TRUE(Apply(TarBuilder().File("owned", "x", 0600, 1234, 5678).Build()).ok());
  struct stat st;
  ASSERT_EQ(stat((rootfs_ + "/owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
}

TEST_F(UnpackTest, DevicesAndFifosAreCreatedAsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_MKNOD)";
  absl::Status st = Apply(TarBuilder().CharDevice("dev/null", 1, 3).Fifo("run/fifo").Build());
  ASSERT_TRUE(st.ok()) << st;
  struct stat s;
  ASSERT_EQ(lstat((rootfs_ + "/dev/null").c_str(), &s), 0);
  EXPECT_TRUE(S_ISCHR(s.st_mode));
  EXPECT_EQ(s.st_rdev, makedev(1, 3));
  ASSERT_EQ(lstat((rootfs_ + "/run/fifo").c_str(), &s), 0);
  EXPECT_TRUE(S_ISFIFO(s.st_mode));
}

TEST_F(UnpackTest, XattrsAreRestored) {
  absl::Status st = Apply(TarBuilder().File("x", "data").Xattr("user.hull", "yes").Build());
  ASSERT_TRUE(st.ok()) << st;
  char buf[16] = {0};
  ssize_t n = getxattr((rootfs_ + "/x").c_str(), "user.hull", buf, sizeof(buf));
  if (n < 0 && errno == ENOTSUP) GTEST_SKIP() << "filesystem without user xattrs";
  ASSERT_EQ(n, 3);
  EXPECT_EQ(std::string(buf, 3), "yes");
}

TEST_F(UnpackTest, WhiteoutRemovesLowerFileAndHidesItself) {
  ASSERT_TRUE(
      Apply(TarBuilder().File("etc/a", "1").File("etc/b", "2").Dir("d").File("d/x", "").Build())
          .ok());
  ASSERT_TRUE(Apply(TarBuilder().File("etc/.wh.a", "").File(".wh.d", "").Build()).ok());
  EXPECT_FALSE(Exists("etc/a"));
  EXPECT_FALSE(Exists("etc/.wh.a"));
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Read("etc/b"), "2");
}

TEST_F(UnpackTest, OpaqueWhiteoutHidesLowerChildrenButKeepsThisLayers) {
  ASSERT_TRUE(Apply(TarBuilder().File("a/old", "1").File("a/sub/deep", "2").Build()).ok());
  // The new file comes before the opaque marker: it must survive regardless of order.
  ASSERT_TRUE(Apply(TarBuilder().File("a/new", "3").File("a/.wh..wh..opq", "").Build()).ok());
  EXPECT_FALSE(Exists("a/old"));
  EXPECT_FALSE(Exists("a/sub"));
  EXPECT_FALSE(Exists("a/.wh..wh..opq"));
  EXPECT_EQ(Read("a/new"), "3");
}

TEST_F(UnpackTest, LaterEntryReplacesEarlierType) {
  ASSERT_TRUE(Apply(TarBuilder().Dir("p").File("p/x", "1").Build()).ok());
  ASSERT_TRUE(Apply(TarBuilder().File("p", "now a file").Build()).ok());
  EXPECT_EQ(Read("p"), "now a file");
}

TEST_F(UnpackTest, AbsolutePathIsRefusedNamingLayerAndEntry) {
  std::string target = outside_ + "/abs-escape";
  absl::Status st = Apply(TarBuilder().File(target, "pwned").Build(), "sha256:evil");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("sha256:evil"));
  EXPECT_THAT(std::string(st.message()), HasSubstr(target));
  EXPECT_THAT(std::string(st.message()), HasSubstr("absolute"));
  ExpectNothingOutside();
}

TEST_F(UnpackTest, DotDotIsRefused) {
  absl::Status st = Apply(TarBuilder().File("../outside/dotdot", "pwned").Build());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("\"../outside/dotdot\""));
  st = Apply(TarBuilder().File("a/../../outside/dotdot2", "pwned").Build());
  ASSERT_FALSE(st.ok());
  ExpectNothingOutside();
}

TEST_F(UnpackTest, SymlinkPointingOutCannotBeWrittenThrough) {
  // Absolute and relative symlinks to the host's "outside" dir, then files written through them:
  // both resolve inside the rootfs (RESOLVE_IN_ROOT), never outside. Where the same path exists
  // inside the rootfs the write lands there.
  std::string layer = TarBuilder()
                          .Dir(outside_.substr(1))
                          .Symlink("abs", outside_)
                          .Symlink("rel", "../../../../../../../../" + outside_)
                          .File("abs/through-abs", "pwned")
                          .File("rel/through-rel", "pwned")
                          .Build();
  absl::Status st = Apply(layer);
  ASSERT_TRUE(st.ok()) << st;
  ExpectNothingOutside();
  EXPECT_EQ(Read(outside_.substr(1) + "/through-abs"), "pwned");
  EXPECT_EQ(Read(outside_.substr(1) + "/through-rel"), "pwned");
}

TEST_F(UnpackTest, DanglingSymlinkToHostIsRefused) {
  // A symlink planted by an earlier layer whose target only exists on the host.
  ASSERT_TRUE(Apply(TarBuilder().Symlink("etc", outside_).Build()).ok());
  absl::Status st = Apply(TarBuilder().File("etc/passwd", "pwned").Build(), "sha256:l2");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("sha256:l2"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("\"etc/passwd\""));
  ExpectNothingOutside();
  EXPECT_FALSE(Exists("etc/passwd"));
}

TEST_F(UnpackTest, HardlinkPointingOutIsRefused) {
  absl::Status st = Apply(TarBuilder().Hardlink("stolen", "../outside/sentinel").Build());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("stolen"));
  st = Apply(TarBuilder().Hardlink("stolen2", outside_ + "/sentinel").Build());
  ASSERT_FALSE(st.ok());
  // Through a symlink: the link target resolves inside the rootfs, where there is no sentinel.
  st = Apply(TarBuilder().Symlink("out", outside_).Hardlink("stolen3", "out/sentinel").Build());
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(Exists("stolen3"));
  ExpectNothingOutside();
  struct stat s;
  ASSERT_EQ(stat((outside_ + "/sentinel").c_str(), &s), 0);
  EXPECT_EQ(s.st_nlink, 1u);  // never linked from the rootfs
}

TEST_F(UnpackTest, SymlinkReplacedByDirectoryMidArchive) {
  std::string layer = TarBuilder().Symlink("x", outside_).Dir("x").File("x/file", "inside").Build();
  absl::Status st = Apply(layer);
  ASSERT_TRUE(st.ok()) << st;
  struct stat s;
  ASSERT_EQ(lstat((rootfs_ + "/x").c_str(), &s), 0);
  EXPECT_TRUE(S_ISDIR(s.st_mode));
  EXPECT_EQ(Read("x/file"), "inside");
  ExpectNothingOutside();
}

TEST_F(UnpackTest, WhiteoutCannotEscape) {
  absl::Status st = Apply(TarBuilder().File("../outside/.wh.sentinel", "").Build());
  ASSERT_FALSE(st.ok());
  // Through a symlink: refused (its target does not exist inside) or contained, never outside.
  (void)Apply(TarBuilder().Symlink("o", outside_).File("o/.wh.sentinel", "").Build());
  ExpectNothingOutside();
}

TEST_F(UnpackTest, CorruptArchiveIsAnError) {
  std::string layer = TarBuilder().File("a", std::string(5000, 'x')).Build();
  layer.resize(3000);  // cut inside the file's data
  absl::Status st = Apply(layer, "sha256:broken");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("sha256:broken"));
  st = Apply(std::string(4096, '\x7f'), "sha256:garbage");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("sha256:garbage"));
}

}  // namespace
}  // namespace hull::pull
