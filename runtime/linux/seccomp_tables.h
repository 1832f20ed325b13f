// The single place mapping seccomp names from config.json (libseccomp's seccomp.h spellings) to
// values. Shared by the compiler and by `hull features`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "absl/strings/string_view.h"

namespace hull::linux::seccomp_tables {

struct ActionEntry {
  std::string_view name;
  uint32_t value;    // SCMP_ACT_*; for ERRNO/TRACE the data bits are added by the caller
  bool takes_errno;  // ERRNO and TRACE carry errnoRet
};
struct OperatorEntry {
  std::string_view name;
  int op;  // enum scmp_compare
};
struct ArchEntry {
  std::string_view name;
  uint32_t token;  // SCMP_ARCH_*
};
struct FlagEntry {
  std::string_view name;
  uint32_t flag;  // SECCOMP_FILTER_FLAG_*
};

std::span<const ActionEntry> Actions();
std::span<const OperatorEntry> Operators();
// Architectures this libseccomp build knows.
std::span<const ArchEntry> Archs();
// Flags config.json may name (the spec's list).
std::span<const FlagEntry> Flags();

const ActionEntry* FindAction(absl::string_view name);
const OperatorEntry* FindOperator(absl::string_view name);
const ArchEntry* FindArch(absl::string_view name);
const FlagEntry* FindFlag(absl::string_view name);
// True for spec architecture names newer than this libseccomp (so the error can say so).
bool IsSpecArchNewerThanLibseccomp(absl::string_view name);

// The kernel's answer to "do you accept these SECCOMP_FILTER_FLAG_* bits": seccomp(2) with a NULL
// program fails with EFAULT after the flags were validated and with EINVAL when they were not.
bool KernelAcceptsFlags(uint32_t flags);

}  // namespace hull::linux::seccomp_tables
