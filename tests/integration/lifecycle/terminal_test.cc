// Terminals: process.terminal with --console-socket (the master is sent over SCM_RIGHTS as
// runc does) and a foreground `run` that allocates the pty itself and relays it to the caller's
// terminal (driven here through openpty).
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/match.h"
#include "runtime/linux/console.h"
#include "tests/integration/lifecycle/util.h"

namespace hull::lifecycle_test {
namespace {

using ::testing::HasSubstr;

// Reads from fd until `needle` shows up in what was read (true) or the timeout passes.
bool ReadUntil(int fd, const std::string& needle, std::string* acc, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (acc->find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return acc->find(needle) != std::string::npos;
    acc->append(buf, static_cast<size_t>(n));
  }
  return true;
}

class TerminalTest : public HullTest {
 protected:
  // A listening unix socket at <root>/../console-<unique>.sock.
  int Listen(std::string* path) {
    *path = "/tmp/" + ::hull::testing::UniqueId("console") + ".sock";
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path->c_str());
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 1) != 0) {
      ADD_FAILURE() << "listen on " << *path;
    }
    sockets_.push_back(*path);
    return s;
  }
  void TearDown() override {
    for (const auto& s : sockets_) ::unlink(s.c_str());
    HullTest::TearDown();
  }

 private:
  std::vector<std::string> sockets_;
};

TEST_F(TerminalTest, ConsoleSocketReceivesTheMaster) {
  Bundle b =
      MakeBundle({"sh", "-c",
                  "stty size; tty; stat -c '%F' /dev/console; exec 9</dev/tty && echo ctty-ok; "
                  "read x; echo got-$x"});
  b.spec().process->terminal = true;
  b.spec().process->console_size = spec::Box{.height = 30, .width = 100};
  b.Write();
  std::string sock_path;
  int listener = Listen(&sock_path);
  std::string id = NewId();
  auto create = HullBackground({"create", "--console-socket", sock_path, "-b", b.dir(), id});
  struct pollfd p = {listener, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 30000), 1) << "no connection on the console socket";
  int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  auto received = linux::RecvFdWithName(conn);
  ::close(conn);
  ::close(listener);
  ASSERT_TRUE(received.ok()) << received.status().message();
  EXPECT_EQ(received->name, "/dev/ptmx");  // what runc sends
  int master = received->fd.get();
  HullResult c = create->Wait(30000);
  ASSERT_EQ(c.code, 0) << c.err;
  // The received fd is a pty master.
  int ptn = -1;
  EXPECT_EQ(::ioctl(master, TIOCGPTN, &ptn), 0);

  ASSERT_EQ(Hull({"start", id}).code, 0);
  std::string out;
  EXPECT_TRUE(ReadUntil(master, "ctty-ok", &out, 10000)) << out;
  EXPECT_THAT(out, HasSubstr("30 100"));
  EXPECT_THAT(out, HasSubstr("/dev/pts/"));
  EXPECT_THAT(out, HasSubstr("character special file"));
  ASSERT_EQ(::write(master, "hello\n", 6), 6);
  EXPECT_TRUE(ReadUntil(master, "got-hello", &out, 10000)) << out;
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  EXPECT_EQ(Hull({"delete", id}).code, 0);
}

TEST_F(TerminalTest, TerminalWithoutConsoleSocketIsRejectedForCreate) {
  Bundle b = MakeBundle({"true"});
  b.spec().process->terminal = true;
  b.Write();
  HullResult r = Hull({"create", "-b", b.dir(), NewId()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("cannot allocate tty if runc will detach without setting console socket"));
  HullResult d = Hull({"run", "-d", "-b", b.dir(), NewId()});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(LeftoverCgroups(), ::testing::IsEmpty());
}

TEST_F(TerminalTest, ConsoleSocketWithoutTerminalIsRejected) {
  Bundle b = MakeBundle({"true"});
  std::string sock_path;
  int listener = Listen(&sock_path);
  HullResult r = Hull({"create", "--console-socket", sock_path, "-b", b.dir(), NewId()});
  ::close(listener);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("cannot use console socket if runc will not detach or allocate tty"));
}

TEST_F(TerminalTest, ForegroundRunRelaysThePty) {
  int master = -1, slave = -1;
  struct winsize ws = {};
  ws.ws_row = 40;
  ws.ws_col = 120;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, &ws), 0);
  Bundle b = MakeBundle({"sh", "-c",
                         "stty size; echo ready; read x; echo got-$x; "
                         "trap 'stty size; exit 5' USR1; while true; do sleep 0.1; done"});
  b.spec().process->terminal = true;
  b.Write();
  std::string id = NewId();
  auto run = HullBackground({"run", "-b", b.dir(), id},
                            {.stdin_fd = slave, .stdout_fd = slave, .new_session = true});
  ::close(slave);
  std::string out;
  ASSERT_TRUE(ReadUntil(master, "ready", &out, 20000)) << out << run->err();
  EXPECT_THAT(out, HasSubstr("40 120"));  // the caller's window size is copied
  // hull put our terminal in raw mode: the line is passed through to the container's pty,
  // whose line discipline echoes it and turns \r into \n.
  ASSERT_EQ(::write(master, "abc\r", 4), 4);
  EXPECT_TRUE(ReadUntil(master, "got-abc", &out, 10000)) << out;
  // A window-size change is relayed.
  ws.ws_row = 50;
  ws.ws_col = 132;
  ASSERT_EQ(::ioctl(master, TIOCSWINSZ, &ws), 0);
  run->Signal(SIGWINCH);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(Hull({"kill", id, "USR1"}).code, 0);
  EXPECT_TRUE(ReadUntil(master, "50 132", &out, 10000)) << out;
  HullResult r = run->Wait(20000);
  EXPECT_EQ(r.code, 5) << r.err;
  ::close(master);
  EXPECT_EQ(Hull({"state", id}).code, 1);  // deleted after the run
}

TEST_F(TerminalTest, WithoutTerminalThereIsNoConsole) {
  Bundle b = MakeBundle({"sh", "-c", "ls /dev/console 2>&1; tty"});
  HullResult r = Hull({"run", "-b", b.dir(), NewId()});
  EXPECT_THAT(r.out, HasSubstr("No such file"));
  EXPECT_THAT(r.out, HasSubstr("not a tty"));
}

}  // namespace
}  // namespace hull::lifecycle_test
