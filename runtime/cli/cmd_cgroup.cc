// pause, resume, ps: commands that act on the container's cgroup.
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "runtime/cli/commands.h"
#include "runtime/container/cgroup_ops.h"

namespace hull::cli {
namespace {

int RunPause(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "pause")) return 1;
  absl::Status st = container::Pause(ctx.globals, a.positional[0]);
  return st.ok() ? 0 : Fail(st);
}

int RunResume(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "resume")) return 1;
  absl::Status st = container::Resume(ctx.globals, a.positional[0]);
  return st.ok() ? 0 : Fail(st);
}

int RunPs(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, SIZE_MAX, "ps")) return 1;
  std::string format = a.Get("format", "table");
  if (format != "table" && format != "json") return Fail("invalid format option");
  auto pids = container::Pids(ctx.globals, a.positional[0]);
  if (!pids.ok()) return Fail(pids.status());
  if (format == "json") {
    std::printf("[%s]\n", absl::StrJoin(*pids, ",").c_str());
    return 0;
  }
  // Everything after the id goes to the host's ps (default -ef); a "--" right after the id only
  // separates hull's options from ps's (procps would reject it).
  std::vector<std::string> ps_args(a.positional.begin() + 1, a.positional.end());
  if (!ps_args.empty() && ps_args[0] == "--") ps_args.erase(ps_args.begin());
  if (ps_args.empty()) ps_args = {"-ef"};
  auto out = container::RunHostPs(ps_args);
  if (!out.ok()) return Fail(out.status());
  std::vector<std::string> lines = absl::StrSplit(*out, '\n');
  std::vector<std::string> titles = absl::StrSplit(lines[0], ' ', absl::SkipWhitespace());
  int pid_col = -1;
  for (size_t i = 0; i < titles.size(); ++i) {
    if (titles[i] == "PID") {
      pid_col = static_cast<int>(i);
      break;
    }
  }
  if (pid_col < 0) return Fail("couldn't find PID field in ps output");
  std::string result = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(lines[i], ' ', absl::SkipWhitespace());
    int pid = 0;
    if (static_cast<int>(cols.size()) <= pid_col || !absl::SimpleAtoi(cols[pid_col], &pid)) {
      return Fail(absl::StrCat("unable to parse pid: ", lines[i]));
    }
    if (std::find(pids->begin(), pids->end(), pid) != pids->end()) {
      absl::StrAppend(&result, lines[i], "\n");
    }
  }
  std::fputs(result.c_str(), stdout);
  return 0;
}

}  // namespace

Command PauseCommand() {
  return {
      "pause", "pause <container-id>", "pause suspends all processes inside the container", {}, -1,
      RunPause};
}
Command ResumeCommand() {
  return {"resume",
          "resume <container-id>",
          "resumes all processes that have been previously paused",
          {},
          -1,
          RunResume};
}
Command PsCommand() {
  return {"ps",
          "ps [command options] <container-id> [ps options]",
          "ps displays the processes running inside a container",
          {{"format", 'f', true, "select one of: table or json (default: \"table\")"}},
          1,
          RunPs};
}

}  // namespace hull::cli
