// The container process's user and groups, and the one function that orders the user switch
// with the capability changes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "runtime/linux/capabilities.h"

namespace hull::spec {
struct User;
struct Process;
}  // namespace hull::spec

namespace hull::linux {

// Whether /proc/self/setgroups says "deny" (a user namespace whose gid_map was written without
// CAP_SETGID in the parent namespace, or by someone who denied it on purpose).
absl::StatusOr<bool> SetgroupsDenied();

// setgroups(additionalGids) (also when empty: the init process must not keep the runtime's
// supplementary groups), then setresgid(gid) and setresuid(uid). When setgroups is denied, the
// call is skipped if no additionalGids are requested (as runc) and is an error otherwise. Does
// not touch capabilities: called on its own, the uid change drops them all.
absl::Status SwitchUser(const spec::User& user);

// Makes stdin/stdout/stderr owned by uid so the user can use its terminal (runc's
// fixStdioPermissions): skips /dev/null and fds already owned by uid; EINVAL (unmapped uid) and
// EPERM/EROFS are ignored as runc does, since the fds may come from the caller (a pipe or a file
// on a read-only mount) and are usable anyway.
absl::Status FixStdioOwnership(uid_t uid);

// process.user.umask, if set.
void ApplyUmask(const spec::User& user);

// Everything about identity, in runc's order (libcontainer/init_linux.go finalizeNamespace):
//   1. drop the bounding set (needs CAP_SETPCAP, which we still have as root)
//   2. PR_SET_KEEPCAPS=1 so the uid change keeps the permitted set
//   3. chown stdio to the user, setgroups, setresgid, setresuid
//   4. PR_SET_KEEPCAPS=0
//   5. capset effective/permitted/inheritable to exactly the resolved sets (the uid change has
//      cleared effective; permitted still holds everything, so any subset can be set)
//   6. ambient: clear, then raise the resolved ones (the uid change cleared them anyway)
//   7. umask
// `caps` comes from ResolveCapabilities in the parent.
absl::Status FinalizeIdentityAndCapabilities(const spec::Process& process, const CapSets& caps);
// The same with the user given directly (the body of the above).
absl::Status FinalizeIdentityAndCapabilities(const spec::User& user, const CapSets& caps);

}  // namespace hull::linux
