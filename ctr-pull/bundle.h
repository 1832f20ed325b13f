// Image config -> runtime config (image-spec conversion.md) and the bundle directory itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "spec/config.h"
#include "spec/image.h"

namespace hull::pull {

inline constexpr char kDefaultPath[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ConvertOptions {
  // `-- COMMAND ARGS...`: replaces Cmd (docker run IMAGE COMMAND).
  std::vector<std::string> command;
  // --entrypoint: replaces Entrypoint (and drops the image's Cmd unless a command is given, as
  // docker does). An empty vector clears the entrypoint.
  std::optional<std::vector<std::string>> entrypoint;
  std::vector<std::string> env;  // -e KEY=VALUE, applied last
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  bool tty = false;
  std::string ref_name;         // org.opencontainers.image.ref.name
  std::string manifest_digest;  // org.opencontainers.image.base.digest
};

// What the image decides in config.json.
struct ImageRuntimeConfig {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  bool terminal = false;
  std::map<std::string, std::string> annotations;
};

struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
};
// Resolves "user", "uid", "user:group", "uid:gid" (and mixes) against the passwd and group file
// contents, as conversion.md describes. Errors when a name is not found.
absl::StatusOr<ResolvedUser> ResolveUser(std::string_view spec_user, std::string_view passwd,
                                         std::string_view group);

// `rootfs_fd`: the unpacked rootfs, used (fd-relative) for /etc/passwd and /etc/group.
absl::StatusOr<ImageRuntimeConfig> ConvertImageConfig(const spec::Image& image, int rootfs_fd,
                                                      const ConvertOptions& opts);

// Puts `c` into a runtime spec (process, annotations) leaving the rest as it is.
void ApplyToSpec(const ImageRuntimeConfig& c, spec::Spec* s);

// The spec everything else comes from: hull's default spec, rootfs "rootfs" read-write, no
// cgroupsPath (hull picks a per-container one).
absl::StatusOr<spec::Spec> BaseSpec(bool rootless);

}  // namespace hull::pull
