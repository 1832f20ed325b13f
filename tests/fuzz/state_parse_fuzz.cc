// libFuzzer target for spec::ParseState, with the same round-trip property as
// config_parse_fuzz.cc.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spec/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = hull::spec::ParseState(text);
  if (!state.ok()) {
    if (state.status().message().empty()) abort();
    return 0;
  }
  std::string emitted = hull::spec::EmitState(*state, size % 2 == 0);
  auto again = hull::spec::ParseState(emitted);
  if (!again.ok() || !(*again == *state)) {
    fprintf(stderr, "state round trip failed:\n%s\n", emitted.c_str());
    abort();
  }
  return 0;
}
