// The runtime state of a container (runtime.md "State", schema/state-schema.json), as printed by
// `state` and passed to hooks on stdin, and the container process state sent to a seccomp
// listener (config-linux.md "The Container Process State").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "spec/json.h"

namespace hull::spec {

struct State {
  std::string oci_version;
  std::string id;
  std::string status;      // creating, created, running, stopped
  std::optional<int> pid;  // required when created or running
  std::string bundle;      // absolute path
  std::map<std::string, std::string> annotations;
  friend bool operator==(const State&, const State&) = default;
};

// Decodes and validates a state document; errors list every problem with its JSON path, as
// ParseConfig does.
absl::StatusOr<State> ParseState(std::string_view json_text);
absl::StatusOr<State> DecodeState(const json::Value& doc);
// Keys in Go's order (ociVersion, id, status, pid, bundle, annotations); pid and annotations
// omitted when absent/empty.
json::Value EncodeState(const State& state);
std::string EmitState(const State& state, bool pretty = false);

// Sent over listenerPath with the seccomp notify fd (SCM_RIGHTS).
struct ContainerProcessState {
  std::string oci_version;
  std::vector<std::string> fds;  // names of the passed fds, e.g. {"seccompFd"}
  int pid = 0;
  std::optional<std::string> metadata;  // linux.seccomp.listenerMetadata
  State state;
  friend bool operator==(const ContainerProcessState&, const ContainerProcessState&) = default;
};
json::Value EncodeContainerProcessState(const ContainerProcessState& s);
std::string EmitContainerProcessState(const ContainerProcessState& s);

}  // namespace hull::spec
