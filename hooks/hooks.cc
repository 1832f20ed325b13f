#include "hooks/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace hull::hooks {
namespace {

constexpr size_t kCaptureLimit = 64 * 1024;
constexpr size_t kFinalDrainBudget = 1024 * 1024;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

absl::Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return ErrnoError("fcntl");
  return absl::OkStatus();
}

// Blocks SIGPIPE in this thread while a hook runs, so a hook that does not read its stdin turns
// our write into EPIPE instead of killing hull. A SIGPIPE raised by our own write is thread-
// directed and is consumed before the mask is restored; one that was already pending is left.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

// Everything the child needs, prepared before fork so the child only makes async-signal-safe
// calls (hull may be multi-threaded).
struct ExecPlan {
  std::vector<std::string> argv_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* path;
};

[[noreturn]] void ChildExec(const ExecPlan& plan, int stdin_fd, int stdout_fd, int stderr_fd,
                            int err_fd) {
  // Move the pipe ends above 2 first so the dup2s below cannot clobber each other (a daemonized
  // hull may have had 0-2 closed, so pipe2 could have handed those numbers out).
  int moved_err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 3);
  if (moved_err_fd >= 0) err_fd = moved_err_fd;
  int in = fcntl(stdin_fd, F_DUPFD_CLOEXEC, 3);
  int out = fcntl(stdout_fd, F_DUPFD_CLOEXEC, 3);
  int err = fcntl(stderr_fd, F_DUPFD_CLOEXEC, 3);
  int e = 0;
  if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
    e = errno;
  }
  if (e == 0) {
    // Nothing but stdio may survive exec, whatever hull forgot to mark O_CLOEXEC.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      rlimit lim{};
      int max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 65536
                    ? static_cast<int>(lim.rlim_cur)
                    : 65536;
      for (int fd = 3; fd < max; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    // A clean signal state: hull's handlers vanish at exec, but ignored signals and the mask
    // would be inherited.
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(plan.path, plan.argv.data(), plan.envp.data());
    e = errno;
  }
  ssize_t ignored = write(err_fd, &e, sizeof(e));
  (void)ignored;
  _exit(127);
}

std::string Trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return name != nullptr ? absl::StrCat("terminated by signal SIG", name)
                           : absl::StrCat("terminated by signal ", WTERMSIG(status));
  }
  return absl::StrCat("wait status ", status);
}

// A captured output stream: keeps the first kCaptureLimit bytes, drains (and drops) the rest
// so the hook never blocks on a full pipe.
struct Capture {
  UniqueFd fd;
  std::string data;
  bool truncated = false;

  // Reads what is available (at most `budget` bytes); returns false at EOF or on error (stop
  // polling it).
  bool Drain(size_t budget = SIZE_MAX) {
    char buf[8192];
    for (;;) {
      if (budget == 0) return true;
      ssize_t n = read(fd.get(), buf, std::min(sizeof(buf), budget));
      if (n > 0) {
        budget -= static_cast<size_t>(n);
        size_t keep = std::min(static_cast<size_t>(n), kCaptureLimit - data.size());
        data.append(buf, keep);
        if (keep < static_cast<size_t>(n)) truncated = true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      fd.reset();
      return false;
    }
  }
  std::string Text() const { return Trim(data) + (truncated ? " [truncated]" : ""); }
};

std::string WithOutput(std::string what, const Capture& out, const Capture& err) {
  std::string e = err.Text(), o = out.Text();
  if (!e.empty()) absl::StrAppend(&what, ": ", e);
  if (!o.empty()) absl::StrAppend(&what, e.empty() ? ": stdout: " : "; stdout: ", o);
  return what;
}

}  // namespace

