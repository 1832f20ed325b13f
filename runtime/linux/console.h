// Pseudo-terminals for process.terminal: allocation, size, controlling terminal, and passing
// the master to the --console-socket listener (runc's protocol).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace hull::linux {

struct Pty {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_name;  // "/dev/pts/3", for messages and the console mount
};

// Opens `ptmx` (in the container, after /dev/pts is mounted: "/dev/ptmx" resolves to that
// devpts instance), unlocks it and opens the peer with TIOCGPTPEER, which needs no path lookup
// and so cannot be redirected to another file; kernels before 4.13 fall back to opening
// /dev/pts/<n>, checked to be a devpts file. Both fds are O_CLOEXEC and O_NOCTTY.
absl::StatusOr<Pty> OpenPty(const std::string& ptmx = "/dev/ptmx");

// process.consoleSize: TIOCSWINSZ. width/height are columns/rows.
absl::Status SetWindowSize(int fd, uint16_t width, uint16_t height);
// Copies the window size of terminal `from` to terminal `to`.
absl::Status CopyWindowSize(int from, int to);

// In the process that will exec: setsid(), make `slave_fd` the controlling terminal
// (TIOCSCTTY) and dup it onto 0, 1 and 2. slave_fd itself stays open (the caller owns it).
absl::Status MakeControllingTerminal(int slave_fd);

// Connects to the unix socket at `socket_path` and sends `master_fd` (runc's utils.SendFile:
// one sendmsg whose payload is the terminal's name, here "/dev/ptmx" as runc sends, with the fd
// in one SCM_RIGHTS control message). containerd/go-runc and runc's recvtty read it this way.
absl::Status SendConsoleFd(const std::string& socket_path, int master_fd,
                           const std::string& name = "/dev/ptmx");
// The same over an already connected socket.
absl::Status SendFd(int sock, int fd, const std::string& name);

struct ReceivedFd {
  UniqueFd fd;
  std::string name;
};
// Receives one message sent by SendFd: the fd (made O_CLOEXEC) and the payload name. Errors
// when the message carries no fd or more than one (any extra fds are closed).
absl::StatusOr<ReceivedFd> RecvFdWithName(int sock);
absl::StatusOr<UniqueFd> RecvFd(int sock);

}  // namespace hull::linux
