// OCI lifecycle hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle").
//
// This layer only runs a hook: which process (and so which namespaces) calls it, and what a
// failure means for the container, is the container layer's job; see hooks/README.md.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "spec/config.h"

namespace hull::hooks {

// Runs one hook to completion, like runc:
//  - fork + execve(`path`, `args` (argv[0] as given; {path} when args is empty), `env` exactly:
//    nothing of hull's environment leaks in);
//  - `state_json` on stdin (a hook that exits without reading it is fine: EPIPE is not an error
//    and SIGPIPE never reaches hull);
//  - stdout and stderr are captured (first 64 KiB each) and included in the error on failure;
//  - nothing but stdio is inherited; signal mask and dispositions are reset to defaults;
//  - `timeout` (seconds): the hook is SIGKILLed and the error says "timeout after N seconds";
//  - the hook counts as finished when it exits, even if a background child keeps its stdout open.
// Errors: "exit status 2: <stderr>", "terminated by signal SIGSEGV: ...", "exec /x: ENOENT".
// Must not be used while another thread reaps children with waitpid(-1).
absl::Status RunHook(const spec::Hook& hook, std::string_view state_json);

// Runs `hooks` in order and stops at the first failure, whose error names the hook:
// "createRuntime hook[1] /usr/bin/x: exit status 2: <stderr>".
absl::Status RunHooks(std::string_view kind_name, const std::vector<spec::Hook>& hooks,
                      std::string_view state_json);

// For poststop (runtime.md step 13: a failing hook is only a warning and the rest still run):
// runs every hook and returns the failures, each named like RunHooks does, for the caller to log.
std::vector<absl::Status> RunAllHooks(std::string_view kind_name,
                                      const std::vector<spec::Hook>& hooks,
                                      std::string_view state_json);

}  // namespace hull::hooks
