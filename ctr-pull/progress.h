// Download progress: redrawn per-layer lines on a terminal, plain lines otherwise, nothing with
// --quiet. Output goes to stderr so stdout stays clean.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace hull::pull {

class Progress {
 public:
  virtual ~Progress() = default;
  // A line of status ("resolving docker.io/library/alpine:latest").
  virtual void Status(const std::string& msg) = 0;
  virtual void LayerStart(const std::string& digest, int64_t total) = 0;
  virtual void LayerBytes(const std::string& digest, int64_t done, int64_t total) = 0;
  // cached: it was already in the cache (nothing downloaded).
  virtual void LayerDone(const std::string& digest, bool cached) = 0;
};

enum class ProgressMode { kAuto, kTerminal, kPlain, kQuiet };
// kAuto picks kTerminal when `out` is a tty, else kPlain.
std::unique_ptr<Progress> MakeProgress(ProgressMode mode, FILE* out = stderr);

}  // namespace hull::pull
