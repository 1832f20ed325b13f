// OCI bundles for tests and a fixture that owns everything a container test makes.
//
//   class MyTest : public hull::testing::HullTest {};
//   TEST_F(MyTest, HostnameIsSet) {
//     Bundle b = MakeBundle({"hostname"});          // busybox rootfs + `hull spec` config
//     b.spec().hostname = "box";
//     b.Write();
//     HullResult r = Hull({"run", NewId(), "-b", b.dir()});   // --root is added by Hull()
//     EXPECT_EQ(r.out, "box\n");
//   }
//
// Containers made through NewId() are force-deleted in TearDown, the state root is removed, and
// the fixture's cgroup parent (/hull-test/<unique>, one per test) is emptied and removed from
// every hierarchy, also when the test fails half-way.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/config.h"
#include "tests/support/hull_runner.h"

namespace hull::testing {

// A directory under /tmp, removed recursively (without crossing mount points) on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "hull-test");
  TempDir(TempDir&& o) noexcept;
  TempDir& operator=(TempDir&& o) noexcept;
  TempDir(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Removes a tree, refusing to descend into other filesystems (a leaked bind mount never
// takes host files with it).
void RemoveTree(const std::string& path);

// Writes a file (parents created). Fails the test on error.
void WriteTestFile(const std::string& path, const std::string& content, mode_t mode = 0644);
std::string ReadTestFile(const std::string& path);  // "" when missing

// A bundle: <dir>/config.json and <dir>/rootfs, a busybox rootfs (/bin/busybox copied from the
// host's busybox-static, one symlink per applet in /bin, /etc/passwd and /etc/group with root,
// nobody (65534) and a user "test" (1000)), and the config `hull spec` writes with
// process.terminal false and root.readonly false (tests write canaries into the rootfs).
class Bundle {
 public:
  explicit Bundle(std::vector<std::string> args = {"true"});
  Bundle(Bundle&&) = default;
  Bundle& operator=(Bundle&&) = default;

  spec::Spec& spec() { return spec_; }
  const std::string& dir() const { return dir_.path(); }
  std::string rootfs() const { return dir_.path() + "/rootfs"; }
  std::string config_path() const { return dir_.path() + "/config.json"; }
  // Writes config.json from spec(). Call after changing spec().
  void Write();
  // Writes a raw config.json (for fields or errors spec::Spec cannot express).
  void WriteRawConfig(const std::string& json);
  // A file inside the rootfs ("/etc/motd").
  void WriteRootfsFile(const std::string& path, const std::string& content, mode_t mode = 0644);

 private:
  TempDir dir_;
  spec::Spec spec_;
};

// Unique id for containers and cgroups: "<prefix>-<pid>-<counter>-<random>".
std::string UniqueId(const std::string& prefix = "t");

// Root-only, host-facing fixture. SetUp skips the test when not root.
class HullTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // State root (--root) of this test.
  const std::string& root() const { return root_.path(); }
  // The test's cgroup parent, "/hull-test/<unique>".
  const std::string& cgroup_parent() const { return cgroup_parent_; }
  // A new container id, remembered for cleanup.
  std::string NewId(const std::string& prefix = "c");
  // Remembers an id made elsewhere for cleanup.
  void Track(const std::string& id) { ids_.push_back(id); }
  // A busybox bundle running `args`, with linux.cgroupsPath = <cgroup_parent>/<unique>; written.
  Bundle MakeBundle(std::vector<std::string> args = {"true"});
  // Runs the runtime with "--root <root()>" prepended.
  HullResult Hull(std::vector<std::string> args, const HullOptions& opts = {});
  // Starts the runtime in the background with "--root <root()>" prepended.
  std::unique_ptr<HullProcess> HullBackground(std::vector<std::string> args,
                                              const HullOptions& opts = {});
  // The "status" field of `state ID`, or "" when state fails.
  std::string StatusOf(const std::string& id);
  // Waits until `state ID` reports `status` (true) or timeout.
  bool WaitForStatus(const std::string& id, const std::string& status, int timeout_ms = 10000);
  // Cgroup directories (absolute host paths) still existing under cgroup_parent() in any
  // hierarchy: empty after a clean delete.
  std::vector<std::string> LeftoverCgroups() const;

 private:
  TempDir root_{"hull-root"};
  std::string cgroup_parent_;
  std::vector<std::string> ids_;
};

// Every cgroup hierarchy mount point on this host (v1 controllers and the unified one).
std::vector<std::string> CgroupMountPoints();
// Kills every process in, and removes, the cgroup `path` (relative to each hierarchy, e.g.
// "/hull-test/x") in every hierarchy, children first.
void RemoveCgroupEverywhere(const std::string& path);

}  // namespace hull::testing
