// Linux security modules: the AppArmor profile and SELinux labels applied at execve.
//
// Both work by writing to the calling thread's /proc/thread-self/attr/... files, which the
// kernel applies at the next execve. The files are opened through OpenVerifiedProcFile
// (process_attrs.h) so a container cannot redirect the write by mounting or linking over /proc
// (CVE-2019-16884, CVE-2025-52881): a label silently not applied is a security hole.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hull::linux {

// /sys/module/apparmor/parameters/enabled reads "Y".
bool AppArmorEnabled();
// /sys/fs/selinux/enforce exists (selinuxfs mounted, SELinux active).
bool SelinuxEnabled();

// process.apparmorProfile: writes "exec <profile>" to /proc/thread-self/attr/apparmor/exec
// (falling back to the pre-5.8 /proc/thread-self/attr/exec only when that file is missing). The
// kernel refuses a profile that is not loaded with ENOENT at the write: a NotFound error saying
// so. (The bare profile name without "exec " is EINVAL.) An empty profile is a no-op.
// Exercised for real by tests/integration/apparmor in the tests/vm/ guest.
// With AppArmor disabled, a requested profile is an error naming the field (runc does the same:
// silently running unconfined would be worse).
absl::Status ApplyApparmorProfile(std::string_view profile);
// The write itself, without the enabled check (tests, and callers that checked already).
absl::Status WriteApparmorExecProfile(std::string_view profile);

// process.selinuxLabel: writes the label to /proc/thread-self/attr/exec and (as runc) to
// /proc/thread-self/attr/keycreate, so the session keyring the runtime creates is labelled too.
// With SELinux disabled, or an empty label, nothing is written and OK is returned (the caller
// logs at debug level), matching runc's go-selinux.
absl::Status ApplySelinuxLabel(std::string_view label);

// linux.mountLabel: the option to append to a mount's data (`context="<label>"`), or "" when
// SELinux is disabled or the label is empty.
std::string SelinuxMountContextOption(std::string_view mount_label);
// `options` with the context option appended ("a,b" + `,context="..."`), as runc's
// label.FormatMountLabel; unchanged when SelinuxMountContextOption gives "".
std::string AppendSelinuxMountContext(std::string_view options, std::string_view mount_label);
// The same, with SELinux state given (unit tests).
std::string AppendSelinuxMountContext(std::string_view options, std::string_view mount_label,
                                      bool selinux_enabled);

}  // namespace hull::linux
