// Helpers shared by the spec/ unit tests.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hull::spec::testing {

// absl::string_view is not std::string_view in this Abseil build, so matchers get a std::string.
inline std::string Msg(const absl::Status& s) { return std::string(s.message()); }
template <typename T>
std::string Msg(const absl::StatusOr<T>& s) {
  return s.ok() ? std::string() : std::string(s.status().message());
}

inline std::string DataDir() {
  return std::string(HULL_SOURCE_DIR) + "/tests/data/runtime-spec-schema";
}

}  // namespace hull::spec::testing
