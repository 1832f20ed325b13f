// features: not implemented yet; fails clearly instead of pretending.
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int RunFeatures(const Context&, const ParsedArgs&) { return Fail("features: not implemented yet"); }
}  // namespace

Command FeaturesCommand() {
  return {"features", "features", "show the enabled features", {}, -1, RunFeatures};
}

}  // namespace hull::cli
