#include "runtime/cli/units.h"

#include <cctype>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace hull::cli {
namespace {

// Reads "123" or "123.45" at s[i...]; false if there is no digit.
bool ReadDecimal(std::string_view s, size_t& i, double& out) {
  size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  bool int_digits = i > start;
  if (i < s.size() && s[i] == '.') {
    size_t frac = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac && !int_digits) return false;
    if (i == frac) --i;  // "5." is not a number here; leave the dot for the caller to reject
  } else if (!int_digits) {
    return false;
  }
  out = std::stod(std::string(s.substr(start, i - start)));
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseRamInBytes(std::string_view s) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid size: '", std::string(s), "'"));
  };
  size_t i = 0;
  double value = 0;
  if (!ReadDecimal(s, i, value)) return invalid();
  if (i < s.size() && s[i] == ' ') ++i;
  double mult = 1;
  if (i < s.size()) {
    switch (std::tolower(static_cast<unsigned char>(s[i]))) {
      case 'k':
        mult = 1024.0;
        break;
      case 'm':
        mult = 1024.0 * 1024;
        break;
      case 'g':
        mult = 1024.0 * 1024 * 1024;
        break;
      case 't':
        mult = 1024.0 * 1024 * 1024 * 1024;
        break;
      case 'p':
        mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (mult != 1) ++i;
  }
  if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;
  if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  if (i != s.size()) return invalid();
  double bytes = value * mult;
  if (bytes >= 9.2233720368547758e18) return invalid();
  return static_cast<int64_t>(bytes);
}

absl::StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view s) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("time: invalid duration \"", std::string(s), "\""));
  };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (s.substr(i) == "0") return std::chrono::nanoseconds(0);
  if (i == s.size()) return invalid();
  double total_ns = 0;
  while (i < s.size()) {
    double v = 0;
    if (!ReadDecimal(s, i, v)) return invalid();
    size_t u = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string_view unit = s.substr(u, i - u);
    double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {  // µs, μs
      mult = 1e3;
    } else if (unit == "ms") {
      mult = 1e6;
    } else if (unit == "s") {
      mult = 1e9;
    } else if (unit == "m") {
      mult = 60e9;
    } else if (unit == "h") {
      mult = 3600e9;
    } else {
      if (unit.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("time: missing unit in duration \"", std::string(s), "\""));
      }
      return absl::InvalidArgumentError(absl::StrCat("time: unknown unit \"", std::string(unit),
                                                     "\" in duration \"", std::string(s), "\""));
    }
    total_ns += v * mult;
  }
  if (total_ns > 9.2233720368547758e18) return invalid();
  auto ns = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total_ns)));
  return negative ? -ns : ns;
}

}  // namespace hull::cli
