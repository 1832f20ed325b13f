#include "runtime/cgroups/manager.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/cgroups/absl_compat.h"
#include "runtime/cgroups/cgroup_fs.h"

namespace hull::cgroups {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Sleeps a little longer each round: cgroup state changes are usually immediate, sometimes not.
class Backoff {
 public:
  explicit Backoff(milliseconds budget) : deadline_(Clock::now() + budget) {}
  // False once the budget is spent.
  bool Wait() {
    if (Clock::now() >= deadline_) return false;
    std::this_thread::sleep_for(delay_);
    delay_ = std::min(delay_ * 2, std::chrono::microseconds(50000));
    return true;
  }

 private:
  Clock::time_point deadline_;
  std::chrono::microseconds delay_{200};
};

std::string JoinPath(absl::string_view a, absl::string_view b) {
  if (b.empty() || b == "/") return std::string(a);
  if (!a.empty() && a.back() == '/') a.remove_suffix(1);
  if (b.front() == '/') return absl::StrCat(a, b);
  return absl::StrCat(a, "/", b);
}

std::string Parent(const std::string& p) {
  size_t slash = p.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return p.substr(0, slash);
}

std::vector<std::string> SubDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) out.push_back(JoinPath(dir, name));
  }
  closedir(d);
  return out;
}

absl::Status CollectPids(const std::string& dir, std::vector<pid_t>* out) {
  auto procs = ReadCgroupFile(dir, "cgroup.procs");
  if (!procs.ok()) {
    if (ErrnoOf(procs.status()) == ENOENT || ErrnoOf(procs.status()) == ENODEV) {
      return absl::OkStatus();  // removed meanwhile
    }
    return procs.status();
  }
  for (absl::string_view line : absl::StrSplit(*procs, '\n', absl::SkipEmpty())) {
    pid_t pid;
    if (absl::SimpleAtoi(line, &pid)) out->push_back(pid);
  }
  for (const std::string& sub : SubDirs(dir)) RETURN_IF_ERROR(CollectPids(sub, out));
  return absl::OkStatus();
}

// rmdir of `dir` and everything below it, deepest first. EBUSY (processes still exiting) is
// retried for a while; ENOENT counts as done.
absl::Status RemoveTree(const std::string& dir) {
  // The common case is an empty leaf: one rmdir, no listing.
  if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return absl::OkStatus();
  for (const std::string& sub : SubDirs(dir)) RETURN_IF_ERROR(RemoveTree(sub));
  Backoff backoff(milliseconds(3000));
  while (rmdir(dir.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    if (errno != EBUSY || !backoff.Wait()) return ErrnoError(absl::StrCat("rmdir ", dir));
  }
  return absl::OkStatus();
}

// Enables in `dir`'s cgroup.subtree_control every controller it has available, one at a time,
// ignoring refusals (as runc): a controller that cannot be enabled shows up later as a
// "not available" error from Set, with the resource that needed it.
void EnableControllers(const std::string& dir) {
  auto avail = ReadCgroupFile(dir, "cgroup.controllers");
  auto enabled = ReadCgroupFile(dir, "cgroup.subtree_control");
  if (!avail.ok() || !enabled.ok()) return;
  std::vector<absl::string_view> on = absl::StrSplit(*enabled, ' ', absl::SkipEmpty());
  for (absl::string_view c : absl::StrSplit(*avail, ' ', absl::SkipEmpty())) {
    if (std::find(on.begin(), on.end(), c) != on.end()) continue;
    (void)WriteCgroupFile(dir, "cgroup.subtree_control", absl::StrCat("+", c));
  }
}

// A new v1 cpuset cgroup starts with empty cpus/mems, and no task can join it until both are
// set: copy them from the parent.
absl::Status InheritCpuset(const std::string& dir, const std::string& mount_point) {
  for (absl::string_view file : {"cpuset.cpus", "cpuset.mems"}) {
    ASSIGN_OR_RETURN(std::string cur, ReadCgroupFile(dir, file));
    if (!cur.empty()) continue;
    const std::string parent_dir = Parent(dir);
    ASSIGN_OR_RETURN(std::string parent, ReadCgroupFile(parent_dir, file));
    if (parent.empty() && parent_dir.size() > mount_point.size()) {
      // A parent someone else made and left empty: fill it first, from its own parent.
      RETURN_IF_ERROR(InheritCpuset(parent_dir, mount_point));
      ASSIGN_OR_RETURN(parent, ReadCgroupFile(parent_dir, file));
    }
    RETURN_IF_ERROR(WriteCgroupFile(dir, file, parent));
  }
  return absl::OkStatus();
}

}  // namespace

