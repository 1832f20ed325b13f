#include "runtime/linux/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/status.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

// Debian's Abseil is built with its own absl::string_view (not std::string_view): convert
// explicitly where a std::string_view meets an absl function.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr int kMaxCapBits = 64;

CapMask Bit(int cap) { return CapMask{1} << cap; }

std::vector<std::string> ToStrings(const auto& list) {
  return std::vector<std::string>(list.begin(), list.end());
}

struct NameTable {
  std::map<std::string, int, std::less<>> by_name;
  std::vector<std::string> by_number;  // "" for numbers libcap has no name for
};

// Built once from libcap: cap_to_name() returns "cap_chown" for known numbers and the decimal
// number for unknown ones, so the table follows the libcap the binary links against.
const NameTable& Names() {
  static const NameTable* table = [] {
    auto* t = new NameTable;
    t->by_number.resize(kMaxCapBits);
    for (int i = 0; i < kMaxCapBits; ++i) {
      char* raw = cap_to_name(static_cast<cap_value_t>(i));
      if (raw == nullptr) continue;
      std::string name = absl::AsciiStrToUpper(raw);
      cap_free(raw);
      int ignored;
      if (!absl::StartsWith(name, "CAP_") || absl::SimpleAtoi(name, &ignored)) continue;
      t->by_name.emplace(name, i);
      t->by_number[i] = std::move(name);
    }
    return t;
  }();
  return *table;
}

// Appends the warnings for one list and returns its mask.
CapMask ResolveList(const std::vector<std::string>& names, std::string_view field,
                    std::vector<std::string>& warnings) {
  CapMask mask = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StatusOr<int> cap = CapabilityFromName(names[i]);
    if (!cap.ok()) {
      warnings.push_back(absl::StrCat("process.capabilities.", AV(field), "[", i,
                                      "]: ", cap.status().message(), " (ignored)"));
      continue;
    }
    mask |= Bit(*cap);
  }
  return mask;
}

}  // namespace

int LastCapability() {
  static const int last = [] {
    absl::StatusOr<std::string> text = ReadFile("/proc/sys/kernel/cap_last_cap");
    int n = 0;
    if (text.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &n) && n > 0 &&
        n < kMaxCapBits) {
      return n;
    }
    // Old kernels without the file: libcap probes the bounding set.
    return static_cast<int>(cap_max_bits()) - 1;
  }();
  return last;
}

absl::StatusOr<int> CapabilityFromName(std::string_view name) {
  const NameTable& t = Names();
  auto it = t.by_name.find(name);
  if (it == t.by_name.end()) {
    return absl::NotFoundError(absl::StrCat("unknown capability \"", AV(name), "\""));
  }
  if (it->second > LastCapability()) {
    return absl::FailedPreconditionError(
        absl::StrCat("capability \"", AV(name), "\" is not supported by the running kernel"));
  }
  return it->second;
}

std::string CapabilityName(int cap) {
  const NameTable& t = Names();
  if (cap >= 0 && cap < kMaxCapBits && !t.by_number[cap].empty()) return t.by_number[cap];
  return absl::StrCat("CAP_", cap);
}

