#include "runtime/linux/exe_protect.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "runtime/linux/syscalls.h"

namespace hull::linux {

bool SelfExeIsReadOnly() {
  int fd = ::open("/proc/self/exe", O_PATH | O_CLOEXEC);
  if (fd < 0) return false;
  UniqueFd exe(fd);
  struct statvfs sv;
  return ::fstatvfs(exe.get(), &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

void ReexecFromReadOnlyBinary(char** argv, char** envp) {
  if (SelfExeIsReadOnly()) return;
  int m = sys::OpenTree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (m < 0) return;
  UniqueFd mnt(m);
  sys::MountAttr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (sys::MountSetattr(mnt.get(), "", AT_EMPTY_PATH, &attr) != 0) return;
  // The fd is close-on-exec: the new image keeps the mount alive as its exe file only.
  ::syscall(SYS_execveat, mnt.get(), "", argv, envp, AT_EMPTY_PATH);
  // execveat failed (e.g. a noexec policy): carry on from the writable binary.
}

}  // namespace hull::linux
