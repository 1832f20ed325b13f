// The base of a bundle's config.json: hull's default spec (`hull spec`, the same content as
// `runc spec`), adjusted for running an image the way docker does.
#include "ctr-pull/bundle.h"
#include "spec/default_spec.h"

namespace hull::pull {

absl::StatusOr<spec::Spec> BaseSpec(bool rootless) {
  spec::Spec s = spec::DefaultSpec(rootless);
  // Images write to their rootfs (docker runs them read-write).
  if (s.root) s.root->readonly = false;
  // `hull spec` defaults to a terminal; a pulled bundle has one only with --tty (set later).
  if (s.process) s.process->terminal = false;
  // hull derives a per-container cgroup; a fixed path here would collide between bundles.
  if (s.linux) s.linux->cgroups_path.reset();
  s.hostname = "hull";
  return s;
}

}  // namespace hull::pull
