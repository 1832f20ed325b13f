#include "runtime/linux/identity.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/linux/process_attrs.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

// Clears PR_SET_KEEPCAPS on every exit path of the user switch.
class KeepCapsGuard {
 public:
  KeepCapsGuard() = default;
  KeepCapsGuard(const KeepCapsGuard&) = delete;
  KeepCapsGuard& operator=(const KeepCapsGuard&) = delete;
  absl::Status Enable() {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return ErrnoError("prctl(PR_SET_KEEPCAPS, 1)");
    enabled_ = true;
    return absl::OkStatus();
  }
  absl::Status Disable() {
    if (!enabled_) return absl::OkStatus();
    enabled_ = false;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return ErrnoError("prctl(PR_SET_KEEPCAPS, 0)");
    return absl::OkStatus();
  }
  ~KeepCapsGuard() { (void)Disable(); }

 private:
  bool enabled_ = false;
};

}  // namespace

absl::StatusOr<bool> SetgroupsDenied() {
  absl::StatusOr<UniqueFd> fd = OpenVerifiedProcFile("self/setgroups", O_RDONLY);
  if (!fd.ok()) {
    // Kernels before 3.19 have no such file and never deny.
    if (ErrnoOf(fd.status()) == ENOENT) return false;
    return fd.status();
  }
  ASSIGN_OR_RETURN(std::string text, ReadFd(fd->get()));
  return absl::StripAsciiWhitespace(text) == "deny";
}

absl::Status SwitchUser(const spec::User& user) {
  const auto& gids_in = user.additional_gids;
  std::vector<gid_t> gids(gids_in.begin(), gids_in.end());
  ASSIGN_OR_RETURN(bool denied, SetgroupsDenied());
  if (denied) {
    if (!gids.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("process.user.additionalGids: cannot set [", absl::StrJoin(gids, ","),
                       "]: setgroups is denied in this user namespace"));
    }
  } else if (setgroups(gids.size(), gids.data()) != 0) {
    return ErrnoError(
        absl::StrCat("process.user.additionalGids: setgroups([", absl::StrJoin(gids, ","), "])"));
  }
  const gid_t gid = user.gid;
  const uid_t uid = user.uid;
  // EINVAL from the kernel means the id has no mapping in the user namespace.
  if (setresgid(gid, gid, gid) != 0) {
    const int err = errno;
    return ErrnoError(err,
                      absl::StrCat("process.user.gid: setresgid(", gid, ")",
                                   err == EINVAL ? " (gid not mapped in the user namespace)" : ""));
  }
  if (setresuid(uid, uid, uid) != 0) {
    const int err = errno;
    return ErrnoError(err,
                      absl::StrCat("process.user.uid: setresuid(", uid, ")",
                                   err == EINVAL ? " (uid not mapped in the user namespace)" : ""));
  }
  return absl::OkStatus();
}

absl::Status FixStdioOwnership(uid_t uid) {
  struct stat null_st;
  bool have_null = stat("/dev/null", &null_st) == 0 && S_ISCHR(null_st.st_mode);
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      if (errno == EBADF) continue;  // closed stdio is not ours to fix
      return ErrnoError(absl::StrCat("fstat stdio fd ", fd));
    }
    if (st.st_uid == uid) continue;
    if (have_null && S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev) continue;
    if (fchown(fd, uid, st.st_gid) != 0) {
      if (errno == EINVAL || errno == EPERM || errno == EROFS) continue;
      return ErrnoError(absl::StrCat("fchown stdio fd ", fd, " to uid ", uid));
    }
  }
  return absl::OkStatus();
}

void ApplyUmask(const spec::User& user) {
  if (user.umask.has_value()) umask(static_cast<mode_t>(*user.umask & 0777));
}

absl::Status FinalizeIdentityAndCapabilities(const spec::User& user, const CapSets& caps) {
  RETURN_IF_ERROR(DropBoundingSet(caps));
  {
    KeepCapsGuard keep;
    RETURN_IF_ERROR(keep.Enable());
    RETURN_IF_ERROR(FixStdioOwnership(user.uid));
    RETURN_IF_ERROR(SwitchUser(user));
    RETURN_IF_ERROR(keep.Disable());
  }
  RETURN_IF_ERROR(SetProcessCapabilities(caps));
  RETURN_IF_ERROR(SetAmbientCapabilities(caps));
  ApplyUmask(user);
  return absl::OkStatus();
}

absl::Status FinalizeIdentityAndCapabilities(const spec::Process& process, const CapSets& caps) {
  return FinalizeIdentityAndCapabilities(process.user, caps);
}

}  // namespace hull::linux
