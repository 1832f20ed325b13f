// The one table of signal names <-> numbers, used by `hull kill`, the features list and logs.
//
// Accepted spellings (a superset of runc's kill.go parseSignal, which upper-cases the argument,
// adds a missing "SIG" prefix and looks it up, or takes a decimal number as is):
//   "KILL", "SIGKILL", "kill", "sigKill", "9"
//   "RTMIN", "RTMIN+3", "SIGRTMAX-2" (real-time signals; RTMIN is the C library's SIGRTMIN, 34 with
//   glibc, the value kill(1) uses; runc does not know these names at all)
// A number must be a valid signal (1..SIGRTMAX); runc passes any number through to kill(2) and
// lets the kernel fail, we fail early with a better message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hull::linux {

absl::StatusOr<int> ParseSignal(std::string_view text);

// "SIGKILL", "SIGRTMIN+3", "SIGRTMAX"; an out-of-range number gives "SIG<number>" (never fails,
// so it is safe in log lines).
std::string SignalName(int signo);

// Every named standard signal ("SIGHUP", ...) followed by the real-time range, in number order.
std::vector<std::string> AllSignalNames();

}  // namespace hull::linux
