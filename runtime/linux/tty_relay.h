// The foreground terminal relay for `hull run` / `hull exec -t` without --console-socket: the
// caller's terminal is put in raw mode and bytes are copied both ways between it and the
// container's pty master until the container process is gone.
#pragma once

#include <termios.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hull::linux {

// Raw mode for a terminal, restored (TCSANOW, the saved termios) when the object dies, on every
// path including errors. A non-terminal fd makes a no-op guard.
class RawTerminalGuard {
 public:
  static absl::StatusOr<RawTerminalGuard> Enter(int fd);
  RawTerminalGuard(RawTerminalGuard&& other) noexcept;
  RawTerminalGuard& operator=(RawTerminalGuard&&) = delete;
  RawTerminalGuard(const RawTerminalGuard&) = delete;
  RawTerminalGuard& operator=(const RawTerminalGuard&) = delete;
  ~RawTerminalGuard();
  bool active() const { return saved_.has_value(); }

 private:
  RawTerminalGuard(int fd, std::optional<struct termios> saved) : fd_(fd), saved_(saved) {}
  int fd_ = -1;
  std::optional<struct termios> saved_;
};

struct RelayOptions {
  // A pidfd of the container process. When it becomes readable (the process exited) the relay
  // stops reading input, drains what the master still has (until EIO or ~100 ms of silence,
  // since a background process may keep the slave open) and returns. The caller then reaps the
  // process itself (waitid(P_PIDFD, ...)), so it keeps the exit status. -1: run until the
  // master hangs up (every slave fd closed).
  int child_pidfd = -1;
  // Put stdin in raw mode while relaying, if it is a terminal.
  bool raw_mode = true;
  // Forward the caller terminal's size to the master now and on every SIGWINCH. SIGWINCH is
  // taken through a signalfd: it is blocked in the calling thread for the duration (the CLI is
  // single-threaded; other threads must block it too) and the old mask restored afterwards.
  bool forward_window_size = true;
};

// Copies stdin_fd -> master_fd and master_fd -> stdout_fd with poll() (never blocks on one
// direction while the other has data). stdin EOF stops input only. The master is switched to
// O_NONBLOCK for the duration (its flags are restored). Returns OK when the master hangs up or
// the child exited and the output is drained; an error for any failed read/write other than the
// master's EIO (hangup).
absl::Status RelayTerminal(int master_fd, int stdin_fd, int stdout_fd,
                           const RelayOptions& options = {});

}  // namespace hull::linux
