// Command-line parsing in runc's (urfave/cli) style: `--flag value`, `--flag=value`, `-f value`,
// boolean flags without a value. Flags may come before or after positional arguments unless the
// command stops at its first positional (exec, ps: everything after the id is the command).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hull::cli {

struct FlagSpec {
  std::string name;     // long name without dashes: "bundle"
  char short_name = 0;  // 'b', or 0
  bool takes_value = false;
  std::string help;
  std::string value_name = "value";
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>> values;  // flag name -> every value given
  std::vector<std::string> positional;

  bool Has(absl::string_view name) const { return values.count(std::string(name)) > 0; }
  // Last value given (runc semantics: later flags win), or fallback.
  std::string Get(absl::string_view name, std::string fallback = "") const;
  const std::vector<std::string>& GetAll(absl::string_view name) const;
  // A boolean flag: present without a value, or with "true"/"false" (--detach=false).
  bool Bool(absl::string_view name) const;
};

// Parses args (without the command name). With stop_after_positional = N, everything after the
// N-th positional is taken verbatim as positional (exec ID CMD ARGS...).
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs,
                                     int stop_after_positional = -1);

std::string FormatFlagsHelp(const std::vector<FlagSpec>& specs);

}  // namespace hull::cli
