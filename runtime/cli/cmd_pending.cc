// Commands whose implementation is in progress: they fail clearly instead of pretending.
#include "absl/strings/string_view.h"
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int NotYet(const Context&, const ParsedArgs&) { return Fail("not implemented yet"); }
}  // namespace

Command ExecCommand() { return {"exec", "exec [command options] <container-id> <command> [command options]", "execute new process inside the container", {}, 1, NotYet}; }
Command UpdateCommand() { return {"update", "update [command options] <container-id>", "update container resource constraints", {}, -1, NotYet}; }
Command EventsCommand() { return {"events", "events [command options] <container-id>", "display container events such as OOM notifications, cpu, memory, and IO usage statistics", {}, -1, NotYet}; }
Command FeaturesCommand() { return {"features", "features", "show the enabled features", {}, -1, NotYet}; }

}  // namespace hull::cli
