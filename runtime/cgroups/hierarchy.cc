#include "runtime/cgroups/hierarchy.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_util.h"
#include "common/status.h"

namespace hull::cgroups {
namespace {

// v1 super options that name a controller (everything else is a mount option).
constexpr absl::string_view kV1Controllers[] = {
    "cpuset",     "cpu",      "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls",
    "perf_event", "net_prio", "hugetlb", "pids",  "rdma",   "misc",    "debug"};

bool IsV1ControllerOption(absl::string_view opt) {
  if (absl::StartsWith(opt, "name=")) return true;
  return std::find(std::begin(kV1Controllers), std::end(kV1Controllers), opt) !=
         std::end(kV1Controllers);
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The same controllers, in any order (v1 lists are a few names: no sets needed).
template <class A>
bool SameControllers(const A& a, const std::vector<std::string>& b) {
  size_t n = 0;
  for (const auto& c : a) {
    if (std::find(b.begin(), b.end(), c) == b.end()) return false;
    ++n;
  }
  return n == b.size();
}

// "/a/b" relative to mount root "/a" -> "/b"; a path outside the root stays as is.
std::string StripRoot(const std::string& path, const std::string& root) {
  if (root == "/" || root.empty()) return path;
  if (path == root) return "/";
  if (absl::StartsWith(path, root) && path.size() > root.size() && path[root.size()] == '/') {
    return path.substr(root.size());
  }
  return path;
}

}  // namespace

std::string_view LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kV1:
      return "v1";
    case Layout::kV2:
      return "v2";
    case Layout::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

absl::StatusOr<std::vector<CgroupMount>> ParseMountinfo(absl::string_view text) {
  std::vector<CgroupMount> mounts;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
    auto sep = std::find(f.begin(), f.end(), "-");
    if (f.size() < 10 || sep == f.end() || sep - f.begin() < 6 || f.end() - sep < 4) {
      return absl::InvalidArgumentError(
          absl::StrCat("mountinfo line ", line_no, ": malformed: \"", line, "\""));
    }
    absl::string_view fstype = sep[1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = Unescape(f[3]);
    m.mount_point = Unescape(f[4]);
    m.unified = fstype == "cgroup2";
    if (!m.unified) {
      for (absl::string_view opt : absl::StrSplit(sep[3], ',')) {
        if (IsV1ControllerOption(opt)) m.controllers.emplace_back(opt);
      }
    }
    mounts.push_back(std::move(m));
  }
  return mounts;
}

absl::StatusOr<std::map<std::string, std::string>> ParseProcCgroup(absl::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("/proc/self/cgroup: malformed line \"", line, "\""));
    }
    out[std::string(f[1])] = std::string(f[2]);
  }
  return out;
}

const Hierarchy* HostCgroups::For(absl::string_view controller) const {
  for (const Hierarchy& h : hierarchies) {
    if (!h.unified &&
        std::find(h.controllers.begin(), h.controllers.end(), controller) != h.controllers.end()) {
      return &h;
    }
  }
  const Hierarchy* u = Unified();
  if (u == nullptr) return nullptr;
  if (std::find(u->controllers.begin(), u->controllers.end(), controller) != u->controllers.end()) {
    return u;
  }
  // Freezing and device filtering are built into cgroup2 itself (cgroup.freeze, BPF programs).
  if (controller == "freezer" || controller == "devices") return u;
  return nullptr;
}

const Hierarchy* HostCgroups::Unified() const {
  for (const Hierarchy& h : hierarchies) {
    if (h.unified) return &h;
  }
  return nullptr;
}

