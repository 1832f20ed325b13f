// Value syntaxes runc's flags accept: human memory sizes (docker/go-units RAMInBytes) and Go
// durations (time.ParseDuration).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace hull::cli {

// "1024", "100M", "1.5g", "64KiB", "2 GB" -> bytes, with binary multipliers (k = 1024) as
// go-units.RAMInBytes. Errors: "invalid size: 'abc'".
absl::StatusOr<int64_t> ParseRamInBytes(std::string_view s);

// "5s", "100ms", "1m30s", "1.5h", "250us", "0" -> duration. Errors as Go:
// "time: invalid duration \"x\"".
absl::StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view s);

}  // namespace hull::cli
