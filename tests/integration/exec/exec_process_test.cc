// The pure parts of exec (no container needed): how the process is built from the container's
// config and the flags, runc's env rule, and --cgroup parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/container/exec.h"

namespace hull::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

spec::Process ContainerProcess() {
  spec::Process p;
  p.args = {"sleep", "1000"};
  p.env = {"PATH=/usr/bin:/bin", "TERM=xterm"};
  p.cwd = "/srv";
  p.terminal = true;
  p.user.uid = 5;
  p.user.gid = 6;
  p.user.additional_gids = {7};
  p.no_new_privileges = true;
  p.rlimits = {{"RLIMIT_NOFILE", 100, 50}};
  spec::LinuxCapabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_NET_RAW"};
  caps.effective = {"CAP_KILL"};
  caps.permitted = {"CAP_KILL", "CAP_NET_RAW"};
  caps.inheritable = {"CAP_NET_RAW"};
  p.capabilities = caps;
  return p;
}

TEST(BuildExecProcess, KeepsTheContainerSettingsAndReplacesArgs) {
  ExecOptions o;
  o.args = {"ls", "-l"};
  auto p = BuildExecProcess(ContainerProcess(), o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->args, ElementsAre("ls", "-l"));
  EXPECT_EQ(p->cwd, "/srv");
  EXPECT_EQ(p->user.uid, 5u);
  EXPECT_EQ(p->user.gid, 6u);
  EXPECT_THAT(p->user.additional_gids, ElementsAre(7u));
  EXPECT_EQ(p->no_new_privileges, true);
  EXPECT_EQ(p->rlimits, ContainerProcess().rlimits);
  EXPECT_EQ(p->capabilities, ContainerProcess().capabilities);
  // runc: an exec has no terminal unless -t, whatever the container's process had.
  EXPECT_EQ(p->terminal, false);
}

TEST(BuildExecProcess, FlagsOverride) {
  ExecOptions o;
  o.args = {"id"};
  o.cwd = "/tmp";
  o.env = {"TERM=dumb", "A=1"};
  o.uid = 1000;
  o.gid = 1001;
  o.additional_gids = {44};
  o.tty = true;
  o.no_new_privs = false;
  o.apparmor = "prof";
  o.process_label = "label";
  auto p = BuildExecProcess(ContainerProcess(), o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->cwd, "/tmp");
  EXPECT_THAT(p->env, ElementsAre("PATH=/usr/bin:/bin", "TERM=xterm", "TERM=dumb", "A=1"));
  EXPECT_EQ(p->user.uid, 1000u);
  EXPECT_EQ(p->user.gid, 1001u);
  EXPECT_THAT(p->user.additional_gids, ElementsAre(7u, 44u));
  EXPECT_EQ(p->terminal, true);
  EXPECT_EQ(p->no_new_privileges, false);
  EXPECT_EQ(p->apparmor_profile, "prof");
  EXPECT_EQ(p->selinux_label, "label");
}

TEST(BuildExecProcess, CapsGoToBoundingEffectivePermittedNeverInheritable) {
  ExecOptions o;
  o.args = {"true"};
  o.caps = {"CAP_SYS_ADMIN", "CAP_NET_RAW"};
  auto p = BuildExecProcess(ContainerProcess(), o);
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& c = *p->capabilities;
  EXPECT_THAT(c.bounding, ElementsAre("CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_NET_RAW"));
  EXPECT_THAT(c.effective, ElementsAre("CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"));
  EXPECT_THAT(c.permitted, ElementsAre("CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_NET_RAW"));
  EXPECT_THAT(c.inheritable, ElementsAre("CAP_NET_RAW"));  // CVE-2022-29162
  // Ambient only where the kernel can honour it (already inheritable).
  EXPECT_THAT(c.ambient, ElementsAre("CAP_NET_RAW"));
}

TEST(BuildExecProcess, CapsOnAContainerWithoutCapabilities) {
  spec::Process base = ContainerProcess();
  base.capabilities.reset();
  ExecOptions o;
  o.args = {"true"};
  o.caps = {"CAP_CHOWN"};
  auto p = BuildExecProcess(base, o);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(p->capabilities.has_value());
  EXPECT_THAT(p->capabilities->bounding, ElementsAre("CAP_CHOWN"));
  EXPECT_TRUE(p->capabilities->inheritable.empty());
  EXPECT_TRUE(p->capabilities->ambient.empty());
}

TEST(BuildExecProcess, ValidatesLikeRunc) {
  ExecOptions o;
  o.args = {"true"};
  o.cwd = "relative";
  auto p = BuildExecProcess(ContainerProcess(), o);
  EXPECT_THAT(p.status().message(), HasSubstr("Cwd must be an absolute path"));
  o.cwd = "";
  o.args.clear();
  EXPECT_THAT(BuildExecProcess(ContainerProcess(), o).status().message(),
              HasSubstr("args must not be empty"));
}

TEST(DedupEnv, LastValueWinsAtItsPosition) {
  auto e = DedupEnv({"A=1", "PATH=/bin", "B=2", "A=3", "C="});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(*e, ElementsAre("PATH=/bin", "B=2", "A=3", "C="));
}

TEST(DedupEnv, RejectsMalformedEntries) {
  EXPECT_THAT(DedupEnv({"NOEQUALS"}).status().message(), HasSubstr("missing '='"));
  EXPECT_THAT(DedupEnv({"=x"}).status().message(), HasSubstr("name cannot be empty"));
  EXPECT_THAT(DedupEnv({std::string("A=x\0y", 5)}).status().message(), HasSubstr("nul byte"));
}

TEST(ParseSubCgroupPaths, Forms) {
  auto plain = ParseSubCgroupPaths({"sub/dir"});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->at(""), "/sub/dir");

  auto ctrls = ParseSubCgroupPaths({"cpu,memory:a", "pids:b"});
  ASSERT_TRUE(ctrls.ok()) << ctrls.status();
  EXPECT_EQ(ctrls->size(), 3u);
  EXPECT_EQ(ctrls->at("cpu"), "/a");
  EXPECT_EQ(ctrls->at("memory"), "/a");
  EXPECT_EQ(ctrls->at("pids"), "/b");

  EXPECT_TRUE(ParseSubCgroupPaths({}).ok());
  EXPECT_TRUE(ParseSubCgroupPaths({}).value().empty());
}

TEST(ParseSubCgroupPaths, NeverLeavesTheContainerCgroup) {
  auto p = ParseSubCgroupPaths({"../../../etc"});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->at(""), "/etc");  // below the container's cgroup, not the host's /etc
  auto q = ParseSubCgroupPaths({"memory:/../.."});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->at("memory"), "/");
}

TEST(ParseSubCgroupPaths, RejectsWhatRuncRejects) {
  EXPECT_THAT(ParseSubCgroupPaths({"a:b:c"}).status().message(),
              HasSubstr("invalid --cgroup argument: a:b:c"));
  EXPECT_THAT(ParseSubCgroupPaths({"a", "memory:b"}).status().message(),
              HasSubstr("missing <controller>: prefix"));
}

}  // namespace
}  // namespace hull::container