absl::Status RunHook(const spec::Hook& hook, std::string_view state_json) {
  if (hook.path.empty() || hook.path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("path \"", hook.path, "\" must be absolute"));
  }
  if (hook.timeout && *hook.timeout <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout must be greater than zero, got ", *hook.timeout));
  }

  ExecPlan plan;
  plan.path = hook.path.c_str();
  plan.argv_storage = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  for (std::string& a : plan.argv_storage) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  std::vector<std::string> env = hook.env;
  for (std::string& e : env) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);

  ASSIGN_OR_RETURN(Pipe in, MakePipe());
  ASSIGN_OR_RETURN(Pipe out, MakePipe());
  ASSIGN_OR_RETURN(Pipe err, MakePipe());
  ASSIGN_OR_RETURN(Pipe exec_err, MakePipe());

  ScopedSigpipeBlock no_sigpipe;
  pid_t pid = fork();
  if (pid < 0) return ErrnoError("fork");
  if (pid == 0) {
    ChildExec(plan, in.read.get(), out.write.get(), err.write.get(), exec_err.write.get());
  }
  in.read.reset();
  out.write.reset();
  err.write.reset();
  exec_err.write.reset();

  // The exec-error pipe closes on a successful exec (O_CLOEXEC) or carries the errno.
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_err.read.get(), &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  if (n == sizeof(exec_errno)) {
    waitpid(pid, nullptr, 0);
    return ErrnoError(exec_errno, absl::StrCat("exec ", hook.path));
  }

  // A pidfd tells us when the hook exits without a SIGCHLD handler and makes the timeout kill
  // immune to pid reuse.
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  UniqueFd stdin_w = std::move(in.write);
  Capture cap_out{std::move(out.read)}, cap_err{std::move(err.read)};
  for (int fd : {stdin_w.get(), cap_out.fd.get(), cap_err.fd.get()}) {
    if (absl::Status st = SetNonBlocking(fd); !st.ok()) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return st;
    }
  }
  std::string_view pending = state_json;
  if (pending.empty()) stdin_w.reset();

  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> deadline;
  if (hook.timeout) deadline = Clock::now() + std::chrono::seconds(*hook.timeout);

  int status = 0;
  bool exited = false;
  while (!exited) {
    pollfd fds[4];
    int nfds = 0;
    // Index of fd in `fds`, or -1 when it is closed (not polled).
    auto add = [&](const UniqueFd& fd, short events) {
      if (!fd) return -1;
      fds[nfds] = {fd.get(), events, 0};
      return nfds++;
    };
    int pid_idx = add(pidfd, POLLIN);
    int in_idx = add(stdin_w, POLLOUT);
    int out_idx = add(cap_out.fd, POLLIN);
    int err_idx = add(cap_err.fd, POLLIN);

    int wait_ms = pidfd ? -1 : 20;  // without a pidfd, poll waitpid periodically
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      int left_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
      wait_ms = wait_ms < 0 ? left_ms : std::min(wait_ms, left_ms);
    }
    int ready = poll(fds, nfds, wait_ms);
    if (ready < 0 && errno != EINTR) {
      int e = errno;
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return ErrnoError(e, "poll");
    }
    if (ready > 0) {
      if (in_idx >= 0 && (fds[in_idx].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = write(stdin_w.get(), pending.data(), pending.size());
        if (w > 0) pending.remove_prefix(static_cast<size_t>(w));
        // EPIPE: the hook does not want its state; that is its right, not an error.
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || pending.empty()) stdin_w.reset();
      }
      if (out_idx >= 0 && fds[out_idx].revents) cap_out.Drain();
      if (err_idx >= 0 && fds[err_idx].revents) cap_err.Drain();
    }
    if (pid_idx < 0 || (ready > 0 && fds[pid_idx].revents)) {
      pid_t r;
      do {
        r = waitpid(pid, &status, pidfd ? 0 : WNOHANG);
      } while (r < 0 && errno == EINTR);
      if (r == pid) exited = true;
      if (r < 0) return ErrnoError(absl::StrCat("wait for hook ", hook.path));
    }
    if (!exited && deadline && Clock::now() >= *deadline) {
      if (!pidfd || syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) != 0) {
        kill(pid, SIGKILL);
      }
      waitpid(pid, nullptr, 0);
      if (cap_out.fd) cap_out.Drain(kFinalDrainBudget);
      if (cap_err.fd) cap_err.Drain(kFinalDrainBudget);
      return absl::DeadlineExceededError(
          WithOutput(absl::StrCat("timeout after ", *hook.timeout, " seconds"), cap_out, cap_err));
    }
  }
  // The hook is done; take what its output pipes hold but do not wait for EOF, which a
  // backgrounded grandchild could postpone forever (and bound the read: it could keep writing).
  if (cap_out.fd) cap_out.Drain(kFinalDrainBudget);
  if (cap_err.fd) cap_err.Drain(kFinalDrainBudget);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::AbortedError(WithOutput(DescribeExit(status), cap_out, cap_err));
}

absl::Status RunHooks(std::string_view kind_name, const std::vector<spec::Hook>& hooks,
                      std::string_view state_json) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    absl::Status st = RunHook(hooks[i], state_json);
    if (!st.ok()) {
      return Annotate(st, absl::StrCat(AV(kind_name), " hook[", i, "] ", hooks[i].path));
    }
  }
  return absl::OkStatus();
}

std::vector<absl::Status> RunAllHooks(std::string_view kind_name,
                                      const std::vector<spec::Hook>& hooks,
                                      std::string_view state_json) {
  std::vector<absl::Status> failures;
  for (size_t i = 0; i < hooks.size(); ++i) {
    absl::Status st = RunHook(hooks[i], state_json);
    if (!st.ok()) {
      failures.push_back(
          Annotate(st, absl::StrCat(AV(kind_name), " hook[", i, "] ", hooks[i].path)));
    }
  }
  return failures;
}

}  // namespace hull::hooks
