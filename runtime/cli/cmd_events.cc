// events: runc's JSON event stream, one object per line on stdout: {"type":"stats",...} every
// --interval (default 5s) and {"type":"oom",...} on OOM kills, until the container stops;
// with --stats one stats event and exit.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/units.h"
#include "runtime/container/cgroup_ops.h"
#include "spec/json.h"

namespace hull::cli {
namespace {

int RunEvents(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "events")) return 1;
  container::EventsOptions opts;
  opts.stats_only = a.Bool("stats");
  if (a.Has("interval")) {
    auto d = ParseGoDuration(a.Get("interval"));
    if (!d.ok()) {
      return Fail(absl::StrCat("invalid value \"", a.Get("interval"),
                               "\" for flag -interval: ", d.status().message()));
    }
    if (d->count() <= 0) return Fail("duration interval must be greater than 0");
    // Sub-millisecond intervals round up to 1 ms.
    opts.interval = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    if (opts.interval.count() == 0) opts.interval = std::chrono::milliseconds(1);
  }
  absl::Status st = container::Events(ctx.globals, a.positional[0], opts, [](const json::Value& e) {
    std::string line = json::Emit(e);
    line.push_back('\n');
    // A consumer reads the stream live; once it is gone (EPIPE), stop like runc, which
    // dies of SIGPIPE.
    return std::fputs(line.c_str(), stdout) >= 0 && std::fflush(stdout) == 0;
  });
  return st.ok() ? 0 : Fail(st);
}

}  // namespace

Command EventsCommand() {
  return {"events",
          "events [command options] <container-id>",
          "display container events such as OOM notifications, cpu, memory, and IO usage "
          "statistics",
          {{"interval", 0, true, "set the stats collection interval (default: 5s)", "value"},
           {"stats", 0, false, "display the container's stats then exit"}},
          -1,
          RunEvents};
}

}  // namespace hull::cli
