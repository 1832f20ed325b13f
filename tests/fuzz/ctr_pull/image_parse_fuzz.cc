// Image-spec documents, references and auth challenges come from registries and layouts we do
// not control: none of them may crash the parsers, and what parses must re-emit and re-parse.
#include <cstdlib>
#include <string_view>

#include "ctr-pull/auth.h"
#include "ctr-pull/reference.h"
#include "spec/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto m = hull::spec::ParseManifest(in); m.ok()) {
    if (!hull::spec::ParseManifest(hull::spec::EmitManifest(*m)).ok()) std::abort();
  }
  if (auto i = hull::spec::ParseIndex(in); i.ok()) {
    if (!hull::spec::ParseIndex(hull::spec::EmitIndex(*i)).ok()) std::abort();
  }
  if (auto img = hull::spec::ParseImage(in); img.ok()) {
    if (!hull::spec::ParseImage(hull::spec::EmitImage(*img)).ok()) std::abort();
  }
  (void)hull::pull::ParseImageRef(in);
  (void)hull::pull::ParseChallenge(in);
  (void)hull::spec::ValidateDigest(in);
  return 0;
}
