#include "runtime/linux/netns_ahead.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status.h"

// Written by the entry point before the C library starts: constant-initialized (.data), so
// nothing resets them afterwards.
extern "C" {
int hull_netns_ahead_socket = -1;
int hull_netns_ahead_pid = -1;
}

namespace hull::linux {
namespace {

NetnsAhead& Adopted() {
  static NetnsAhead* adopted = new NetnsAhead();
  return *adopted;
}

// Where the entry point left its helper: this image's globals, or the environment of the image
// that re-executed us. The variable is removed either way: no child of ours inherits it.
bool FindHelper(int* socket, pid_t* pid) {
  const char* env = std::getenv(kNetnsAheadEnv);
  std::string value = env != nullptr ? env : "";
  if (env != nullptr) ::unsetenv(kNetnsAheadEnv);
#if defined(__x86_64__)
  if (hull_netns_ahead_socket >= 0) {
    *socket = hull_netns_ahead_socket;
    *pid = hull_netns_ahead_pid;
    hull_netns_ahead_socket = hull_netns_ahead_pid = -1;
    return true;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(value, ',');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], socket) &&
         absl::SimpleAtoi(parts[1], pid) && *socket >= 3 && *pid > 0;
#else
  (void)socket;
  (void)pid;
  return false;  // only the x86-64 entry point starts helpers
#endif
}

}  // namespace

NetnsAhead& NetnsAhead::operator=(NetnsAhead&& o) noexcept {
  if (this != &o) {
    Release();
    socket_ = std::move(o.socket_);
    helper_ = std::exchange(o.helper_, -1);
  }
  return *this;
}

void NetnsAhead::Release() {
  socket_.reset();
  if (helper_ > 0) {
    while (::waitpid(helper_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  helper_ = -1;
}

void AdoptNetnsAhead() {
  int socket = -1;
  pid_t pid = -1;
  if (!FindHelper(&socket, &pid)) return;
  // Only what the entry point makes: a child of ours (still there, or a zombie) and a
  // SOCK_SEQPACKET socket. A stale or forged variable names neither and is ignored.
  siginfo_t info = {};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return;
  struct stat st;
  int type = 0;
  socklen_t len = sizeof type;
  if (::fstat(socket, &st) != 0 || !S_ISSOCK(st.st_mode) ||
      ::getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    return;
  }
  ::fcntl(socket, F_SETFD, FD_CLOEXEC);  // it crossed the re-exec without
  Adopted() = NetnsAhead(UniqueFd(socket), pid);
}

NetnsAhead TakeNetnsAhead() { return std::move(Adopted()); }

absl::StatusOr<UniqueFd> ReceiveNetnsAhead(int socket) {
  char byte;
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n < 0) return ErrnoError("network namespace made ahead: receive");
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (n == 0 || c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int))) {
    return absl::UnavailableError("network namespace made ahead: none sent");
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  UniqueFd ns(fd);
  if (::ioctl(ns.get(), NS_GET_NSTYPE) != CLONE_NEWNET) {
    return absl::InternalError("network namespace made ahead: not a network namespace");
  }
  return ns;
}

}  // namespace hull::linux
