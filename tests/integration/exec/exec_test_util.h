// Local helpers for the exec integration tests: running the hull binary with captured output,
// a busybox rootfs shared by the suite, and a fixture that creates a real container (absolute
// cgroupsPath under /hull-test/<unique>) and removes everything again, also when a test fails.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "spec/config.h"
#include "spec/default_spec.h"
#include "spec/json.h"

namespace hull::exec_testing {

struct RunResult {
  int code = -1;  // exit code, 128+signal, or -1 if it could not run
  std::string out;
  std::string err;
};

struct RunOptions {
  int stdin_fd = -1;   // default /dev/null
  int stdout_fd = -1;  // default: captured
  int stderr_fd = -1;  // default: captured
  std::vector<int> keep_fds;  // dup'ed to 3, 4, ... in the child (for --preserve-fds)
  int timeout_s = 60;
};

// Runs HULL_BIN with `args`, capturing stdout/stderr unless redirected. Kills it after the
// timeout (the result then says so in err).
inline RunResult RunHull(const std::vector<std::string>& args, const RunOptions& ro = {}) {
  RunResult res;
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (ro.stdout_fd < 0 && pipe2(out_pipe, O_CLOEXEC) != 0) return res;
  if (ro.stderr_fd < 0 && pipe2(err_pipe, O_CLOEXEC) != 0) return res;
  std::vector<std::string> argv_s = {HULL_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = ro.stdin_fd >= 0 ? ro.stdin_fd : open("/dev/null", O_RDONLY);
    int out = ro.stdout_fd >= 0 ? ro.stdout_fd : out_pipe[1];
    int err = ro.stderr_fd >= 0 ? ro.stderr_fd : err_pipe[1];
    // Move the fds to keep out of the way of 0..2 and 3.. first.
    std::vector<int> keep;
    for (int fd : ro.keep_fds) keep.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (size_t i = 0; i < keep.size(); ++i) dup2(keep[i], 3 + static_cast<int>(i));
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(ro.timeout_s);
  bool timed_out = false, exited = false;
  int status = 0;
  // Read until hull exits, then drain what is buffered: a container or detached process may
  // keep the pipes open long after hull is gone.
  for (;;) {
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = true;
    if (!exited && std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    if (out_pipe[0] < 0 && err_pipe[0] < 0) {
      if (exited) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    struct pollfd p[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int rc = poll(p, 2, exited ? 0 : 50);
    if (rc <= 0) {
      if (exited) break;  // nothing buffered any more
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? res.out : res.err).append(buf, static_cast<size_t>(n));
      } else {
        close(p[i].fd);
        (i == 0 ? out_pipe[0] : err_pipe[0]) = -1;
      }
    }
  }
  if (out_pipe[0] >= 0) close(out_pipe[0]);
  if (err_pipe[0] >= 0) close(err_pipe[0]);
  if (timed_out) {
    res.err += "\n[test: hull timed out and was killed]";
    res.code = -1;
    return res;
  }
  res.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return res;
}

inline std::string Describe(const RunResult& r) {
  return absl::StrCat("exit ", r.code, "\nstdout: ", r.out, "\nstderr: ", r.err);
}

inline void RemoveTree(const std::string& path) {
  std::string cmd = absl::StrCat("rm -rf '", path, "'");
  (void)!std::system(cmd.c_str());
}

// Removes <hierarchy>/<rel> and everything below, deepest first (rmdir only: cgroup dirs).
inline void RemoveCgroupTree(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || e->d_type != DT_DIR) continue;
    subdirs.push_back(dir + "/" + name);
  }
  closedir(d);
  for (const auto& s : subdirs) RemoveCgroupTree(s);
  rmdir(dir.c_str());
}

// The busybox rootfs every container of the suite uses (read-only root, /tmp is a tmpfs).
inline std::string MakeBusyboxRootfs(const std::string& dir) {
  RemoveTree(dir);
  for (const char* sub : {"", "/bin", "/dev", "/proc", "/sys", "/tmp", "/etc", "/root"}) {
    mkdir((dir + sub).c_str(), 0755);
  }
  std::string cmd = absl::StrCat("cp /bin/busybox '", dir, "/bin/busybox' && for a in $('", dir,
                                 "/bin/busybox' --list); do [ \"$a\" = busybox ] || ln -sf busybox '",
                                 dir, "/bin/'$a; done");
  if (std::system(cmd.c_str()) != 0) return "";
  (void)WriteFileAtomic(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  (void)WriteFileAtomic(dir + "/etc/group", "root:x:0:\n");
  return dir;
}

class ExecTest : public ::testing::Test {
 protected:
  static std::string& Rootfs() {
    static std::string rootfs;
    return rootfs;
  }
  static void SetUpTestSuite() {
    Rootfs() = MakeBusyboxRootfs(absl::StrCat("/tmp/hull-exec-rootfs-", getpid()));
  }
  static void TearDownTestSuite() {
    RemoveTree(Rootfs());
    RemoveTree(absl::StrCat("/tmp/hull-exec-state-", getpid()));
  }

  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    ASSERT_FALSE(Rootfs().empty()) << "could not build the busybox rootfs";
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    id_ = absl::StrCat("exec-", getpid(), "-", counter++, "-", info->name());
    if (id_.size() > 60) id_.resize(60);
    state_root_ = absl::StrCat("/tmp/hull-exec-state-", getpid());
    bundle_ = absl::StrCat("/tmp/hull-exec-bundle-", id_);
    cgroup_rel_ = absl::StrCat("/hull-test/", id_);
    mkdir(bundle_.c_str(), 0755);
  }

  void TearDown() override {
    if (id_.empty()) return;
    if (created_) (void)Hull({"delete", "--force", id_});
    // Whatever delete left (it should leave nothing): our container's cgroup directories.
    DIR* d = opendir("/sys/fs/cgroup");
    if (d != nullptr) {
      while (struct dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        RemoveCgroupTree(absl::StrCat("/sys/fs/cgroup/", name, cgroup_rel_));
      }
      closedir(d);
    }
    RemoveTree(bundle_);
    RemoveTree(absl::StrCat(state_root_, "/", id_));
  }

  // The suite's default container: runs `sleep 1000` with the default spec's settings.
  spec::Spec BaseSpec() {
    spec::Spec s = spec::DefaultSpec(false);
    s.root->path = Rootfs();
    s.root->readonly = true;
    s.hostname = "hull-exec-test";
    s.process->terminal = false;
    s.process->args = {"sleep", "1000"};
    s.linux->cgroups_path = cgroup_rel_;
    spec::Mount tmp;
    tmp.destination = "/tmp";
    tmp.type = "tmpfs";
    tmp.source = "tmpfs";
    tmp.options = {"nosuid", "nodev", "mode=1777"};
    s.mounts.push_back(tmp);
    return s;
  }

  RunResult Hull(std::vector<std::string> args, const RunOptions& ro = {}) {
    args.insert(args.begin(), {"--root", state_root_});
    return RunHull(args, ro);
  }

  // Writes the config, creates and starts the container.
  void StartContainer(const spec::Spec& s) {
    ASSERT_TRUE(WriteFileAtomic(bundle_ + "/config.json", spec::EmitConfig(s)).ok());
    created_ = true;
    RunResult c = Hull({"create", "--bundle", bundle_, id_});
    ASSERT_EQ(c.code, 0) << Describe(c);
    RunResult st = Hull({"start", id_});
    ASSERT_EQ(st.code, 0) << Describe(st);
  }
  void StartContainer() { StartContainer(BaseSpec()); }

  RunResult Exec(const std::vector<std::string>& flags_and_cmd, const RunOptions& ro = {}) {
    std::vector<std::string> args = {"exec"};
    // Flags first, then the id, then the command: callers give {flags..., "--", cmd...}.
    auto sep = std::find(flags_and_cmd.begin(), flags_and_cmd.end(), "--");
    if (sep == flags_and_cmd.end()) {
      args.push_back(id_);
      args.insert(args.end(), flags_and_cmd.begin(), flags_and_cmd.end());
    } else {
      args.insert(args.end(), flags_and_cmd.begin(), sep);
      args.push_back(id_);
      args.insert(args.end(), sep + 1, flags_and_cmd.end());
    }
    return Hull(args, ro);
  }

  std::string Status() {
    RunResult r = Hull({"state", id_});
    auto v = json::Parse(r.out);
    if (!v.ok() || v->Find("status") == nullptr) return "";
    return v->Find("status")->as_string();
  }

  pid_t InitPid() {
    RunResult r = Hull({"state", id_});
    auto v = json::Parse(r.out);
    if (!v.ok() || v->Find("pid") == nullptr) return 0;
    return static_cast<pid_t>(v->Find("pid")->as_int64().value_or(0));
  }

  std::string id_, state_root_, bundle_, cgroup_rel_;
  bool created_ = false;
};

// "CapEff:\t0000..." -> the mask, from a /proc/PID/status text.
inline uint64_t StatusMask(const std::string& status, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::StartsWith(line, key + ":")) {
      std::string v(absl::StripAsciiWhitespace(line.substr(key.size() + 1)));
      return std::stoull(v, nullptr, 16);
    }
  }
  return ~0ULL;
}

inline std::string StatusField(const std::string& status, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::StartsWith(line, key + ":")) {
      return std::string(absl::StripAsciiWhitespace(line.substr(key.size() + 1)));
    }
  }
  return "<missing " + key + ">";
}

}  // namespace hull::exec_testing
