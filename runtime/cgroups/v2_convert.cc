#include "runtime/cgroups/v2_convert.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hull::cgroups {

uint64_t CpuSharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const double l = std::log2(static_cast<double>(shares));
  const double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t BlkioWeightToIoWeight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

absl::StatusOr<int64_t> MemorySwapToV2(int64_t swap, int64_t memory) {
  // Unlimited memory with no swap setting means unlimited swap too (as on v1).
  if (memory == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (memory == 0 || memory == -1) {
    return absl::InvalidArgumentError("unable to set swap limit without memory limit");
  }
  if (memory < 0) return absl::InvalidArgumentError(absl::StrCat("invalid memory value: ", memory));
  if (swap < memory) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory+swap limit (", swap, ") should be >= memory limit (", memory, ")"));
  }
  return swap - memory;
}

std::string V2Limit(int64_t value) { return value < 0 ? "max" : absl::StrCat(value); }

std::optional<std::string> CpuMax(std::optional<int64_t> quota, std::optional<uint64_t> period) {
  const int64_t q = quota.value_or(0);
  const uint64_t p = period.value_or(0);
  if (q == 0 && p == 0) return std::nullopt;
  std::string s = q > 0 ? absl::StrCat(q) : "max";
  if (p != 0) absl::StrAppend(&s, " ", p);
  return s;
}

absl::Status ValidateUnifiedKey(absl::string_view key, const std::set<std::string>& enabled) {
  const std::string where = absl::StrCat("linux.resources.unified[\"", key, "\"]");
  if (key.empty() || key == "." || key == ".." || absl::StrContains(key, "/") ||
      absl::StrContains(key, "..") || absl::StrContains(key, absl::string_view("\0", 1))) {
    return absl::InvalidArgumentError(
        absl::StrCat(where,
                     ": must be a plain file name of the "
                     "container's cgroup (no path separators, no \"..\")"));
  }
  const size_t dot = key.find('.');
  if (dot == absl::string_view::npos || dot == 0 || dot + 1 == key.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": must have the form <controller>.<parameter>"));
  }
  const std::string controller(key.substr(0, dot));
  if (controller != "cgroup" && !enabled.contains(controller)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": controller \"", controller, "\" is not available in the container's cgroup"));
  }
  return absl::OkStatus();
}

}  // namespace hull::cgroups
