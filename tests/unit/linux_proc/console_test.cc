#include "runtime/linux/console.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "child_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::linux {
namespace {

using ::hull::linux::testing::RunInChild;
using ::testing::HasSubstr;

// Reads from fd until `want` appears or ~2 s pass.
std::string ReadUntil(int fd, const std::string& want) {
  std::string got;
  for (int i = 0; i < 40 && got.find(want) == std::string::npos; ++i) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// A recvtty-like listener: a unix socket in a fresh temp dir, removed on destruction.
class ConsoleSocketServer {
 public:
  ConsoleSocketServer() {
    char tmpl[] = "/tmp/hull-console-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/console.sock";
    listen_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ok_ = bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
          listen(listen_.get(), 1) == 0;
  }
  ~ConsoleSocketServer() {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  absl::StatusOr<ReceivedFd> AcceptOne() {
    UniqueFd conn(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return absl::InternalError("accept failed");
    return RecvFdWithName(conn.get());
  }

 private:
  std::string dir_;
  std::string path_;
  UniqueFd listen_;
  bool ok_ = false;
};

TEST(ConsoleTest, OpenPtyGivesAWorkingDevptsPair) {
  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok()) << pty.status();
  struct statfs sfs;
  ASSERT_EQ(fstatfs(pty->slave.get(), &sfs), 0);
  EXPECT_EQ(sfs.f_type, static_cast<decltype(sfs.f_type)>(DEVPTS_SUPER_MAGIC));
  EXPECT_EQ(std::string(ttyname(pty->slave.get())), pty->slave_name);
  EXPECT_TRUE(fcntl(pty->master.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(fcntl(pty->slave.get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(write(pty->slave.get(), "hello\n", 6), 6);
  EXPECT_THAT(ReadUntil(pty->master.get(), "hello"), HasSubstr("hello"));
  ASSERT_EQ(write(pty->master.get(), "typed\n", 6), 6);
  EXPECT_THAT(ReadUntil(pty->slave.get(), "typed"), HasSubstr("typed"));
}

TEST(ConsoleTest, WindowSizeIsSet) {
  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok());
  ASSERT_TRUE(SetWindowSize(pty->master.get(), 132, 43).ok());
  struct winsize ws {};
  ASSERT_EQ(ioctl(pty->slave.get(), TIOCGWINSZ, &ws), 0);
  EXPECT_EQ(ws.ws_col, 132);
  EXPECT_EQ(ws.ws_row, 43);
  EXPECT_THAT(std::string(SetWindowSize(-1, 1, 1).message()), HasSubstr("process.consoleSize"));
}

TEST(ConsoleTest, MasterTravelsOverTheConsoleSocketAndStillWorks) {
  ConsoleSocketServer server;
  ASSERT_TRUE(server.ok());
  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok());
  // The sender is another process, as the container init would be.
  auto sender = RunInChild([&]() -> std::string {
    absl::Status st = SendConsoleFd(server.path(), pty->master.get());
    return st.ok() ? "" : st.ToString();
  });
  // The connection is queued in the backlog, so the child can finish before we accept.
  EXPECT_EQ(sender.exit_code, 0) << sender.report;
  absl::StatusOr<ReceivedFd> got = server.AcceptOne();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->name, "/dev/ptmx");  // runc sends the master's file name
  EXPECT_TRUE(fcntl(got->fd.get(), F_GETFD) & FD_CLOEXEC);
  pty->master.reset();  // only the received copy remains
  ASSERT_EQ(write(pty->slave.get(), "through the socket\n", 19), 19);
  EXPECT_THAT(ReadUntil(got->fd.get(), "socket"), HasSubstr("through the socket"));
}

TEST(ConsoleTest, SendConsoleFdToAMissingSocketNamesTheFlag) {
  absl::Status st = SendConsoleFd("/nonexistent/hull.sock", 0);
  EXPECT_THAT(std::string(st.message()), HasSubstr("--console-socket: connect"));
}

TEST(ConsoleTest, RecvFdRejectsAMessageWithoutFd) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  ASSERT_EQ(write(a.get(), "x", 1), 1);
  absl::StatusOr<UniqueFd> r = RecvFd(b.get());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("expected one fd"));
}

TEST(ConsoleTest, MakeControllingTerminalGivesTheProcessItsTty) {
  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok());
  auto outcome = RunInChild([&]() -> std::string {
    if (absl::Status st = MakeControllingTerminal(pty->slave.get()); !st.ok()) return st.ToString();
    for (int fd = 0; fd <= 2; ++fd) {
      if (!isatty(fd)) return "fd " + std::to_string(fd) + " is not a tty";
    }
    if (tcgetsid(0) != getsid(0)) return "not the session's controlling terminal";
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return "cannot open /dev/tty";
    close(tty);
    if (write(1, "ctty-ok\n", 8) != 8) return "write";
    return "";
  });
  EXPECT_EQ(outcome.exit_code, 0) << outcome.report;
  EXPECT_THAT(ReadUntil(pty->master.get(), "ctty-ok"), HasSubstr("ctty-ok"));
}

}  // namespace
}  // namespace hull::linux
