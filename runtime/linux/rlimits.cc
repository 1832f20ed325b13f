#include "runtime/linux/rlimits.h"

#include <sys/resource.h>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

// Debian's Abseil is built with its own absl::string_view (not std::string_view): convert
// explicitly where a std::string_view meets an absl function.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct RlimitEntry {
  std::string_view name;
  int resource;
};

constexpr RlimitEntry kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

std::string LimitText(uint64_t v) {
  return v == static_cast<uint64_t>(RLIM_INFINITY) ? "unlimited" : absl::StrCat(v);
}

}  // namespace

absl::StatusOr<int> RlimitFromName(std::string_view name) {
  for (const RlimitEntry& e : kRlimits) {
    if (e.name == name) return e.resource;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown rlimit \"", AV(name), "\""));
}

std::vector<std::string> KnownRlimitNames() {
  std::vector<std::string> out;
  for (const RlimitEntry& e : kRlimits) out.emplace_back(std::string(e.name));
  return out;
}

absl::StatusOr<std::vector<Rlimit>> ResolveRlimits(const std::vector<spec::POSIXRlimit>& rlimits) {
  std::vector<Rlimit> out;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const spec::POSIXRlimit& r = rlimits[i];
    std::string field = absl::StrCat("process.rlimits[", i, "]");
    absl::StatusOr<int> resource = RlimitFromName(r.type);
    if (!resource.ok()) return Annotate(resource.status(), absl::StrCat(field, ".type"));
    for (const Rlimit& prev : out) {
      if (prev.resource == *resource) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".type: duplicate rlimit \"", r.type,
                                                       "\" (also process.rlimits[", prev.index,
                                                       "])"));
      }
    }
    if (r.soft > r.hard) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": soft limit ", LimitText(r.soft),
                                                     " above hard limit ", LimitText(r.hard),
                                                     " for ", r.type));
    }
    out.push_back(Rlimit{*resource, r.type, i, r.soft, r.hard});
  }
  return out;
}

absl::Status ApplyRlimits(const std::vector<Rlimit>& rlimits, pid_t pid) {
  for (const Rlimit& r : rlimits) {
    struct rlimit64 lim;
    lim.rlim_cur = r.soft;
    lim.rlim_max = r.hard;
    if (prlimit64(pid, static_cast<__rlimit_resource>(r.resource), &lim, nullptr) != 0) {
      return ErrnoError(absl::StrCat("process.rlimits[", r.index, "]: setrlimit ", r.name,
                                     " soft=", LimitText(r.soft), " hard=", LimitText(r.hard)));
    }
  }
  return absl::OkStatus();
}

}  // namespace hull::linux
