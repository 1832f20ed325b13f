// The OCI image-spec data model (v1.1): descriptors, manifests, indexes, the image config and the
// image-layout files. Type names mirror the Go package image-spec/specs-go/v1; field names are the
// JSON keys in snake_case. Docker schema 2 manifests and manifest lists share these shapes (only
// the media types differ), so they parse into the same types.
//
// Parsing is lenient about unknown fields (the spec requires it) and strict about types: every
// error names the JSON path ("manifest: layers[2].digest: expected string, got integer").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "spec/json.h"

namespace hull::spec {

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayout = "application/vnd.oci.image.layout.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciLayerNondistTar =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciLayerNondistGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciLayerNondistZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerForeignGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

// Annotation keys hull uses.
inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kAnnotationBaseDigest = "org.opencontainers.image.base.digest";
inline constexpr std::string_view kAnnotationBaseName = "org.opencontainers.image.base.name";

bool IsManifestMediaType(std::string_view mt);
bool IsIndexMediaType(std::string_view mt);
// Layer compression as far as the media type tells; kUnknown for a type that is not a layer.
enum class LayerCompression { kNone, kGzip, kZstd, kUnknown };
LayerCompression LayerCompressionOf(std::string_view media_type);

// "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>". Digests become file names in
// caches and layouts, so anything else (upper case, "..", slashes) is rejected here.
absl::Status ValidateDigest(std::string_view digest);
// "sha256" of "sha256:abc..." (the digest must be valid).
std::string_view DigestAlgorithm(std::string_view digest);
std::string_view DigestEncoded(std::string_view digest);

struct Platform {
  std::string architecture;
  std::string os;
  std::optional<std::string> os_version;  // "os.version"
  std::vector<std::string> os_features;   // "os.features"
  std::optional<std::string> variant;
};

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<std::string> data;  // base64, as in the JSON
  std::optional<Platform> platform;
  std::optional<std::string> artifact_type;
};

struct Manifest {
  int schema_version = 2;
  std::optional<std::string> media_type;
  std::optional<std::string> artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// An image index, a Docker manifest list, and an image layout's index.json.
struct Index {
  int schema_version = 2;
  std::optional<std::string> media_type;
  std::optional<std::string> artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// The "config" object inside the image config (Go: v1.ImageConfig).
struct ImageConfig {
  std::optional<std::string> user;
  std::vector<std::string> exposed_ports;  // keys of "ExposedPorts", in document order
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> entrypoint;  // null and absent are the same
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;  // keys of "Volumes"
  std::optional<std::string> working_dir;
  std::map<std::string, std::string> labels;
  std::optional<std::string> stop_signal;
  std::optional<bool> args_escaped;
};

struct RootFS {
  std::string type;
  std::vector<std::string> diff_ids;
};

struct History {
  std::optional<std::string> created;
  std::optional<std::string> created_by;
  std::optional<std::string> author;
  std::optional<std::string> comment;
  std::optional<bool> empty_layer;
};

// The image config blob (Go: v1.Image).
struct Image {
  std::optional<std::string> created;
  std::optional<std::string> author;
  Platform platform;  // inlined at the top level: "architecture", "os", "variant", ...
  ImageConfig config;
  RootFS rootfs;
  std::vector<History> history;
};

// The "oci-layout" file.
struct ImageLayout {
  std::string version;  // "imageLayoutVersion"
};

// From a parsed DOM; `what` prefixes error messages ("manifest", "index.json").
absl::StatusOr<Descriptor> DescriptorFromJson(const json::Value& v, std::string_view what);
absl::StatusOr<Manifest> ManifestFromJson(const json::Value& v, std::string_view what);
absl::StatusOr<Index> IndexFromJson(const json::Value& v, std::string_view what);
absl::StatusOr<Image> ImageFromJson(const json::Value& v, std::string_view what);

// From bytes.
absl::StatusOr<Manifest> ParseManifest(std::string_view text);
absl::StatusOr<Index> ParseIndex(std::string_view text);
absl::StatusOr<Image> ParseImage(std::string_view text);
absl::StatusOr<ImageLayout> ParseImageLayout(std::string_view text);

json::Value EncodeDescriptor(const Descriptor& d);
json::Value EncodePlatform(const Platform& p);
json::Value EncodeManifest(const Manifest& m);
json::Value EncodeIndex(const Index& i);
json::Value EncodeImage(const Image& img);
json::Value EncodeImageLayout(const ImageLayout& l);

// Canonical-ish bytes (compact JSON) of the above.
std::string EmitManifest(const Manifest& m);
std::string EmitIndex(const Index& i);
std::string EmitImage(const Image& img);

}  // namespace hull::spec
