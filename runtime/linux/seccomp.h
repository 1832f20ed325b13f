// Seccomp (runtime-spec config-linux.md "Seccomp"), built with libseccomp and loaded by hand.
//
// The work is split so that the expensive, allocating part runs in the runtime before clone and
// the container child only makes one seccomp(2) call:
//
//   parent:  ASSIGN_OR_RETURN(SeccompProgram prog, CompileSeccomp(spec.linux->seccomp));
//   child:   ASSIGN_OR_RETURN(UniqueFd listener, LoadSeccomp(prog));   // last step before exec
//   parent:  if (prog.uses_notify) SendSeccompListener(path, listener_fd_from_child, json);
//
// CompileSeccomp validates the profile (errors carry the JSON path), builds the filter with
// libseccomp, exports the classic BPF and prepends runc's "-ENOSYS stub" (see seccomp.cc), so the
// program is plain data: it can be cached on disk under ProfileHash() (SerializeSeccompProgram /
// ParseSeccompProgram) and survives clone without CLONE_VM.
//
// Semantics follow runc: SCMP_ACT_KILL is KILL_THREAD; unknown syscall names are skipped; a rule
// whose action equals the default action is skipped; several args on the same index become one
// rule per arg (OR), otherwise all args form one rule (AND); errnoRet defaults to EPERM for
// ERRNO and TRACE and is rejected for any other action.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "spec/config.h"
#include "spec/features.h"

namespace hull::linux {

struct SeccompProgram {
  // The complete classic-BPF program handed to seccomp(SECCOMP_SET_MODE_FILTER).
  std::vector<sock_filter> filter;
  // SECCOMP_FILTER_FLAG_* to load with; includes NEW_LISTENER (and TSYNC_ESRCH when TSYNC is
  // also requested) when uses_notify.
  uint32_t flags = 0;
  // True when some rule uses SCMP_ACT_NOTIFY: loading yields a listener fd.
  bool uses_notify = false;
};

// Validates `seccomp` and compiles it to BPF. Runs in the runtime (allocates, calls libseccomp).
absl::StatusOr<SeccompProgram> CompileSeccomp(const spec::LinuxSeccomp& seccomp);

// A stable hex SHA-256 over everything in the profile that influences the compiled program
// (listenerPath/listenerMetadata do not), plus the libseccomp version and native architecture, so
// it can key an on-disk cache of compiled programs.
std::string ProfileHash(const spec::LinuxSeccomp& seccomp);

// Cache format for a compiled program (versioned, native endianness; a cache is per host).
std::string SerializeSeccompProgram(const SeccompProgram& program);
absl::StatusOr<SeccompProgram> ParseSeccompProgram(std::string_view data);

// CompileSeccomp with an on-disk cache under `cache_dir` (one file per ProfileHash). The cache is
// only trusted when the directory and the entry are owned by us and writable by nobody else
// (a planted entry would be a weaker filter); otherwise, or on a corrupt entry, it compiles.
// Cache write failures are not errors.
absl::StatusOr<SeccompProgram> CompileSeccompCached(const spec::LinuxSeccomp& seccomp,
                                                    const std::string& cache_dir);

// Installs the program in the calling process (all threads when TSYNC). Needs no_new_privs or
// CAP_SYS_ADMIN, which the caller arranges: like runc, load it as late as possible (right before
// exec) when process.noNewPrivileges is set, else before dropping CAP_SYS_ADMIN. The filter then
// also covers the runtime's own remaining syscalls in the child (hence no NOTIFY on write). Returns
// the notification listener when program.uses_notify, else an invalid UniqueFd. Allocates only on
// the error path.
absl::StatusOr<UniqueFd> LoadSeccomp(const SeccompProgram& program);

// The async-signal-safe core of LoadSeccomp for use right after clone/fork: no allocation, no
// locks. Returns 0 and sets *listener_fd (-1 without notify), or a positive errno value.
int LoadSeccompRaw(const SeccompProgram& program, int* listener_fd);

// The "Container Process State" (config-linux.md) sent to a seccomp agent:
// {"ociVersion":..,"fds":["seccompFd"],"pid":..,"metadata":..,"state":<state_json>}.
// `state_json` is the runtime state document (runtime.md "State") and is embedded verbatim;
// metadata is omitted when empty (listenerMetadata unset).
std::string BuildContainerProcessState(int pid, std::string_view metadata,
                                       std::string_view state_json);

// Connects to the AF_UNIX SOCK_STREAM socket at `listener_path`, sends `listener_fd` with
// SCM_RIGHTS together with the first bytes of `container_process_state_json`, sends the rest,
// and closes the connection (one state per connection, as the spec requires).
absl::Status SendSeccompListener(const std::string& listener_path, int listener_fd,
                                 const std::string& container_process_state_json);

// features-linux.md "seccomp".
struct SeccompFeatures {
  bool enabled = true;
  std::vector<std::string> actions;
  std::vector<std::string> operators;
  std::vector<std::string> archs;
  std::vector<std::string> known_flags;
  // The known flags the running kernel accepts (probed with a NULL filter).
  std::vector<std::string> supported_flags;
};
SeccompFeatures GetSeccompFeatures();
// The same, as the features.json type (`hull features`: linux.seccomp).
spec::features::Seccomp GetSeccompFeaturesSpec();

// "2.5.4": reported by `hull features` as io.github.seccomp.libseccomp.version.
std::string LibseccompVersion();

}  // namespace hull::linux
