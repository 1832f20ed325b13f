#include "ctr-pull/bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::pull {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "www:x:33:33:www:/var/www:/bin/false\n"
    "app:x:1000:1001::/home/app:/bin/sh\n";
constexpr char kGroup[] =
    "root:x:0:\n"
    "www:x:33:\n"
    "appgrp:x:1001:\n"
    "audio:x:29:app,www\n"
    "video:x:44:app\n";

TEST(ResolveUserTest, NamesAndIdsPerConversionSpec) {
  auto u = ResolveUser("app", kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1001u);
  EXPECT_THAT(u->additional_gids, ElementsAre(29u, 44u));

  u = ResolveUser("33", kPasswd, kGroup);  // numeric uid in passwd: its gid and groups
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->gid, 33u);
  EXPECT_THAT(u->additional_gids, ElementsAre(29u));

  u = ResolveUser("4242:4343", kPasswd, kGroup);  // numeric and unknown: verbatim
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 4242u);
  EXPECT_EQ(u->gid, 4343u);
  EXPECT_TRUE(u->additional_gids.empty());

  u = ResolveUser("app:video", kPasswd, kGroup);  // explicit group: no additional gids
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 44u);
  EXPECT_TRUE(u->additional_gids.empty());

  EXPECT_FALSE(ResolveUser("nobody", kPasswd, kGroup).ok());
  EXPECT_FALSE(ResolveUser("app:nogroup", kPasswd, kGroup).ok());
}

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctrpull-bundle-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/etc");
    std::ofstream(dir_ + "/etc/passwd") << kPasswd;
    std::ofstream(dir_ + "/etc/group") << kGroup;
    fd_.reset(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    image_.platform.os = "linux";
    image_.platform.architecture = "amd64";
    image_.config.entrypoint = std::vector<std::string>{"/entry"};
    image_.config.cmd = std::vector<std::string>{"serve", "--port=80"};
    image_.config.env = {"FOO=bar"};
    image_.config.working_dir = "/srv";
    image_.config.user = "app";
    image_.config.stop_signal = "SIGQUIT";
    image_.config.exposed_ports = {"80/tcp", "53/udp"};
    image_.config.labels = {{"org.opencontainers.image.os", "label-wins"}, {"team", "x"}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  UniqueFd fd_;
  spec::Image image_;
};

TEST_F(ConvertTest, EntrypointCmdEnvUserAndAnnotations) {
  ConvertOptions o;
  o.ref_name = "localhost:5000/app:v1";
  o.manifest_digest = "sha256:" + std::string(64, 'b');
  auto c = ConvertImageConfig(image_, fd_.get(), o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->args, ElementsAre("/entry", "serve", "--port=80"));
  EXPECT_THAT(c->env, ElementsAre(kDefaultPath, "FOO=bar"));
  EXPECT_EQ(c->cwd, "/srv");
  EXPECT_EQ(c->uid, 1000u);
  EXPECT_EQ(c->gid, 1001u);
  EXPECT_FALSE(c->terminal);
  EXPECT_EQ(c->annotations["org.opencontainers.image.os"], "label-wins");  // Labels take precedence
  EXPECT_EQ(c->annotations["org.opencontainers.image.architecture"], "amd64");
  EXPECT_EQ(c->annotations["org.opencontainers.image.stopSignal"], "SIGQUIT");
  EXPECT_EQ(c->annotations["org.opencontainers.image.exposedPorts"], "80/tcp,53/udp");
  EXPECT_EQ(c->annotations["org.opencontainers.image.ref.name"], "localhost:5000/app:v1");
  EXPECT_EQ(c->annotations["org.opencontainers.image.base.digest"], o.manifest_digest);
  EXPECT_EQ(c->annotations["team"], "x");
}

TEST_F(ConvertTest, CommandReplacesCmdEntrypointReplacesEntrypoint) {
  ConvertOptions o;
  o.command = {"echo", "hi"};
  auto c = ConvertImageConfig(image_, fd_.get(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->args, ElementsAre("/entry", "echo", "hi"));

  o = ConvertOptions();
  o.entrypoint = std::vector<std::string>{"/bin/sh"};
  c = ConvertImageConfig(image_, fd_.get(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->args, ElementsAre("/bin/sh"));  // docker drops the image's Cmd

  o.entrypoint = std::vector<std::string>{};
  o.command = {"ls", "-l"};
  c = ConvertImageConfig(image_, fd_.get(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->args, ElementsAre("ls", "-l"));
}

TEST_F(ConvertTest, EnvOverridesTtyAndErrors) {
  image_.config.env = {"PATH=/custom", "A=1"};
  ConvertOptions o;
  o.env = {"A=2", "B=3"};
  o.tty = true;
  auto c = ConvertImageConfig(image_, fd_.get(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->env, ElementsAre("PATH=/custom", "A=2", "TERM=xterm", "B=3"));
  EXPECT_TRUE(c->terminal);

  image_.config.user = "ghost";
  c = ConvertImageConfig(image_, fd_.get(), ConvertOptions());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("ghost"));

  image_.config.user.reset();
  image_.config.entrypoint.reset();
  image_.config.cmd.reset();
  c = ConvertImageConfig(image_, fd_.get(), ConvertOptions());
  EXPECT_FALSE(c.ok());
}

TEST_F(ConvertTest, FifoPasswdDoesNotHang) {
  std::filesystem::remove(dir_ + "/etc/passwd");
  ASSERT_EQ(mkfifo((dir_ + "/etc/passwd").c_str(), 0644), 0);
  auto c = ConvertImageConfig(image_, fd_.get(), ConvertOptions());  // User "app": unresolvable
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("app"));
}

TEST(BaseSpecTest, IsCompleteAndLeavesCgroupsPathUnset) {
  auto s = BaseSpec(false);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->root.has_value());
  EXPECT_EQ(s->root->path, "rootfs");
  ASSERT_TRUE(s->linux.has_value());
  EXPECT_FALSE(s->linux->cgroups_path.has_value());
  ImageRuntimeConfig rc;
  rc.args = {"echo", "hi"};
  rc.env = {kDefaultPath};
  rc.annotations["k"] = "v";
  ApplyToSpec(rc, &*s);
  // It round-trips through hull's own config decoder.
  auto again = spec::ParseConfig(spec::EmitConfig(*s));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->process->args, ElementsAre("echo", "hi"));
  EXPECT_EQ(again->annotations["k"], "v");
  EXPECT_EQ(again->process->terminal, false);
}

}  // namespace
}  // namespace hull::pull
