// Waiting for a process we started in the foreground (`run`, `exec` without --detach):
// forwards signals to it, relays its terminal, returns its exit code (128+signal if killed).
#pragma once

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace hull::container {

// `pid` must be our child. `console_master` >= 0 relays that pty to our stdin/stdout.
absl::StatusOr<int> WaitForwardingSignals(pid_t pid, int console_master);

}  // namespace hull::container