std::string CleanCgroupPath(std::string_view path_in) {
  absl::string_view path = AV(path_in);
  std::vector<absl::string_view> parts;
  for (absl::string_view p : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string joined = absl::StrJoin(parts, "/");
  if (!path.empty() && path.front() == '/') return "/" + joined;
  return joined;
}

absl::StatusOr<std::unique_ptr<Manager>> Manager::Create(std::string_view cgroups_path_in,
                                                         std::string_view container_id_in,
                                                         bool systemd) {
  const absl::string_view cgroups_path = AV(cgroups_path_in);
  const absl::string_view container_id = AV(container_id_in);
  if (systemd) {
    return absl::UnimplementedError(
        "systemd cgroup driver is not supported: no systemd cgroup manager in hull yet");
  }
  ASSIGN_OR_RETURN(const HostCgroups* host, GetHostCgroups());
  std::unique_ptr<Manager> m(new Manager());
  m->layout_ = host->layout;
  m->container_id_ = std::string(container_id);
  std::string path = CleanCgroupPath(SV(cgroups_path));
  if (path.empty()) path = CleanCgroupPath(SV(container_id));
  if (path.empty() || path == "/") {
    return absl::InvalidArgumentError(
        absl::StrCat("cgroupsPath \"", cgroups_path,
                     "\" resolves to the root cgroup (container id \"", container_id, "\")"));
  }
  m->cgroups_path_ = path;
  const bool absolute = path.front() == '/';
  for (const Hierarchy& h : host->hierarchies) {
    Dir d;
    d.unified = h.unified;
    d.mount_point = h.mount_point;
    d.controllers = h.controllers;
    if (absolute) {
      d.path = JoinPath(h.mount_point, path);
    } else {
      const std::string base = h.unified ? Parent(h.own_cgroup) : h.own_cgroup;
      d.path = JoinPath(JoinPath(h.mount_point, base), path);
    }
    // Only the leaf decides what a later `delete` removes (parents stay, see Destroy): one
    // lookup per hierarchy, not one per level. The parents this create makes are in `created`.
    d.existed = PathExists(d.path) ? d.path : Parent(d.path);
    if (d.existed.size() < d.mount_point.size()) d.existed = d.mount_point;
    m->dirs_.push_back(std::move(d));
  }
  return m;
}

json::Value Manager::Serialize() const {
  json::Value v{json::Object{}};
  v.Set("version", json::Value(1));
  v.Set("id", json::Value(container_id_));
  v.Set("path", json::Value(cgroups_path_));
  v.Set("layout", json::Value(LayoutName(layout_)));
  json::Array dirs;
  for (const Dir& d : dirs_) {
    json::Value o{json::Object{}};
    o.Set("unified", json::Value(d.unified));
    o.Set("mount_point", json::Value(d.mount_point));
    json::Array ctrls;
    for (const std::string& c : d.controllers) ctrls.emplace_back(c);
    o.Set("controllers", json::Value(std::move(ctrls)));
    o.Set("path", json::Value(d.path));
    json::Array created;
    for (const std::string& c : d.created) created.emplace_back(c);
    o.Set("created", json::Value(std::move(created)));
    o.Set("existed", json::Value(d.existed));
    dirs.push_back(std::move(o));
  }
  v.Set("dirs", json::Value(std::move(dirs)));
  return v;
}

absl::StatusOr<std::unique_ptr<Manager>> Manager::Load(const json::Value& state) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("cgroup state: ", what));
  };
  if (!state.is_object()) return bad("not an object");
  const json::Value* version = state.Find("version");
  if (version == nullptr || !version->is_integer() || version->as_int64() != 1) {
    return bad("unsupported version");
  }
  const json::Value* id = state.Find("id");
  const json::Value* path = state.Find("path");
  const json::Value* layout = state.Find("layout");
  const json::Value* dirs = state.Find("dirs");
  if (id == nullptr || !id->is_string() || path == nullptr || !path->is_string() ||
      layout == nullptr || !layout->is_string() || dirs == nullptr || !dirs->is_array()) {
    return bad("missing id, path, layout or dirs");
  }
  std::unique_ptr<Manager> m(new Manager());
  m->container_id_ = id->as_string();
  m->cgroups_path_ = path->as_string();
  const std::string& l = layout->as_string();
  if (l == "v1") {
    m->layout_ = Layout::kV1;
  } else if (l == "v2") {
    m->layout_ = Layout::kV2;
  } else if (l == "hybrid") {
    m->layout_ = Layout::kHybrid;
  } else {
    return bad(absl::StrCat("unknown layout \"", l, "\""));
  }
  for (const json::Value& o : dirs->as_array()) {
    Dir d;
    const json::Value* unified = o.Find("unified");
    const json::Value* mount = o.Find("mount_point");
    const json::Value* p = o.Find("path");
    const json::Value* ctrls = o.Find("controllers");
    const json::Value* created = o.Find("created");
    if (unified == nullptr || !unified->is_bool() || mount == nullptr || !mount->is_string() ||
        p == nullptr || !p->is_string() || ctrls == nullptr || !ctrls->is_array() ||
        created == nullptr || !created->is_array()) {
      return bad("malformed dirs entry");
    }
    d.unified = unified->as_bool();
    d.mount_point = mount->as_string();
    d.path = p->as_string();
    // Every directory must lie strictly inside its hierarchy: a tampered state file must not
    // make Destroy remove anything else.
    auto inside = [&](const std::string& x) {
      return x.size() > d.mount_point.size() + 1 &&
             x.compare(0, d.mount_point.size(), d.mount_point) == 0 &&
             x[d.mount_point.size()] == '/' && CleanCgroupPath(x) == x;
    };
    if (!inside(d.path)) return bad(absl::StrCat("path ", d.path, " outside ", d.mount_point));
    for (const json::Value& c : ctrls->as_array()) {
      if (!c.is_string()) return bad("controllers: not a string");
      d.controllers.push_back(c.as_string());
    }
    for (const json::Value& c : created->as_array()) {
      if (!c.is_string() || !inside(c.as_string())) return bad("created: bad directory");
      d.created.push_back(c.as_string());
    }
    d.existed = d.path;  // older states: only what `created` lists is ours
    if (const json::Value* e = o.Find("existed")) {
      if (!e->is_string() || (e->as_string() != d.mount_point && !inside(e->as_string()))) {
        return bad("existed: bad directory");
      }
      d.existed = e->as_string();
    }
    m->dirs_.push_back(std::move(d));
  }
  return m;
}

