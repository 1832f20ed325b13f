// update: not implemented yet; fails clearly instead of pretending.
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int RunUpdate(const Context&, const ParsedArgs&) { return Fail("update: not implemented yet"); }
}  // namespace

Command UpdateCommand() {
  return {"update", "update [command options] <container-id>", "update container resource constraints", {}, -1, RunUpdate};
}

}  // namespace hull::cli
