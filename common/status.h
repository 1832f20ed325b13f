// Error helpers: errno -> absl::Status with context, and the early-return macros.
#pragma once

#include <cerrno>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace hull {

// "what: strerror(errno)" with a status code chosen from errno. The errno is kept in the
// status payload so callers can branch on it (ErrnoOf).
absl::Status ErrnoError(int err, std::string_view what);
inline absl::Status ErrnoError(std::string_view what) { return ErrnoError(errno, what); }

// The errno stored by ErrnoError, or 0.
int ErrnoOf(const absl::Status& status);

// Prefixes the message with context ("create container x: <message>"), keeping code and payloads.
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace hull

#define HULL_CONCAT_INNER(a, b) a##b
#define HULL_CONCAT(a, b) HULL_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

// RETURN_IF_ERROR_CTX(expr, "context") returns the error annotated with context.
#define RETURN_IF_ERROR_CTX(expr, ctx)          \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return ::hull::Annotate(_st, ctx);        \
    }                                           \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(HULL_CONCAT(_statusor_, __LINE__), lhs, expr)