const Manager::Dir* Manager::DirFor(absl::string_view controller) const {
  const Dir* unified = nullptr;
  for (const Dir& d : dirs_) {
    if (d.unified) {
      unified = &d;
      continue;
    }
    if (std::find(d.controllers.begin(), d.controllers.end(), controller) != d.controllers.end()) {
      return &d;
    }
  }
  if (unified == nullptr) return nullptr;
  if (controller.empty() || controller == "freezer" || controller == "devices" ||
      std::find(unified->controllers.begin(), unified->controllers.end(), controller) !=
          unified->controllers.end()) {
    return unified;
  }
  return nullptr;
}

std::string Manager::PathFor(std::string_view controller) const {
  const Dir* d = DirFor(AV(controller));
  return d == nullptr ? "" : d->path;
}

bool Manager::Exists() const {
  for (const Dir& d : dirs_) {
    if (PathExists(d.path)) return true;
  }
  return false;
}

absl::Status Manager::CreateDirs() {
  leaves_just_made_ = !dirs_.empty();
  for (Dir& d : dirs_) {
    RETURN_IF_ERROR(CheckCgroupFs(d.mount_point, d.unified));
    const bool cpuset = !d.unified && std::find(d.controllers.begin(), d.controllers.end(),
                                                "cpuset") != d.controllers.end();
    if (!d.unified) {
      // The usual v1 case, the parent exists (/hull-test for /hull-test/<id>): one mkdir.
      // A missing parent (ENOENT) takes the walk below.
      const bool made = mkdir(d.path.c_str(), 0755) == 0;
      if (made || errno == EEXIST) {
        if (made && std::find(d.created.begin(), d.created.end(), d.path) == d.created.end()) {
          d.created.push_back(d.path);
        }
        if (!made) leaves_just_made_ = false;
        if (cpuset) {
          RETURN_IF_ERROR_CTX(InheritCpuset(d.path, d.mount_point), "set up cpuset cgroup");
        }
        continue;
      }
      if (errno != ENOENT) {
        leaves_just_made_ = false;
        return ErrnoError(absl::StrCat("mkdir ", d.path));
      }
    }
    std::string rel = d.path.substr(d.mount_point.size());
    std::string cur = d.mount_point;
    for (absl::string_view part : absl::StrSplit(rel, '/', absl::SkipEmpty())) {
      // v2: the parent must delegate its controllers before the child exists to get their files.
      // The hierarchy root is never touched: it belongs to the host.
      if (d.unified && cur != d.mount_point) EnableControllers(cur);
      cur = JoinPath(cur, part);
      if (mkdir(cur.c_str(), 0755) == 0) {
        if (std::find(d.created.begin(), d.created.end(), cur) == d.created.end()) {
          d.created.push_back(cur);
        }
      } else if (errno != EEXIST) {
        leaves_just_made_ = false;
        return ErrnoError(absl::StrCat("mkdir ", cur));
      } else if (cur == d.path) {
        leaves_just_made_ = false;
      }
      if (cpuset) RETURN_IF_ERROR_CTX(InheritCpuset(cur, d.mount_point), "set up cpuset cgroup");
    }
  }
  return absl::OkStatus();
}

