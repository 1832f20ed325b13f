// Small helpers shared by the ctr-pull sources.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace hull::pull {

// This Abseil build has its own string_view type (not std::string_view); StrCat and friends need
// it, so std::string_view arguments go through Av().
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Lowercase hex of `n` bytes.
std::string HexEncode(const unsigned char* data, size_t n);
std::string Base64Encode(std::string_view in);
// Standard alphabet, padding optional; false on garbage.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace hull::pull
