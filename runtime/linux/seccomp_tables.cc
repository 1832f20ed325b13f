#include "runtime/linux/seccomp_tables.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace hull::linux::seccomp_tables {
namespace {

constexpr ActionEntry kActions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

constexpr OperatorEntry kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

constexpr ArchEntry kArchs[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

// In the spec's list (libseccomp 2.6) but possibly missing from the libseccomp we build against.
constexpr std::string_view kNewerSpecArchs[] = {"SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
                                                "SCMP_ARCH_SH", "SCMP_ARCH_SHEB"};

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

constexpr FlagEntry kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

template <typename Entry>
const Entry* FindIn(std::span<const Entry> table, absl::string_view abseil_name) {
  std::string_view name(abseil_name.data(), abseil_name.size());
  for (const Entry& e : table) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

std::span<const ActionEntry> Actions() { return kActions; }
std::span<const OperatorEntry> Operators() { return kOperators; }
std::span<const ArchEntry> Archs() { return kArchs; }
std::span<const FlagEntry> Flags() { return kFlags; }

const ActionEntry* FindAction(absl::string_view name) { return FindIn(Actions(), name); }
const OperatorEntry* FindOperator(absl::string_view name) { return FindIn(Operators(), name); }
const ArchEntry* FindArch(absl::string_view name) { return FindIn(Archs(), name); }
const FlagEntry* FindFlag(absl::string_view name) { return FindIn(Flags(), name); }

bool IsSpecArchNewerThanLibseccomp(absl::string_view name) {
  for (std::string_view n : kNewerSpecArchs) {
    // absl::string_view is not std::string_view in this Abseil build.
    if (n == std::string_view(name.data(), name.size())) return FindArch(name) == nullptr;
  }
  return false;
}

bool KernelAcceptsFlags(uint32_t flags) {
  // WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER.
  if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr);
  return rc < 0 && errno == EFAULT;
}

}  // namespace hull::linux::seccomp_tables