namespace {

absl::StatusOr<HostCgroups> BuildFromMounts(const std::vector<CgroupMount>& mounts,
                                            absl::string_view proc_cgroup,
                                            absl::string_view unified_root_controllers) {
  ASSIGN_OR_RETURN(auto own, ParseProcCgroup(proc_cgroup));
  HostCgroups host;
  bool has_v1_controller = false;
  for (const CgroupMount& m : mounts) {
    // The same hierarchy can be mounted more than once (bind mounts); keep one mount of it,
    // preferring the one that shows the hierarchy's root.
    Hierarchy* existing = nullptr;
    for (Hierarchy& h : host.hierarchies) {
      if (h.unified == m.unified && (m.unified || SameControllers(h.controllers, m.controllers))) {
        existing = &h;
      }
    }
    if (existing != nullptr) {
      if (existing->mount_root != "/" && m.root == "/") {
        existing->mount_point = m.mount_point;
        existing->mount_root = m.root;
      }
      continue;
    }
    if (!m.unified && m.controllers.empty()) continue;  // v1 mount with no hierarchy we know
    Hierarchy h;
    h.unified = m.unified;
    h.mount_point = m.mount_point;
    h.mount_root = m.root;
    h.controllers = m.controllers;
    for (const std::string& c : m.controllers) {
      if (!absl::StartsWith(c, "name=")) has_v1_controller = true;
    }
    host.hierarchies.push_back(std::move(h));
  }
  if (host.hierarchies.empty()) {
    return absl::FailedPreconditionError(
        "no cgroup filesystem is mounted (see /proc/self/mountinfo)");
  }
  for (Hierarchy& h : host.hierarchies) {
    std::string path;
    if (h.unified) {
      auto it = own.find("");
      if (it != own.end()) path = it->second;
      for (absl::string_view c :
           absl::StrSplit(unified_root_controllers, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
        h.controllers.emplace_back(c);
      }
    } else {
      for (const auto& [key, p] : own) {
        if (key.empty()) continue;
        if (SameControllers(absl::StrSplit(key, ','), h.controllers)) path = p;
      }
    }
    h.own_cgroup = path.empty() ? "/" : StripRoot(path, h.mount_root);
  }
  const bool has_v2 = host.Unified() != nullptr;
  host.layout = has_v1_controller ? (has_v2 ? Layout::kHybrid : Layout::kV1) : Layout::kV2;
  return host;
}

}  // namespace

absl::StatusOr<HostCgroups> BuildHostCgroups(absl::string_view mountinfo,
                                             absl::string_view proc_cgroup,
                                             absl::string_view unified_root_controllers) {
  ASSIGN_OR_RETURN(std::vector<CgroupMount> mounts, ParseMountinfo(mountinfo));
  return BuildFromMounts(mounts, proc_cgroup, unified_root_controllers);
}

absl::StatusOr<const HostCgroups*> GetHostCgroups() {
  static absl::StatusOr<HostCgroups>* cached = [] {
    auto compute = []() -> absl::StatusOr<HostCgroups> {
      ASSIGN_OR_RETURN(std::string mountinfo, ReadFile("/proc/self/mountinfo"));
      ASSIGN_OR_RETURN(std::string proc_cgroup, ReadFile("/proc/self/cgroup"));
      std::string unified_ctrls;
      ASSIGN_OR_RETURN(std::vector<CgroupMount> mounts, ParseMountinfo(mountinfo));
      for (const CgroupMount& m : mounts) {
        if (m.unified) {
          auto c = ReadFile(m.mount_point + "/cgroup.controllers");
          if (c.ok()) unified_ctrls = *c;
          break;
        }
      }
      return BuildFromMounts(mounts, proc_cgroup, unified_ctrls);
    };
    return new absl::StatusOr<HostCgroups>(compute());
  }();
  if (!cached->ok()) return cached->status();
  return &**cached;
}

absl::StatusOr<Layout> DetectLayout() {
  ASSIGN_OR_RETURN(const HostCgroups* host, GetHostCgroups());
  return host->layout;
}

std::optional<bool> CgroupRootIsCgroup2() {
  struct statfs sfs;
  if (::statfs("/sys/fs/cgroup", &sfs) != 0) return std::nullopt;
  return sfs.f_type == CGROUP2_SUPER_MAGIC;
}

absl::StatusOr<std::vector<ControllerInfo>> AvailableControllers() {
  ASSIGN_OR_RETURN(const HostCgroups* host, GetHostCgroups());
  std::vector<ControllerInfo> out;
  std::set<std::string> seen;
  for (const Hierarchy& h : host->hierarchies) {
    for (const std::string& c : h.controllers) {
      if (absl::StartsWith(c, "name=") || host->For(c) != &h || !seen.insert(c).second) continue;
      out.push_back({c, h.unified, h.mount_point});
    }
  }
  for (absl::string_view c : {"freezer", "devices"}) {
    const Hierarchy* h = host->For(c);
    if (h != nullptr && seen.insert(std::string(c)).second) {
      out.push_back({std::string(c), h->unified, h->mount_point});
    }
  }
  return out;
}

}  // namespace hull::cgroups
