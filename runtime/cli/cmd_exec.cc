// exec: not implemented yet; fails clearly instead of pretending.
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int RunExec(const Context&, const ParsedArgs&) { return Fail("exec: not implemented yet"); }
}  // namespace

Command ExecCommand() {
  return {"exec", "exec [command options] <container-id> <command> [command options]", "execute new process inside the container", {}, 1, RunExec};
}

}  // namespace hull::cli
