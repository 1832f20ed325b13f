#include "runtime/container/init.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/status.h"
#include "hooks/hooks.h"
#include "runtime/linux/console.h"
#include "runtime/linux/devices.h"
#include "runtime/linux/netns_ahead.h"
#include "runtime/linux/process_attrs.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/syscalls.h"

namespace hull::container {
namespace {

// Our pid as the runtime namespace sees it (what hooks get as the state's pid; getpid() says 1
// in a new pid namespace). Sent by the parent with kGo, or by the first child for a late pid
// namespace.
pid_t g_host_pid = 0;

// The parent must act first (write id maps, open namespaces to join, fork a late pid namespace's
// init) before the init may create any namespace.
bool NeedsParentBeforeNamespaces(const InitPlan& plan) {
  return !plan.join.empty() || plan.in_userns || plan.late_pidns;
}

// Whether the init can create its namespaces and build its rootfs while the parent puts it into
// its cgroup and sets the limits (kGo then only gates the rest): not with a user namespace (the
// parent writes its maps first) nor namespaces to join, and not when a cgroup namespace must
// exist before a cgroup2 mount (pure v2). A cgroup namespace is made once in the cgroup.
bool SetUpBeforeCgroup(const InitPlan& plan) {
  return !NeedsParentBeforeNamespaces(plan) &&
         !(plan.rootfs.cgroup_v2_host && (plan.unshare_flags & CLONE_NEWCGROUP));
}

// Namespaces the init can create while waiting for kGo when it cannot do more before it.
int EarlyUnshareFlags(const InitPlan& plan) {
  return NeedsParentBeforeNamespaces(plan) ? 0 : plan.unshare_flags & ~CLONE_NEWCGROUP;
}

// kGo: the parent has put us into the cgroup (and written the id maps); it carries our pid as
// the runtime namespace sees it.
absl::Status ReceiveGo(const InitPlan& plan) {
  ASSIGN_OR_RETURN(SyncMessage go, plan.channel->Expect(SyncMsg::kGo));
  if (pid_t p = 0; absl::SimpleAtoi(go.payload, &p)) g_host_pid = p;
  return absl::OkStatus();
}

// What the parent makes while the init creates its namespaces, sent with kCgroupDirs.
struct HostSetup {
  // The container's cgroup directory per v1 hierarchy (the cgroup mount binds them).
  std::vector<std::pair<std::string, std::string>> cgroup_v1_dirs;
  UniqueFd exec_fifo;  // O_PATH, `create` only
};

absl::StatusOr<HostSetup> ReceiveHostSetup(const InitPlan& plan) {
  ASSIGN_OR_RETURN(SyncMessage m, plan.channel->Expect(SyncMsg::kCgroupDirs));
  HostSetup setup;
  setup.exec_fifo = std::move(m.fd);
  // NUL-terminated "name", "dir" pairs (EncodeCgroupDirs in create.cc).
  std::vector<std::string> parts;
  for (size_t pos = 0; pos < m.payload.size();) {
    size_t end = m.payload.find('\0', pos);
    if (end == std::string::npos) return absl::InternalError("sync: bad cgroup directory list");
    parts.push_back(m.payload.substr(pos, end - pos));
    pos = end + 1;
  }
  if (parts.size() % 2 != 0) return absl::InternalError("sync: bad cgroup directory list");
  for (size_t i = 0; i < parts.size(); i += 2) {
    setup.cgroup_v1_dirs.emplace_back(std::move(parts[i]), std::move(parts[i + 1]));
  }
  if (plan.wait_for_start && !setup.exec_fifo) {
    return absl::InternalError("sync: no exec fifo from the parent");
  }
  return setup;
}

// When `flags` includes CLONE_NEWNET and a network namespace was made ahead: joins it, and
// returns `flags` without CLONE_NEWNET. When the helper failed, `flags` is returned as it is,
// and unshare creates the namespace as it would have without a helper.
int JoinNetnsMadeAhead(const InitPlan& plan, int flags) {
  if (!(flags & CLONE_NEWNET) || plan.netns_ahead_socket < 0) return flags;
  absl::StatusOr<UniqueFd> ns = linux::ReceiveNetnsAhead(plan.netns_ahead_socket);
  ::close(plan.netns_ahead_socket);
  if (ns.ok() && ::setns(ns->get(), CLONE_NEWNET) == 0) return flags & ~CLONE_NEWNET;
  return flags;
}

// Joins the namespaces to join, then creates the new ones except those in `skip` (made
// elsewhere).
absl::Status JoinAndUnshare(const InitPlan& plan, int skip) {
  for (const auto& [flag, fd] : plan.join) {
    if (::setns(fd, flag) != 0) return ErrnoError("join namespace (setns)");
  }
  if (plan.in_userns) {
    // We entered a user namespace (clone or setns) and the parent has written the maps:
    // become its root, or files we create (mkdir in /dev, ...) would belong to an unmapped id
    // (EOVERFLOW). Full capabilities in the namespace survive a 0 -> 0 switch.
    if (::setresgid(0, 0, 0) != 0) return ErrnoError("setresgid(0) in user namespace");
    if (::setresuid(0, 0, 0) != 0) return ErrnoError("setresuid(0) in user namespace");
  }
  if (int flags = JoinNetnsMadeAhead(plan, plan.unshare_flags & ~skip);
      flags && ::unshare(flags) != 0) {
    return ErrnoError("create namespaces (unshare)");
  }
  if (plan.new_timens) {
    if (::unshare(CLONE_NEWTIME) != 0) return ErrnoError("create time namespace");
    if (plan.spec->linux && !plan.spec->linux->time_offsets.empty()) {
      std::string offsets;
      for (const auto& [clock, off] : plan.spec->linux->time_offsets) {
        absl::StrAppend(&offsets, clock, " ", off.secs.value_or(0), " ", off.nanosecs.value_or(0),
                        "\n");
      }
      auto f = OpenFile("/proc/self/timens_offsets", O_WRONLY);
      if (!f.ok()) return f.status();
      if (::write(f->get(), offsets.data(), offsets.size()) < 0) {
        return ErrnoError("linux.timeOffsets: write timens_offsets");
      }
    }
    auto ns = OpenFile("/proc/self/ns/time_for_children", O_RDONLY);
    if (!ns.ok()) return ns.status();
    if (::setns(ns->get(), CLONE_NEWTIME) != 0) return ErrnoError("enter time namespace");
  }
  if (plan.late_pidns) {
    if (::unshare(CLONE_NEWPID) != 0) return ErrnoError("create pid namespace (unshare)");
    // The new init waits until its pid has reached the parent, so the parent learns it before
    // any other message from it.
    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) != 0) return ErrnoError("pipe");
    struct clone_args args = {};
    args.flags = CLONE_PARENT;
    pid_t pid = sys::Clone3(&args);
    if (pid < 0) return ErrnoError("fork the init into its pid namespace");
    if (pid > 0) {
      // The first child's work is done: hand over to the real init (its pid first) and leave.
      (void)!::write(gate[1], &pid, sizeof(pid));
      absl::Status st = plan.channel->Send(SyncMsg::kPid, std::to_string(pid));
      ::_exit(st.ok() ? 0 : 1);
    }
    ::close(gate[1]);
    pid_t host_pid = 0;
    ssize_t n;
    while ((n = ::read(gate[0], &host_pid, sizeof(host_pid))) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof(host_pid))) g_host_pid = host_pid;
    ::close(gate[0]);
  }
  return absl::OkStatus();
}

