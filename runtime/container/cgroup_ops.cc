#include "absl/strings/string_view.h"
#include "runtime/container/cgroup_ops.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "runtime/cgroups/manager.h"

namespace hull::container {
namespace {

struct Opened {
  ContainerDir dir;
  ContainerRecord record;
  std::unique_ptr<cgroups::Manager> cgroup;
};

absl::StatusOr<Opened> OpenWithCgroup(const Globals& g, const std::string& id,
                                      StateStore::Lock lock) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, lock));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  ASSIGN_OR_RETURN(auto cg, cgroups::Manager::Load(r.cgroup));
  return Opened{std::move(dir), std::move(r), std::move(cg)};
}

}  // namespace

absl::Status Pause(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  std::string status = StatusOf(o.record);
  if (status != "running" && status != "created") return absl::FailedPreconditionError("container not running");
  return o.cgroup->Freeze();
}

absl::Status Resume(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  if (StatusOf(o.record) != "paused") return absl::FailedPreconditionError("container not paused");
  return o.cgroup->Thaw();
}

absl::StatusOr<std::vector<pid_t>> Pids(const Globals& g, const std::string& id) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kShared));
  return o.cgroup->Pids();
}

absl::StatusOr<spec::LinuxResources> CurrentResources(const Globals& g, const std::string& id) {
  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.Open(id, StateStore::Lock::kShared));
  ASSIGN_OR_RETURN(ContainerRecord r, dir.Load());
  ASSIGN_OR_RETURN(spec::Spec s, spec::DecodeConfig(r.config));
  if (s.linux && s.linux->resources) return *s.linux->resources;
  return spec::LinuxResources{};
}

absl::Status Update(const Globals& g, const std::string& id, const spec::LinuxResources& resources) {
  ASSIGN_OR_RETURN(Opened o, OpenWithCgroup(g, id, StateStore::Lock::kExclusive));
  if (StatusOf(o.record) == "stopped") return absl::FailedPreconditionError("container not running");
  RETURN_IF_ERROR(o.cgroup->Set(resources));
  ASSIGN_OR_RETURN(spec::Spec s, spec::DecodeConfig(o.record.config));
  if (!s.linux) s.linux = spec::Linux{};
  s.linux->resources = resources;
  o.record.config = spec::EncodeConfig(s);
  return o.dir.Save(o.record);
}

}  // namespace hull::container
