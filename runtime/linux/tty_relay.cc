#include "runtime/linux/tty_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "runtime/linux/console.h"

namespace hull::linux {
namespace {

constexpr size_t kChunk = 16 * 1024;
// After the child exited: how long the master may stay silent before the relay gives up on a
// slave still held open by someone else.
constexpr int kDrainIdleMs = 100;

// Restores an fd's status flags (O_NONBLOCK) on scope exit.
class FdFlagsGuard {
 public:
  explicit FdFlagsGuard(int fd) : fd_(fd), flags_(fcntl(fd, F_GETFL)) {}
  FdFlagsGuard(const FdFlagsGuard&) = delete;
  FdFlagsGuard& operator=(const FdFlagsGuard&) = delete;
  ~FdFlagsGuard() {
    if (flags_ >= 0) fcntl(fd_, F_SETFL, flags_);
  }
  absl::Status SetNonBlocking() {
    if (flags_ < 0) return ErrnoError("fcntl(F_GETFL) on the terminal master");
    if (fcntl(fd_, F_SETFL, flags_ | O_NONBLOCK) != 0) {
      return ErrnoError("fcntl(O_NONBLOCK) on the terminal master");
    }
    return absl::OkStatus();
  }

 private:
  int fd_;
  int flags_;
};

// SIGWINCH through a signalfd; restores the signal mask on scope exit.
class WinchWatcher {
 public:
  WinchWatcher() = default;
  WinchWatcher(const WinchWatcher&) = delete;
  WinchWatcher& operator=(const WinchWatcher&) = delete;
  ~WinchWatcher() {
    fd_.reset();
    if (blocked_) pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  absl::Status Start() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    int err = pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    if (err != 0) return ErrnoError(err, "block SIGWINCH");
    blocked_ = true;
    fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) return ErrnoError("signalfd(SIGWINCH)");
    return absl::OkStatus();
  }
  int fd() const { return fd_.get(); }
  // Consumes pending notifications.
  void Drain() {
    struct signalfd_siginfo info;
    while (read(fd_.get(), &info, sizeof(info)) == sizeof(info)) {
    }
  }

