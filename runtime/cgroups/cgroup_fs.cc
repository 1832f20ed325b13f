#include "runtime/cgroups/cgroup_fs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace hull::cgroups {

absl::StatusOr<std::string> ReadCgroupFile(const std::string& dir, absl::string_view name) {
  ASSIGN_OR_RETURN(std::string s, ReadFile(absl::StrCat(dir, "/", name)));
  absl::StripTrailingAsciiWhitespace(&s);
  return s;
}

namespace {

absl::Status WriteValue(int fd, const std::string& path, absl::string_view value) {
  ssize_t n;
  do {
    n = write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError(absl::StrCat("write \"", value, "\" to ", path));
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat("short write of \"", value, "\" to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteCgroupFile(const std::string& dir, absl::string_view name,
                             absl::string_view value) {
  CgroupFileWriter writer;
  return writer.Write(dir, name, value);
}

absl::Status CgroupFileWriter::Write(const std::string& dir, absl::string_view name,
                                     absl::string_view value) {
  std::string path = absl::StrCat(dir, "/", name);
  if (!fd_ || path != path_) {
    fd_.reset();
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(absl::StrCat("open ", path));
    fd_.reset(fd);
    path_ = std::move(path);
  }
  return WriteValue(fd_.get(), path_, value);
}

bool CgroupFileExists(const std::string& dir, absl::string_view name) {
  return access(absl::StrCat(dir, "/", name).c_str(), F_OK) == 0;
}

absl::StatusOr<uint64_t> ParseCgroupUint(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (s == "max") return UINT64_MAX;
  uint64_t v;
  if (!absl::SimpleAtoi(s, &v)) {
    // v1 files report "unlimited" as a huge signed value or -1 in a few places.
    int64_t sv;
    if (absl::SimpleAtoi(s, &sv) && sv < 0) return UINT64_MAX;
    return absl::InvalidArgumentError(absl::StrCat("not a number: \"", s, "\""));
  }
  return v;
}

absl::StatusOr<uint64_t> ReadCgroupUint(const std::string& dir, absl::string_view name) {
  ASSIGN_OR_RETURN(std::string s, ReadCgroupFile(dir, name));
  auto v = ParseCgroupUint(s);
  if (!v.ok()) return Annotate(v.status(), absl::StrCat(dir, "/", name));
  return v;
}

std::map<std::string, uint64_t> ParseFlatKeyed(absl::string_view text) {
  std::map<std::string, uint64_t> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (kv.size() != 2) continue;
    auto v = ParseCgroupUint(kv[1]);
    if (v.ok()) out[std::string(kv[0])] = *v;
  }
  return out;
}

absl::Status CheckCgroupFs(const std::string& path, bool unified) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0) return ErrnoError(absl::StrCat("statfs ", path));
  const auto want = unified ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC;
  if (static_cast<unsigned long>(st.f_type) != static_cast<unsigned long>(want)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not on a ", unified ? "cgroup2" : "cgroup",
                     " filesystem (f_type 0x", absl::Hex(st.f_type), ")"));
  }
  return absl::OkStatus();
}

}  // namespace hull::cgroups
