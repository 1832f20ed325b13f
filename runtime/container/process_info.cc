// Facts about processes from /proc, used to tell a live init from a dead one or a reused PID.
#include <signal.h>
#include <unistd.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/container/container.h"

namespace hull::container {
namespace {

// Fields of /proc/PID/stat after the ")" that ends the command name.
std::vector<std::string> StatFields(pid_t pid) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!text.ok()) return {};
  size_t close = text->rfind(')');
  if (close == std::string::npos) return {};
  return absl::StrSplit(text->substr(close + 2), ' ');
}

}  // namespace

uint64_t ProcessStartTime(pid_t pid) {
  if (pid <= 0) return 0;
  auto fields = StatFields(pid);
  // fields[0] is field 3 (state); starttime is field 22 -> index 19.
  if (fields.size() < 20) return 0;
  uint64_t t = 0;
  if (!absl::SimpleAtoi(fields[19], &t)) return 0;
  return t;
}

bool ProcessAlive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto fields = StatFields(pid);
  if (fields.size() < 20) return false;
  if (fields[0] == "Z" || fields[0] == "X") return false;  // exited, not yet reaped
  uint64_t t = 0;
  if (!absl::SimpleAtoi(fields[19], &t)) return false;
  return start_time == 0 || t == start_time;
}

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", absl::Now(), absl::UTCTimeZone());
}

absl::Status WritePidFile(const std::string& path, pid_t pid) {
  std::string abs = path;
  if (!abs.empty() && abs.front() != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd)) abs = absl::StrCat(cwd, "/", path);
  }
  return Annotate(WriteFileAtomic(abs, std::to_string(pid), 0644), "write pid file");
}

std::string StateJsonForHooks(const ContainerRecord& r, const std::string& status) {
  json::Value v;
  v.Set("ociVersion", "1.3.0");
  v.Set("id", r.id);
  v.Set("status", status);
  if (r.pid > 0) v.Set("pid", static_cast<int64_t>(r.pid));
  v.Set("bundle", r.bundle);
  json::Value ann = json::Object{};
  for (const auto& [k, val] : r.annotations) ann.Set(k, val);
  v.Set("annotations", ann);
  return json::Emit(v);
}

}  // namespace hull::container
