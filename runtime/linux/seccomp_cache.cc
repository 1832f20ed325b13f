// On-disk cache of compiled seccomp programs, keyed by ProfileHash (crun does the same: most
// containers on a host share one profile, and compiling a Docker-sized profile costs far more
// than reading 8 KiB).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/linux/seccomp.h"

namespace hull::linux {
namespace {

// Owned by us and not writable by group or others.
bool Trusted(const struct stat& st) { return st.st_uid == geteuid() && (st.st_mode & 022) == 0; }

bool TrustedDir(const std::string& dir) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT || !MakeDirs(dir, 0700).ok() || lstat(dir.c_str(), &st) != 0) {
      return false;
    }
  }
  return S_ISDIR(st.st_mode) && Trusted(st);
}

absl::StatusOr<SeccompProgram> ReadEntry(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return ErrnoError(absl::StrCat("stat ", path));
  if (!S_ISREG(st.st_mode) || !Trusted(st)) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": untrusted cache entry"));
  }
  ASSIGN_OR_RETURN(std::string data, ReadFd(fd.get()));
  return ParseSeccompProgram(data);
}

}  // namespace

absl::StatusOr<SeccompProgram> CompileSeccompCached(const spec::LinuxSeccomp& seccomp,
                                                    const std::string& cache_dir) {
  if (cache_dir.empty() || !TrustedDir(cache_dir)) return CompileSeccomp(seccomp);
  std::string path = absl::StrCat(cache_dir, "/", ProfileHash(seccomp), ".bpf");
  if (auto cached = ReadEntry(path); cached.ok()) return cached;
  ASSIGN_OR_RETURN(SeccompProgram program, CompileSeccomp(seccomp));
  (void)WriteFileAtomic(path, SerializeSeccompProgram(program), 0600);  // best effort
  return program;
}

}  // namespace hull::linux
