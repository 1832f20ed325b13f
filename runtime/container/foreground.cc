#include "runtime/container/foreground.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "runtime/linux/syscalls.h"
#include "runtime/linux/tty_relay.h"

namespace hull::container {
namespace {

int ExitCodeOf(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

}  // namespace

ForwardedSignalsBlock::ForwardedSignalsBlock(bool terminal) {
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  if (terminal) sigdelset(&all, SIGWINCH);
  ::sigprocmask(SIG_BLOCK, &all, &old_);
}

ForwardedSignalsBlock::~ForwardedSignalsBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

// Forwards every catchable signal we receive to the process until it exits.
absl::StatusOr<int> WaitForwardingSignals(pid_t pid, int console_master) {
  sigset_t all, old;
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  if (console_master >= 0) sigdelset(&all, SIGWINCH);  // the relay takes SIGWINCH itself
  ::sigprocmask(SIG_BLOCK, &all, &old);
  int sfd = ::signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return ErrnoError("signalfd");
  UniqueFd sig(sfd);
  int pidfd = sys::PidfdOpen(pid);
  UniqueFd pfd(pidfd);

  if (console_master >= 0) {
    // The relay returns once the process exits; signals typed at a terminal reach the
    // container through the pty (raw mode), so forwarding here is only for kill(1) from outside.
    linux::RelayOptions ro;
    ro.child_pidfd = pfd.get();
    absl::Status st = linux::RelayTerminal(console_master, STDIN_FILENO, STDOUT_FILENO, ro);
    if (!st.ok()) log::Warn(st.message());
  }
  for (;;) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) {
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      return ExitCodeOf(wstatus);
    }
    if (r < 0 && errno != EINTR) return ErrnoError("wait for container");
    struct pollfd p[2] = {{sig.get(), POLLIN, 0}, {pfd.get(), POLLIN, 0}};
    ::poll(p, pfd ? 2 : 1, 1000);
    struct signalfd_siginfo si;
    while (::read(sig.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGCHLD) continue;
      ::kill(pid, static_cast<int>(si.ssi_signo));
    }
  }
}

}  // namespace hull::container
