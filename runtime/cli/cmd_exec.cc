// exec: run a new process inside a running container (runc's flags and exit codes: any failure
// of the exec itself is "exec failed: ..." with exit code 255; otherwise the process's code).
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "runtime/cli/commands.h"
#include "runtime/container/exec.h"

namespace hull::cli {
namespace {

constexpr int kExecFailed = 255;

int ExecFail(absl::string_view message) {
  log::Error(absl::StrCat("exec failed: ", message));
  return kExecFailed;
}

std::vector<FlagSpec> ExecFlags() {
  return {
      {"console-socket", 0, true,
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master end "
       "of the console's pseudoterminal",
       "path"},
      {"pidfd-socket", 0, true,
       "path to an AF_UNIX socket which will receive a file descriptor referencing the exec "
       "process",
       "path"},
      {"cwd", 0, true, "current working directory in the container", "dir"},
      {"env", 'e', true, "set environment variables", "KEY=VALUE"},
      {"tty", 't', false, "allocate a pseudo-TTY"},
      {"user", 'u', true, "UID (format: <uid>[:<gid>])", "uid[:gid]"},
      {"additional-gids", 'g', true, "additional gids", "gid"},
      {"process", 'p', true, "path to the process.json", "path"},
      {"detach", 'd', false, "detach from the container's process"},
      {"pid-file", 0, true, "specify the file to write the process id to", "path"},
      {"process-label", 0, true,
       "set the asm process label for the process commonly used with selinux", "label"},
      {"apparmor", 0, true, "set the apparmor profile for the process", "profile"},
      {"no-new-privs", 0, false, "set the no new privileges value for the process"},
      {"cap", 'c', true, "add a capability to the bounding set for the process", "CAP_X"},
      {"preserve-fds", 0, true,
       "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
       "N"},
      {"cgroup", 0, true,
       "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.",
       "path"},
      {"ignore-paused", 0, false, "allow exec in a paused container"},
  };
}

absl::StatusOr<container::ExecOptions> ExecOptionsFrom(const ParsedArgs& a) {
  container::ExecOptions o;
  o.id = a.positional.at(0);
  o.args.assign(a.positional.begin() + 1, a.positional.end());
  o.process_file = a.Get("process");
  o.detach = a.Bool("detach");
  o.pid_file = a.Get("pid-file");
  o.console_socket = a.Get("console-socket");
  o.pidfd_socket = a.Get("pidfd-socket");
  if (a.Has("tty")) o.tty = a.Bool("tty");
  o.cwd = a.Get("cwd");
  if (a.Has("env")) o.env = a.GetAll("env");
  if (std::string user = a.Get("user"); !user.empty()) {
    std::string uid = user, gid;
    if (size_t colon = user.find(':'); colon != std::string::npos) {
      uid = user.substr(0, colon);
      gid = user.substr(colon + 1);
      uint32_t g = 0;
      if (!absl::SimpleAtoi(gid, &g)) {
        return absl::InvalidArgumentError(absl::StrCat("parsing ", gid, " as int for gid failed"));
      }
      o.gid = g;
    }
    uint32_t u = 0;
    if (!absl::SimpleAtoi(uid, &u)) {
      return absl::InvalidArgumentError(absl::StrCat("parsing ", uid, " as int for uid failed"));
    }
    o.uid = u;
  }
  if (a.Has("additional-gids")) {
    for (const std::string& s : a.GetAll("additional-gids")) {
      int64_t gid = 0;
      if (!absl::SimpleAtoi(s, &gid)) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid value \"", s, "\" for flag -additional-gids"));
      }
      if (gid < 0 || gid > UINT32_MAX) {
        return absl::InvalidArgumentError(
            absl::StrCat("additional-gids must be a positive number ", gid));
      }
      o.additional_gids.push_back(static_cast<uint32_t>(gid));
    }
  }
  if (a.Has("cap")) o.caps = a.GetAll("cap");
  if (a.Has("no-new-privs")) o.no_new_privs = a.Bool("no-new-privs");
  o.process_label = a.Get("process-label");
  o.apparmor = a.Get("apparmor");
  if (a.Has("preserve-fds") && !absl::SimpleAtoi(a.Get("preserve-fds"), &o.preserve_fds)) {
    return absl::InvalidArgumentError("--preserve-fds: expected a number");
  }
  if (a.Has("cgroup")) o.cgroups = a.GetAll("cgroup");
  o.ignore_paused = a.Bool("ignore-paused");
  return o;
}

int RunExec(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, SIZE_MAX, "exec")) return 1;
  auto o = ExecOptionsFrom(a);
  if (!o.ok()) return ExecFail(o.status().message());
  auto code = container::Exec(ctx.globals, *o);
  if (!code.ok()) return ExecFail(code.status().message());
  return *code;
}

}  // namespace

Command ExecCommand() {
  return {"exec",
          "exec [command options] <container-id> <command> [command options]  || -p process.json "
          "<container-id>",
          "execute new process inside the container",
          ExecFlags(),
          1,
          RunExec};
}

}  // namespace hull::cli
