// Waiting for a process we started in the foreground (`run`, `exec` without --detach):
// forwards signals to it, relays its terminal, returns its exit code (128+signal if killed).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "absl/status/statusor.h"

namespace hull::container {

// `pid` must be our child. `console_master` >= 0 relays that pty to our stdin/stdout.
absl::StatusOr<int> WaitForwardingSignals(pid_t pid, int console_master);

// Blocks every signal a foreground wait forwards (all but SIGKILL/SIGSTOP, and SIGWINCH when a
// terminal is relayed) for its lifetime. Taken before the container is created, so a signal
// that arrives meanwhile stays pending and is forwarded once the wait starts (runc installs its
// handler just as early) instead of killing hull and orphaning the container.
class ForwardedSignalsBlock {
 public:
  explicit ForwardedSignalsBlock(bool terminal);
  ForwardedSignalsBlock(const ForwardedSignalsBlock&) = delete;
  ForwardedSignalsBlock& operator=(const ForwardedSignalsBlock&) = delete;
  ~ForwardedSignalsBlock();

 private:
  sigset_t old_;
};

}  // namespace hull::container
