// The image half of `docker run`: resolve an image (registry, OCI layout, docker-archive) into
// the verified cache, then write a bundle (rootfs + config.json) from it.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ctr-pull/bundle.h"
#include "ctr-pull/cache.h"
#include "ctr-pull/progress.h"
#include "ctr-pull/registry.h"
#include "ctr-pull/unpack.h"
#include "spec/image.h"

namespace hull::pull {

enum class PullPolicy { kAlways, kMissing, kNever };
absl::StatusOr<PullPolicy> ParsePullPolicy(std::string_view s);

// "os/arch[/variant]".
absl::StatusOr<spec::Platform> ParsePlatform(std::string_view s);
// This machine, in Go's GOOS/GOARCH terms (linux/amd64, linux/arm64/v8, ...).
spec::Platform HostPlatform();
std::string PlatformString(const spec::Platform& p);
// Picks the manifest for `want` from an index; the error lists what the index offers.
absl::StatusOr<spec::Descriptor> SelectPlatform(const spec::Index& idx, const spec::Platform& want);

struct PullOptions {
  PullPolicy policy = PullPolicy::kMissing;
  spec::Platform platform = HostPlatform();
  RegistryOptions registry;
  // Use credentials from the Docker config file when registry.creds is unset.
  bool docker_config_creds = true;
  Progress* progress = nullptr;  // may be null
};

struct PulledImage {
  std::string ref_name;  // what the cache and the bundle's annotation call it
  spec::Descriptor manifest_desc;
  spec::Manifest manifest;
  spec::Image config;
  int http_requests = 0;  // registry requests made (0 on a cache hit)
  int layers_downloaded = 0;
};

// IMAGE: a registry reference, "oci:DIR[:TAG]" or "docker-archive:FILE".
absl::StatusOr<PulledImage> PullImage(std::string_view image, const BlobCache& cache,
                                      const PullOptions& opts);

struct BundleOptions {
  ConvertOptions convert;  // ref_name / manifest_digest are filled in from the image
  bool rootless = false;
  UnpackOptions unpack = DefaultUnpackOptions();
};

// Creates BUNDLE_DIR/rootfs from the layers (each verified before use) and
// BUNDLE_DIR/config.json. Refuses a bundle directory that already has a rootfs or config.json.
absl::Status WriteBundle(const BlobCache& cache, const PulledImage& image,
                         const std::string& bundle_dir, const BundleOptions& opts,
                         Progress* progress = nullptr);

}  // namespace hull::pull
