// The container's cgroup: one Manager per container, over every cgroup hierarchy of the host
// (pure v2, pure v1 or hybrid, detected at run time; see hierarchy.h).
//
// Lifecycle, as the container layer uses it:
//   auto m = Manager::Create(spec.linux.cgroups_path, id, systemd);   // resolves paths only
//   fd = m->CreateAndOpenForClone();        // mkdirs; a v2 dir fd for clone3(CLONE_INTO_CGROUP)
//   ... clone the init process (into fd when valid) ...
//   m->AddProcess(init_pid);                // when not cloned into it: the pid in everywhere
//   (or m->Apply(pid): mkdirs and the pid in everywhere, in one call)
//   m->Set(resources);                      // limits, devices, unified
//   state.cgroup = m->Serialize();          // any time after Create
//   ... later process: m = Manager::Load(state.cgroup); m->Freeze() / Pids() / Destroy() ...
//
// Devices: Set() applies exactly the rules it is given (v1 devices.deny "a" first, then each
// rule; v2 one BPF program with the same meaning). runc appends its default allow list to the
// spec's rules; hull leaves that to the container layer, which builds
//   spec rules + DefaultAllowedDevices() + an allow "rwm" rule per linux.devices entry
// (see device_filter.h), so `update` can pass the same list again.
//
// Destroy() removes the container's leaf and everything below it (sub-cgroups made by the
// container) if this manager created the leaf. Parents are left, as runc leaves them, whether
// they existed before or were made for this container (e.g. /hull-test for /hull-test/<id>):
// whoever owns the parent removes it. A create that fails passes kCreatedParentsToo: a failed
// create leaves nothing it made, parents included (each only if empty).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"
#include "runtime/cgroups/hierarchy.h"
#include "runtime/cgroups/stats.h"
#include "spec/json.h"

namespace hull::spec {
struct LinuxResources;
}

namespace hull::cgroups {

class Manager {
 public:
  // Resolves the container's cgroup in every hierarchy; creates nothing.
  //  - absolute path: under each hierarchy's mount point, as given;
  //  - relative path (and the default when empty, which is the container id, as runc does):
  //    v1: under the calling process's own cgroup of that hierarchy; v2: under the parent of
  //    the caller's own cgroup (a cgroup with processes cannot enable controllers for children).
  // Paths are cleaned lexically ("/a/../b" -> "/b") and can never leave the hierarchy.
  // systemd == true fails: hull has no systemd cgroup manager.
  static absl::StatusOr<std::unique_ptr<Manager>> Create(std::string_view cgroups_path,
                                                         std::string_view container_id,
                                                         bool systemd);
  static absl::StatusOr<std::unique_ptr<Manager>> Load(const json::Value& state);
  json::Value Serialize() const;

  // By default Apply/CreateAndOpenForClone refuse a cgroup that already has processes (runc:
  // "container's cgroup is not empty") or is frozen. `exec` and joining a shared cgroup on
  // purpose set this.
  void set_allow_populated(bool allow) { allow_populated_ = allow; }

  // Creates the directories (enabling controllers in the parents' cgroup.subtree_control on v2,
  // copying cpuset.cpus/mems into new v1 cpuset cgroups) and moves `pid` into every hierarchy.
  absl::Status Apply(pid_t pid);

  // Creates the directories like Apply and, when the unified hierarchy is the only one (pure
  // v2), returns an O_PATH directory fd of the container's cgroup for clone3's
  // CLONE_INTO_CGROUP. On v1 and hybrid hosts returns an invalid UniqueFd: the caller clones
  // normally and then calls Apply(pid). Calling Apply after cloning into the fd is harmless.
  absl::StatusOr<UniqueFd> CreateAndOpenForClone();
  // After CreateAndOpenForClone: moves `pid` into every hierarchy (Apply without the mkdirs).
  absl::Status AddProcess(pid_t pid);

  // Writes every block that is set in `resources`; unset fields are left alone (update passes a
  // merged or partial object). A block whose controller or file is missing on this host fails
  // with "linux.resources.<json path>: not available on this host".
  absl::Status Set(const spec::LinuxResources& resources);

  absl::Status Freeze();
  absl::Status Thaw();
  absl::StatusOr<bool> IsFrozen();

  // Every process in the container's cgroup and its descendants.
  absl::StatusOr<std::vector<pid_t>> Pids();
  // v2 + SIGKILL: cgroup.kill. Otherwise freezes (so nothing forks meanwhile), signals every
  // process, and restores the previous freezer state.
  absl::Status KillAll(int signal);

  absl::StatusOr<Stats> GetStats();

  // Kills what is left (thawing a frozen cgroup so the kill lands), waits (bounded) until the
  // cgroup is empty and removes the directories it created. Idempotent; safe on a half-created
  // cgroup.
  enum class Parents { kKeep, kCreatedParentsToo };
  absl::Status Destroy(Parents parents = Parents::kKeep);

  // True if the leaf directory exists in at least one hierarchy.
  bool Exists() const;

  // The container's cgroup directory in the given controller's hierarchy ("memory", "pids", ...,
  // "" for the unified hierarchy), or "" if there is none.
  std::string PathFor(std::string_view controller) const;
  std::string UnifiedPath() const { return PathFor(""); }
  // The v1 freezer or v2 directory (for tests and `events`).
  Layout layout() const { return layout_; }
  const std::string& container_id() const { return container_id_; }

  // One directory per hierarchy the container lives in.
  struct Dir {
    bool unified = false;
    std::string mount_point;
    std::vector<std::string> controllers;  // v1: the hierarchy's; v2: the available ones
    std::string path;                      // absolute directory of the container's cgroup
    std::vector<std::string> created;      // directories we created, outermost first
    // `path` if it already existed when the Manager was created, else its parent. Everything
    // below it counts as the container's, so a state serialized before Apply still lets Destroy
    // remove the leaf; the parents a create makes are in `created`.
    std::string existed;
  };
  const std::vector<Dir>& dirs() const { return dirs_; }

 private:
  Manager() = default;
  absl::Status CreateDirs();
  absl::Status CheckUsable();
  const Dir* DirFor(absl::string_view controller) const;
  absl::Status SetImpl(const spec::LinuxResources& r);
  absl::Status WaitFreezerState(bool frozen);

  Layout layout_ = Layout::kV2;
  std::string container_id_;
  std::string cgroups_path_;  // as resolved (cleaned), for messages and Serialize
  // Every leaf directory was made by the last CreateDirs (so the cgroup is empty).
  bool leaves_just_made_ = false;
  std::vector<Dir> dirs_;
  bool allow_populated_ = false;
};

// Lexical clean of a cgroup path, like Go's filepath.Clean on "/"+path: no "..", ".", "//".
std::string CleanCgroupPath(std::string_view path);

}  // namespace hull::cgroups
