#include "runtime/container/process_setup.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "runtime/linux/identity.h"
#include "runtime/linux/lsm.h"

namespace hull::container {
namespace {

// HOME for the process when its env has none: set by ApplyProcessSettings (which runs before
// seccomp may forbid reading files) and used by ExecProcess, both in the same single-threaded
// child just before execve.
std::string g_home_env = "HOME=/";

bool EnvHasHome(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (absl::StartsWith(e, "HOME=")) return true;
  }
  return false;
}

// The home directory of `uid` in the container's /etc/passwd (read in the final root, magic
// links refused, a non-regular file ignored), or "/" as runc falls back to.
std::string HomeOf(uid_t uid) {
  struct open_how how = {};
  how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // RESOLVE_IN_ROOT is relative to the dirfd: use "/" (the cwd may already be process.cwd).
  int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return "/";
  UniqueFd root_fd(root);
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), "etc/passwd", &how, sizeof how));
  if (fd < 0) return "/";
  UniqueFd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (4 << 20)) return "/";
  std::string text(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::read(f.get(), text.data(), text.size());
  if (n <= 0) return "/";
  text.resize(static_cast<size_t>(n));
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> f7 = absl::StrSplit(line, ':');
    if (f7.size() < 7) continue;
    uint32_t id;
    if (!absl::SimpleAtoi(f7[2], &id) || id != uid) continue;
    return f7[5].empty() ? "/" : std::string(f7[5]);
  }
  return "/";
}

}  // namespace

absl::StatusOr<ResolvedProcess> ResolveProcess(const spec::Process& process,
                                               const std::optional<spec::Linux>& linux,
                                               const std::string& seccomp_cache_dir) {
  ResolvedProcess rp;
  rp.process = process;
  if (process.args.empty()) return absl::InvalidArgumentError("process.args: must not be empty");
  if (process.capabilities) {
    ASSIGN_OR_RETURN(rp.caps, linux::ResolveCapabilities(*process.capabilities));
  }
  ASSIGN_OR_RETURN(rp.rlimits, linux::ResolveRlimits(process.rlimits));
  if (process.scheduler) {
    auto s = linux::ResolveScheduler(*process.scheduler);
    if (!s.ok()) return s.status();  // errors name their field
    rp.scheduler = *s;
  }
  if (process.io_priority) {
    auto p = linux::ResolveIOPriority(*process.io_priority);
    if (!p.ok()) return p.status();
    rp.io_priority = *p;
  }
  if (process.exec_cpu_affinity) {
    auto a = linux::ResolveExecCpuAffinity(*process.exec_cpu_affinity);
    if (!a.ok()) return Annotate(a.status(), "process.execCPUAffinity");
    rp.affinity = *a;
  }
  if (linux && linux->personality) {
    auto p = linux::ResolvePersonality(*linux->personality);
    if (!p.ok()) return p.status();
    rp.personality = *p;
  }
  if (linux && linux->seccomp) {
    auto prog = linux::CompileSeccompCached(*linux->seccomp, seccomp_cache_dir);
    if (!prog.ok()) return prog.status();
    rp.seccomp = std::move(*prog);
    rp.seccomp_listener = rp.seccomp->uses_notify && linux->seccomp->listener_path.has_value();
    if (rp.seccomp->uses_notify && !linux->seccomp->listener_path) {
      return absl::InvalidArgumentError(
          "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
    }
  }
  return rp;
}

absl::StatusOr<UniqueFd> ApplyProcessSettings(const ResolvedProcess& rp) {
  const spec::Process& p = rp.process;
  RETURN_IF_ERROR(linux::ApplyRlimits(rp.rlimits));
  if (p.oom_score_adj) RETURN_IF_ERROR(linux::SetOomScoreAdj(*p.oom_score_adj));
  if (rp.scheduler) RETURN_IF_ERROR(linux::ApplyScheduler(*rp.scheduler));
  if (rp.io_priority) RETURN_IF_ERROR(linux::SetIOPriority(*rp.io_priority));
  if (rp.personality) RETURN_IF_ERROR(linux::SetPersonality(*rp.personality));
  if (p.apparmor_profile && !p.apparmor_profile->empty()) {
    RETURN_IF_ERROR(linux::ApplyApparmorProfile(*p.apparmor_profile));
  }
  if (p.selinux_label && !p.selinux_label->empty()) {
    RETURN_IF_ERROR(linux::ApplySelinuxLabel(*p.selinux_label));
  }

  // cwd: resolved inside the (now final) root; magic links such as /proc/self/fd/N are refused
  // (CVE-2024-21626).
  {
    struct open_how how = {};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    // Relative to "/" (RESOLVE_IN_ROOT scopes to the dirfd, which must be the root).
    int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return ErrnoError("open /");
    UniqueFd root_fd(root);
    std::string rel = p.cwd.empty() ? "." : p.cwd;
    int fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), rel.c_str(), &how, sizeof how));
    if (fd < 0 && errno == ENOENT && !p.cwd.empty()) {
      // runc creates a missing cwd.
      (void)::mkdir(p.cwd.c_str(), 0755);
      fd = static_cast<int>(::syscall(SYS_openat2, root_fd.get(), rel.c_str(), &how, sizeof how));
    }
    if (fd < 0) return ErrnoError(absl::StrCat("process.cwd: ", p.cwd));
    UniqueFd cwd(fd);
    if (::fchdir(cwd.get()) != 0) return ErrnoError(absl::StrCat("process.cwd: chdir ", p.cwd));
  }

  if (!EnvHasHome(p.env)) g_home_env = absl::StrCat("HOME=", HomeOf(p.user.uid));

  const bool nnp = p.no_new_privileges.value_or(false);
  UniqueFd listener;
  // Without no_new_privs the filter must go in while we still have CAP_SYS_ADMIN (runc order).
  if (rp.seccomp && !nnp) {
    ASSIGN_OR_RETURN(listener, linux::LoadSeccomp(*rp.seccomp));
  }
  RETURN_IF_ERROR(linux::FinalizeIdentityAndCapabilities(p, rp.caps));
  if (nnp) RETURN_IF_ERROR(linux::SetNoNewPrivileges());
  if (rp.seccomp && nnp) {
    ASSIGN_OR_RETURN(listener, linux::LoadSeccomp(*rp.seccomp));
  }
  return listener;
}

