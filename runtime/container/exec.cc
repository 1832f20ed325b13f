// `exec`: see exec.h for the shape. The parent side (Exec) checks the container, builds and
// resolves the process, opens the init's namespaces, clones the child and moves it into the
// cgroup; the child side (RunExecChild) joins the namespaces and execs.
#include "runtime/container/exec.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/foreground.h"
#include "runtime/container/process_setup.h"
#include "runtime/container/sync_channel.h"
#include "runtime/linux/console.h"
#include "runtime/linux/namespaces.h"
#include "runtime/linux/process_attrs.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/seccomp.h"
#include "runtime/linux/syscalls.h"

namespace hull::container {
namespace {

// A namespace of the init that differs from ours and so has to be joined.
struct JoinNs {
  int flag = 0;
  std::string name;  // "net", "mnt", ... for messages
  UniqueFd fd;
};

// Everything the child needs; built by the parent before clone.
struct ExecPlan {
  const ResolvedProcess* process = nullptr;
  const std::vector<JoinNs>* join = nullptr;  // without pid (entered by the parent)
  std::string id;
  bool terminal = false;
  int preserve_fds = 0;
  SyncChannel* channel = nullptr;
  SyncChannel* parent_end = nullptr;  // the parent's end, closed in the child
};

// Field 22 (starttime) of a /proc/PID/stat text; 0 when it cannot be parsed.
uint64_t StartTimeFromStat(const std::string& stat) {
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); starttime is field 22 -> index 19.
  uint64_t t = 0;
  if (fields.size() < 20 || !absl::SimpleAtoi(fields[19], &t)) return 0;
  if (fields[0] == "Z" || fields[0] == "X") return 0;  // exited: as good as gone
  return t;
}

// Opens /proc/<init> and checks, through that very directory fd, that it is still the process
// the record names. Everything later is opened relative to this fd, so a pid reused after the
// check cannot slip another process's namespaces in: the old directory stops resolving.
absl::StatusOr<UniqueFd> OpenInitProcDir(const ContainerRecord& r) {
  std::string path = absl::StrCat("/proc/", r.pid);
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::FailedPreconditionError("cannot exec in a stopped container");
  UniqueFd dir(fd);
  int sfd = ::openat(dir.get(), "stat", O_RDONLY | O_CLOEXEC);
  if (sfd < 0) return absl::FailedPreconditionError("cannot exec in a stopped container");
  UniqueFd stat_fd(sfd);
  auto text = ReadFd(stat_fd.get());
  if (!text.ok() || StartTimeFromStat(*text) == 0 ||
      (r.pid_start_time != 0 && StartTimeFromStat(*text) != r.pid_start_time)) {
    return absl::FailedPreconditionError("cannot exec in a stopped container");
  }
  return dir;
}

bool SameFile(int fd, const char* path) {
  struct stat a, b;
  return ::fstat(fd, &a) == 0 && ::stat(path, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

// The init's namespaces that differ from ours, in the table's join order (user first, mount
// last). The pid namespace is returned separately: the parent enters it for its children.
absl::Status OpenInitNamespaces(int proc_dir, std::vector<JoinNs>* join, UniqueFd* pid_ns) {
  for (const auto& kind : linux::AllNamespaceKinds()) {
    std::string name(kind.proc_name);
    std::string rel = absl::StrCat("ns/", name);
    int fd = ::openat(proc_dir, rel.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // a kernel without this namespace kind
      if (errno == ESRCH)
        return absl::FailedPreconditionError("cannot exec in a stopped container");
      return ErrnoError(absl::StrCat("open namespace ", name, " of the container"));
    }
    UniqueFd ns(fd);
    std::string own = absl::StrCat("/proc/self/ns/", name);
    if (SameFile(ns.get(), own.c_str())) continue;
    if (kind.clone_flag == CLONE_NEWPID) {
      *pid_ns = std::move(ns);
      continue;
    }
    join->push_back({kind.clone_flag, name, std::move(ns)});
  }
  return absl::OkStatus();
}

// A pty from the container's own devpts (we are inside its mount namespace, so "/" is the
// container's root), verified to be a pty master by TIOCGPTPEER working on it.
absl::StatusOr<std::pair<UniqueFd, UniqueFd>> OpenPtyInContainer() {
  int r = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r < 0) return ErrnoError("open container root");
  UniqueFd root(r);
  auto master = linux::OpenInRoot(root.get(), "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  if (!master.ok()) master = linux::OpenInRoot(root.get(), "/dev/ptmx", O_RDWR | O_NOCTTY);
  if (!master.ok()) return Annotate(master.status(), "open the container's ptmx");
  int unlock = 0;
  if (::ioctl(master->get(), TIOCSPTLCK, &unlock) != 0) return ErrnoError("unlock pty");
  int slave = ::ioctl(master->get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return ErrnoError("open pty peer");
  return std::make_pair(std::move(*master), UniqueFd(slave));
}

absl::Status SetupAndExec(const ExecPlan& plan) {
  RETURN_IF_ERROR(plan.channel->Expect(SyncMsg::kGo).status());
  for (const JoinNs& ns : *plan.join) {
    if (::setns(ns.fd.get(), ns.flag) != 0) {
      return ErrnoError(absl::StrCat("join ", ns.name, " namespace of the container"));
    }
  }
  ::setsid();
  // runc gives exec'd processes the container's session keyring name too; failures are the
  // same benign ones init ignores (no keyring support, quota, a seccomp'd host).
  std::string ring = absl::StrCat("_ses.", plan.id);
  (void)::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ring.c_str());

  const spec::Process& p = plan.process->process;
  if (plan.terminal) {
    ASSIGN_OR_RETURN(auto pty, OpenPtyInContainer());
    if (p.console_size) {
      RETURN_IF_ERROR(linux::SetWindowSize(pty.first.get(),
                                           static_cast<uint16_t>(p.console_size->width),
                                           static_cast<uint16_t>(p.console_size->height)));
    }
    RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kConsole, "", pty.first.get()));
    pty.first.reset();
    if (::ioctl(pty.second.get(), TIOCSCTTY, 0) != 0) return ErrnoError("set controlling tty");
    for (int i = 0; i <= 2; ++i) {
      if (::dup2(pty.second.get(), i) < 0) return ErrnoError("dup pty onto stdio");
    }
  }

  ASSIGN_OR_RETURN(std::string exe, FindExecutable(p.args[0], p.env));
  ASSIGN_OR_RETURN(UniqueFd listener, ApplyProcessSettings(*plan.process));
  if (listener) {
    RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kSeccompFd, "", listener.get()));
    RETURN_IF_ERROR(plan.channel->Expect(SyncMsg::kSeccompSent).status());
    listener.reset();
  }
  RETURN_IF_ERROR(linux::ApplyFinalCpuAffinity(plan.process->affinity));
  CloseFdsOnExec(3 + plan.preserve_fds);
  // The channel is CLOEXEC: after this message the parent reads EOF if execve works, or the
  // error we send below if it does not.
  RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kReady));
  return ExecProcess(exe, p);
}

