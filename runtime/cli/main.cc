// hull: an OCI container runtime with runc's command-line contract.
#include <signal.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log.h"
#include "common/version.h"
#include "runtime/cli/args.h"
#include "runtime/cli/commands.h"
#include "runtime/linux/exe_protect.h"
#include "runtime/linux/netns_ahead.h"
#include "runtime/linux/seccomp.h"

namespace hull::cli {
namespace {

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec> flags = {
      {"debug", 0, false, "enable debug logging"},
      {"log", 0, true, "set the log file to write hull logs to (default is '/dev/stderr')"},
      {"log-format", 0, true, "set the log format ('text' (default), or 'json')"},
      {"root", 0, true, "root directory for storage of container state (default: \"/run/hull\")"},
      {"criu", 0, true, "path to the criu binary (unused: checkpoint is not supported)"},
      {"systemd-cgroup", 0, false, "enable systemd cgroup support (not supported yet: fails)"},
      {"rootless", 0, true, "ignore cgroup permission errors ('true', 'false', or 'auto')"},
      {"help", 'h', false, "show help"},
      {"version", 'v', false, "print the version"},
  };
  return flags;
}

void PrintVersion() {
  std::printf("hull version %s\ncommit: %s\nspec: %s\nlibseccomp: %s\n", HULL_VERSION,
              HULL_GIT_COMMIT, HULL_OCI_SPEC_VERSION, linux::LibseccompVersion().c_str());
}

void PrintHelp() {
  std::string out =
      "NAME:\n   hull - Open Container Initiative runtime\n\n"
      "USAGE:\n   hull [global options] command [command options] [arguments...]\n\n"
      "VERSION:\n   " HULL_VERSION "\n\nCOMMANDS:\n";
  for (const auto& c : AllCommands()) {
    std::string name = "   " + c.name;
    if (name.size() < 16) name.resize(16, ' ');
    absl::StrAppend(&out, name, c.description, "\n");
  }
  absl::StrAppend(&out, "\nGLOBAL OPTIONS:\n", FormatFlagsHelp(GlobalFlags()));
  std::fputs(out.c_str(), stdout);
}

void PrintCommandHelp(const Command& c) {
  std::string out = absl::StrCat("NAME:\n   hull ", c.name, " - ", c.description,
                                 "\n\nUSAGE:\n   hull ", c.usage, "\n");
  if (!c.flags.empty()) absl::StrAppend(&out, "\nOPTIONS:\n", FormatFlagsHelp(c.flags));
  std::fputs(out.c_str(), stdout);
}

int Main(int argc, char** argv) {
  // A hook or a client that closes its end early must never kill hull with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  // Global flags come before the command name.
  std::vector<std::string> global_args;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') break;
    global_args.push_back(a);
    bool takes_value = false;
    std::string name = a.substr(a.find_first_not_of('-'));
    if (name.find('=') == std::string::npos) {
      for (const auto& f : GlobalFlags()) {
        if (f.name == name) takes_value = f.takes_value;
      }
      if (takes_value && i + 1 < args.size()) global_args.push_back(args[++i]);
    }
  }
  auto globals = ParseArgs(global_args, GlobalFlags());
  if (!globals.ok()) {
    std::fprintf(stderr, "hull: %s\n", std::string(globals.status().message()).c_str());
    return 1;
  }
  log::Config lc;
  lc.file = globals->Get("log");
  lc.format = globals->Get("log-format", "text");
  lc.debug = globals->Bool("debug");
  if (lc.format != "text" && lc.format != "json") {
    std::fprintf(stderr, "hull: invalid log-format: %s\n", lc.format.c_str());
    return 1;
  }
  log::Init(lc);
  if (globals->Bool("version")) {
    PrintVersion();
    return 0;
  }
  if (i >= args.size()) {
    PrintHelp();
    return globals->Bool("help") ? 0 : 1;
  }
  std::string name = args[i];
  if (name == "help") {
    if (i + 1 < args.size()) {
      for (const auto& c : AllCommands()) {
        if (c.name == args[i + 1]) {
          PrintCommandHelp(c);
          return 0;
        }
      }
    }
    PrintHelp();
    return 0;
  }
  std::optional<Command> cmd = FindCommand(name);
  if (!cmd) {
    std::fprintf(stderr, "hull: '%s' is not a hull command\n", name.c_str());
    return 1;
  }
  Context ctx;
  ctx.globals.root = globals->Get("root", "/run/hull");
  ctx.globals.systemd_cgroup = globals->Bool("systemd-cgroup");
  ctx.globals.rootless = globals->Get("rootless", "false") == "true";

  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  // --help anywhere before a positional of exec/ps, or anywhere otherwise.
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") {
      PrintCommandHelp(*cmd);
      return 0;
    }
    if (cmd->stop_after_positional >= 0 && !a.empty() && a[0] != '-') break;
  }
  std::vector<FlagSpec> flags = cmd->flags;
  auto parsed = ParseArgs(rest, flags, cmd->stop_after_positional);
  if (!parsed.ok()) {
    std::fprintf(stderr, "hull %s: %s\n", name.c_str(),
                 std::string(parsed.status().message()).c_str());
    return 1;
  }
  return cmd->run(ctx, *parsed);
}

}  // namespace
}  // namespace hull::cli

int main(int argc, char** argv, char** envp) {
  // Commands that start processes in containers run from a read-only bind of the binary
  // (CVE-2019-5736, see exe_protect.h). Others (state, list, kill, ...) never do and skip it.
  // On x86-64 the ELF entry point has done this before the C library started
  // (exe_protect_entry.cc); trying again here could only fail the same way.
#if !defined(__x86_64__)
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "create" || a == "run" || a == "exec") {
      hull::linux::ReexecFromReadOnlyBinary(argv, envp);
      break;
    }
  }
#else
  (void)envp;
#endif
  // A network namespace helper started by the entry point (netns_ahead.h): `create` takes it;
  // for any other command, or when create never got that far, it is reaped here.
  hull::linux::AdoptNetnsAhead();
  int code = hull::cli::Main(argc, argv);
  hull::linux::TakeNetnsAhead().Release();
  return code;
}
