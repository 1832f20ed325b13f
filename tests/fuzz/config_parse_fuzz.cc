// libFuzzer target for spec::ParseConfig. Besides "no crash, no sanitizer report", it checks a
// property: whatever ParseConfig accepts must survive EmitConfig -> ParseConfig unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spec/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = hull::spec::ParseConfig(text);
  if (!spec.ok()) {
    // Errors must carry a message (the JSON path or byte offset).
    if (spec.status().message().empty()) abort();
    return 0;
  }
  (void)hull::spec::CheckSupportedOciVersion(*spec);
  for (bool pretty : {false, true}) {
    std::string emitted = hull::spec::EmitConfig(*spec, pretty);
    auto again = hull::spec::ParseConfig(emitted);
    if (!again.ok()) {
      fprintf(stderr, "re-parse of emitted config failed: %s\n%s\n",
              std::string(again.status().message()).c_str(), emitted.c_str());
      abort();
    }
    if (!(*again == *spec)) {
      fprintf(stderr, "round trip changed the config:\n%s\n", emitted.c_str());
      abort();
    }
  }
  return 0;
}
