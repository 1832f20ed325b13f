#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "ctr-pull/in_root.h"
#include "ctr-pull/pull.h"

namespace hull::pull {
namespace {

bool DirIsEmpty(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return true;
  bool empty = true;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  closedir(d);
  return empty;
}

absl::Status Populate(const BlobCache& cache, const PulledImage& image, int root_fd_raw,
                      const std::string& config_path, const BundleOptions& opts,
                      Progress* progress) {
  for (size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const spec::Descriptor& l = image.manifest.layers[i];
    if (progress) {
      progress->Status(absl::StrCat("unpacking layer ", i + 1, "/", image.manifest.layers.size(),
                                    " ", l.digest.substr(7, 12)));
    }
    absl::StatusOr<UniqueFd> fd = cache.OpenVerified(l.digest);
    if (!fd.ok()) return Annotate(fd.status(), absl::StrCat("layer ", l.digest));
    RETURN_IF_ERROR(ApplyLayerFd(root_fd_raw, fd->get(), l.digest, opts.unpack));
  }
  ConvertOptions conv = opts.convert;
  conv.ref_name = image.ref_name;
  conv.manifest_digest = image.manifest_desc.digest;
  ASSIGN_OR_RETURN(ImageRuntimeConfig rc, ConvertImageConfig(image.config, root_fd_raw, conv));
  ASSIGN_OR_RETURN(spec::Spec s, BaseSpec(opts.rootless));
  ApplyToSpec(rc, &s);
  return WriteFileAtomic(config_path, spec::EmitConfig(s, /*pretty=*/true), 0644);
}

}  // namespace

absl::Status WriteBundle(const BlobCache& cache, const PulledImage& image,
                         const std::string& bundle_dir, const BundleOptions& opts,
                         Progress* progress) {
  const std::string rootfs = bundle_dir + "/rootfs";
  const std::string config_path = bundle_dir + "/config.json";
  if (PathExists(config_path) || !DirIsEmpty(rootfs)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "bundle ", bundle_dir, " already has a rootfs or config.json; remove it or pick another"));
  }
  RETURN_IF_ERROR(MakeDirs(bundle_dir, 0755));
  if (mkdir(rootfs.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError(absl::StrCat("mkdir ", rootfs));
  }
  ASSIGN_OR_RETURN(UniqueFd bundle_fd, OpenFile(bundle_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSIGN_OR_RETURN(UniqueFd root_fd,
                   OpenFile(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  absl::Status st = Populate(cache, image, root_fd.get(), config_path, opts, progress);
  if (!st.ok()) {
    // Leave no half-unpacked rootfs behind: a retry into the same bundle must be possible.
    root_fd.reset();
    (void)RemoveTreeAt(bundle_fd.get(), "rootfs");
  }
  return st;
}

}  // namespace hull::pull