std::vector<std::string> KnownCapabilityNames() {
  std::vector<std::string> out;
  for (const std::string& n : Names().by_number) {
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

std::string CapMaskToString(CapMask mask) {
  std::vector<std::string> names;
  for (int i = 0; i < kMaxCapBits; ++i) {
    if (mask & Bit(i)) names.push_back(CapabilityName(i));
  }
  return names.empty() ? "(none)" : absl::StrJoin(names, ",");
}

absl::StatusOr<CapSets> ResolveCapabilityNames(const CapabilityNames& names) {
  CapSets sets;
  sets.bounding = ResolveList(names.bounding, "bounding", sets.warnings);
  sets.effective = ResolveList(names.effective, "effective", sets.warnings);
  sets.permitted = ResolveList(names.permitted, "permitted", sets.warnings);
  sets.inheritable = ResolveList(names.inheritable, "inheritable", sets.warnings);
  sets.ambient = ResolveList(names.ambient, "ambient", sets.warnings);

  // capset(2) refuses effective bits outside permitted; PR_CAP_AMBIENT_RAISE refuses a bit
  // missing from permitted or inheritable. Leave those out now, with a warning, rather than
  // fail in the child (the spec asks for a warning for capabilities that cannot be granted).
  if (CapMask extra = sets.effective & ~sets.permitted) {
    sets.warnings.push_back(absl::StrCat("process.capabilities.effective: ", CapMaskToString(extra),
                                         " not in permitted, cannot be effective (ignored)"));
    sets.effective &= sets.permitted;
  }
  if (CapMask extra = sets.ambient & ~(sets.permitted & sets.inheritable)) {
    sets.warnings.push_back(absl::StrCat("process.capabilities.ambient: ", CapMaskToString(extra),
                                         " not in both permitted and inheritable, cannot be "
                                         "ambient (ignored)"));
    sets.ambient &= sets.permitted & sets.inheritable;
  }
  return sets;
}

absl::StatusOr<CapSets> ResolveCapabilities(const spec::LinuxCapabilities& caps) {
  CapabilityNames names;
  names.bounding = ToStrings(caps.bounding);
  names.effective = ToStrings(caps.effective);
  names.permitted = ToStrings(caps.permitted);
  names.inheritable = ToStrings(caps.inheritable);
  names.ambient = ToStrings(caps.ambient);
  return ResolveCapabilityNames(names);
}

absl::StatusOr<CapSets> ResolveCapabilities(const std::optional<spec::LinuxCapabilities>& caps) {
  if (!caps.has_value()) return CapSets{};
  return ResolveCapabilities(*caps);
}

absl::Status DropBoundingSet(const CapSets& sets) {
  const int last = LastCapability();
  for (int cap = 0; cap <= last; ++cap) {
    if (sets.bounding & Bit(cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      return ErrnoError(absl::StrCat("process.capabilities.bounding: prctl(PR_CAPBSET_DROP, ",
                                     CapabilityName(cap), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status SetProcessCapabilities(const CapSets& sets) {
  cap_t caps = cap_init();  // all clear
  if (caps == nullptr) return ErrnoError("cap_init");
  struct Freer {
    cap_t c;
    ~Freer() { cap_free(c); }
  } freer{caps};

  std::vector<cap_value_t> eff, prm, inh;
  for (int cap = 0; cap < kMaxCapBits; ++cap) {
    if (sets.effective & Bit(cap)) eff.push_back(cap);
    if (sets.permitted & Bit(cap)) prm.push_back(cap);
    if (sets.inheritable & Bit(cap)) inh.push_back(cap);
  }
  auto set = [&](cap_flag_t flag, const std::vector<cap_value_t>& v) -> absl::Status {
    if (v.empty()) return absl::OkStatus();
    if (cap_set_flag(caps, flag, static_cast<int>(v.size()), v.data(), CAP_SET) != 0) {
      return ErrnoError("cap_set_flag");
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(set(CAP_EFFECTIVE, eff));
  RETURN_IF_ERROR(set(CAP_PERMITTED, prm));
  RETURN_IF_ERROR(set(CAP_INHERITABLE, inh));
  if (cap_set_proc(caps) != 0) {
    return ErrnoError(absl::StrCat(
        "process.capabilities: capset effective=", CapMaskToString(sets.effective), " permitted=",
        CapMaskToString(sets.permitted), " inheritable=", CapMaskToString(sets.inheritable)));
  }
  return absl::OkStatus();
}

absl::Status SetAmbientCapabilities(const CapSets& sets) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    // Kernels before 4.3 have no ambient set; that is only an error if something is asked for.
    if (errno == EINVAL && sets.ambient == 0) return absl::OkStatus();
    return ErrnoError("process.capabilities.ambient: prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  }
  for (int cap = 0; cap < kMaxCapBits; ++cap) {
    if (!(sets.ambient & Bit(cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      return ErrnoError(absl::StrCat("process.capabilities.ambient: raise ", CapabilityName(cap)));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyCapabilities(const CapSets& sets) {
  RETURN_IF_ERROR(DropBoundingSet(sets));
  RETURN_IF_ERROR(SetProcessCapabilities(sets));
  return SetAmbientCapabilities(sets);
}

}  // namespace hull::linux