[[noreturn]] void RunExecChild(const ExecPlan& plan) {
  plan.parent_end->Close();
  // Default dispositions and an empty mask: the program must not inherit ours.
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  absl::Status st = SetupAndExec(plan);
  (void)plan.channel->Send(SyncMsg::kError, st.message());
  ::_exit(255);
}

// Kills and reaps the child unless released (every error path after clone).
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  ~ChildGuard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void Release() { pid_ = 0; }

 private:
  pid_t pid_;
};

// Blocks every catchable signal for its lifetime. Exec holds it from before clone until the
// foreground wait takes over, so a signal sent to hull as soon as the process runs (it may
// already have printed something) is not lost or fatal to hull but queued, and the wait's
// signalfd forwards it. The child unblocks everything before exec.
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old_);
  }
  BlockSignals(const BlockSignals&) = delete;
  BlockSignals& operator=(const BlockSignals&) = delete;
  ~BlockSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// PR_SET_DUMPABLE 0 for its lifetime (or until Restore), the previous value restored after.
class NotDumpable {
 public:
  NotDumpable() : old_(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  NotDumpable(const NotDumpable&) = delete;
  NotDumpable& operator=(const NotDumpable&) = delete;
  ~NotDumpable() { Restore(); }
  void Restore() {
    if (old_ >= 0) ::prctl(PR_SET_DUMPABLE, old_, 0, 0, 0);
    old_ = -1;
  }

 private:
  int old_;
};

// The directory of the container's cgroup plus `sub` (already cleaned, "/" = none), refusing
// anything that is not a directory below it.
absl::StatusOr<std::string> SubCgroupDir(const std::string& base, const std::string& sub) {
  std::string target = sub == "/" ? base : absl::StrCat(base, sub);
  struct stat st;
  if (::stat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return ErrnoError(absl::StrCat("--cgroup: sub-cgroup ", target));
  }
  return target;
}

// Where the process goes in each hierarchy: the container's cgroup, or the sub-cgroup named by
// --cgroup (runc: a controller-less path needs a unified hierarchy; a controller names the v1
// hierarchy carrying it, or the unified one on a pure v2 host).
absl::StatusOr<std::vector<std::string>> ExecCgroupDirs(
    const cgroups::Manager& m, const std::map<std::string, std::string>& sub) {
  std::vector<std::string> out;
  for (const auto& d : m.dirs()) out.push_back(d.path);
  for (const auto& [ctrl, path] : sub) {
    bool found = false;
    for (size_t i = 0; i < m.dirs().size(); ++i) {
      const auto& d = m.dirs()[i];
      bool match;
      if (ctrl.empty()) {
        match = d.unified;
      } else if (d.unified) {
        match = m.layout() == cgroups::Layout::kV2 &&
                std::find(d.controllers.begin(), d.controllers.end(), ctrl) != d.controllers.end();
      } else {
        match = std::find(d.controllers.begin(), d.controllers.end(), ctrl) != d.controllers.end();
      }
      if (!match) continue;
      ASSIGN_OR_RETURN(out[i], SubCgroupDir(d.path, path));
      found = true;
    }
    if (!found && ctrl.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --cgroup argument: ", path,
                       " (missing <controller>: prefix required for cgroup v1)"));
    }
    if (!found)
      return absl::InvalidArgumentError(absl::StrCat("unknown controller ", ctrl, " in --cgroup"));
  }
  return out;
}

