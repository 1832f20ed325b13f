// Debian's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so
// a std::string_view cannot be handed to absl::StrCat / StrSplit directly: convert explicitly.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace hull::cgroups {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace hull::cgroups
