#include "ctr-pull/progress.h"

#include <unistd.h>

#include <chrono>
#include <map>
#include <vector>

#include "absl/strings/str_format.h"

namespace hull::pull {
namespace {

using Clock = std::chrono::steady_clock;

std::string Short(const std::string& digest) {
  size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? absl::StrFormat("%.0f%s", b, units[u]) : absl::StrFormat("%.1f%s", b, units[u]);
}

class QuietProgress : public Progress {
 public:
  void Status(const std::string&) override {}
  void LayerStart(const std::string&, int64_t) override {}
  void LayerBytes(const std::string&, int64_t, int64_t) override {}
  void LayerDone(const std::string&, bool) override {}
};

class PlainProgress : public Progress {
 public:
  explicit PlainProgress(FILE* out) : out_(out) {}
  void Status(const std::string& msg) override { absl::FPrintF(out_, "%s\n", msg); }
  void LayerStart(const std::string& d, int64_t total) override {
    start_[d] = Clock::now();
    absl::FPrintF(out_, "%s: downloading %s\n", Short(d), HumanBytes(static_cast<double>(total)));
  }
  void LayerBytes(const std::string&, int64_t, int64_t) override {}
  void LayerDone(const std::string& d, bool cached) override {
    if (cached) {
      absl::FPrintF(out_, "%s: already cached\n", Short(d));
      return;
    }
    absl::FPrintF(out_, "%s: done\n", Short(d));
  }

 private:
  FILE* out_;
  std::map<std::string, Clock::time_point> start_;
};

class TerminalProgress : public Progress {
 public:
  explicit TerminalProgress(FILE* out) : out_(out) {}
  void Status(const std::string& msg) override {
    absl::FPrintF(out_, "%s\n", msg);
    std::fflush(out_);
  }
  void LayerStart(const std::string& d, int64_t total) override {
    Line l{d, 0, total, Clock::now(), "waiting"};
    lines_.push_back(l);
    absl::FPrintF(out_, "\n");
    Draw(lines_.size() - 1);
  }
  void LayerBytes(const std::string& d, int64_t done, int64_t total) override {
    size_t i = Find(d);
    if (i == lines_.size()) return;
    lines_[i].done = done;
    lines_[i].total = total;
    lines_[i].state = "downloading";
    auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
    last_draw_ = now;
    Draw(i);
  }
  void LayerDone(const std::string& d, bool cached) override {
    size_t i = Find(d);
    if (i == lines_.size()) {
      lines_.push_back(Line{d, 0, 0, Clock::now(), ""});
      absl::FPrintF(out_, "\n");
      i = lines_.size() - 1;
    }
    lines_[i].state = cached ? "already cached" : "done";
    Draw(i);
  }

 private:
  struct Line {
    std::string digest;
    int64_t done;
    int64_t total;
    Clock::time_point start;
    std::string state;
  };
  size_t Find(const std::string& d) const {
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].digest == d) return i;
    }
    return lines_.size();
  }
  // Moves up to line i, rewrites it, and returns to the bottom.
  void Draw(size_t i) {
    const Line& l = lines_[i];
    size_t up = lines_.size() - i;
    std::string text;
    if (l.state == "downloading") {
      double secs = std::chrono::duration<double>(Clock::now() - l.start).count();
      double speed = secs > 0 ? static_cast<double>(l.done) / secs : 0;
      text = absl::StrFormat("%s: downloading %s/%s  %s/s", Short(l.digest),
                             HumanBytes(static_cast<double>(l.done)),
                             HumanBytes(static_cast<double>(l.total)), HumanBytes(speed));
    } else {
      text = absl::StrFormat("%s: %s", Short(l.digest), l.state);
    }
    absl::FPrintF(out_, "\033[%dA\r\033[K%s\033[%dB\r", static_cast<int>(up), text,
                  static_cast<int>(up));
    std::fflush(out_);
  }

  FILE* out_;
  std::vector<Line> lines_;
  Clock::time_point last_draw_;
};

}  // namespace

std::unique_ptr<Progress> MakeProgress(ProgressMode mode, FILE* out) {
  if (mode == ProgressMode::kAuto) {
    mode = isatty(fileno(out)) ? ProgressMode::kTerminal : ProgressMode::kPlain;
  }
  switch (mode) {
    case ProgressMode::kTerminal:
      return std::make_unique<TerminalProgress>(out);
    case ProgressMode::kPlain:
      return std::make_unique<PlainProgress>(out);
    default:
      return std::make_unique<QuietProgress>();
  }
}

}  // namespace hull::pull
