// `exec`: a new process inside an existing container, with runc's contract. The process joins
// every namespace of the container's init (read from /proc/<init>/ns/*, the init pinned by a
// /proc/<pid> directory fd so a reused pid cannot redirect us), its cgroup (or a sub-cgroup given
// with --cgroup), and gets the container's process settings: capabilities, rlimits, seccomp,
// no_new_privs, LSM labels, cwd, exactly as the init does (process_setup.h).
//
// Shape: hull enters the container's pid namespace for its children only, clones one child
// (non-dumpable from birth: CVE-2019-5736), moves it into the cgroup, and the child joins the
// remaining namespaces (user first, mount last), sets itself up and execs. A CLOEXEC sync socket
// tells the parent whether execve succeeded (EOF after "ready") or failed (an error message).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/container/container.h"
#include "spec/config.h"

namespace hull::container {

// What the user asked for on the command line (already parsed into values, no strings to parse
// left except names the kernel side validates: capabilities, cgroup paths).
struct ExecOptions {
  std::string id;
  // --process FILE: the whole process comes from this file; the per-field flags below are
  // ignored, as runc ignores them.
  std::string process_file;
  std::vector<std::string> args;  // everything after the id
  bool detach = false;
  std::string pid_file;
  std::string console_socket;
  std::string pidfd_socket;      // runc 1.2: receives a pidfd of the new process
  std::optional<bool> tty;       // unset: no terminal (runc resets process.terminal for exec)
  std::string cwd;               // empty: the container's
  std::vector<std::string> env;  // KEY=VALUE, added after the container's (later wins)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;  // added to bounding, effective, permitted (and ambient)
  std::optional<bool> no_new_privs;
  std::string process_label;
  std::string apparmor;
  int preserve_fds = 0;
  std::vector<std::string> cgroups;  // [CTRL[,CTRL]:]PATH, relative to the container's cgroup
  bool ignore_paused = false;
};

// Runs the process. Foreground: waits for it (forwarding signals, relaying the terminal) and
// returns its exit code (128+signal when killed). Detached: returns 0 once it has exec'd.
// Errors are runc's texts without the "exec failed: " prefix (the CLI adds it).
absl::StatusOr<int> Exec(const Globals& g, const ExecOptions& opts);

// The pieces of Exec that are pure functions, exposed for tests.

// The process to run: `base` (the container's config.process) with the flags applied the way
// runc's getProcess does it. `opts.process_file` is not looked at here.
absl::StatusOr<spec::Process> BuildExecProcess(const spec::Process& base, const ExecOptions& opts);

// runc's environment rule: for each key the last KEY=VALUE wins, kept at the position of that
// last occurrence. Entries without '=' or with an empty key are errors.
absl::StatusOr<std::vector<std::string>> DedupEnv(const std::vector<std::string>& env);

// --cgroup values -> controller ("" = every hierarchy) -> path relative to the container's
// cgroup. A value without a controller must be the only one (runc's rule). Paths may not leave
// the container's cgroup.
absl::StatusOr<std::map<std::string, std::string>> ParseSubCgroupPaths(
    const std::vector<std::string>& values);

}  // namespace hull::container
