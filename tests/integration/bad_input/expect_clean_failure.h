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

inline void ExpectCleanFailure(const HullResult& r, const std::vector<std::string>& want) {
  EXPECT_EQ(r.code, 1) << "stderr: " << r.err;
  std::vector<std::string> errors;
  for (absl::string_view line : absl::StrSplit(r.err, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "level=warning")) continue;
    errors.emplace_back(line);
  }
  ASSERT_EQ(errors.size(), 1u) << "want exactly one error line, got:\n" << r.err;
  for (const auto& w : want) {
    EXPECT_TRUE(absl::StrContains(errors[0], w))
        << "error does not mention \"" << w << "\": " << errors[0];
  }
}

}  // namespace hull::testing
