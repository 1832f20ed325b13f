// `create`: everything up to an init process blocked on the exec FIFO. Any failure undoes all
// of it (CreateTransaction): the init is killed, the cgroup destroyed, the state dir removed.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/fault.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status.h"
#include "hooks/hooks.h"
#include "runtime/cgroups/device_filter.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/container.h"
#include "runtime/container/init.h"
#include "runtime/container/process_setup.h"
#include "runtime/container/sync_channel.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/namespaces.h"
#include "runtime/linux/netns_ahead.h"
#include "runtime/linux/process_attrs.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/syscalls.h"
#include "spec/config.h"

namespace hull::container {
namespace {

// Owns what create has made so far; Rollback() undoes it in reverse order.
struct CreateTransaction {
  std::optional<ContainerDir> dir;
  std::unique_ptr<cgroups::Manager> cgroup;
  pid_t child = 0;
  bool committed = false;

  ~CreateTransaction() {
    if (!committed) Rollback();
  }
  void Rollback() {
    if (child > 0) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      child = 0;
    }
    if (cgroup) {
      if (absl::Status st = cgroup->Destroy(cgroups::Manager::Parents::kCreatedParentsToo);
          !st.ok()) {
        log::Warn(st.message());
      }
    }
    if (dir) (void)dir->Remove();
  }
};

absl::StatusOr<std::string> AbsolutePath(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return ErrnoError(absl::StrCat("resolve ", path));
  return std::string(buf);
}

std::string FormatIdMap(const std::vector<spec::LinuxIDMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    absl::StrAppend(&out, m.container_id, " ", m.host_id, " ", m.size, "\n");
  return out;
}

absl::Status WriteIdMaps(pid_t pid, const spec::Linux& linux) {
  if (!linux.uid_mappings.empty()) {
    RETURN_IF_ERROR_CTX(
        WriteExistingFile(absl::StrCat("/proc/", pid, "/uid_map"), FormatIdMap(linux.uid_mappings)),
        "linux.uidMappings");
  }
  if (!linux.gid_mappings.empty()) {
    RETURN_IF_ERROR_CTX(
        WriteExistingFile(absl::StrCat("/proc/", pid, "/gid_map"), FormatIdMap(linux.gid_mappings)),
        "linux.gidMappings");
  }
  return absl::OkStatus();
}

// A user namespace carrying `uids`/`gids`, for MOUNT_ATTR_IDMAP: a child is cloned into a new
// user namespace and blocks on a pipe; we write its maps, keep an fd of its namespace, and let
// it exit. The namespace lives on through the fd.
absl::StatusOr<UniqueFd> MakeIdmapUserns(const std::vector<spec::LinuxIDMapping>& uids,
                                         const std::vector<spec::LinuxIDMapping>& gids,
                                         const std::string& what) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError(what + ": pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  struct clone_args args = {};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  pid_t pid = sys::Clone3(&args);
  if (pid == 0) {
    char c;
    wr.reset();
    (void)!::read(rd.get(), &c, 1);
    ::_exit(0);
  }
  if (pid < 0) return ErrnoError(what + ": clone user namespace for idmap");
  rd.reset();
  absl::Status st = WriteExistingFile(absl::StrCat("/proc/", pid, "/uid_map"), FormatIdMap(uids));
  if (st.ok()) {
    st = WriteExistingFile(absl::StrCat("/proc/", pid, "/gid_map"), FormatIdMap(gids));
  }
  UniqueFd ns;
  if (st.ok()) {
    auto f = OpenFile(absl::StrCat("/proc/", pid, "/ns/user"), O_RDONLY);
    if (f.ok()) {
      ns = std::move(*f);
    } else {
      st = f.status();
    }
  }
  wr.reset();  // releases the child
  ::waitpid(pid, nullptr, 0);
  if (!st.ok()) return Annotate(st, what + ": idmap user namespace");
  return ns;
}

// kCgroupDirs' payload on v1/hybrid hosts: the container's directory per hierarchy (which the
// cgroup mount binds), as NUL-terminated "name", "dir" pairs (see ReceiveHostSetup in init.cc).
std::string EncodeCgroupDirs(const cgroups::Manager* m) {
  std::string out;
  if (m == nullptr) return out;
  for (const auto& d : m->dirs()) {
    absl::StrAppend(&out, d.mount_point.substr(d.mount_point.rfind('/') + 1),
                    absl::string_view("\0", 1), d.path, absl::string_view("\0", 1));
  }
  return out;
}

// The device rules the cgroup gets, as runc builds them: the config's rules, then runc's
// default allow list, then an allow rule for every node in linux.devices. Always applied, so a
// config without rules still gets runc's default-deny policy.
spec::LinuxResources EffectiveResources(const spec::Spec& spec) {
  spec::LinuxResources r;
  if (spec.linux && spec.linux->resources) r = *spec.linux->resources;
  for (const auto& d : cgroups::DefaultAllowedDevices()) {
    spec::LinuxDeviceCgroup rule;
    rule.allow = d.allow;
    rule.type = std::string(1, d.type);
    if (d.major >= 0) rule.major = d.major;
    if (d.minor >= 0) rule.minor = d.minor;
    rule.access = d.access;
    r.devices.push_back(rule);
  }
  if (spec.linux) {
    for (const auto& dev : spec.linux->devices) {
      if (dev.type == "p") continue;
      spec::LinuxDeviceCgroup rule;
      rule.allow = true;
      rule.type = dev.type == "u" ? "c" : dev.type;
      rule.major = dev.major;
      rule.minor = dev.minor;
      rule.access = "rwm";
      r.devices.push_back(rule);
    }
  }
  return r;
}

}  // namespace

