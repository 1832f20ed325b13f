#include "runtime/container/sync_channel.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status.h"

namespace hull::container {

absl::Status SyncChannel::Pair(SyncChannel* a, SyncChannel* b) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return ErrnoError("socketpair");
  }
  *a = SyncChannel(UniqueFd(fds[0]));
  *b = SyncChannel(UniqueFd(fds[1]));
  return absl::OkStatus();
}

absl::Status SyncChannel::Send(SyncMsg type, absl::string_view payload, int fd) {
  std::string buf(1, static_cast<char>(type));
  absl::string_view body = payload.substr(0, 60000);
  buf.append(body.data(), body.size());
  struct iovec iov = {buf.data(), buf.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("sync: send");
  return absl::OkStatus();
}

absl::StatusOr<SyncMessage> SyncChannel::Receive() {
  // Large enough for any error message; static because zero-filling 64 KiB per message showed up
  // in profiles (hull is single-threaded where it uses the channel).
  static char buf[65536];
  struct iovec iov = {buf, sizeof(buf)};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  bool reset_seen = false;
  while ((n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno == EINTR) continue;
    // A peer that exits with a message of ours unread (it failed before reading it) leaves
    // ECONNRESET, which the kernel reports before the messages queued for us, such as its
    // kError. The error is cleared once reported: look again, once.
    if (errno == ECONNRESET && !reset_seen) {
      reset_seen = true;
      continue;
    }
    return ErrnoError("sync: receive");
  }
  if (n == 0) return absl::UnavailableError("container init exited during setup");
  SyncMessage out{static_cast<SyncMsg>(buf[0]), std::string(buf + 1, static_cast<size_t>(n - 1)),
                  UniqueFd()};
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      out.fd.reset(fd);
    }
  }
  return out;
}

absl::StatusOr<SyncMessage> SyncChannel::Expect(SyncMsg want) {
  ASSIGN_OR_RETURN(SyncMessage m, Receive());
  if (m.type == SyncMsg::kError) return absl::InternalError(m.payload);
  if (m.type != want) {
    return absl::InternalError(absl::StrCat("sync: expected message '",
                                            std::string(1, static_cast<char>(want)), "', got '",
                                            std::string(1, static_cast<char>(m.type)), "'"));
  }
  return m;
}

}  // namespace hull::container