absl::StatusOr<std::string> FindExecutable(const std::string& arg0,
                                           const std::vector<std::string>& env) {
  auto executable = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (arg0.find('/') != std::string::npos) {
    if (!executable(arg0)) {
      return absl::NotFoundError(
          absl::StrCat("exec: \"", arg0, "\": ", std::strerror(errno ? errno : ENOENT)));
    }
    return arg0;
  }
  std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env) {
    if (absl::StartsWith(e, "PATH=")) path_var = e.substr(5);
  }
  for (absl::string_view dir : absl::StrSplit(path_var, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", arg0);
    if (executable(candidate)) return candidate;
  }
  return absl::NotFoundError(
      absl::StrCat("exec: \"", arg0, "\": executable file not found in $PATH"));
}

void CloseFdsOnExec(int first_fd) {
  ::syscall(SYS_close_range, static_cast<unsigned>(first_fd), ~0U, CLOSE_RANGE_CLOEXEC);
}

absl::Status ExecProcess(const std::string& path, const spec::Process& process) {
  std::vector<char*> argv, envp;
  for (const auto& a : process.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : process.env) envp.push_back(const_cast<char*>(e.c_str()));
  // runc sets HOME from the user's passwd entry when missing; "/" is its fallback.
  if (!EnvHasHome(process.env)) envp.push_back(g_home_env.data());
  envp.push_back(nullptr);
  ::execve(path.c_str(), argv.data(), envp.data());
  return ErrnoError(absl::StrCat("exec ", path));
}

}  // namespace hull::container
