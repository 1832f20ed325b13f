#include "runtime/linux/console.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace hull::linux {
namespace {

// runc's MaxNameLen: the longest name payload accepted.
constexpr size_t kMaxNameLen = 4096;

// Unix98 pty slaves have majors 136..143.
bool IsPtySlave(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

absl::StatusOr<UniqueFd> OpenPeerByPath(const std::string& name) {
  int fd = open(name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", name));
  UniqueFd slave(fd);
  struct statfs sfs;
  if (fstatfs(slave.get(), &sfs) != 0) return ErrnoError(absl::StrCat("fstatfs ", name));
  struct stat st;
  if (fstat(slave.get(), &st) != 0) return ErrnoError(absl::StrCat("fstat ", name));
  if (sfs.f_type != DEVPTS_SUPER_MAGIC || !IsPtySlave(st)) {
    return absl::PermissionDeniedError(absl::StrCat(name, " is not a devpts terminal"));
  }
  return slave;
}

}  // namespace

absl::StatusOr<Pty> OpenPty(const std::string& ptmx) {
  int fd = open(ptmx.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", ptmx));
  Pty pty;
  pty.master.reset(fd);
  int unlock = 0;
  if (ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) {
    return ErrnoError(absl::StrCat("unlockpt ", ptmx));
  }
  unsigned int n = 0;
  if (ioctl(pty.master.get(), TIOCGPTN, &n) != 0) return ErrnoError(absl::StrCat("ptsname ", ptmx));
  pty.slave_name = absl::StrCat("/dev/pts/", n);
  int peer = ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer >= 0) {
    pty.slave.reset(peer);
    return pty;
  }
  if (errno != EINVAL && errno != ENOTTY) return ErrnoError("ioctl(TIOCGPTPEER)");
  ASSIGN_OR_RETURN(pty.slave, OpenPeerByPath(pty.slave_name));
  return pty;
}

absl::Status SetWindowSize(int fd, uint16_t width, uint16_t height) {
  struct winsize ws {};
  ws.ws_col = width;
  ws.ws_row = height;
  if (ioctl(fd, TIOCSWINSZ, &ws) != 0) {
    return ErrnoError(absl::StrCat("process.consoleSize: set window size ", width, "x", height));
  }
  return absl::OkStatus();
}

absl::Status CopyWindowSize(int from, int to) {
  struct winsize ws {};
  if (ioctl(from, TIOCGWINSZ, &ws) != 0) return ErrnoError("get window size");
  if (ioctl(to, TIOCSWINSZ, &ws) != 0) return ErrnoError("set window size");
  return absl::OkStatus();
}

absl::Status MakeControllingTerminal(int slave_fd) {
  // A process group leader cannot setsid(); the init process is a fresh child, so EPERM here
  // means the caller set things up wrongly: report it rather than continue without a session.
  if (setsid() < 0) return ErrnoError("setsid");
  if (ioctl(slave_fd, TIOCSCTTY, 0) != 0) return ErrnoError("ioctl(TIOCSCTTY)");
  for (int target = 0; target <= 2; ++target) {
    if (slave_fd == target) continue;
    if (dup2(slave_fd, target) < 0) return ErrnoError(absl::StrCat("dup2 terminal onto ", target));
  }
  return absl::OkStatus();
}

absl::Status SendFd(int sock, int fd, const std::string& name) {
  if (name.size() >= kMaxNameLen) {
    return absl::InvalidArgumentError(absl::StrCat("fd name too long (", name.size(), " bytes)"));
  }
  struct iovec iov;
  iov.iov_base = const_cast<char*>(name.data());
  iov.iov_len = name.size();
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t n;
  do {
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("sendmsg (SCM_RIGHTS)");
  return absl::OkStatus();
}

absl::Status SendConsoleFd(const std::string& socket_path, int master_fd, const std::string& name) {
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--console-socket: path too long for a unix socket: ", socket_path));
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return ErrnoError("socket(AF_UNIX)");
  if (connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0) {
    return ErrnoError(absl::StrCat("--console-socket: connect ", socket_path));
  }
  RETURN_IF_ERROR_CTX(SendFd(sock.get(), master_fd, name),
                      absl::StrCat("--console-socket: send terminal to ", socket_path));
  return absl::OkStatus();
}

absl::StatusOr<ReceivedFd> RecvFdWithName(int sock) {
  std::vector<char> name(kMaxNameLen);
  struct iovec iov;
  iov.iov_base = name.data();
  iov.iov_len = name.size();
  // Room for a few fds so a sender that sends more does not get them silently truncated
  // (MSG_CTRUNC) and leaked: we close extras and report the error.
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("recvmsg");
  std::vector<UniqueFd> fds;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
  if (msg.msg_flags & MSG_CTRUNC) return absl::DataLossError("recvmsg: control data truncated");
  if (fds.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("recvmsg: expected one fd in SCM_RIGHTS, got ", fds.size()));
  }
  ReceivedFd out;
  out.fd = std::move(fds[0]);
  out.name.assign(name.data(), static_cast<size_t>(n));
  return out;
}

absl::StatusOr<UniqueFd> RecvFd(int sock) {
  ASSIGN_OR_RETURN(ReceivedFd r, RecvFdWithName(sock));
  return std::move(r.fd);
}

}  // namespace hull::linux
