// Bad command-line use: unknown ids, duplicate ids, ids that are paths, missing bundles,
// unusable rootfs, bad signals. Each exits 1 with one error line naming the problem and leaves
// nothing behind; a duplicate create never disturbs the existing container.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/bad_input/expect_clean_failure.h"
#include "tests/support/bundle.h"
#include "tests/support/leak_check.h"

namespace hull::testing {
namespace {

class BadCliTest : public HullTest {
 protected:
  // Nothing in the state root and nothing next to it (an id like "../x" must not create
  // directories outside --root).
  void ExpectRootEmpty() {
    std::vector<std::string> entries;
    if (DIR* d = ::opendir(root().c_str())) {
      while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") entries.push_back(n);
      }
      ::closedir(d);
    }
    EXPECT_TRUE(entries.empty()) << "state root has " << entries.size()
                                 << " entries, first: " << (entries.empty() ? "" : entries[0]);
  }
};

TEST_F(BadCliTest, UnknownIdIsReportedForEveryCommand) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"state", "nope"},
                                                                            {"start", "nope"},
                                                                            {"kill", "nope"},
                                                                            {"delete", "nope"},
                                                                            {"pause", "nope"},
                                                                            {"resume", "nope"},
                                                                            {"ps", "nope"}}) {
    SCOPED_TRACE(cmd[0]);
    HullResult r = Hull(cmd);
    ExpectCleanFailure(r, {"container does not exist"});
  }
  // runc: delete --force of an unknown id succeeds silently (idempotent), and creates nothing.
  HullResult f = Hull({"delete", "--force", "nope"});
  EXPECT_EQ(f.code, 0) << f.err;
  ExpectRootEmpty();
}

TEST_F(BadCliTest, DuplicateIdIsRefusedAndTheFirstContainerSurvives) {
  Bundle b = MakeBundle({"sleep", "100"});
  std::string id = NewId("dup");
  HullResult first = Hull({"create", "--bundle", b.dir(), id});
  ASSERT_EQ(first.code, 0) << first.err;
  Bundle other = MakeBundle({"true"});
  HullResult second = Hull({"create", "--bundle", other.dir(), id});
  ExpectCleanFailure(second, {"already exists"});  // runc: "container with given ID already exists"
  EXPECT_EQ(StatusOf(id), "created") << "a refused duplicate create disturbed the original";
  HullResult start = Hull({"start", id});
  EXPECT_EQ(start.code, 0) << start.err;
  EXPECT_EQ(StatusOf(id), "running");
  Leftovers left = FindLeftovers(root(), id, other.dir(), *other.spec().linux->cgroups_path);
  left.state_dir = false;  // the first container's
  left.processes.clear();  // likewise (same --root in the command lines)
  EXPECT_TRUE(left.empty()) << left.Describe();
  EXPECT_TRUE(CgroupDirs(*other.spec().linux->cgroups_path).empty());
}

TEST_F(BadCliTest, IdsThatArePathsAreRefused) {
  Bundle b = MakeBundle({"true"});
  std::string parent = root() + "/..";
  for (std::string id :
       {"a/b", "..", ".", "../escape", "x/../../escape", "/abs", "a\nb", "", "with space"}) {
    SCOPED_TRACE(id);
    HullResult r = Hull({"create", "--bundle", b.dir(), id});
    ExpectCleanFailure(r, {"container id"}, id.find('\n') != std::string::npos);
  }
  ExpectRootEmpty();
  struct stat st;
  EXPECT_NE(::lstat((parent + "/escape").c_str(), &st), 0) << "created a directory outside --root";
  EXPECT_TRUE(CgroupDirs(*b.spec().linux->cgroups_path).empty());
}

TEST_F(BadCliTest, MissingBundleIsNamed) {
  std::string id = NewId("nobundle");
  HullResult r = Hull({"create", "--bundle", "/nonexistent/bundle-dir", id});
  ExpectCleanFailure(r, {"/nonexistent/bundle-dir"});
  ExpectRootEmpty();
}

TEST_F(BadCliTest, BundleWithoutConfigIsNamed) {
  TempDir empty("hull-empty-bundle");
  std::string id = NewId("noconfig");
  HullResult r = Hull({"create", "--bundle", empty.path(), id});
  ExpectCleanFailure(r, {"config.json"});
  ExpectRootEmpty();
}

TEST_F(BadCliTest, MissingRootfsIsNamed) {
  Bundle b = MakeBundle({"true"});
  RemoveTree(b.rootfs());
  std::string id = NewId("norootfs");
  HullResult r = Hull({"create", "--bundle", b.dir(), id});
  ExpectCleanFailure(r, {"root.path"});
  ExpectRootEmpty();
  EXPECT_TRUE(CgroupDirs(*b.spec().linux->cgroups_path).empty());
}

TEST_F(BadCliTest, RootfsThatIsAFileIsNamed) {
  Bundle b = MakeBundle({"true"});
  RemoveTree(b.rootfs());
  WriteTestFile(b.rootfs(), "not a directory\n");
  std::string id = NewId("filerootfs");
  HullResult r = Hull({"create", "--bundle", b.dir(), id});
  ExpectCleanFailure(r, {"root.path", "not a directory"});
  ExpectRootEmpty();
}

TEST_F(BadCliTest, RootfsBehindDanglingSymlinkIsNamed) {
  Bundle b = MakeBundle({"true"});
  RemoveTree(b.rootfs());
  ASSERT_EQ(::symlink("/nonexistent/rootfs", b.rootfs().c_str()), 0);
  std::string id = NewId("danglingrootfs");
  HullResult r = Hull({"create", "--bundle", b.dir(), id});
  ExpectCleanFailure(r, {"root.path"});
  ExpectRootEmpty();
}

TEST_F(BadCliTest, RootfsWithoutTheProgramFailsCleanly) {
  // The rootfs exists but cannot run the process: create must fail (like runc: "executable
  // file not found") and roll everything back.
  Bundle b = MakeBundle({"/no/such/program"});
  std::string id = NewId("noprog");
  HullResult r = Hull({"create", "--bundle", b.dir(), id});
  ExpectCleanFailure(r, {"/no/such/program"});
  ExpectRootEmpty();
  Leftovers left = FindLeftovers(root(), id, b.dir(), *b.spec().linux->cgroups_path);
  EXPECT_TRUE(left.empty()) << left.Describe();
}

TEST_F(BadCliTest, InvalidSignalIsNamed) {
  Bundle b = MakeBundle({"sleep", "100"});
  std::string id = NewId("sig");
  ASSERT_EQ(Hull({"run", "--detach", "--bundle", b.dir(), id}).code, 0);
  for (std::string sig : {"SIGBOGUS", "BOGUS", "0x9", "-1", "99999", "65"}) {
    SCOPED_TRACE(sig);
    HullResult r = Hull({"kill", id, sig});
    ExpectCleanFailure(r, {sig});
  }
  EXPECT_EQ(StatusOf(id), "running") << "a refused kill signalled the container";
}

TEST_F(BadCliTest, UnknownCommandAndFlag) {
  HullResult r = Hull({"frobnicate"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
  HullResult f = Hull({"create", "--no-such-flag", "x"});
  EXPECT_EQ(f.code, 1);
  EXPECT_NE(f.err.find("no-such-flag"), std::string::npos) << f.err;
  ExpectRootEmpty();
}

TEST_F(BadCliTest, MissingIdArgument) {
  for (std::string cmd : {"create", "start", "state", "kill", "delete"}) {
    SCOPED_TRACE(cmd);
    HullResult r = Hull({cmd});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  ExpectRootEmpty();
}

}  // namespace
}  // namespace hull::testing