absl::StatusOr<spec::Process> LoadProcessFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto p = spec::ParseProcess(*text);
  if (!p.ok()) return Annotate(p.status(), path);
  return *p;
}

// runc's validateProcessSpec.
absl::Status ValidateExecProcess(const spec::Process& p) {
  if (p.cwd.empty()) return absl::InvalidArgumentError("Cwd property must not be empty");
  if (p.cwd.front() != '/') return absl::InvalidArgumentError("Cwd must be an absolute path");
  if (p.args.empty()) return absl::InvalidArgumentError("args must not be empty");
  return absl::OkStatus();
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> DedupEnv(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t n = env.size(); n > 0; --n) {
    const std::string& kv = env[n - 1];
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError("invalid environment variable: missing '='");
    }
    if (eq == 0)
      return absl::InvalidArgumentError("invalid environment variable: name cannot be empty");
    std::string key = kv.substr(0, eq);
    if (!seen.insert(key).second) continue;
    if (kv.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid environment variable \"", key, "\": contains nul byte (\\x00)"));
    }
    out.push_back(kv);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ParseSubCgroupPaths(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (const std::string& v : values) {
    std::vector<std::string> parts = absl::StrSplit(v, ':');
    if (parts.size() > 2)
      return absl::InvalidArgumentError(absl::StrCat("invalid --cgroup argument: ", v));
    if (parts.size() == 1) {
      if (values.size() != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid --cgroup argument: ", v, " (missing <controller>: prefix)"));
      }
      out[""] = cgroups::CleanCgroupPath("/" + v);
      continue;
    }
    for (absl::string_view ctrl : absl::StrSplit(parts[0], ',')) {
      if (ctrl.empty())
        return absl::InvalidArgumentError(absl::StrCat("invalid --cgroup argument: ", v));
      out[std::string(ctrl)] = cgroups::CleanCgroupPath("/" + parts[1]);
    }
  }
  return out;
}

absl::StatusOr<spec::Process> BuildExecProcess(const spec::Process& base, const ExecOptions& o) {
  spec::Process p = base;
  p.args = o.args;
  if (!o.cwd.empty()) p.cwd = o.cwd;
  if (!o.apparmor.empty()) p.apparmor_profile = o.apparmor;
  if (!o.process_label.empty()) p.selinux_label = o.process_label;
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    spec::LinuxCapabilities& c = *p.capabilities;
    for (const std::string& cap : o.caps) {
      c.bounding.push_back(cap);
      c.effective.push_back(cap);
      c.permitted.push_back(cap);
      // runc appends to ambient as well, where the kernel refuses it (and runc warns) unless
      // the capability is inheritable. Inheritable is never extended (CVE-2022-29162), so the
      // only ambient additions that can take effect are those already inheritable.
      if (Contains(c.inheritable, cap)) c.ambient.push_back(cap);
    }
  }
  p.env.insert(p.env.end(), o.env.begin(), o.env.end());
  p.terminal = o.tty.value_or(false);
  if (o.no_new_privs) p.no_new_privileges = *o.no_new_privs;
  if (o.uid) p.user.uid = *o.uid;
  if (o.gid) p.user.gid = *o.gid;
  p.user.additional_gids.insert(p.user.additional_gids.end(), o.additional_gids.begin(),
                                o.additional_gids.end());
  RETURN_IF_ERROR(ValidateExecProcess(p));
  return p;
}

