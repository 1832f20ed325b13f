// spec: writes the default config.json (same content as `runc spec`), never overwriting.
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/cli/commands.h"
#include "spec/config.h"
#include "spec/default_spec.h"

namespace hull::cli {
namespace {

int RunSpec(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 0, 0, "spec")) return 1;
  std::string bundle = a.Get("bundle", ".");
  std::string path = absl::StrCat(bundle, "/config.json");
  if (PathExists(path)) return Fail("File config.json exists. Remove it first");
  spec::Spec s = spec::DefaultSpec(a.Bool("rootless"));
  auto fd = OpenFile(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (!fd.ok()) return Fail(fd.status());
  absl::Status st = WriteAll(fd->get(), spec::EmitConfig(s, /*pretty=*/true));
  return st.ok() ? 0 : Fail(st);
}

}  // namespace

Command SpecCommand() {
  return {"spec",
          "spec [command options]",
          "create a new specification file",
          {{"bundle", 'b', true, "path to the root of the bundle directory", "dir"},
           {"rootless", 0, false, "generate a configuration for a rootless container"}},
          -1,
          RunSpec};
}

}  // namespace hull::cli
