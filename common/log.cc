#include "common/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/file_util.h"

namespace hull::log {
namespace {

Config g_config;
int g_fd = STDERR_FILENO;

absl::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
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
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// Go's time.RFC3339, as logrus writes it: seconds, "Z" for UTC, else "+hh:mm".
std::string Now() {
  absl::TimeZone tz = absl::LocalTimeZone();
  absl::Time now = absl::Now();
  if (tz.At(now).offset == 0) return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, tz);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", now, tz);
}

}  // namespace

void Init(const Config& cfg) {
  g_config = cfg;
  if (!cfg.file.empty()) {
    int fd = ::open(cfg.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) g_fd = fd;
  }
}

bool DebugEnabled() { return g_config.debug; }

void Write(Level level, absl::string_view msg) {
  if (level == Level::kDebug && !g_config.debug) return;
  std::string line;
  if (g_config.format == "json") {
    line = absl::StrCat("{\"level\":\"", LevelName(level), "\",\"msg\":\"", JsonEscape(msg),
                        "\",\"time\":\"", Now(), "\"}\n");
  } else {
    line = absl::StrCat("time=\"", Now(), "\" level=", LevelName(level), " msg=\"",
                        absl::StrReplaceAll(msg, {{"\"", "\\\""}, {"\n", "\\n"}}), "\"\n");
  }
  (void)WriteAll(g_fd, line);
}

void Error(absl::string_view msg) {
  Write(Level::kError, msg);
  if (g_fd != STDERR_FILENO) {
    (void)WriteAll(STDERR_FILENO, absl::StrCat(msg, "\n"));
  }
}

}  // namespace hull::log
