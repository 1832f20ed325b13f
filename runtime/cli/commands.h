// The command table of the `hull` CLI. Each command lives in its own cmd_*.cc file: it parses
// its flags, calls the container library and maps the result to an exit code. No syscalls.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "runtime/cli/args.h"
#include "runtime/container/container.h"

namespace hull::cli {

struct Context {
  container::Globals globals;
};

struct Command {
  std::string name;
  std::string usage;  // "create [command options] <container-id>"
  std::string description;
  std::vector<FlagSpec> flags;
  int stop_after_positional = -1;  // exec/ps: everything after the id belongs to the command
  int (*run)(const Context& ctx, const ParsedArgs& args);
};

// Every command, in help order.
const std::vector<Command>& AllCommands();
// The command called `name` (only that one is built), or nullopt.
std::optional<Command> FindCommand(std::string_view name);

// Prints the error the runc way (log + stderr) and returns exit code 1.
int Fail(const absl::Status& status);
int Fail(absl::string_view message);
// Checks the number of positional args; prints runc-like usage errors.
bool CheckArgs(const ParsedArgs& args, size_t min, size_t max, const std::string& cmd);

// Per-file command definitions.
Command CreateCommand();
Command StartCommand();
Command RunCommand();
Command StateCommand();
Command KillCommand();
Command DeleteCommand();
Command ListCommand();
Command SpecCommand();
Command FeaturesCommand();
Command ExecCommand();
Command PauseCommand();
Command ResumeCommand();
Command PsCommand();
Command UpdateCommand();
Command EventsCommand();
Command CheckpointCommand();
Command RestoreCommand();

}  // namespace hull::cli