 private:
  UniqueFd fd_;
  sigset_t old_mask_;
  bool blocked_ = false;
};

// Bytes read but not yet written, for one direction.
struct Pending {
  std::string data;
  size_t offset = 0;
  bool empty() const { return offset >= data.size(); }
  // Reads once from fd; returns bytes read (0 at EOF), or -1 with errno.
  ssize_t Fill(int fd) {
    data.resize(kChunk);
    offset = 0;
    ssize_t n = read(fd, data.data(), data.size());
    data.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return n;
  }
  // Writes once; returns -1 with errno on failure.
  ssize_t Flush(int fd) {
    ssize_t n = write(fd, data.data() + offset, data.size() - offset);
    if (n > 0) offset += static_cast<size_t>(n);
    return n;
  }
};

bool Retryable(int err) { return err == EINTR || err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

absl::StatusOr<RawTerminalGuard> RawTerminalGuard::Enter(int fd) {
  if (!isatty(fd)) return RawTerminalGuard(fd, std::nullopt);
  struct termios saved;
  if (tcgetattr(fd, &saved) != 0) return ErrnoError("tcgetattr");
  struct termios raw = saved;
  cfmakeraw(&raw);
  // Keep output post-processing as the terminal had it: the container's pty already turns
  // "\n" into "\r\n", and raw mode exists for the input side.
  raw.c_oflag = saved.c_oflag;
  if (tcsetattr(fd, TCSANOW, &raw) != 0) return ErrnoError("tcsetattr(raw)");
  return RawTerminalGuard(fd, saved);
}

RawTerminalGuard::RawTerminalGuard(RawTerminalGuard&& other) noexcept
    : fd_(other.fd_), saved_(std::exchange(other.saved_, std::nullopt)) {}

RawTerminalGuard::~RawTerminalGuard() {
  if (saved_) tcsetattr(fd_, TCSANOW, &*saved_);
}

absl::Status RelayTerminal(int master_fd, int stdin_fd, int stdout_fd,
                           const RelayOptions& options) {
  std::optional<RawTerminalGuard> raw;
  if (options.raw_mode) {
    ASSIGN_OR_RETURN(RawTerminalGuard g, RawTerminalGuard::Enter(stdin_fd));
    raw.emplace(std::move(g));
  }
  FdFlagsGuard master_flags(master_fd);
  RETURN_IF_ERROR(master_flags.SetNonBlocking());

  // The terminal whose size the container follows: stdin, else stdout.
  int size_source = isatty(stdin_fd) ? stdin_fd : (isatty(stdout_fd) ? stdout_fd : -1);
  WinchWatcher winch;
  if (options.forward_window_size && size_source >= 0) {
    RETURN_IF_ERROR(winch.Start());
    RETURN_IF_ERROR_CTX(CopyWindowSize(size_source, master_fd), "forward window size");
  }

  Pending to_master;  // stdin -> master
  Pending to_out;     // master -> stdout
  bool stdin_open = stdin_fd >= 0;
  bool child_exited = false;
  // Output already read from the master is written out before returning, whatever ended the
  // session.
  auto finish = [&]() -> absl::Status {
    if (to_out.empty()) return absl::OkStatus();
    RETURN_IF_ERROR_CTX(WriteAll(stdout_fd, std::string_view(to_out.data).substr(to_out.offset)),
                        "write stdout");
    to_out.offset = to_out.data.size();
    return absl::OkStatus();
  };

  while (true) {
    enum { kStdin, kMaster, kStdout, kWinch, kPidfd, kCount };
    struct pollfd pfds[kCount];
    for (auto& p : pfds) p = {-1, 0, 0};
    if (stdin_open && !child_exited && to_master.empty()) pfds[kStdin] = {stdin_fd, POLLIN, 0};
    short master_events = 0;
    if (to_out.empty()) master_events |= POLLIN;
    if (!to_master.empty() && !child_exited) master_events |= POLLOUT;
    pfds[kMaster] = {master_fd, master_events, 0};
    if (!to_out.empty()) pfds[kStdout] = {stdout_fd, POLLOUT, 0};
    if (winch.fd() >= 0) pfds[kWinch] = {winch.fd(), POLLIN, 0};
    if (options.child_pidfd >= 0 && !child_exited) {
      pfds[kPidfd] = {options.child_pidfd, POLLIN, 0};
    }

    int ready = poll(pfds, kCount, child_exited ? kDrainIdleMs : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll (terminal relay)");
    }
    if (ready == 0) return finish();  // drained after the child exited

    if (pfds[kPidfd].revents) child_exited = true;
    if (pfds[kWinch].revents & POLLIN) {
      winch.Drain();
      // A failure to resize is not worth killing the session over; the next SIGWINCH retries.
      (void)CopyWindowSize(size_source, master_fd);
    }
    // poll() reports POLLHUP/POLLERR even when not asked for: only read into an empty buffer.
    if (to_master.empty() && (pfds[kStdin].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = to_master.Fill(stdin_fd);
      if (n == 0 || (n < 0 && errno == EIO)) {
        stdin_open = false;  // EOF (or a hung-up terminal): stop input only
      } else if (n < 0 && !Retryable(errno)) {
        return ErrnoError("read stdin");
      }
    }
    if (pfds[kMaster].revents & POLLOUT) {
      if (to_master.Flush(master_fd) < 0 && !Retryable(errno)) {
        if (errno == EIO) return finish();
        return ErrnoError("write to the container terminal");
      }
    }
    if (to_out.empty() && (pfds[kMaster].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = to_out.Fill(master_fd);
      if (n == 0 || (n < 0 && errno == EIO)) {
        // Every slave fd is closed: the session is over.
        return absl::OkStatus();
      }
      if (n < 0 && !Retryable(errno)) return ErrnoError("read the container terminal");
    }
    if (pfds[kStdout].revents & (POLLOUT | POLLERR | POLLHUP)) {
      if (to_out.Flush(stdout_fd) < 0 && !Retryable(errno)) return ErrnoError("write stdout");
    }
  }
}

}  // namespace hull::linux
