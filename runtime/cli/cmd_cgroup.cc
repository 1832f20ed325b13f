// pause, resume, ps: commands that act on the container's cgroup.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/string_view.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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
  if (a.positional.empty()) return Fail("ps: \"ps\" requires a minimum of 1 argument(s)");
  auto pids = container::Pids(ctx.globals, a.positional[0]);
  if (!pids.ok()) return Fail(pids.status());
  std::string format = a.Get("format", "table");
  if (format == "json") {
    std::printf("[%s]\n", absl::StrJoin(*pids, ",").c_str());
    return 0;
  }
  if (format != "table") return Fail(absl::StrCat("invalid format option: ", format));
  // `ps` output filtered to the container's processes (runc runs ps -ef by default).
  std::vector<std::string> ps_args(a.positional.begin() + 1, a.positional.end());
  if (ps_args.empty()) ps_args = {"-ef"};
  std::string cmd = "ps";
  for (const auto& x : ps_args) absl::StrAppend(&cmd, " '", x, "'");
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return Fail("run ps");
  char line[8192];
  int pid_col = -1;
  bool header = true;
  while (std::fgets(line, sizeof line, p)) {
    std::string l(line);
    std::vector<std::string> cols = absl::StrSplit(l, ' ', absl::SkipWhitespace());
    if (header) {
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i] == "PID") pid_col = static_cast<int>(i);
      }
      header = false;
      std::fputs(l.c_str(), stdout);
      if (pid_col < 0) {
        ::pclose(p);
        return Fail("couldn't find PID field in ps output");
      }
      continue;
    }
    int pid = 0;
    if (static_cast<int>(cols.size()) > pid_col && absl::SimpleAtoi(cols[pid_col], &pid)) {
      for (int x : *pids) {
        if (x == pid) std::fputs(l.c_str(), stdout);
      }
    }
  }
  ::pclose(p);
  return 0;
}

}  // namespace

Command PauseCommand() {
  return {"pause", "pause <container-id>", "pause suspends all processes inside the container", {}, -1, RunPause};
}
Command ResumeCommand() {
  return {"resume", "resume <container-id>", "resumes all processes that have been previously paused", {}, -1, RunResume};
}
Command PsCommand() {
  return {"ps", "ps [command options] <container-id> [ps options]", "ps displays the processes running inside a container",
          {{"format", 'f', true, "select one of: table or json (default: \"table\")"}}, 1, RunPs};
}

}  // namespace hull::cli
