#include "tests/support/hull_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace hull::testing {
namespace {

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Forks and execs the runtime. out/err pipes are created unless redirected; returns the read
// ends through *out_r / *err_r (or -1).
pid_t Spawn(const std::vector<std::string>& args, const HullOptions& o, int* out_r, int* err_r) {
  int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
  *out_r = *err_r = -1;
  if (o.stdout_fd < 0 && ::pipe2(out_p, O_CLOEXEC) != 0) return -1;
  if (o.stderr_fd < 0 && ::pipe2(err_p, O_CLOEXEC) != 0) return -1;
  std::vector<std::string> argv_s = {HullBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), o.env.begin(), o.env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid == 0) {
    if (o.new_session) ::setsid();
    int in = o.stdin_fd >= 0 ? o.stdin_fd : ::open("/dev/null", O_RDONLY);
    int out = o.stdout_fd >= 0 ? o.stdout_fd : out_p[1];
    int err = o.stderr_fd >= 0 ? o.stderr_fd : err_p[1];
    // Park everything above the range we are about to fill, then place it.
    int in2 = ::fcntl(in, F_DUPFD_CLOEXEC, 200), out2 = ::fcntl(out, F_DUPFD_CLOEXEC, 200),
        err2 = ::fcntl(err, F_DUPFD_CLOEXEC, 200);
    std::vector<int> extra;
    for (int fd : o.extra_fds) extra.push_back(::fcntl(fd, F_DUPFD_CLOEXEC, 200));
    ::dup2(in2, 0);
    ::dup2(out2, 1);
    ::dup2(err2, 2);
    for (size_t i = 0; i < extra.size(); ++i) ::dup2(extra[i], 3 + static_cast<int>(i));
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) _exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (out_p[1] >= 0) ::close(out_p[1]);
  if (err_p[1] >= 0) ::close(err_p[1]);
  if (pid < 0) {
    if (out_p[0] >= 0) ::close(out_p[0]);
    if (err_p[0] >= 0) ::close(err_p[0]);
    return -1;
  }
  *out_r = out_p[0];
  *err_r = err_p[0];
  return pid;
}

// Reads whatever is available on the two fds (closing them at EOF), waiting up to timeout_ms.
// Returns how many bytes were read.
size_t PumpFds(int* out_fd, int* err_fd, std::string* out, std::string* err, int timeout_ms) {
  struct pollfd p[2] = {{*out_fd, POLLIN, 0}, {*err_fd, POLLIN, 0}};
  if (*out_fd < 0 && *err_fd < 0) {
    if (timeout_ms > 0) ::poll(nullptr, 0, timeout_ms);
    return 0;
  }
  if (::poll(p, 2, timeout_ms) <= 0) return 0;
  size_t total = 0;
  char buf[16384];
  int* fds[2] = {out_fd, err_fd};
  std::string* dst[2] = {out, err};
  for (int i = 0; i < 2; ++i) {
    if (*fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = ::read(*fds[i], buf, sizeof buf);
    if (n > 0) {
      dst[i]->append(buf, static_cast<size_t>(n));
      total += static_cast<size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      ::close(*fds[i]);
      *fds[i] = -1;
    }
  }
  return total;
}

}  // namespace

std::string HullBinary() {
  const char* env = ::getenv("HULL_TEST_BINARY");
  if (env && *env) return env;
  return HULL_BIN;
}

HullResult RunHull(const std::vector<std::string>& args, const HullOptions& opts) {
  HullProcess p(args, opts);
  if (!p.started()) return {};
  return p.Wait(opts.timeout_s * 1000);
}

HullProcess::HullProcess(const std::vector<std::string>& args, const HullOptions& opts) {
  pid_ = Spawn(args, opts, &out_fd_, &err_fd_);
}

HullProcess::~HullProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void HullProcess::Signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

void HullProcess::Pump(int timeout_ms) { PumpFds(&out_fd_, &err_fd_, &out_, &err_, timeout_ms); }

bool HullProcess::WaitForOutput(const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out_.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (out_fd_ < 0 && Exited()) return out_.find(needle) != std::string::npos;
    Pump(50);
  }
  return true;
}

bool HullProcess::Exited() {
  if (reaped_) return true;
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    code_ = ExitCodeOf(status);
  }
  return reaped_;
}

HullResult HullProcess::Wait(int timeout_ms) {
  HullResult r;
  if (pid_ <= 0) return r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // Output first: the child may block writing a full pipe.
  while (out_fd_ >= 0 || err_fd_ >= 0 || !Exited()) {
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      ::kill(pid_, SIGKILL);
      break;
    }
    Pump(50);
    // A grandchild holding our pipes (a detached container) must not keep us here forever.
    if (Exited()) {
      while (PumpFds(&out_fd_, &err_fd_, &out_, &err_, 20) > 0) {
      }
      break;
    }
  }
  if (!reaped_) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    code_ = ExitCodeOf(status);
  }
  while (PumpFds(&out_fd_, &err_fd_, &out_, &err_, 0) > 0) {
  }
  r.code = code_;
  r.out = out_;
  r.err = err_;
  if (r.timed_out) r.err += "\n[killed by test after timeout]";
  return r;
}

}  // namespace hull::testing
