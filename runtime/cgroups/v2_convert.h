// Conversions of the OCI (cgroup v1 flavoured) resource values to cgroup v2 files, the way runc
// does them, and validation of linux.resources.unified keys. Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hull::cgroups {

// cpu.shares [2, 262144] -> cpu.weight [1, 10000]; 0 means "not set" and stays 0.
// runc >= 1.3's quadratic mapping (2 -> 1, 1024 -> 100, 262144 -> 10000), so the default share
// of 1024 lands on the v2 default weight of 100.
uint64_t CpuSharesToWeight(uint64_t shares);

// blkio.weight [10, 1000] -> io.weight [1, 10000]; 0 stays 0 (not set).
uint64_t BlkioWeightToIoWeight(uint64_t weight);

// OCI memory.swap is the memory+swap limit (v1 memsw semantics); memory.swap.max is swap only.
// Returns the memory.swap.max value: -1 for "max", 0 for "leave alone", else the swap bytes.
absl::StatusOr<int64_t> MemorySwapToV2(int64_t swap, int64_t memory);

// -1 (or any negative) -> "max"; else the decimal number.
std::string V2Limit(int64_t value);

// cpu.max from quota/period as runc writes it: "max" or the quota, then the period if set.
// nullopt when neither is set (leave cpu.max alone).
std::optional<std::string> CpuMax(std::optional<int64_t> quota, std::optional<uint64_t> period);

// A linux.resources.unified key must be a plain file name "<controller>.<param>" (no "/", not
// "." or ".."), and its controller must be "cgroup" or one of `enabled` (the cgroup's
// cgroup.controllers).
absl::Status ValidateUnifiedKey(absl::string_view key, const std::set<std::string>& enabled);

}  // namespace hull::cgroups
