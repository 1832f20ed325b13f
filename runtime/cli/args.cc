#include "runtime/cli/args.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace hull::cli {

std::string ParsedArgs::Get(absl::string_view name, std::string fallback) const {
  auto it = values.find(std::string(name));
  if (it == values.end() || it->second.empty()) return fallback;
  return it->second.back();
}

const std::vector<std::string>& ParsedArgs::GetAll(absl::string_view name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values.find(std::string(name));
  return it == values.end() ? kEmpty : it->second;
}

bool ParsedArgs::Bool(absl::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end()) return false;
  const std::string& v = it->second.empty() ? std::string() : it->second.back();
  return v != "false" && v != "0";
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs,
                                     int stop_after_positional) {
  ParsedArgs out;
  bool verbatim = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (verbatim || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      if (stop_after_positional >= 0 &&
          static_cast<int>(out.positional.size()) >= stop_after_positional) {
        verbatim = true;
      }
      continue;
    }
    if (a == "--") {
      verbatim = true;
      continue;
    }
    std::string name;
    std::optional<std::string> inline_value;
    if (absl::StartsWith(a, "--")) {
      name = a.substr(2);
    } else {
      name = a.substr(1);  // runc accepts -name too for long flags
    }
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name || (name.size() == 1 && s.short_name == name[0])) {
        spec = &s;
        break;
      }
    }
    if (!spec)
      return absl::InvalidArgumentError(absl::StrCat("flag provided but not defined: ", a));
    if (spec->takes_value) {
      if (inline_value) {
        out.values[spec->name].push_back(*inline_value);
      } else if (i + 1 < args.size()) {
        out.values[spec->name].push_back(args[++i]);
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag needs an argument: ", a));
      }
    } else {
      out.values[spec->name].push_back(inline_value.value_or("true"));
    }
  }
  return out;
}

std::string FormatFlagsHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    std::string left = absl::StrCat("   --", s.name);
    if (s.short_name) absl::StrAppend(&left, ", -", std::string(1, s.short_name));
    if (s.takes_value) absl::StrAppend(&left, " ", s.value_name);
    if (left.size() < 34) left.resize(34, ' ');
    absl::StrAppend(&out, left, " ", s.help, "\n");
  }
  return out;
}

}  // namespace hull::cli
