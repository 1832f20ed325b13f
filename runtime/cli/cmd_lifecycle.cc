// create, start, run, state, kill, delete.
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "runtime/cli/commands.h"
#include "runtime/linux/signals.h"
#include "spec/json.h"

namespace hull::cli {
namespace {

std::vector<FlagSpec> CreateFlags() {
  return {
      {"bundle", 'b', true,
       "path to the root of the bundle directory, defaults to the current directory", "dir"},
      {"console-socket", 0, true,
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master end "
       "of the console's pseudoterminal",
       "path"},
      {"pid-file", 0, true, "specify the file to write the process id to", "path"},
      {"no-pivot", 0, false, "do not use pivot root to jail process inside rootfs"},
      {"no-new-keyring", 0, false, "do not create a new session keyring for the container"},
      {"preserve-fds", 0, true,
       "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
       "N"},
  };
}

absl::StatusOr<container::CreateOptions> CreateOptionsFrom(const ParsedArgs& a) {
  container::CreateOptions o;
  o.id = a.positional.at(0);
  o.bundle = a.Get("bundle", ".");
  o.console_socket = a.Get("console-socket");
  o.pid_file = a.Get("pid-file");
  o.no_pivot = a.Bool("no-pivot");
  o.no_new_keyring = a.Bool("no-new-keyring");
  if (a.Has("preserve-fds") && !absl::SimpleAtoi(a.Get("preserve-fds"), &o.preserve_fds)) {
    return absl::InvalidArgumentError("--preserve-fds: expected a number");
  }
  return o;
}

int RunCreate(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "create")) return 1;
  auto o = CreateOptionsFrom(a);
  if (!o.ok()) return Fail(o.status());
  auto c = container::Create(ctx.globals, *o);
  return c.ok() ? 0 : Fail(c.status());
}

int RunStart(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "start")) return 1;
  absl::Status st = container::Start(ctx.globals, a.positional[0]);
  return st.ok() ? 0 : Fail(st);
}

int RunRun(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "run")) return 1;
  auto o = CreateOptionsFrom(a);
  if (!o.ok()) return Fail(o.status());
  auto code = container::Run(ctx.globals, *o, a.Bool("detach"), a.Bool("keep"));
  return code.ok() ? *code : Fail(code.status());
}

int RunState(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "state")) return 1;
  auto v = container::State(ctx.globals, a.positional[0]);
  if (!v.ok()) return Fail(v.status());
  std::string out = json::Emit(*v, {.pretty = true});
  std::printf("%s\n", out.c_str());
  return 0;
}

int RunKill(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 2, "kill")) return 1;
  int sig = 15;
  if (a.positional.size() == 2) {
    auto s = linux::ParseSignal(a.positional[1]);
    if (!s.ok()) return Fail(s.status());
    sig = *s;
  }
  absl::Status st = container::Kill(ctx.globals, a.positional[0], sig, a.Bool("all"));
  return st.ok() ? 0 : Fail(st);
}

int RunDelete(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "delete")) return 1;
  absl::Status st = container::Delete(ctx.globals, a.positional[0], a.Bool("force"));
  if (!st.ok() && a.Bool("force") && st.code() == absl::StatusCode::kNotFound) {
    return 0;  // runc: deleting an unknown id with --force succeeds silently (idempotent)
  }
  return st.ok() ? 0 : Fail(st);
}

}  // namespace

Command CreateCommand() {
  return {
      "create", "create [command options] <container-id>", "create a container", CreateFlags(), -1,
      RunCreate};
}
Command StartCommand() {
  return {"start",
          "start <container-id>",
          "executes the user defined process in a created container",
          {},
          -1,
          RunStart};
}
Command RunCommand() {
  auto flags = CreateFlags();
  flags.push_back({"detach", 'd', false, "detach from the container's process"});
  flags.push_back({"keep", 0, false, "do not delete the container after it exits"});
  return {"run", "run [command options] <container-id>", "create and run a container", flags, -1,
          RunRun};
}
Command StateCommand() {
  return {"state", "state <container-id>", "output the state of a container", {}, -1, RunState};
}
Command KillCommand() {
  return {"kill",
          "kill [command options] <container-id> [signal]",
          "kill sends the specified signal (default: SIGTERM) to the container's init process",
          {{"all", 'a', false, "send the specified signal to all processes inside the container"}},
          -1,
          RunKill};
}
Command DeleteCommand() {
  return {"delete",
          "delete [command options] <container-id>",
          "delete any resources held by the container often used with detached container",
          {{"force", 'f', false,
            "Forcibly deletes the container if it is still running (uses SIGKILL)"}},
          -1,
          RunDelete};
}

}  // namespace hull::cli
