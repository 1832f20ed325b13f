#include "runtime/cli/commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log.h"

namespace hull::cli {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = {
      CheckpointCommand(), CreateCommand(), DeleteCommand(), EventsCommand(), ExecCommand(),
      FeaturesCommand(),   KillCommand(),   ListCommand(),   PauseCommand(),  PsCommand(),
      RestoreCommand(),    ResumeCommand(), RunCommand(),    SpecCommand(),   StartCommand(),
      StateCommand(),      UpdateCommand(),
  };
  return commands;
}

int Fail(const absl::Status& status) { return Fail(status.message()); }

int Fail(absl::string_view message) {
  log::Error(message);
  return 1;
}

bool CheckArgs(const ParsedArgs& args, size_t min, size_t max, const std::string& cmd) {
  size_t n = args.positional.size();
  if (n >= min && n <= max) return true;
  if (min == max) {
    Fail(absl::StrCat("hull: \"", cmd, "\" requires exactly ", min, " argument(s)"));
  } else if (n < min) {
    Fail(absl::StrCat("hull: \"", cmd, "\" requires a minimum of ", min, " argument(s)"));
  } else {
    Fail(absl::StrCat("hull: \"", cmd, "\" requires a maximum of ", max, " argument(s)"));
  }
  return false;
}

}  // namespace hull::cli
