// Running the hull binary from tests: one call with captured stdout/stderr/exit code
// (RunHull), or a process left running in the background (HullProcess) for foreground `run`,
// signal forwarding and terminals. Linked into every test binary (library hull_test_support).
//
//   auto r = hull::testing::RunHull({"--root", root, "state", id});
//   EXPECT_EQ(r.code, 0) << r.err;
//
// The binary is HULL_BIN (the build's hull), unless the environment variable HULL_TEST_BINARY
// names another runtime (e.g. /usr/sbin/runc, to compare behaviours).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace hull::testing {

struct HullResult {
  int code = -1;  // exit code; 128+signal when killed; -1 when it could not be started
  std::string out;
  std::string err;
  bool timed_out = false;  // killed by RunHull after the timeout
};

struct HullOptions {
  int stdin_fd = -1;             // default: /dev/null
  int stdout_fd = -1;            // default: captured into HullResult::out
  int stderr_fd = -1;            // default: captured into HullResult::err
  std::vector<int> extra_fds;    // become fds 3, 4, ... in hull (for --preserve-fds)
  std::vector<std::string> env;  // extra "K=V" entries on top of the test's environment
  std::string cwd;               // default: the test's cwd
  int timeout_s = 60;
  bool new_session = false;  // setsid() before exec (no controlling terminal)
};

// The runtime binary under test (HULL_TEST_BINARY or HULL_BIN).
std::string HullBinary();

// Runs the runtime with `args` (without argv[0]) and waits for it.
HullResult RunHull(const std::vector<std::string>& args, const HullOptions& opts = {});

// A runtime process running in the background; killed (SIGKILL) and reaped on destruction.
class HullProcess {
 public:
  HullProcess(const std::vector<std::string>& args, const HullOptions& opts = {});
  HullProcess(const HullProcess&) = delete;
  HullProcess& operator=(const HullProcess&) = delete;
  ~HullProcess();

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  void Signal(int sig);
  // Collects output captured so far (when not redirected), waiting up to timeout_ms for more.
  void Pump(int timeout_ms);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  // Waits until stdout contains `needle` (true) or the timeout passes / the process exits.
  bool WaitForOutput(const std::string& needle, int timeout_ms);
  // Waits for exit (SIGKILL after timeout_ms); returns the result with all captured output.
  HullResult Wait(int timeout_ms = 60000);
  // Has it exited? (reaps it if so)
  bool Exited();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool reaped_ = false;
  int code_ = -1;
  std::string out_, err_;
};

}  // namespace hull::testing
