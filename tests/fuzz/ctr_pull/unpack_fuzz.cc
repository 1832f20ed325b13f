// Feeds arbitrary bytes to the layer unpacker on a fresh temp directory and checks the one
// property that matters: nothing appears outside the rootfs.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/unique_fd.h"
#include "ctr-pull/in_root.h"
#include "ctr-pull/unpack.h"

namespace {

int CountEntries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") ++n;
  }
  closedir(d);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  char tmpl[] = "/tmp/ctrpull-fuzz-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 0;
  std::string base = tmpl;
  std::string rootfs = base + "/rootfs";
  std::string outside = base + "/outside";
  mkdir(rootfs.c_str(), 0755);
  mkdir(outside.c_str(), 0755);
  {
    hull::UniqueFd root(open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    hull::pull::UnpackOptions opts;  // no chown, no devices: safe for a fuzzing host
    opts.max_bytes = 64 << 20;
    (void)hull::pull::ApplyLayerBuffer(
        root.get(), std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", opts);
    // The property: only rootfs/ and outside/ under base, and outside/ still empty.
    if (CountEntries(base) != 2 || CountEntries(outside) != 0) {
      std::fprintf(stderr, "unpack wrote outside the rootfs (%s)\n", base.c_str());
      std::abort();
    }
    hull::UniqueFd b(open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    (void)hull::pull::RemoveTreeAt(b.get(), "rootfs");
    (void)hull::pull::RemoveTreeAt(b.get(), "outside");
  }
  rmdir(base.c_str());
  return 0;
}
