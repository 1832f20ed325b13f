// What the runtime supports (features.md, features-linux.md, schema/features-schema.json): the
// output of `hull features`. Types mirror Go's runtime-spec/specs-go/features package, hence
// their own namespace (features::Linux is not the config's Linux).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "spec/json.h"

namespace hull::spec::features {

struct Cgroup {
  std::optional<bool> v1;
  std::optional<bool> v2;
  std::optional<bool> systemd;
  std::optional<bool> systemd_user;
  std::optional<bool> rdma;
  friend bool operator==(const Cgroup&, const Cgroup&) = default;
};

struct Seccomp {
  std::optional<bool> enabled;
  std::vector<std::string> actions;
  std::vector<std::string> operators;
  std::vector<std::string> archs;
  std::vector<std::string> known_flags;
  std::vector<std::string> supported_flags;
  friend bool operator==(const Seccomp&, const Seccomp&) = default;
};

struct Apparmor {
  std::optional<bool> enabled;
  friend bool operator==(const Apparmor&, const Apparmor&) = default;
};

struct Selinux {
  std::optional<bool> enabled;
  friend bool operator==(const Selinux&, const Selinux&) = default;
};

struct IntelRdt {
  std::optional<bool> enabled;
  std::optional<bool> schemata;
  std::optional<bool> monitoring;
  friend bool operator==(const IntelRdt&, const IntelRdt&) = default;
};

struct IDMap {
  std::optional<bool> enabled;
  friend bool operator==(const IDMap&, const IDMap&) = default;
};

struct MountExtensions {
  std::optional<IDMap> idmap;
  friend bool operator==(const MountExtensions&, const MountExtensions&) = default;
};

struct NetDevices {
  std::optional<bool> enabled;
  friend bool operator==(const NetDevices&, const NetDevices&) = default;
};

struct MemoryPolicy {
  std::vector<std::string> modes;
  std::vector<std::string> flags;
  friend bool operator==(const MemoryPolicy&, const MemoryPolicy&) = default;
};

struct Linux {
  std::vector<std::string> namespaces;
  std::vector<std::string> capabilities;  // "CAP_[A-Z_]+"
  std::optional<Cgroup> cgroup;
  std::optional<Seccomp> seccomp;
  std::optional<Apparmor> apparmor;
  std::optional<Selinux> selinux;
  std::optional<IntelRdt> intel_rdt;
  std::optional<MountExtensions> mount_extensions;
  std::optional<NetDevices> net_devices;
  std::optional<MemoryPolicy> memory_policy;
  friend bool operator==(const Linux&, const Linux&) = default;
};

struct Features {
  std::string oci_version_min;  // required
  std::string oci_version_max;  // required
  std::vector<std::string> hooks;
  std::vector<std::string> mount_options;
  std::optional<Linux> linux;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> potentially_unsafe_config_annotations;
  friend bool operator==(const Features&, const Features&) = default;
};

// Keys in Go's order, omitting absent optionals and empty lists.
json::Value EncodeFeatures(const Features& f);
std::string EmitFeatures(const Features& f, bool pretty = true);

// Decoding (for tests and tools): validates against features-schema.json, reporting every error
// with its JSON path.
absl::StatusOr<Features> ParseFeatures(std::string_view json_text);
absl::StatusOr<Features> DecodeFeatures(const json::Value& doc);

}  // namespace hull::spec::features
