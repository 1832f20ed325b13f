#include "runtime/cli/commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/log.h"

namespace hull::cli {

namespace {

// Name -> definition, in `hull help` order. Building a Command builds its flag table (dozens of
// strings): a run builds only its own (FindCommand), help builds them all.
struct CommandEntry {
  std::string_view name;
  Command (*make)();
};
constexpr CommandEntry kCommands[] = {
    {"checkpoint", CheckpointCommand},
    {"create", CreateCommand},
    {"delete", DeleteCommand},
    {"events", EventsCommand},
    {"exec", ExecCommand},
    {"features", FeaturesCommand},
    {"kill", KillCommand},
    {"list", ListCommand},
    {"pause", PauseCommand},
    {"ps", PsCommand},
    {"restore", RestoreCommand},
    {"resume", ResumeCommand},
    {"run", RunCommand},
    {"spec", SpecCommand},
    {"start", StartCommand},
    {"state", StateCommand},
    {"update", UpdateCommand},
};

}  // namespace

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    for (const CommandEntry& e : kCommands) all.push_back(e.make());
    return all;
  }();
  return commands;
}

std::optional<Command> FindCommand(std::string_view name) {
  for (const CommandEntry& e : kCommands) {
    if (e.name == name) return e.make();
  }
  return std::nullopt;
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
