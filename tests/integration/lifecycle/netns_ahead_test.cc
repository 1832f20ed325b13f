// The network namespace made ahead by the entry point's helper (runtime/linux/netns_ahead.h):
// the container gets a fresh namespace owned by the right user namespace, a config that cannot
// use it starts no helper, and no helper outlives hull, whatever the outcome.
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tests/integration/lifecycle/util.h"

namespace hull::lifecycle_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMadeAhead[] = "network namespace: made ahead by helper";

ino_t InodeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The inode of the user namespace owning the namespace at `ns_path`.
ino_t OwnerUsernsOf(const std::string& ns_path) {
  int ns = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) return 0;
  int owner = ::ioctl(ns, NS_GET_USERNS);
  ::close(ns);
  if (owner < 0) return 0;
  struct stat st;
  ino_t ino = ::fstat(owner, &st) == 0 ? st.st_ino : 0;
  ::close(owner);
  return ino;
}

class NetnsAheadTest : public SubreaperTest {
 protected:
  // Children of ours that hull left behind (reaped here): none after any hull command.
  int OrphansReaped() {
    int n = 0;
    while (::waitpid(-1, nullptr, WNOHANG) > 0) ++n;
    return n;
  }
  pid_t PidOf(const std::string& id) {
    HullResult st = Hull({"state", id});
    json::Value v = ParseJson(st.out);
    return static_cast<pid_t>(IntField(v, "pid"));
  }
};

TEST_F(NetnsAheadTest, RunGetsAFreshNetworkNamespaceMadeAhead) {
  Bundle b = MakeBundle({"sh", "-c", "ls /sys/class/net; readlink /proc/self/ns/net"});
  b.Write();
  HullResult r = Hull({"--debug", "run", "-b", b.dir(), NewId()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(OrphansReaped(), 0) << "hull left its helper behind";
  // Only a loopback device: a new namespace, not the host's.
  EXPECT_EQ(r.out.substr(0, 3), "lo\n") << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr(absl::StrCat("[", InodeOf("/proc/self/ns/net"), "]"))));
#if defined(__x86_64__)
  EXPECT_THAT(r.err, HasSubstr(kMadeAhead));
#endif
}

TEST_F(NetnsAheadTest, TheNamespaceBelongsToTheHostUserNamespaceWithoutAUserNamespace) {
  Bundle b = MakeBundle({"sleep", "1000"});
  b.Write();
  const std::string id = NewId();
  HullResult c = Hull({"--debug", "create", "-b", b.dir(), id});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(OrphansReaped(), 0) << "hull left its helper behind";
#if defined(__x86_64__)
  EXPECT_THAT(c.err, HasSubstr(kMadeAhead));
#endif
  pid_t pid = PidOf(id);
  ASSERT_GT(pid, 0);
  const std::string ns = absl::StrCat("/proc/", pid, "/ns/net");
  EXPECT_NE(InodeOf(ns), InodeOf("/proc/self/ns/net"));
  EXPECT_EQ(OwnerUsernsOf(ns), InodeOf("/proc/self/ns/user"));
  EXPECT_EQ(Hull({"delete", "--force", id}).code, 0);
}

TEST_F(NetnsAheadTest, WithAUserNamespaceTheInitMakesItInThatNamespace) {
  Bundle b = MakeBundle({"sleep", "1000"});
  b.spec().linux->namespaces.push_back({.type = "user"});
  b.spec().linux->uid_mappings = {{.container_id = 0, .host_id = 210000, .size = 65536}};
  b.spec().linux->gid_mappings = {{.container_id = 0, .host_id = 210000, .size = 65536}};
  b.Write();
  const std::string id = NewId();
  HullResult c = Hull({"--debug", "create", "-b", b.dir(), id});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_THAT(c.err, Not(HasSubstr(kMadeAhead)));
  EXPECT_EQ(OrphansReaped(), 0);
  pid_t pid = PidOf(id);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(OwnerUsernsOf(absl::StrCat("/proc/", pid, "/ns/net")),
            InodeOf(absl::StrCat("/proc/", pid, "/ns/user")));
  EXPECT_EQ(Hull({"delete", "--force", id}).code, 0);
}

TEST_F(NetnsAheadTest, AJoinedOrHostNetworkNamespaceStartsNoHelper) {
  const std::string host_net = absl::StrCat("[", InodeOf("/proc/self/ns/net"), "]");
  for (bool join : {true, false}) {
    SCOPED_TRACE(join ? "joined by path" : "host network");
    Bundle b = MakeBundle({"readlink", "/proc/self/ns/net"});
    auto& nss = b.spec().linux->namespaces;
    for (auto it = nss.begin(); it != nss.end();) {
      it = it->type == "network" ? nss.erase(it) : it + 1;
    }
    if (join)
      nss.push_back({.type = "network", .path = absl::StrCat("/proc/", getpid(), "/ns/net")});
    b.Write();
    HullResult r = Hull({"--debug", "run", "-b", b.dir(), NewId()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(host_net));
    EXPECT_THAT(r.err, Not(HasSubstr(kMadeAhead)));
    EXPECT_EQ(OrphansReaped(), 0);
  }
}

TEST_F(NetnsAheadTest, AConfigRefusedAfterTheScanLeavesNoHelperBehind) {
  // The entry point's scan sees a new network namespace; the full check then refuses the
  // config (empty process.args). The helper must still be reaped, its namespace dropped.
  Bundle b = MakeBundle();
  b.spec().process->args.clear();
  b.Write();
  const std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("process.args"));
  EXPECT_EQ(OrphansReaped(), 0) << "hull left its helper behind";
  EXPECT_EQ(StatusOf(id), "");
}

}  // namespace
}  // namespace hull::lifecycle_test
