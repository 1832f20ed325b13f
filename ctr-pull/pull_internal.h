// Shared by pull.cc and local_sources.cc.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ctr-pull/cache.h"
#include "ctr-pull/pull.h"
#include "spec/image.h"

namespace hull::pull::internal {

enum class DocKind { kManifest, kIndex };
// From the media type when it says, else from the document's shape.
absl::StatusOr<DocKind> KindOf(std::string_view media_type, std::string_view body);

// Follows `top` (a manifest or an index, already in the cache) to the platform's manifest and
// its config. kNotFound when a blob is missing (layers included), so callers can pull.
absl::StatusOr<PulledImage> ResolveInCache(const BlobCache& cache, const spec::Descriptor& top,
                                           const spec::Platform& platform);

// Checks that a manifest describes a container image we can unpack.
absl::Status CheckRunnable(const spec::Manifest& m);

}  // namespace hull::pull::internal