absl::StatusOr<int> Exec(const Globals& g, const ExecOptions& opts) {
  StateStore store(g.root);
  // Shared while we read the record and pin the init (see below for when it is dropped).
  std::optional<ContainerDir> dir;
  {
    ASSIGN_OR_RETURN(ContainerDir d, store.Open(opts.id, StateStore::Lock::kShared));
    dir.emplace(std::move(d));
  }
  ASSIGN_OR_RETURN(ContainerRecord record, dir->Load());
  std::string status = StatusOf(record);
  if (status == "stopped")
    return absl::FailedPreconditionError("cannot exec in a stopped container");
  if (status == "creating") {
    return absl::FailedPreconditionError("cannot exec in a container that is being created");
  }
  if (status == "paused" && !opts.ignore_paused) {
    return absl::FailedPreconditionError(
        "cannot exec in a paused container (use --ignore-paused to override)");
  }
  if (opts.process_file.empty() && opts.args.empty()) {
    return absl::InvalidArgumentError("process args cannot be empty");
  }
  auto spec_or = spec::DecodeConfig(record.config);
  if (!spec_or.ok()) return Annotate(spec_or.status(), "stored container config");
  const spec::Spec& spec = *spec_or;

  spec::Process process;
  if (!opts.process_file.empty()) {
    ASSIGN_OR_RETURN(process, LoadProcessFile(opts.process_file));
    RETURN_IF_ERROR(ValidateExecProcess(process));
  } else {
    if (!spec.process) return absl::InvalidArgumentError("container config has no process");
    ASSIGN_OR_RETURN(process, BuildExecProcess(*spec.process, opts));
  }
  ASSIGN_OR_RETURN(process.env, DedupEnv(process.env));
  const bool terminal = process.terminal.value_or(false);
  // runc's checkTerminal: a console socket only makes sense for a detached tty.
  if (opts.detach && terminal && opts.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "cannot allocate tty if runc will detach without setting console socket");
  }
  if ((!opts.detach || !terminal) && !opts.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "cannot use console socket if runc will not detach or allocate tty");
  }
  if (opts.preserve_fds < 0)
    return absl::InvalidArgumentError("--preserve-fds: must not be negative");

  ASSIGN_OR_RETURN(ResolvedProcess resolved,
                   ResolveProcess(process, spec.linux, SeccompCacheDir()));
  for (const auto& w : resolved.caps.warnings) log::Warn(w);
  ASSIGN_OR_RETURN(auto sub_cgroups, ParseSubCgroupPaths(opts.cgroups));
  if (record.cgroup.is_null())
    return absl::FailedPreconditionError("container has no cgroup recorded");
  ASSIGN_OR_RETURN(std::unique_ptr<cgroups::Manager> cgroup, cgroups::Manager::Load(record.cgroup));
  cgroup->set_allow_populated(true);
  ASSIGN_OR_RETURN(std::vector<std::string> cgroup_dirs, ExecCgroupDirs(*cgroup, sub_cgroups));

  ASSIGN_OR_RETURN(UniqueFd proc_dir, OpenInitProcDir(record));
  std::vector<JoinNs> join;
  UniqueFd pid_ns;
  RETURN_IF_ERROR(OpenInitNamespaces(proc_dir.get(), &join, &pid_ns));

  // Pure v2: born in the cgroup (CLONE_INTO_CGROUP), so not one instruction runs outside it.
  UniqueFd cgroup_fd;
  if (cgroup->layout() == cgroups::Layout::kV2 && cgroup_dirs.size() == 1) {
    int fd = ::open(cgroup_dirs[0].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(absl::StrCat("open cgroup ", cgroup_dirs[0]));
    cgroup_fd.reset(fd);
  }

  SyncChannel parent_end, child_end;
  RETURN_IF_ERROR(SyncChannel::Pair(&parent_end, &child_end));
  ExecPlan plan;
  plan.process = &resolved;
  plan.join = &join;
  plan.id = opts.id;
  plan.terminal = terminal;
  plan.preserve_fds = opts.preserve_fds;
  plan.channel = &child_end;
  plan.parent_end = &parent_end;

  // The state lock is shared (concurrent execs never wait for each other) and is dropped
  // before the child exists: a child frozen on arrival in a paused container (--ignore-paused)
  // must not hold it, or `resume` (exclusive) would wait for it forever. Nothing can escape a
  // concurrent `delete --force`: it kills the cgroup and the pid namespace's init, which takes
  // every process of that namespace with it, and a cgroup removed under us fails the join below.
  dir.reset();

  BlockSignals blocked;
  // Not dumpable from the first instruction on (inherited through clone): a process of the
  // container must never get at /proc/<child>/exe, the hull binary (CVE-2019-5736), nor ptrace
  // the child while it still holds host fds.
  NotDumpable not_dumpable;
  // The pid namespace only applies to children: enter it for the clone, then step back.
  UniqueFd own_pid_ns;
  if (pid_ns) {
    ASSIGN_OR_RETURN(own_pid_ns, OpenFile("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (::setns(pid_ns.get(), CLONE_NEWPID) != 0) {
      return ErrnoError("join the container's pid namespace");
    }
  }
  int pidfd = -1;
  struct clone_args args = {};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd.get());
  }
  pid_t pid = sys::Clone3(&args);
  if (pid == 0) RunExecChild(plan);
  int clone_errno = errno;
  if (own_pid_ns) ::setns(own_pid_ns.get(), CLONE_NEWPID);
  not_dumpable.Restore();
  if (pid < 0) {
    if (clone_errno == ENOMEM && pid_ns) {
      // The kernel's answer when the pid namespace has no init any more.
      return absl::FailedPreconditionError("cannot exec in a stopped container");
    }
    return ErrnoError(clone_errno, "clone exec process");
  }
  ChildGuard guard(pid);
  UniqueFd child_pidfd(pidfd);
  child_end.Close();

  if (!cgroup_fd) {
    for (const std::string& d : cgroup_dirs) {
      RETURN_IF_ERROR_CTX(WriteExistingFile(absl::StrCat(d, "/cgroup.procs"), std::to_string(pid)),
                          absl::StrCat("move exec process into cgroup ", d));
    }
  }
  RETURN_IF_ERROR(linux::ApplyInitialCpuAffinity(pid, resolved.affinity));
  RETURN_IF_ERROR(parent_end.Send(SyncMsg::kGo));

  UniqueFd console_master;
  bool ready = false;
  for (;;) {
    auto msg = parent_end.Receive();
    if (!msg.ok()) {
      if (ready && msg.status().code() == absl::StatusCode::kUnavailable) break;  // exec'd
      int ws = 0;
      if (::waitpid(pid, &ws, 0) == pid) guard.Release();
      return absl::InternalError(
          absl::StrCat("unable to start container process: ", "process exited during setup"));
    }
    switch (msg->type) {
      case SyncMsg::kConsole:
        console_master = std::move(msg->fd);
        continue;
      case SyncMsg::kSeccompFd: {
        if (!spec.linux || !spec.linux->seccomp || !spec.linux->seccomp->listener_path) {
          return absl::InternalError("seccomp listener without listenerPath");
        }
        std::string state = StateJsonForHooks(record, status);
        std::string cps = linux::BuildContainerProcessState(
            pid, spec.linux->seccomp->listener_metadata.value_or(""), state);
        RETURN_IF_ERROR(
            linux::SendSeccompListener(*spec.linux->seccomp->listener_path, msg->fd.get(), cps));
        RETURN_IF_ERROR(parent_end.Send(SyncMsg::kSeccompSent));
        continue;
      }
      case SyncMsg::kReady:
        ready = true;
        continue;
      case SyncMsg::kError:
        return absl::InternalError(
            absl::StrCat("unable to start container process: ", msg->payload));
      default:
        return absl::InternalError("sync: unexpected message from exec process");
    }
  }
  if (!opts.console_socket.empty()) {
    if (!console_master) return absl::InternalError("no pty received from exec process");
    RETURN_IF_ERROR(linux::SendConsoleFd(opts.console_socket, console_master.get()));
    console_master.reset();
  }
  if (!opts.pidfd_socket.empty()) {
    RETURN_IF_ERROR_CTX(linux::SendConsoleFd(opts.pidfd_socket, child_pidfd.get(), "pidfd"),
                        "--pidfd-socket");
  }
  if (!opts.pid_file.empty()) RETURN_IF_ERROR(WritePidFile(opts.pid_file, pid));
  guard.Release();
  if (opts.detach) return 0;
  return WaitForwardingSignals(pid, console_master ? console_master.get() : -1);
}

}  // namespace hull::container
