// runc-compatible logging: `--log FILE --log-format text|json`. JSON lines are exactly runc's
// (logrus) shape: {"level":"error","msg":"...","time":"2006-01-02T15:04:05Z07:00"}; containerd
// shows the last "error" line of log.json to the user.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace hull::log {

enum class Level { kDebug, kInfo, kWarning, kError };

struct Config {
  std::string file;             // empty: stderr
  std::string format = "text";  // "text" or "json"
  bool debug = false;
};

void Init(const Config& cfg);
void Write(Level level, absl::string_view msg);
inline void Debug(absl::string_view msg) { Write(Level::kDebug, msg); }
inline void Info(absl::string_view msg) { Write(Level::kInfo, msg); }
inline void Warn(absl::string_view msg) { Write(Level::kWarning, msg); }
// Logs an error; when --log points at a file, the message is also printed on stderr as one
// plain line (what the user of a terminal sees), as runc does.
void Error(absl::string_view msg);
bool DebugEnabled();

}  // namespace hull::log