// Opens a pty pair from the container's own devpts (the ptmx of /dev/pts in the rootfs),
// verified to be a pty master.
absl::StatusOr<std::pair<UniqueFd, UniqueFd>> OpenContainerPty(int root_fd) {
  auto master = linux::OpenInRoot(root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  if (!master.ok()) {
    // No devpts mount in the config: fall back to the host's ptmx.
    int fd = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open /dev/ptmx");
    master = UniqueFd(fd);
  }
  int unlock = 0;
  if (::ioctl(master->get(), TIOCSPTLCK, &unlock) != 0) return ErrnoError("unlock pty");
  int slave = ::ioctl(master->get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return ErrnoError("open pty peer");
  return std::make_pair(std::move(*master), UniqueFd(slave));
}

std::string StateJson(const InitPlan& plan, absl::string_view status) {
  json::Value v;
  v.Set("ociVersion", std::string(spec::kOciVersion));
  v.Set("id", plan.id);
  v.Set("status", std::string(status));
  v.Set("pid", static_cast<int64_t>(g_host_pid > 0 ? g_host_pid : ::getpid()));
  v.Set("bundle", plan.rootfs.bundle);
  json::Value ann = json::Object{};
  for (const auto& [k, val] : plan.spec->annotations) ann.Set(k, val);
  v.Set("annotations", ann);
  return json::Emit(v);
}

absl::Status SetupAndWait(const InitPlan& plan) {
  const spec::Spec& spec = *plan.spec;
  const bool before_cgroup = SetUpBeforeCgroup(plan);
  HostSetup host;
  UniqueFd host_proc;
  if (plan.wait_for_start) {
    // Opened before any namespace changes: after pivot_root the exec FIFO is reopened through
    // the host's procfs.
    ASSIGN_OR_RETURN(host_proc, linux::OpenProcRoot());
  }
  if (before_cgroup) {
    RETURN_IF_ERROR(JoinAndUnshare(plan, /*skip=*/CLONE_NEWCGROUP));
  } else {
    const int early = EarlyUnshareFlags(plan);
    if (int flags = JoinNetnsMadeAhead(plan, early); flags && ::unshare(flags) != 0) {
      return ErrnoError("create namespaces (unshare)");
    }
    ASSIGN_OR_RETURN(host, ReceiveHostSetup(plan));
    RETURN_IF_ERROR(ReceiveGo(plan));
    RETURN_IF_ERROR(JoinAndUnshare(plan, /*skip=*/early));
  }
  // We are the container's init: a session leader, and not dumpable so no process in the
  // container can open /proc/1/exe (the hull binary) before execve (CVE-2019-5736).
  ::setsid();
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (spec.hostname && !spec.hostname->empty()) {
    RETURN_IF_ERROR(linux::SetHostname(*spec.hostname));  // names the field itself
  }
  if (spec.domainname && !spec.domainname->empty()) {
    RETURN_IF_ERROR(linux::SetDomainname(*spec.domainname));
  }
  if (!plan.no_new_keyring) {
    std::string name = absl::StrCat("_ses.", plan.id);
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) < 0 && errno != ENOSYS &&
        errno != EACCES && errno != EPERM) {
      return ErrnoError("join session keyring");
    }
  }

  linux::RootfsPlan rootfs_plan = plan.rootfs;
  if (before_cgroup) {
    // The parent may still be making the state and cgroup directories: build the rootfs
    // meanwhile, and take them (kCgroupDirs) when the cgroup mount needs them.
    rootfs_plan.await_cgroup_v1_dirs =
        [&]() -> absl::StatusOr<std::vector<std::pair<std::string, std::string>>> {
      ASSIGN_OR_RETURN(host, ReceiveHostSetup(plan));
      return std::move(host.cgroup_v1_dirs);
    };
  } else {
    rootfs_plan.cgroup_v1_dirs = std::move(host.cgroup_v1_dirs);
  }
  UniqueFd root_fd;
  UniqueFd console_master, console_slave;
  // The pty has to come from the container's devpts, which only exists after its mount; the
  // console bind onto /dev/console then happens in PrepareRootfs' last step, so open it in two
  // steps: mounts first (console_slave_fd = -1), then the console.
  rootfs_plan.console_slave_fd = -1;
  RETURN_IF_ERROR(linux::PrepareRootfs(spec, rootfs_plan, &root_fd));
  if (before_cgroup) {
    RETURN_IF_ERROR(ReceiveGo(plan));
    if ((plan.unshare_flags & CLONE_NEWCGROUP) && ::unshare(CLONE_NEWCGROUP) != 0) {
      return ErrnoError("create cgroup namespace (unshare)");
    }
  }
  if (plan.terminal) {
    ASSIGN_OR_RETURN(auto pty, OpenContainerPty(root_fd.get()));
    console_master = std::move(pty.first);
    console_slave = std::move(pty.second);
    if (spec.process && spec.process->console_size) {
      struct winsize ws = {};
      ws.ws_row = static_cast<unsigned short>(spec.process->console_size->height);
      ws.ws_col = static_cast<unsigned short>(spec.process->console_size->width);
      ::ioctl(console_master.get(), TIOCSWINSZ, &ws);
    }
    // A foreground `run` relays the pty itself: the program starts with the caller's window size
    // (the relay forwards later changes).
    if (plan.console_socket.empty() && ::isatty(STDIN_FILENO)) {
      (void)linux::CopyWindowSize(STDIN_FILENO, console_master.get());
    }
    RETURN_IF_ERROR(linux::MountConsole(root_fd.get(), console_slave.get()));
    if (!plan.console_socket.empty()) {
      RETURN_IF_ERROR(linux::SendConsoleFd(plan.console_socket, console_master.get()));
    } else {
      RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kConsole, "", console_master.get()));
    }
    console_master.reset();
  }

  // prestart + createRuntime hooks run in the runtime namespace (the parent).
  if (plan.parent_runs_hooks) {
    RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kRunHooks));
    RETURN_IF_ERROR(plan.channel->Expect(SyncMsg::kHooksDone).status());
  }
  if (spec.hooks && !spec.hooks->create_container.empty()) {
    RETURN_IF_ERROR(hooks::RunHooks("createContainer", spec.hooks->create_container,
                                    StateJson(plan, "created")));
  }
  RETURN_IF_ERROR(linux::FinishRootfs(spec, rootfs_plan, root_fd.get()));
  root_fd.reset();

  if (console_slave) {
    if (::ioctl(console_slave.get(), TIOCSCTTY, 0) != 0) return ErrnoError("set controlling tty");
    for (int i = 0; i <= 2; ++i) {
      if (::dup2(console_slave.get(), i) < 0) return ErrnoError("dup pty onto stdio");
    }
    console_slave.reset();
  }

  ASSIGN_OR_RETURN(std::string exe,
                   FindExecutable(plan.process->process.args[0], plan.process->process.env));
  ASSIGN_OR_RETURN(UniqueFd listener, ApplyProcessSettings(*plan.process));
  if (listener) {
    RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kSeccompFd, "", listener.get()));
    RETURN_IF_ERROR(plan.channel->Expect(SyncMsg::kSeccompSent).status());
    listener.reset();
  }
  RETURN_IF_ERROR(plan.channel->Send(SyncMsg::kReady));
  // `create`: the parent is done with us. `run`: the channel stays open until execve closes it
  // (close-on-exec), which tells the parent the program runs (poststart hooks come after that);
  // a failure before then (startContainer hook, execve) still reaches it as kError.
  if (plan.wait_for_start) {
    plan.channel->Close();
    // Block until `hull start` opens the FIFO for reading. Its fd is O_PATH, from the host's
    // mount namespace; reopen it through the host procfs we kept (the container may have no
    // /proc).
    std::string self_fd = absl::StrCat("self/fd/", host.exec_fifo.get());
    int fifo = ::openat(host_proc.get(), self_fd.c_str(), O_WRONLY | O_CLOEXEC);
    if (fifo < 0) return ErrnoError("open exec fifo");
    if (::write(fifo, "0", 1) != 1) return ErrnoError("write exec fifo");
    // The write end stays open (close-on-exec) until execve: `start` waits for its EOF, so its
    // poststart hooks run after the program started, as runtime.md requires.
    host.exec_fifo.reset();
    host_proc.reset();
  }

  if (spec.hooks && !spec.hooks->start_container.empty()) {
    RETURN_IF_ERROR(
        hooks::RunHooks("startContainer", spec.hooks->start_container, StateJson(plan, "running")));
  }
  RETURN_IF_ERROR(linux::ApplyFinalCpuAffinity(plan.process->affinity));
  CloseFdsOnExec(3 + plan.preserve_fds);
  return ExecProcess(exe, plan.process->process);
}

}  // namespace

void RunInit(const InitPlan& plan) {
  if (plan.state_dir_fd >= 0) ::close(plan.state_dir_fd);
  // Default dispositions: the parent may have ignored signals the program expects.
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  absl::Status st = SetupAndWait(plan);
  // Before the Ready message the parent reports the error; after it, the only place left is the
  // container's own stderr.
  if (plan.channel->fd() >= 0) {
    (void)plan.channel->Send(SyncMsg::kError, st.message());
  } else {
    std::string msg = absl::StrCat("hull init: ", st.message(), "\n");
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
  }
  ::_exit(st.code() == absl::StatusCode::kNotFound ? 127 : 1);
}

}  // namespace hull::container
