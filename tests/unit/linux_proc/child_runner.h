// Runs a test body in a forked child (the settings under test change the calling process for
// good: uid, capabilities, rlimits, personality...) and brings back what it observed.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace hull::linux::testing {

struct ChildOutcome {
  int exit_code = -1;  // -1 when killed by a signal
  std::string report;  // what the body returned: "" on success, otherwise a description
};

// `body` runs in the child with stdin/stdout/stderr on /dev/null (so identity code that chowns
// stdio never touches the test runner's terminal or pipes). Its return value travels back over
// a pipe; the child exits 0 when it returned "" and 1 otherwise.
inline ChildOutcome RunInChild(const std::function<std::string()>& body) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {-1, "pipe2 failed"};
  pid_t pid = fork();
  if (pid < 0) return {-1, "fork failed"};
  if (pid == 0) {
    close(fds[0]);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      if (null > 2) close(null);
    }
    std::string report = body();
    size_t off = 0;
    while (off < report.size()) {
      ssize_t n = write(fds[1], report.data() + off, report.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    _exit(report.empty() ? 0 : 1);
  }
  close(fds[1]);
  ChildOutcome out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.report.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// For bodies: "" when ok, else the status text with a prefix.
inline std::string Failed(const absl::Status& st, const std::string& what) {
  return st.ok() ? "" : what + ": " + std::string(st.ToString());
}

}  // namespace hull::linux::testing