absl::Status Manager::CheckUsable() {
  if (allow_populated_) return absl::OkStatus();
  // A cgroup CreateDirs just made has no processes yet (it can be frozen: a new v1 freezer
  // cgroup takes its parent's state).
  ASSIGN_OR_RETURN(
      std::vector<pid_t> pids,
      leaves_just_made_ ? absl::StatusOr<std::vector<pid_t>>(std::vector<pid_t>()) : Pids());
  if (!pids.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "container's cgroup is not empty: ", pids.size(), " process(es) found in ", cgroups_path_));
  }
  ASSIGN_OR_RETURN(bool frozen, IsFrozen());
  if (frozen) {
    return absl::FailedPreconditionError(
        absl::StrCat("container's cgroup ", cgroups_path_, " is unexpectedly frozen"));
  }
  return absl::OkStatus();
}

absl::Status Manager::Apply(pid_t pid) {
  RETURN_IF_ERROR_CTX(CreateDirs(), "create cgroup");
  RETURN_IF_ERROR(CheckUsable());
  return AddProcess(pid);
}

absl::Status Manager::AddProcess(pid_t pid) {
  for (const Dir& d : dirs_) {
    RETURN_IF_ERROR_CTX(WriteCgroupFile(d.path, "cgroup.procs", absl::StrCat(pid)),
                        absl::StrCat("move pid ", pid, " into cgroup"));
  }
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> Manager::CreateAndOpenForClone() {
  RETURN_IF_ERROR_CTX(CreateDirs(), "create cgroup");
  RETURN_IF_ERROR(CheckUsable());
  if (dirs_.size() != 1 || !dirs_[0].unified) return UniqueFd();
  int fd = open(dirs_[0].path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", dirs_[0].path));
  return UniqueFd(fd);
}

absl::StatusOr<std::vector<pid_t>> Manager::Pids() {
  // The unified hierarchy (present on v2 and hybrid) sees every process; otherwise a v1 one.
  const Dir* d = DirFor("");
  if (d == nullptr) d = DirFor("pids");
  if (d == nullptr) d = DirFor("freezer");
  if (d == nullptr && !dirs_.empty()) d = &dirs_[0];
  std::vector<pid_t> pids;
  if (d == nullptr || !PathExists(d->path)) return pids;
  RETURN_IF_ERROR_CTX(CollectPids(d->path, &pids), "list cgroup processes");
  return pids;
}

absl::StatusOr<bool> Manager::IsFrozen() {
  const Dir* d = DirFor("freezer");
  if (d == nullptr || !PathExists(d->path)) return false;
  if (d->unified) {
    if (!CgroupFileExists(d->path, "cgroup.freeze")) return false;
    ASSIGN_OR_RETURN(std::string events, ReadCgroupFile(d->path, "cgroup.events"));
    return ParseFlatKeyed(events)["frozen"] == 1;
  }
  ASSIGN_OR_RETURN(std::string state, ReadCgroupFile(d->path, "freezer.state"));
  return state == "FROZEN";
}

absl::Status Manager::WaitFreezerState(bool frozen) {
  const Dir* d = DirFor("freezer");
  if (d == nullptr) {
    return absl::FailedPreconditionError("the freezer is not available on this host");
  }
  RETURN_IF_ERROR(CheckCgroupFs(d->mount_point, d->unified));
  if (d->unified) {
    if (!CgroupFileExists(d->path, "cgroup.freeze")) {
      return absl::FailedPreconditionError(
          absl::StrCat(d->path, "/cgroup.freeze: not available on this host"));
    }
    RETURN_IF_ERROR(WriteCgroupFile(d->path, "cgroup.freeze", frozen ? "1" : "0"));
    Backoff backoff(milliseconds(10000));
    while (true) {
      ASSIGN_OR_RETURN(std::string events, ReadCgroupFile(d->path, "cgroup.events"));
      if ((ParseFlatKeyed(events)["frozen"] == 1) == frozen) return absl::OkStatus();
      if (!backoff.Wait()) break;
    }
    return absl::DeadlineExceededError(absl::StrCat("cgroup ", d->path, " did not become ",
                                                    frozen ? "frozen" : "thawed", " in 10s"));
  }
  const std::string want = frozen ? "FROZEN" : "THAWED";
  Backoff backoff(milliseconds(10000));
  for (int round = 0;; ++round) {
    RETURN_IF_ERROR(WriteCgroupFile(d->path, "freezer.state", want));
    ASSIGN_OR_RETURN(std::string state, ReadCgroupFile(d->path, "freezer.state"));
    if (state == want) return absl::OkStatus();
    // A task stuck in an uninterruptible sleep can keep a v1 cgroup in FREEZING forever; like
    // runc, thaw briefly now and then and try again.
    if (frozen && round % 50 == 49) {
      (void)WriteCgroupFile(d->path, "freezer.state", "THAWED");
    }
    if (!backoff.Wait()) break;
  }
  if (frozen) (void)WriteCgroupFile(d->path, "freezer.state", "THAWED");
  return absl::DeadlineExceededError(
      absl::StrCat("cgroup ", d->path, " did not become ", want, " in 10s"));
}

absl::Status Manager::Freeze() { return Annotate(WaitFreezerState(true), "freeze"); }
absl::Status Manager::Thaw() { return Annotate(WaitFreezerState(false), "thaw"); }

absl::Status Manager::KillAll(int signal) {
  const Dir* u = DirFor("");
  if (signal == SIGKILL && u != nullptr && CgroupFileExists(u->path, "cgroup.kill")) {
    return Annotate(WriteCgroupFile(u->path, "cgroup.kill", "1"), "kill cgroup");
  }
  const Dir* f = DirFor("freezer");
  bool froze = false;
  if (f != nullptr && PathExists(f->path)) {
    ASSIGN_OR_RETURN(bool was_frozen, IsFrozen());
    if (!was_frozen) {
      RETURN_IF_ERROR(Freeze());
      froze = true;
    }
  }
  auto pids = Pids();
  absl::Status st = pids.status();
  if (pids.ok()) {
    for (pid_t pid : *pids) {
      if (kill(pid, signal) != 0 && errno != ESRCH && st.ok()) {
        st = ErrnoError(absl::StrCat("kill ", pid, " with signal ", signal));
      }
    }
  }
  if (froze) {
    absl::Status t = Thaw();
    if (st.ok()) st = t;
  }
  return st;
}

absl::Status Manager::Destroy(Parents parents) {
  absl::Status first;
  if (Exists()) {
    auto pids = Pids();
    // An empty cgroup (the usual case: the init was reaped) needs no second look.
    const bool populated = !pids.ok() || !pids->empty();
    if (pids.ok() && !pids->empty()) {
      absl::Status k = KillAll(SIGKILL);
      if (!k.ok() && first.ok()) first = Annotate(k, "destroy cgroup");
      // A frozen v1 task only dies once thawed.
      auto frozen = IsFrozen();
      if (frozen.ok() && *frozen) (void)Thaw();
    }
    Backoff backoff(milliseconds(10000));
    while (populated) {
      pids = Pids();
      if (!pids.ok() || pids->empty()) break;
      if (!backoff.Wait()) {
        if (first.ok()) {
          first = absl::DeadlineExceededError(absl::StrCat(
              "destroy cgroup ", cgroups_path_, ": ", pids->size(), " process(es) still there"));
        }
        break;
      }
    }
  }
  for (Dir& d : dirs_) {
    // The leaf and everything below it, if we created it: "created" is what Apply made, or
    // anything below the directory that existed when the Manager was created. Parents we made
    // stay unless asked (see manager.h): removing them only for the next container to make them
    // again doubled the cgroup mkdir/rmdir work of every create/delete.
    std::vector<std::string> owned = d.created;
    if (d.path.size() > d.existed.size() && d.path.compare(0, d.existed.size(), d.existed) == 0 &&
        d.path[d.existed.size()] == '/') {
      for (std::string p = d.path; p.size() > d.existed.size(); p = Parent(p)) {
        if (std::find(owned.begin(), owned.end(), p) == owned.end()) owned.push_back(p);
      }
    }
    std::sort(owned.begin(), owned.end());  // parents sort before their children
    for (auto it = owned.rbegin(); it != owned.rend(); ++it) {
      absl::Status s;
      if (*it == d.path) {
        s = RemoveTree(*it);
      } else if (parents == Parents::kKeep) {
        continue;
      } else if (rmdir(it->c_str()) != 0 && errno != ENOENT && errno != EBUSY &&
                 errno != ENOTEMPTY) {
        s = ErrnoError(absl::StrCat("rmdir ", *it));
      }
      if (!s.ok() && first.ok()) first = Annotate(s, "destroy cgroup");
    }
  }
  return first;
}

}  // namespace hull::cgroups
