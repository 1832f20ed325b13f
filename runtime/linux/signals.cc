#include "runtime/linux/signals.h"

#include <csignal>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace hull::linux {
namespace {

// Debian's Abseil is built with its own absl::string_view (not std::string_view): convert
// explicitly where a std::string_view meets an absl function.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct SignalEntry {
  std::string_view name;  // without the "SIG" prefix
  int number;
};

// Standard signals on Linux (x86/arm/ppc share these numbers; the table uses the C macros so an
// architecture with different numbering still maps correctly). Aliases come after the canonical
// name so SignalName() picks the canonical one.
constexpr SignalEntry kSignals[] = {
    {"HUP", SIGHUP},
    {"INT", SIGINT},
    {"QUIT", SIGQUIT},
    {"ILL", SIGILL},
    {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},
    {"BUS", SIGBUS},
    {"FPE", SIGFPE},
    {"KILL", SIGKILL},
    {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},
    {"ALRM", SIGALRM},
    {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},
    {"URG", SIGURG},
    {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},
    {"IO", SIGIO},
    {"PWR", SIGPWR},
    {"SYS", SIGSYS},
    // Aliases (accepted when parsing, never produced by SignalName).
    {"IOT", SIGIOT},
    {"POLL", SIGPOLL},
    {"CLD", SIGCHLD},
};

// Parses "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (already upper-case, without "SIG").
std::optional<int> ParseRealtime(absl::string_view s) {
  const int rtmin = SIGRTMIN;
  const int rtmax = SIGRTMAX;
  int base;
  int sign;
  if (absl::ConsumePrefix(&s, "RTMIN")) {
    base = rtmin;
    sign = 1;
  } else if (absl::ConsumePrefix(&s, "RTMAX")) {
    base = rtmax;
    sign = -1;
  } else {
    return std::nullopt;
  }
  if (s.empty()) return base;
  if (!absl::ConsumePrefix(&s, sign > 0 ? "+" : "-")) return std::nullopt;
  int offset = 0;
  if (s.empty() || !absl::SimpleAtoi(s, &offset) || offset < 0) return std::nullopt;
  int n = base + sign * offset;
  if (n < rtmin || n > rtmax) return std::nullopt;
  return n;
}

}  // namespace

absl::StatusOr<int> ParseSignal(std::string_view text) {
  const int max = SIGRTMAX;
  if (!text.empty() && absl::ascii_isdigit(static_cast<unsigned char>(text[0]))) {
    int n = 0;
    if (!absl::SimpleAtoi(AV(text), &n) || n < 1 || n > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid signal number \"", AV(text), "\" (valid: 1..", max, ")"));
    }
    return n;
  }
  std::string upper = absl::AsciiStrToUpper(AV(text));
  absl::string_view name = upper;
  absl::ConsumePrefix(&name, "SIG");
  for (const SignalEntry& e : kSignals) {
    if (e.name == std::string_view(name.data(), name.size())) return e.number;
  }
  if (std::optional<int> rt = ParseRealtime(name)) return *rt;
  return absl::InvalidArgumentError(absl::StrCat("unknown signal \"", AV(text), "\""));
}

std::string SignalName(int signo) {
  for (const SignalEntry& e : kSignals) {
    if (e.number == signo) return absl::StrCat("SIG", AV(e.name));
  }
  const int rtmin = SIGRTMIN;
  const int rtmax = SIGRTMAX;
  if (signo >= rtmin && signo <= rtmax) {
    // Name each real-time signal from the nearer end, as kill -l does.
    if (signo == rtmin) return "SIGRTMIN";
    if (signo == rtmax) return "SIGRTMAX";
    if (signo - rtmin <= rtmax - signo) return absl::StrCat("SIGRTMIN+", signo - rtmin);
    return absl::StrCat("SIGRTMAX-", rtmax - signo);
  }
  return absl::StrCat("SIG", signo);
}

std::vector<std::string> AllSignalNames() {
  std::vector<std::string> names;
  for (int signo = 1; signo <= SIGRTMAX; ++signo) {
    std::string name = SignalName(signo);
    // Numbers with no name (32 and 33 with glibc, reserved by the C library) are skipped.
    if (name != absl::StrCat("SIG", signo)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace hull::linux
