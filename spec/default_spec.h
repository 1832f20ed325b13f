// The config.json that `hull spec` writes: the same content as `runc spec` (and
// `runc spec --rootless`), with ociVersion kOciVersion.
#pragma once

#include <cstdint>

#include "spec/config.h"

namespace hull::spec {

// Rootless maps container root to the calling user (geteuid()/getegid()), as runc does.
Spec DefaultSpec(bool rootless);
// The same with explicit host ids for the rootless mappings (ignored when !rootless).
Spec DefaultSpec(bool rootless, uint32_t host_uid, uint32_t host_gid);

}  // namespace hull::spec
