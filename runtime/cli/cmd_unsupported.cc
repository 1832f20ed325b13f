// checkpoint / restore need CRIU integration, which hull does not have: fail clearly.
#include "absl/strings/string_view.h"
#include "runtime/cli/commands.h"

namespace hull::cli {
namespace {
int RunCheckpoint(const Context&, const ParsedArgs&) {
  return Fail("checkpoint is not supported by hull (no CRIU integration)");
}
int RunRestore(const Context&, const ParsedArgs&) {
  return Fail("restore is not supported by hull (no CRIU integration)");
}
std::vector<FlagSpec> CriuFlags() {
  return {{"image-path", 0, true, "path for saving criu image files"},
          {"work-path", 0, true, "path for saving work files and logs"},
          {"parent-path", 0, true, "path for previous criu image files"},
          {"leave-running", 0, false, "leave the process running after checkpointing"},
          {"tcp-established", 0, false, "allow open tcp connections"},
          {"ext-unix-sk", 0, false, "allow external unix sockets"},
          {"shell-job", 0, false, "allow shell jobs"},
          {"file-locks", 0, false, "handle file locks"},
          {"bundle", 'b', true, "bundle directory"},
          {"detach", 'd', false, "detach"},
          {"pid-file", 0, true, "pid file"},
          {"console-socket", 0, true, "console socket"}};
}
}  // namespace

Command CheckpointCommand() {
  return {"checkpoint",
          "checkpoint [command options] <container-id>",
          "checkpoint a running container (not supported)",
          CriuFlags(),
          -1,
          RunCheckpoint};
}
Command RestoreCommand() {
  return {"restore",
          "restore [command options] <container-id>",
          "restore a container from a previous checkpoint (not supported)",
          CriuFlags(),
          -1,
          RunRestore};
}

}  // namespace hull::cli
