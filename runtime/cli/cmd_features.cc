// features: the features.json of this build (runtime-spec features.md).
#include <cstdio>

#include "runtime/cli/commands.h"
#include "runtime/container/features.h"

namespace hull::cli {
namespace {
int RunFeatures(const Context&, const ParsedArgs& a) {
  if (!CheckArgs(a, 0, 0, "features")) return 1;
  std::printf("%s\n", spec::features::EmitFeatures(container::BuildFeatures(), true).c_str());
  return 0;
}
}  // namespace

Command FeaturesCommand() {
  return {"features", "features", "show the enabled features", {}, -1, RunFeatures};
}

}  // namespace hull::cli
