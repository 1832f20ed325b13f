// Test-only fault injection: FaultPoint("create.after-clone") kills the calling process with
// SIGKILL when the environment variable HULL_FAULT_AT names that point. Compiled to nothing
// unless HULL_TEST_HOOKS is defined (CMake option HULL_TEST_HOOKS, off for release builds), so a
// production binary never reads the variable.
#pragma once

#ifdef HULL_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#endif

namespace hull {

inline void FaultPoint([[maybe_unused]] const char* name) {
#ifdef HULL_TEST_HOOKS
  const char* at = ::getenv("HULL_FAULT_AT");
  if (at && ::strcmp(at, name) == 0) ::raise(SIGKILL);
#endif
}

}  // namespace hull
