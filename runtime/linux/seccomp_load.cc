// Loading a compiled program: one seccomp(2) call, safe to run in a freshly cloned child.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "runtime/linux/seccomp.h"

namespace hull::linux {

int LoadSeccompRaw(const SeccompProgram& program, int* listener_fd) {
  *listener_fd = -1;
  if (program.filter.empty() || program.filter.size() > BPF_MAXINSNS) return EINVAL;
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.filter.size());
  // The kernel copies the program; it never writes through this pointer.
  fprog.filter = const_cast<sock_filter*>(program.filter.data());
  // seccomp(2) directly rather than seccomp_load(): libseccomp 2.5.4 cannot pass
  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, and this path must not allocate.
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &fprog);
  if (rc < 0) return errno;
  if (program.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
    *listener_fd = static_cast<int>(rc);
    return 0;
  }
  // With TSYNC (and no TSYNC_ESRCH) a positive result is the id of a thread that could not be
  // synchronised; the filter was not installed.
  if (rc > 0) return ESRCH;
  return 0;
}

absl::StatusOr<UniqueFd> LoadSeccomp(const SeccompProgram& program) {
  int listener = -1;
  if (int err = LoadSeccompRaw(program, &listener); err != 0) {
    return ErrnoError(err, absl::StrCat("load seccomp filter (", program.filter.size(),
                                        " instructions, flags 0x", absl::Hex(program.flags), ")"));
  }
  return UniqueFd(listener);
}

}  // namespace hull::linux
