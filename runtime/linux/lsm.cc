#include "runtime/linux/lsm.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/linux/process_attrs.h"

namespace hull::linux {
namespace {

// Debian's Abseil is built with its own absl::string_view (not std::string_view): convert
// explicitly where a std::string_view meets an absl function.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// One write() of the whole value: the LSM attr files take a value per write call.
absl::Status WriteAttr(std::string_view proc_path, std::string_view value) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenVerifiedProcFile(proc_path, O_WRONLY));
  ssize_t n = write(fd.get(), value.data(), value.size());
  if (n < 0) return ErrnoError(absl::StrCat("write /proc/", AV(proc_path)));
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat("short write to /proc/", AV(proc_path)));
  }
  return absl::OkStatus();
}

}  // namespace

bool AppArmorEnabled() {
  absl::StatusOr<std::string> v = ReadFile("/sys/module/apparmor/parameters/enabled");
  return v.ok() && absl::StripAsciiWhitespace(*v) == "Y";
}

bool SelinuxEnabled() { return access("/sys/fs/selinux/enforce", F_OK) == 0; }

absl::Status WriteApparmorExecProfile(std::string_view profile) {
  // Only a missing file means an old kernel: the write itself fails with ENOENT too when the
  // profile is not loaded, and retrying that on the generic file would hide the real cause.
  std::string path = "thread-self/attr/apparmor/exec";
  absl::StatusOr<UniqueFd> fd = OpenVerifiedProcFile(path, O_WRONLY);
  if (ErrnoOf(fd.status()) == ENOENT) {
    // Kernels before 5.8 (no per-LSM attr directories).
    path = "thread-self/attr/exec";
    fd = OpenVerifiedProcFile(path, O_WRONLY);
  }
  const std::string what = absl::StrCat("process.apparmorProfile \"", AV(profile), "\"");
  if (!fd.ok()) return Annotate(fd.status(), what);
  // The attr file takes a command: "exec <profile>" switches at the next execve.
  const std::string value = absl::StrCat("exec ", AV(profile));
  ssize_t n = write(fd->get(), value.data(), value.size());
  if (n < 0 && errno == ENOENT) {
    return absl::NotFoundError(
        absl::StrCat(what, ": profile not loaded in the kernel (load it with apparmor_parser; ",
                     "write /proc/", path, ": ENOENT)"));
  }
  if (n < 0) return Annotate(ErrnoError(absl::StrCat("write /proc/", path)), what);
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat(what, ": short write to /proc/", path));
  }
  return absl::OkStatus();
}

absl::Status ApplyApparmorProfile(std::string_view profile) {
  if (profile.empty()) return absl::OkStatus();
  if (!AppArmorEnabled()) {
    return absl::FailedPreconditionError(
        absl::StrCat("process.apparmorProfile: profile \"", AV(profile),
                     "\" requested but AppArmor is not enabled on this host"));
  }
  return WriteApparmorExecProfile(profile);
}

absl::Status ApplySelinuxLabel(std::string_view label) {
  if (label.empty() || !SelinuxEnabled()) return absl::OkStatus();
  RETURN_IF_ERROR_CTX(WriteAttr("thread-self/attr/exec", label),
                      absl::StrCat("process.selinuxLabel \"", AV(label), "\""));
  RETURN_IF_ERROR_CTX(WriteAttr("thread-self/attr/keycreate", label),
                      absl::StrCat("process.selinuxLabel \"", AV(label), "\" (keycreate)"));
  return absl::OkStatus();
}

std::string SelinuxMountContextOption(std::string_view mount_label) {
  if (mount_label.empty() || !SelinuxEnabled()) return "";
  return absl::StrCat("context=\"", AV(mount_label), "\"");
}

std::string AppendSelinuxMountContext(std::string_view options, std::string_view mount_label,
                                      bool selinux_enabled) {
  if (mount_label.empty() || !selinux_enabled) return std::string(options);
  std::string context = absl::StrCat("context=\"", AV(mount_label), "\"");
  if (options.empty()) return context;
  return absl::StrCat(AV(options), ",", context);
}

std::string AppendSelinuxMountContext(std::string_view options, std::string_view mount_label) {
  return AppendSelinuxMountContext(options, mount_label, SelinuxEnabled());
}

}  // namespace hull::linux
