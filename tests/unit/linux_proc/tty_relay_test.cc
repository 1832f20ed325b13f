#include "runtime/linux/tty_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/linux/console.h"

namespace hull::linux {
namespace {

using ::testing::HasSubstr;

// The caller's terminal: an openpty() pair. `user` is what the person types into and sees
// (the master side); `tty` is what hull gets as stdin/stdout.
struct UserTerminal {
  UniqueFd user;
  UniqueFd tty;
};

UserTerminal OpenUserTerminal() {
  int m = -1, s = -1;
  if (openpty(&m, &s, nullptr, nullptr, nullptr) != 0) return {};
  fcntl(m, F_SETFD, FD_CLOEXEC);
  fcntl(s, F_SETFD, FD_CLOEXEC);
  return {UniqueFd(m), UniqueFd(s)};
}

// A tiny interactive "container process" on the slave of `pty`: answers each input line.
pid_t StartEchoProcess(Pty& pty, int exit_code) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (!MakeControllingTerminal(pty.slave.get()).ok()) _exit(100);
  char line[256];
  while (true) {
    ssize_t n = read(0, line, sizeof(line) - 1);  // canonical mode: one line per read
    if (n <= 0) _exit(101);
    line[n] = '\0';
    std::string in(line);
    std::string out;
    if (in == "size\n") {
      struct winsize ws {};
      ioctl(0, TIOCGWINSZ, &ws);
      out = "size=" + std::to_string(ws.ws_row) + "x" + std::to_string(ws.ws_col) + "\n";
    } else if (in == "exit\n") {
      (void)!write(1, "bye\n", 4);
      _exit(exit_code);
    } else {
      out = "echo:" + in;
    }
    (void)!write(1, out.data(), out.size());
  }
}

// Collects what the user's side of the terminal shows, on a thread.
class Screen {
 public:
  explicit Screen(int fd) : fd_(fd), thread_([this] { Run(); }) {}
  ~Screen() {
    stop_ = true;
    thread_.join();
  }
  bool WaitFor(const std::string& want, int ms = 3000) {
    for (int i = 0; i < ms / 10; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (text_.find(want) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  void Run() {
    // This thread must not swallow SIGWINCH aimed at the relay.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    while (!stop_) {
      struct pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char buf[512];
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n <= 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      text_.append(buf, static_cast<size_t>(n));
    }
  }
  int fd_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string text_;
  std::thread thread_;
};

void Type(int fd, const std::string& s) {
  ASSERT_EQ(write(fd, s.data(), s.size()), (ssize_t)s.size());
}

TEST(TtyRelayTest, RelaysBothWaysForwardsResizesAndRestoresTheTerminal) {
  UserTerminal term = OpenUserTerminal();
  ASSERT_TRUE(term.user.valid());
  struct termios before;
  ASSERT_EQ(tcgetattr(term.tty.get(), &before), 0);
  ASSERT_TRUE(SetWindowSize(term.user.get(), 80, 24).ok());

  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok());
  pid_t child = StartEchoProcess(*pty, 7);
  ASSERT_GT(child, 0);
  pty->slave.reset();  // the relay must see the hangup when the child is gone
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child, 0)));
  ASSERT_TRUE(pidfd.valid());

  pthread_t relay_thread = pthread_self();
  absl::Status relay_status;
  bool was_raw = false;
  {
    Screen screen(term.user.get());
    std::thread driver([&] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGWINCH);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      // Wait until the relay has the terminal in raw mode.
      for (int i = 0; i < 300; ++i) {
        struct termios now;
        tcgetattr(term.tty.get(), &now);
        if (!(now.c_lflag & ICANON)) {
          was_raw = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      Type(term.user.get(), "hello\n");
      screen.WaitFor("echo:hello");
      // Initial size forwarded.
      Type(term.user.get(), "size\n");
      screen.WaitFor("size=24x80");
      // Resize the user's terminal; the kernel would send SIGWINCH, we do it by hand.
      ASSERT_TRUE(SetWindowSize(term.user.get(), 101, 33).ok());
      pthread_kill(relay_thread, SIGWINCH);
      for (int i = 0; i < 20 && !screen.WaitFor("size=33x101", 150); ++i) {
        Type(term.user.get(), "size\n");
      }
      Type(term.user.get(), "exit\n");
    });
    RelayOptions options;
    options.child_pidfd = pidfd.get();
    relay_status = RelayTerminal(pty->master.get(), term.tty.get(), term.tty.get(), options);
    driver.join();
    screen.WaitFor("bye", 500);
    std::string shown = screen.text();
    EXPECT_THAT(shown, HasSubstr("echo:hello"));
    EXPECT_THAT(shown, HasSubstr("size=24x80"));
    EXPECT_THAT(shown, HasSubstr("size=33x101"));
    EXPECT_THAT(shown, HasSubstr("bye"));
  }
  EXPECT_TRUE(relay_status.ok()) << relay_status;
  EXPECT_TRUE(was_raw);
  // The caller reaps the child and gets its status.
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
  struct termios after;
  ASSERT_EQ(tcgetattr(term.tty.get(), &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
  // SIGWINCH is unblocked again.
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGWINCH));
}

TEST(TtyRelayTest, EndsWhenTheMasterHangsUpWithoutAPidfd) {
  absl::StatusOr<Pty> pty = OpenPty();
  ASSERT_TRUE(pty.ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!MakeControllingTerminal(pty->slave.get()).ok()) _exit(100);
    std::string big(100000, 'x');  // more than one pty buffer: exercises flow control
    big += "END\n";
    size_t off = 0;
    while (off < big.size()) {
      ssize_t n = write(1, big.data() + off, big.size() - off);
      if (n <= 0) _exit(101);
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  pty->slave.reset();
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  UniqueFd out_r(out[0]), out_w(out[1]);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd in(null);
  std::string collected;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(out_r.get(), buf, sizeof(buf))) > 0) collected.append(buf, (size_t)n);
  });
  absl::Status st = RelayTerminal(pty->master.get(), in.get(), out_w.get());
  out_w.reset();
  reader.join();
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_THAT(collected, HasSubstr("END"));
  EXPECT_GE(collected.size(), 100000u);
}

TEST(TtyRelayTest, RawModeIsRestoredWhenTheRelayFails) {
  UserTerminal term = OpenUserTerminal();
  ASSERT_TRUE(term.tty.valid());
  struct termios before;
  tcgetattr(term.tty.get(), &before);
  {
    absl::StatusOr<RawTerminalGuard> guard = RawTerminalGuard::Enter(term.tty.get());
    ASSERT_TRUE(guard.ok());
    EXPECT_TRUE(guard->active());
    struct termios now;
    tcgetattr(term.tty.get(), &now);
    EXPECT_FALSE(now.c_lflag & (ICANON | ECHO));
  }
  struct termios after;
  tcgetattr(term.tty.get(), &after);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  // A bad master fails the relay after raw mode was entered; the terminal still comes back.
  absl::Status st = RelayTerminal(-1, term.tty.get(), term.tty.get());
  EXPECT_FALSE(st.ok());
  tcgetattr(term.tty.get(), &after);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  // Not a terminal: a no-op guard.
  UniqueFd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
  absl::StatusOr<RawTerminalGuard> none = RawTerminalGuard::Enter(devnull.get());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->active());
}

}  // namespace
}  // namespace hull::linux
