#include "tests/support/leak_check.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/support/bundle.h"

namespace hull::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// State letter from /proc/PID/stat (after the parenthesised comm, which may contain spaces).
char ProcState(const std::string& stat) {
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return '?';
  return stat[close + 2];
}

void Collect(const std::string& dir, std::vector<std::string>* out) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  out->push_back(dir);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (e->d_type == DT_DIR && n != "." && n != "..") Collect(dir + "/" + n, out);
  }
  ::closedir(d);
}

}  // namespace

std::string Leftovers::Describe() const {
  std::string out;
  if (!processes.empty())
    absl::StrAppend(&out, "processes: ", absl::StrJoin(processes, "; "), "\n");
  if (!mounts.empty()) absl::StrAppend(&out, "mounts: ", absl::StrJoin(mounts, "; "), "\n");
  if (!cgroups.empty()) absl::StrAppend(&out, "cgroups: ", absl::StrJoin(cgroups, "; "), "\n");
  if (state_dir) absl::StrAppend(&out, "state dir still exists\n");
  return out.empty() ? "nothing" : out;
}

std::vector<std::string> LiveProcesses(const std::string& needle, const std::string& cgroup_path) {
  std::vector<std::string> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  const pid_t self = ::getpid();
  while (struct dirent* e = ::readdir(d)) {
    char* end;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end || pid <= 0 || pid == self) continue;
    std::string base = absl::StrCat("/proc/", pid);
    std::string stat = Slurp(base + "/stat");
    if (stat.empty() || ProcState(stat) == 'Z' || ProcState(stat) == 'X') continue;
    std::string cmdline = Slurp(base + "/cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    std::string why;
    if (!needle.empty() && cmdline.find(needle) != std::string::npos) why = "command line";
    if (!cgroup_path.empty()) {
      for (absl::string_view line : absl::StrSplit(Slurp(base + "/cgroup"), '\n')) {
        // "ID:controllers:/path": the container's cgroup or below.
        size_t colon = line.find(':', line.find(':') + 1);
        if (colon == absl::string_view::npos) continue;
        absl::string_view p = line.substr(colon + 1);
        if (p == cgroup_path || absl::StartsWith(p, cgroup_path + "/"))
          why = absl::StrCat("cgroup ", line);
      }
    }
    if (why.empty()) continue;
    size_t open = stat.find('('), close = stat.rfind(')');
    out.push_back(
        absl::StrCat(pid, " ", stat.substr(open, close - open + 1), " [", cmdline, "]: ", why));
  }
  ::closedir(d);
  return out;
}

std::vector<std::string> MountsUnder(const std::string& path) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(Slurp("/proc/self/mountinfo"), '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() < 5) continue;
    if (f[4] == path || absl::StartsWith(f[4], path + "/")) out.emplace_back(line);
  }
  return out;
}

std::vector<std::string> CgroupDirs(const std::string& cgroup_path) {
  std::vector<std::string> out;
  if (cgroup_path.empty()) return out;
  for (const auto& mp : CgroupMountPoints()) Collect(mp + cgroup_path, &out);
  return out;
}

Leftovers FindLeftovers(const std::string& root, const std::string& id, const std::string& bundle,
                        const std::string& cgroup_path) {
  Leftovers l;
  l.processes = LiveProcesses(root, cgroup_path);
  l.mounts = MountsUnder(bundle);
  l.cgroups = CgroupDirs(cgroup_path);
  struct stat st;
  l.state_dir = ::lstat(absl::StrCat(root, "/", id).c_str(), &st) == 0;
  return l;
}

int OpenFdCount() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream itself
}

}  // namespace hull::testing
