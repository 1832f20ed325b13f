// Handing the seccomp notification fd to the agent at linux.seccomp.listenerPath.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "common/version.h"
#include "runtime/linux/seccomp.h"

namespace hull::linux {
namespace {

// JSON string literal for `s` (RFC 8259 escaping; bytes >= 0x80 pass through as UTF-8).
std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

// connect(2) to a unix socket path; paths longer than sun_path go through an O_PATH handle on
// the parent directory (/proc/self/fd/N/name).
absl::Status ConnectUnix(int sock, const std::string& path) {
  std::string target = path;
  UniqueFd dir;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (target.size() >= sizeof(addr.sun_path)) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return absl::InvalidArgumentError("socket path too long");
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    dir.reset(open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return ErrnoError(absl::StrCat("open ", parent));
    target = absl::StrCat("/proc/self/fd/", dir.get(), "/", path.substr(slash + 1));
    if (target.size() >= sizeof(addr.sun_path)) {
      return absl::InvalidArgumentError("socket path too long");
    }
  }
  memcpy(addr.sun_path, target.c_str(), target.size() + 1);
  while (connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    if (errno != EINTR) return ErrnoError("connect");
  }
  return absl::OkStatus();
}

}  // namespace

std::string BuildContainerProcessState(int pid, std::string_view std_metadata,
                                       std::string_view std_state_json) {
  absl::string_view metadata(std_metadata.data(), std_metadata.size());
  absl::string_view state_json(std_state_json.data(), std_state_json.size());
  std::string out = absl::StrCat("{\"ociVersion\":", JsonQuote(HULL_OCI_SPEC_VERSION),
                                 ",\"fds\":[\"seccompFd\"],\"pid\":", pid);
  if (!metadata.empty()) absl::StrAppend(&out, ",\"metadata\":", JsonQuote(metadata));
  absl::StrAppend(&out, ",\"state\":", state_json, "}");
  return out;
}

absl::Status SendSeccompListener(const std::string& listener_path, int listener_fd,
                                 const std::string& container_process_state_json) {
  auto ctx = [&](absl::string_view what) {
    return absl::StrCat("send seccomp listener to ", listener_path, ": ", what);
  };
  if (container_process_state_json.empty()) {
    return absl::InvalidArgumentError(ctx("empty container process state"));
  }
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return ErrnoError(ctx("socket"));
  RETURN_IF_ERROR_CTX(ConnectUnix(sock.get(), listener_path),
                      absl::StrCat("send seccomp listener to ", listener_path));

  // First sendmsg: the fd plus as much payload as the socket takes; the spec allows more calls
  // as long as only the first carries fds.
  std::string_view rest = container_process_state_json;
  bool first = true;
  while (!rest.empty()) {
    iovec iov{const_cast<char*>(rest.data()), rest.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (first) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(cmsg), &listener_fd, sizeof(int));
    }
    ssize_t n = sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(ctx("sendmsg"));
    }
    first = false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();  // closing `sock` ends the connection, as the spec requires
}

}  // namespace hull::linux