absl::StatusOr<CreatedContainer> Create(const Globals& g, const CreateOptions& opts,
                                        bool keep_console_master, CreateMode mode) {
  ASSIGN_OR_RETURN(std::string bundle, AbsolutePath(opts.bundle));
  // The parsed document is kept for the state record (exec, update and hooks read it back), so
  // the config is parsed once and never re-encoded.
  json::Value config_doc;
  std::string config_text;
  ASSIGN_OR_RETURN(spec::Spec spec,
                   spec::LoadConfig(bundle + "/config.json", &config_doc, &config_text));
  RETURN_IF_ERROR(spec::CheckSupportedOciVersion(spec));
  if (!spec.process) return absl::InvalidArgumentError("process: required to create a container");
  if (!spec.root) return absl::InvalidArgumentError("root: required");
  std::string rootfs = spec.root->path;
  if (rootfs.empty() || rootfs.front() != '/') rootfs = absl::StrCat(bundle, "/", rootfs);
  {
    struct stat st;
    if (::stat(rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("root.path: rootfs ", rootfs, " is not a directory"));
    }
    ASSIGN_OR_RETURN(rootfs, AbsolutePath(rootfs));
  }
  const bool terminal = spec.process->terminal.value_or(false);
  if (terminal && opts.console_socket.empty() && !keep_console_master) {
    return absl::InvalidArgumentError(
        "cannot allocate tty if runc will detach without setting console socket");
  }
  if (!terminal && !opts.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "cannot use console socket if runc will not detach or allocate tty");
  }

  // Namespaces: which to create, which to join.
  int clone_flags = 0, unshare_flags = 0;
  bool new_timens = false, new_userns = false, new_netns = false, new_uts = false;
  std::vector<std::pair<int, int>> join;
  std::vector<UniqueFd> join_fds;
  UniqueFd pid_ns_to_join;
  if (spec.linux) {
    // Sorted in the table's order (user first, mount last) for joining.
    for (const auto& kind : linux::AllNamespaceKinds()) {
      for (size_t i = 0; i < spec.linux->namespaces.size(); ++i) {
        const auto& ns = spec.linux->namespaces[i];
        if (ns.type != kind.oci_type) continue;
        if (ns.path && !ns.path->empty()) {
          int fd = ::open(ns.path->c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            return ErrnoError(absl::StrCat("linux.namespaces[", i, "].path: open ", *ns.path));
          if (kind.clone_flag == CLONE_NEWPID) {
            pid_ns_to_join.reset(fd);
          } else {
            join.emplace_back(kind.clone_flag, fd);
            join_fds.emplace_back(fd);
          }
          continue;
        }
        if (kind.clone_flag == CLONE_NEWUSER) {
          clone_flags |= CLONE_NEWUSER;
          new_userns = true;
        } else if (kind.clone_flag == CLONE_NEWPID) {
          clone_flags |= CLONE_NEWPID;
        } else if (kind.clone_flag == CLONE_NEWTIME) {
          new_timens = true;
        } else {
          unshare_flags |= kind.clone_flag;
        }
        if (kind.clone_flag == CLONE_NEWNET) new_netns = true;
        if (kind.clone_flag == CLONE_NEWUTS) new_uts = true;
      }
    }
  }
  if (!(unshare_flags & CLONE_NEWNS)) {
    bool joins_mnt = false;
    for (auto& [f, fd] : join) joins_mnt = joins_mnt || f == CLONE_NEWNS;
    if (!joins_mnt)
      return absl::InvalidArgumentError("linux.namespaces: a mount namespace is required");
  }
  if (spec.hostname && !spec.hostname->empty() && !new_uts) {
    bool joins_uts = false;
    for (auto& [f, fd] : join) joins_uts = joins_uts || f == CLONE_NEWUTS;
    if (!joins_uts)
      return absl::InvalidArgumentError(
          "hostname: unable to set hostname without a private UTS namespace");
  }
  // The kernel's limit (HOST_NAME_MAX): refused here, before anything exists, without
  // echoing a name that may be arbitrarily long.
  if (spec.hostname && spec.hostname->size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("hostname: ", spec.hostname->size(), " bytes, longer than 64"));
  }
  if (spec.domainname && spec.domainname->size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("domainname: ", spec.domainname->size(), " bytes, longer than 64"));
  }
  if (spec.linux && !spec.linux->time_offsets.empty() && !new_timens) {
    return absl::InvalidArgumentError("linux.timeOffsets: requires a new time namespace");
  }
  if (new_userns && (spec.linux->uid_mappings.empty() || spec.linux->gid_mappings.empty())) {
    return absl::InvalidArgumentError(
        "linux.uidMappings: user namespace requires uid and gid mappings");
  }

  // idmap/ridmap mounts: one user namespace per mount with its mappings (the mount's own, else
  // the container's), made here and inherited by the init.
  std::vector<UniqueFd> idmap_fds;
  std::vector<int> idmap_fd_of_mount(spec.mounts.size(), -1);
  std::vector<int> premounted_fd_of_mount(spec.mounts.size(), -1);
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    bool idmap = false;
    for (const auto& o : m.options) idmap = idmap || o == "idmap" || o == "ridmap";
    if (!idmap) continue;
    std::string what = absl::StrCat("mounts[", i, "]");
    const auto& uids =
        !m.uid_mappings.empty() || !spec.linux ? m.uid_mappings : spec.linux->uid_mappings;
    const auto& gids =
        !m.gid_mappings.empty() || !spec.linux ? m.gid_mappings : spec.linux->gid_mappings;
    if (uids.empty() || gids.empty()) {
      return absl::InvalidArgumentError(
          what + ": idmap mount needs uidMappings and gidMappings (on the mount or in linux)");
    }
    ASSIGN_OR_RETURN(UniqueFd ns, MakeIdmapUserns(uids, gids, what));
    idmap_fd_of_mount[i] = ns.get();
    bool bind = m.type.value_or("") == "bind";
    for (const auto& o : m.options) bind = bind || o == "bind" || o == "rbind";
    if (bind) {
      // Made here, in the host's user namespace; the init only attaches it.
      linux::MountRequest req;
      req.destination = m.destination;
      req.source = m.source.value_or("");
      if (!req.source.empty() && req.source.front() != '/') {
        req.source = absl::StrCat(bundle, "/", req.source);
      }
      req.options = m.options;
      req.json_path = what;
      req.idmap_userns_fd = ns.get();
      ASSIGN_OR_RETURN(UniqueFd mnt, linux::PrepareIdmappedBind(req));
      premounted_fd_of_mount[i] = mnt.get();
      idmap_fds.push_back(std::move(mnt));
    }
    idmap_fds.push_back(std::move(ns));
  }

  ASSIGN_OR_RETURN(ResolvedProcess resolved,
                   ResolveProcess(*spec.process, spec.linux, SeccompCacheDir()));
  for (const auto& w : resolved.caps.warnings) {
    // runc drops ambient capabilities outside permitted & inheritable without a word (the
    // default `runc spec` config lists ambient caps with no inheritable set, so a warning
    // would be printed on every run); keep that as a debug note, warn about the rest.
    if (absl::StartsWith(w, "process.capabilities.ambient:")) {
      log::Debug(w);
    } else {
      log::Warn(w);
    }
  }

  // The init is cloned as early as it can be: it creates its namespaces (the network namespace
  // alone takes ~0.5 ms) while we make the state directory, the cgroup directories and the exec
  // FIFO, which then reach it with kCgroupDirs. Pure v2 is the exception: the init is cloned
  // straight into its cgroup (CLONE_INTO_CGROUP), which has to exist first. The layout is
  // guessed here from one statfs (the mount table costs ~0.1 ms to read) and checked once the
  // cgroup manager has read it.
  bool clone_early;
  if (std::optional<bool> v2 = cgroups::CgroupRootIsCgroup2(); v2.has_value()) {
    clone_early = !*v2;
  } else {
    ASSIGN_OR_RETURN(const cgroups::Layout layout, cgroups::DetectLayout());
    clone_early = layout != cgroups::Layout::kV2;
  }

  SyncChannel parent_end, child_end;
  RETURN_IF_ERROR(SyncChannel::Pair(&parent_end, &child_end));

  InitPlan plan;
  plan.spec = &spec;
  plan.process = &resolved;
  plan.id = opts.id;
  plan.no_new_keyring = opts.no_new_keyring;
  plan.preserve_fds = opts.preserve_fds;
  plan.terminal = terminal;
  plan.console_socket = opts.console_socket;
  plan.join = join;
  plan.unshare_flags = unshare_flags;
  plan.in_userns = new_userns;
  bool joins_userns = false;
  for (auto& [f, fd] : join) joins_userns = joins_userns || f == CLONE_NEWUSER;
  plan.in_userns = plan.in_userns || joins_userns;
  // The entry point's helper may have made the network namespace already (netns_ahead.h). It
  // serves when the config wants a new one that no user namespace (new or joined) must own;
  // the init joins it instead of unsharing. Otherwise it goes before the init inherits it.
  linux::NetnsAhead netns_ahead = linux::TakeNetnsAhead();
  if ((unshare_flags & CLONE_NEWNET) && !plan.in_userns && netns_ahead.valid()) {
    plan.netns_ahead_socket = netns_ahead.socket();
    log::Debug(absl::StrCat("network namespace: made ahead by helper ", netns_ahead.helper()));
  } else {
    netns_ahead.Release();
  }
  if (joins_userns && (clone_flags & CLONE_NEWPID)) {
    clone_flags &= ~CLONE_NEWPID;
    plan.late_pidns = true;
  }
  plan.new_timens = new_timens;
  plan.wait_for_start = mode == CreateMode::kCreate;
  plan.parent_runs_hooks =
      spec.hooks && (!spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty());
  plan.channel = &child_end;
  plan.rootfs.rootfs = rootfs;
  plan.rootfs.bundle = bundle;
  plan.rootfs.no_pivot = opts.no_pivot;
  // Inside any user namespace (new or joined) devices are bind-mounted, never mknod'ed.
  plan.rootfs.new_userns = plan.in_userns;
  plan.rootfs.new_netns = new_netns;
  plan.rootfs.idmap_userns_fds = idmap_fd_of_mount;
  plan.rootfs.premounted_fds = premounted_fd_of_mount;
  plan.rootfs.cgroup_v2_host = !clone_early;  // set again from the real layout below

  // From here on, everything we make is undone on failure.
  CreateTransaction tx;
  auto clone_init = [&](int cgroup_fd) -> absl::Status {
    // A pid namespace given by path must be entered before clone (it only applies to
    // children); we step back into our own right after.
    UniqueFd own_pidns;
    if (pid_ns_to_join) {
      ASSIGN_OR_RETURN(own_pidns, OpenFile("/proc/self/ns/pid", O_RDONLY));
      if (::setns(pid_ns_to_join.get(), CLONE_NEWPID) != 0) {
        return ErrnoError("join pid namespace");
      }
    }
    struct clone_args args = {};
    args.flags = static_cast<uint64_t>(clone_flags);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    pid_t child = sys::Clone3(&args);
    if (child == 0) {
      parent_end.Close();
      RunInit(plan);
    }
    int clone_errno = errno;
    if (own_pidns) ::setns(own_pidns.get(), CLONE_NEWPID);
    if (child < 0) return ErrnoError(clone_errno, "clone container init");
    tx.child = child;
    child_end.Close();
    return absl::OkStatus();
  };
  if (clone_early) RETURN_IF_ERROR(clone_init(-1));

  StateStore store(g.root);
  ASSIGN_OR_RETURN(ContainerDir dir, store.CreateNew(opts.id));
  tx.dir.emplace(std::move(dir));

  ContainerRecord record;
  record.id = opts.id;
  record.bundle = bundle;
  record.rootfs = rootfs;
  record.created = NowRfc3339();
  record.owner = "root";
  if (uid_t uid = ::geteuid(); uid != 0) record.owner = std::to_string(uid);
  record.annotations = spec.annotations;
  record.systemd_cgroup = g.systemd_cgroup;
  record.config = std::move(config_doc);
  record.config_text = std::move(config_text);

  std::string cgroups_path = spec.linux ? spec.linux->cgroups_path.value_or("") : "";
  ASSIGN_OR_RETURN(tx.cgroup, cgroups::Manager::Create(cgroups_path, opts.id, g.systemd_cgroup));
  record.cgroup = tx.cgroup->Serialize();
  RETURN_IF_ERROR(tx.dir->Save(record));
  FaultPoint("create.after-state-dir");

  UniqueFd fifo_fd;
  if (mode == CreateMode::kCreate) {
    std::string fifo_path = tx.dir->path() + "/exec.fifo";
    if (::mkfifo(fifo_path.c_str(), 0622) != 0) return ErrnoError("create exec fifo");
    // The init opens it for writing after switching to process.user: 0622 regardless of our
    // umask, owned by the container's root (as runc does).
    if (::chmod(fifo_path.c_str(), 0622) != 0) return ErrnoError("chmod exec fifo");
    if (new_userns) {
      uid_t root_uid = 0;
      gid_t root_gid = 0;
      for (const auto& m : spec.linux->uid_mappings) {
        if (m.container_id == 0) root_uid = m.host_id;
      }
      for (const auto& m : spec.linux->gid_mappings) {
        if (m.container_id == 0) root_gid = m.host_id;
      }
      if (::chown(fifo_path.c_str(), root_uid, root_gid) != 0) {
        return ErrnoError("chown exec fifo");
      }
    }
    int fifo = ::open(fifo_path.c_str(), O_PATH | O_CLOEXEC);
    if (fifo < 0) return ErrnoError("open exec fifo");
    fifo_fd.reset(fifo);
  }

  const bool clone_into_cgroup = tx.cgroup->layout() == cgroups::Layout::kV2;
  if (clone_early && clone_into_cgroup) {
    // The guess was wrong: pure v2 without a cgroup2 mount at /sys/fs/cgroup. The init was
    // planned for v1 (its cgroup mount, its cgroup namespace order): start it again.
    log::Debug("cgroup2 is not mounted at /sys/fs/cgroup on this pure v2 host: init restarted");
    ::kill(tx.child, SIGKILL);
    ::waitpid(tx.child, nullptr, 0);
    tx.child = 0;
    RETURN_IF_ERROR(SyncChannel::Pair(&parent_end, &child_end));
    clone_early = false;
  }
  if (clone_early) {
    RETURN_IF_ERROR(tx.cgroup->CreateAndOpenForClone().status());
  } else {
    plan.rootfs.cgroup_v2_host = clone_into_cgroup;
    plan.state_dir_fd = tx.dir->fd();  // the init closes its copy (and so drops our lock)
    ASSIGN_OR_RETURN(UniqueFd cgroup_fd, tx.cgroup->CreateAndOpenForClone());
    RETURN_IF_ERROR(clone_init(clone_into_cgroup ? cgroup_fd.get() : -1));
  }
  pid_t pid = tx.child;

  FaultPoint("create.after-clone");
  // A message to the init; if it already failed (it works meanwhile), its reason is queued on
  // the channel and becomes our error.
  auto send_to_init = [&](SyncMsg type, const std::string& payload, int fd = -1) {
    absl::Status st = parent_end.Send(type, payload, fd);
    if (st.ok()) return st;
    auto msg = parent_end.Receive();
    if (msg.ok() && msg->type == SyncMsg::kError) return absl::InternalError(msg->payload);
    return st;
  };
  RETURN_IF_ERROR(send_to_init(SyncMsg::kCgroupDirs,
                               EncodeCgroupDirs(clone_into_cgroup ? nullptr : tx.cgroup.get()),
                               fifo_fd.get()));
  record.pid = pid;
  record.pid_start_time = ProcessStartTime(pid);

  if (new_userns) RETURN_IF_ERROR(WriteIdMaps(pid, *spec.linux));
  RETURN_IF_ERROR(linux::ApplyInitialCpuAffinity(pid, resolved.affinity));
  // Limits first, then the init joins: v1 device rules are written one at a time after a "deny
  // all", and the init may be making its device nodes right now (it builds its rootfs meanwhile).
  RETURN_IF_ERROR(tx.cgroup->Set(EffectiveResources(spec)));
  if (!clone_into_cgroup) RETURN_IF_ERROR_CTX(tx.cgroup->AddProcess(pid), "apply cgroup");
  FaultPoint("create.after-cgroup");
  RETURN_IF_ERROR(send_to_init(SyncMsg::kGo, std::to_string(pid)));
  // The pid is recorded while the init works. Until then a killed hull leaves an init that
  // exits on its own (its channel reads EOF) in a cgroup `delete --force` empties anyway.
  RETURN_IF_ERROR(tx.dir->Save(record));
  FaultPoint("create.after-pid-saved");

  CreatedContainer created;
  created.pid = pid;
  UniqueFd console_master;
  for (;;) {
    ASSIGN_OR_RETURN(SyncMessage msg, parent_end.Receive());
    if (msg.type == SyncMsg::kError) return absl::InternalError(msg.payload);
    if (msg.type == SyncMsg::kPid) {
      // The real init, forked (CLONE_PARENT: our child) into its pid namespace.
      pid_t init = 0;
      if (!absl::SimpleAtoi(msg.payload, &init) || init <= 0) {
        return absl::InternalError("sync: bad init pid");
      }
      ::waitpid(pid, nullptr, 0);  // the first child, which exits right after sending this
      pid = init;
      tx.child = pid;
      created.pid = pid;
      record.pid = pid;
      record.pid_start_time = ProcessStartTime(pid);
      RETURN_IF_ERROR(tx.dir->Save(record));
      continue;
    }
    if (msg.type == SyncMsg::kConsole) {
      console_master = std::move(msg.fd);
      continue;
    }
    if (msg.type == SyncMsg::kRunHooks) {
      if (spec.hooks) {
        std::string state = StateJsonForHooks(record, "creating");
        RETURN_IF_ERROR(hooks::RunHooks("prestart", spec.hooks->prestart, state));
        RETURN_IF_ERROR(hooks::RunHooks("createRuntime", spec.hooks->create_runtime, state));
      }
      RETURN_IF_ERROR(parent_end.Send(SyncMsg::kHooksDone));
      continue;
    }
    if (msg.type == SyncMsg::kSeccompFd) {
      std::string state = StateJsonForHooks(record, "creating");
      std::string cps = linux::BuildContainerProcessState(
          pid, spec.linux->seccomp->listener_metadata.value_or(""), state);
      RETURN_IF_ERROR(
          linux::SendSeccompListener(*spec.linux->seccomp->listener_path, msg.fd.get(), cps));
      RETURN_IF_ERROR(parent_end.Send(SyncMsg::kSeccompSent));
      continue;
    }
    if (msg.type == SyncMsg::kReady) {
      FaultPoint("create.after-ready");
      break;
    }
    return absl::InternalError("sync: unexpected message from init");
  }

  record.phase = "created";
  RETURN_IF_ERROR(tx.dir->Save(record));
  FaultPoint("create.after-created");
  if (mode == CreateMode::kRun) {
    // The init runs the startContainer hooks and execs the program right away; its end of the
    // channel closes at execve. EOF: the program runs (or the init died: the caller's wait
    // sees that). A message: it failed first.
    auto msg = parent_end.Receive();
    if (msg.ok()) {
      if (msg->type == SyncMsg::kError) return absl::InternalError(msg->payload);
      return absl::InternalError("sync: unexpected message from init");
    }
  }
  if (!opts.pid_file.empty()) RETURN_IF_ERROR(WritePidFile(opts.pid_file, pid));
  tx.committed = true;
  if (console_master) created.console_master = console_master.release();
  created.record = std::move(record);
  return created;
}

}  // namespace hull::container
