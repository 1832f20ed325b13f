// `hull features`: what this build of hull implements (features.md, features-linux.md).
#pragma once

#include "spec/features.h"

namespace hull::container {

spec::features::Features BuildFeatures();

}  // namespace hull::container
