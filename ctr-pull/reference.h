// Image references: "alpine", "alpine:3.19", "library/alpine@sha256:...",
// "registry.example:5000/team/app:v1", with Docker Hub defaults (docker.io, library/, latest).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hull::pull {

inline constexpr std::string_view kDockerHubDomain = "docker.io";

struct ImageRef {
  std::string domain;      // "docker.io", "localhost:5000"
  std::string repository;  // "library/alpine", "team/app"
  std::string tag;         // empty when only a digest was given
  std::string digest;      // "sha256:...", or empty

  // The name without tag or digest: "docker.io/library/alpine".
  std::string Name() const;
  // The full canonical reference: "docker.io/library/alpine:latest" or "...@sha256:...";
  // with both a tag and a digest, "name:tag@digest".
  std::string String() const;
  // What to ask the registry's /manifests/ endpoint for: the digest if any, else the tag.
  std::string ManifestReference() const;
  // Host[:port] to connect to ("registry-1.docker.io" for Docker Hub).
  std::string RegistryHost() const;
};

absl::StatusOr<ImageRef> ParseImageRef(std::string_view ref);

}  // namespace hull::pull
