#include "runtime/linux/mount_options.h"

#include <sys/mount.h>

#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {
namespace {

struct FlagOption {
  absl::string_view name;
  bool clear;        // the option clears the flag ("rw", "suid", ...)
  unsigned long ms;  // mount(2) flag
  uint64_t attr;     // MOUNT_ATTR_* equivalent (0 when none)
};

// Atime options are a mode, not a bit: handled by setting MOUNT_ATTR__ATIME in attr_clr.
constexpr FlagOption kFlagOptions[] = {
    {"ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY},
    {"rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY},
    {"nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID},
    {"suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID},
    {"nodev", false, MS_NODEV, MOUNT_ATTR_NODEV},
    {"dev", true, MS_NODEV, MOUNT_ATTR_NODEV},
    {"noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC},
    {"exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC},
    {"nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
    {"diratime", true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
    {"nosymfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"symfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"sync", false, MS_SYNCHRONOUS, 0},
    {"async", true, MS_SYNCHRONOUS, 0},
    {"dirsync", false, MS_DIRSYNC, 0},
    {"mand", false, MS_MANDLOCK, 0},
    {"nomand", true, MS_MANDLOCK, 0},
    {"silent", false, MS_SILENT, 0},
    {"loud", true, MS_SILENT, 0},
    {"lazytime", false, MS_LAZYTIME, 0},
    {"nolazytime", true, MS_LAZYTIME, 0},
    {"iversion", false, MS_I_VERSION, 0},
    {"noiversion", true, MS_I_VERSION, 0},
};

struct AtimeOption {
  absl::string_view name;
  unsigned long ms;
  uint64_t attr;
};
constexpr AtimeOption kAtimeOptions[] = {
    {"relatime", MS_RELATIME, MOUNT_ATTR_RELATIME},
    {"norelatime", 0, MOUNT_ATTR_STRICTATIME},
    {"noatime", MS_NOATIME, MOUNT_ATTR_NOATIME},
    {"atime", 0, MOUNT_ATTR_RELATIME},
    {"strictatime", MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
    {"nostrictatime", 0, MOUNT_ATTR_RELATIME},
};

struct RecursiveOption {
  absl::string_view name;
  bool clear;
  uint64_t attr;
};
constexpr RecursiveOption kRecursiveOptions[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};
struct RecursiveAtime {
  absl::string_view name;
  uint64_t attr;
};
constexpr RecursiveAtime kRecursiveAtime[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},       {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},         {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

struct PropagationOption {
  absl::string_view name;
  unsigned long ms;
};
constexpr PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace

absl::StatusOr<unsigned long> ParsePropagation(const std::string& name) {
  for (const auto& p : kPropagation) {
    if (p.name == name) return p.ms;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown propagation \"", name, "\""));
}

absl::StatusOr<MountOptions> ParseMountOptions(const std::vector<std::string>& options,
                                               const std::string& json_path) {
  MountOptions out;
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string& opt = options[i];
    bool handled = false;
    if (opt == "bind" || opt == "rbind") {
      out.bind = true;
      out.recursive = out.recursive || opt == "rbind";
      continue;
    }
    if (opt == "idmap" || opt == "ridmap") {
      out.idmap = true;
      out.idmap_recursive = out.idmap_recursive || opt == "ridmap";
      continue;
    }
    if (opt == "tmpcopyup") {
      out.tmpcopyup = true;
      continue;
    }
    if (opt == "defaults") continue;
    for (const auto& f : kFlagOptions) {
      if (f.name != opt) continue;
      if (f.clear) {
        out.ms_flags &= ~f.ms;
        out.attr_set &= ~f.attr;
        out.attr_clr |= f.attr;
      } else {
        out.ms_flags |= f.ms;
        out.attr_set |= f.attr;
        out.attr_clr &= ~f.attr;
      }
      handled = true;
      break;
    }
    if (handled) continue;
    for (const auto& a : kAtimeOptions) {
      if (a.name != opt) continue;
      out.ms_flags &= ~(MS_RELATIME | MS_NOATIME | MS_STRICTATIME);
      out.ms_flags |= a.ms;
      out.attr_set = (out.attr_set & ~static_cast<uint64_t>(MOUNT_ATTR__ATIME)) | a.attr;
      out.attr_clr |= MOUNT_ATTR__ATIME;
      handled = true;
      break;
    }
    if (handled) continue;
    for (const auto& r : kRecursiveOptions) {
      if (r.name != opt) continue;
      if (r.clear) {
        out.rec_attr_set &= ~r.attr;
        out.rec_attr_clr |= r.attr;
      } else {
        out.rec_attr_set |= r.attr;
        out.rec_attr_clr &= ~r.attr;
      }
      handled = true;
      break;
    }
    if (handled) continue;
    for (const auto& r : kRecursiveAtime) {
      if (r.name != opt) continue;
      out.rec_attr_set = (out.rec_attr_set & ~static_cast<uint64_t>(MOUNT_ATTR__ATIME)) | r.attr;
      out.rec_attr_clr |= MOUNT_ATTR__ATIME;
      handled = true;
      break;
    }
    if (handled) continue;
    for (const auto& p : kPropagation) {
      if (p.name != opt) continue;
      out.propagation.push_back(p.ms);
      handled = true;
      break;
    }
    if (handled) continue;
    if (opt.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(json_path, "[", i, "]: empty mount option"));
    }
    if (opt.find(',') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(json_path, "[", i, "]: mount option \"", opt, "\" contains a comma"));
    }
    // Anything else is filesystem data ("size=65536k", "mode=755", "newinstance", ...).
    out.data.push_back(opt);
  }
  return out;
}

std::vector<std::string> KnownMountOptions() {
  std::vector<std::string> out;
  for (const auto& f : kFlagOptions) out.emplace_back(f.name);
  for (const auto& a : kAtimeOptions) out.emplace_back(a.name);
  for (const auto& r : kRecursiveOptions) out.emplace_back(r.name);
  for (const auto& r : kRecursiveAtime) out.emplace_back(r.name);
  for (const auto& p : kPropagation) out.emplace_back(p.name);
  for (const char* o : {"bind", "rbind", "idmap", "ridmap", "tmpcopyup", "defaults"}) {
    out.emplace_back(o);
  }
  return out;
}

}  // namespace hull::linux
