// events: not implemented yet; fails clearly instead of pretending.
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int RunEvents(const Context&, const ParsedArgs&) { return Fail("events: not implemented yet"); }
}  // namespace

Command EventsCommand() {
  return {"events", "events [command options] <container-id>", "display container events such as OOM notifications, cpu, memory, and IO usage statistics", {}, -1, RunEvents};
}

}  // namespace hull::cli
