// A small SHA-256 for seccomp profile cache keys. hull_linux does not link libcrypto, and a cache
// key must be collision-resistant: a colliding profile must never pick up another profile's
// compiled filter.
#pragma once

#include <string>
#include <string_view>

namespace hull::linux {

// Lower-case hex SHA-256 of `data` (FIPS 180-4).
std::string Sha256Hex(std::string_view data);

}  // namespace hull::linux
