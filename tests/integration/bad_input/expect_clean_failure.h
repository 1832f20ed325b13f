// The error contract for refused input: exit code 1 and exactly one error line on stderr
// (warnings aside) that contains every expected fragment. Shared by the bad_input tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tests/support/hull_runner.h"

namespace hull::testing {

// `input_has_newline`: the offending input itself contains a newline, which the log escapes.
inline void ExpectCleanFailure(const HullResult& r, const std::vector<std::string>& want,
                               bool input_has_newline = false) {
  EXPECT_EQ(r.code, 1) << "stderr: " << r.err;
  std::vector<std::string> errors;
  for (absl::string_view line : absl::StrSplit(r.err, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "level=warning")) continue;
    errors.emplace_back(line);
  }
  ASSERT_EQ(errors.size(), 1u) << "want exactly one error line, got:\n" << r.err.substr(0, 2000);
  // Bounded: an error never echoes a huge input back whole.
  EXPECT_LT(errors[0].size(), 1024u)
      << "error line of " << errors[0].size() << " bytes: " << errors[0].substr(0, 300) << "...";
  const std::string shown = errors[0].substr(0, 300);
  // One line also inside the message: no embedded (escaped) newline from a kernel or library
  // message, and no JSON path repeated as its own context ("hostname: hostname: ...").
  if (!input_has_newline) {
    EXPECT_FALSE(absl::StrContains(errors[0], "\\n")) << "embedded newline in: " << shown;
  }
  size_t msg = errors[0].find("msg=\"");
  if (msg != std::string::npos) {
    std::string text = errors[0].substr(msg + 5);
    size_t colon = text.find(": ");
    if (colon != std::string::npos) {
      std::string first = text.substr(0, colon + 2);
      EXPECT_NE(text.compare(colon + 2, first.size(), first), 0)
          << "context repeated in: " << shown;
    }
  }
  for (const auto& w : want) {
    EXPECT_TRUE(absl::StrContains(errors[0], w))
        << "error does not mention \"" << w << "\": " << shown;
  }
}

}  // namespace hull::testing
