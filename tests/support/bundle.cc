#include "tests/support/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "spec/default_spec.h"
#include "spec/json.h"

namespace hull::testing {
namespace {

constexpr char kBusybox[] = "/bin/busybox";

void RemoveTreeAt(int parent_fd, const char* name, dev_t dev) {
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    ::unlinkat(parent_fd, name, 0);
    return;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_dev != dev) {
    ::close(fd);  // another filesystem (a leaked mount): leave it alone
    return;
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    if (e->d_type == DT_DIR) {
      RemoveTreeAt(::dirfd(d), e->d_name, dev);
    } else {
      ::unlinkat(::dirfd(d), e->d_name, 0);
    }
  }
  ::closedir(d);
  ::unlinkat(parent_fd, name, AT_REMOVEDIR);
}

// The busybox applet names (from `busybox --list`), computed once.
const std::vector<std::string>& Applets() {
  static const std::vector<std::string> applets = [] {
    std::vector<std::string> out;
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return out;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(p[1], 1);
      ::execl(kBusybox, "busybox", "--list", nullptr);
      _exit(127);
    }
    ::close(p[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      out.emplace_back(l);
    }
    return out;
  }();
  return applets;
}

void CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.close();
  ::chmod(to.c_str(), mode);
  if (!in || !out) ADD_FAILURE() << "copy " << from << " -> " << to << " failed";
}

void BuildBusyboxRootfs(const std::string& rootfs) {
  for (const char* d : {"", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/tmp", "/root",
                        "/home", "/home/test", "/usr", "/usr/bin", "/var", "/run"}) {
    ::mkdir((rootfs + d).c_str(), 0755);
  }
  ::chmod((rootfs + "/tmp").c_str(), 01777);
  CopyFile(kBusybox, rootfs + "/bin/busybox", 0755);
  for (const auto& a : Applets()) {
    if (a == "busybox") continue;
    (void)::symlink("busybox", (rootfs + "/bin/" + a).c_str());
  }
  WriteTestFile(rootfs + "/etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\n"
                "test:x:1000:1000:test:/home/test:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  WriteTestFile(rootfs + "/etc/group",
                "root:x:0:\ntest:x:1000:\nextra:x:1001:test\nnogroup:x:65534:\n");
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    ::unlink(path.c_str());
    return;
  }
  RemoveTreeAt(AT_FDCWD, path.c_str(), st.st_dev);
}

void WriteTestFile(const std::string& path, const std::string& content, mode_t mode) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string parent = path.substr(0, slash);
    for (size_t i = 1; i <= parent.size(); ++i) {
      if (i == parent.size() || parent[i] == '/') ::mkdir(parent.substr(0, i).c_str(), 0755);
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) ADD_FAILURE() << "write " << path << " failed";
  ::chmod(path.c_str(), mode);
}

std::string ReadTestFile(const std::string& path) { return ReadWhole(path); }

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = absl::StrCat("/tmp/", prefix, "-XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << tmpl << ": " << strerror(errno);
    return;
  }
  ::chmod(tmpl.c_str(), 0755);
  path_ = tmpl;
}

TempDir::TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
TempDir& TempDir::operator=(TempDir&& o) noexcept {
  if (this != &o) {
    if (!path_.empty()) RemoveTree(path_);
    path_ = std::move(o.path_);
    o.path_.clear();
  }
  return *this;
}
TempDir::~TempDir() {
  if (!path_.empty()) RemoveTree(path_);
}

Bundle::Bundle(std::vector<std::string> args) : dir_("hull-bundle") {
  BuildBusyboxRootfs(rootfs());
  spec_ = spec::DefaultSpec(/*rootless=*/false);
  spec_.process->terminal = false;
  spec_.root->readonly = false;  // tests write canaries into the rootfs
  spec_.process->args = std::move(args);
  Write();
}

void Bundle::Write() { WriteTestFile(config_path(), spec::EmitConfig(spec_, true)); }

void Bundle::WriteRawConfig(const std::string& json) { WriteTestFile(config_path(), json); }

void Bundle::WriteRootfsFile(const std::string& path, const std::string& content, mode_t mode) {
  WriteTestFile(rootfs() + path, content, mode);
}

std::string UniqueId(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed + static_cast<unsigned>(counter.load()) * 7919u);
  return absl::StrCat(prefix, "-", ::getpid(), "-", counter++, "-", rng() % 100000);
}

std::vector<std::string> CgroupMountPoints() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "... mountpoint ... - fstype source opts"
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || dash + 1 == f.end()) continue;
    const std::string& fstype = *(dash + 1);
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    if (std::find(out.begin(), out.end(), f[4]) == out.end()) out.push_back(f[4]);
  }
  return out;
}

namespace {

void CollectCgroupDirs(const std::string& dir, std::vector<std::string>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subs;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (e->d_type == DT_DIR && n != "." && n != "..") subs.push_back(dir + "/" + n);
  }
  ::closedir(d);
  for (const auto& s : subs) CollectCgroupDirs(s, out);
  out->push_back(dir);  // children first
}

void Thaw(const std::string& dir) {
  std::ofstream(dir + "/freezer.state") << "THAWED";
  std::ofstream(dir + "/cgroup.freeze") << "0";
}

}  // namespace

void RemoveCgroupEverywhere(const std::string& path) {
  if (path.empty() || path == "/") return;
  for (const auto& mp : CgroupMountPoints()) {
    std::vector<std::string> dirs;
    CollectCgroupDirs(mp + path, &dirs);
    for (const auto& d : dirs) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (::rmdir(d.c_str()) != 0 && errno == EBUSY &&
             std::chrono::steady_clock::now() < deadline) {
        Thaw(d);
        std::ifstream procs(d + "/cgroup.procs");
        pid_t pid;
        while (procs >> pid) ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
}

void HullTest::SetUp() {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  cgroup_parent_ = absl::StrCat("/hull-test/", UniqueId("lc"));
}

void HullTest::TearDown() {
  for (auto it = ids_.rbegin(); it != ids_.rend(); ++it) {
    // Quiet: most tests delete their containers themselves.
    (void)Hull({"delete", "--force", *it});
  }
  if (!cgroup_parent_.empty()) RemoveCgroupEverywhere(cgroup_parent_);
  // The shared /hull-test parent hull made (runtimes leave parents, as runc does): removed by
  // whichever test finishes last (EBUSY while others still use it).
  for (const auto& mp : CgroupMountPoints()) ::rmdir((mp + "/hull-test").c_str());
}

std::string HullTest::NewId(const std::string& prefix) {
  std::string id = UniqueId(prefix);
  ids_.push_back(id);
  return id;
}

Bundle HullTest::MakeBundle(std::vector<std::string> args) {
  Bundle b(std::move(args));
  b.spec().linux->cgroups_path = absl::StrCat(cgroup_parent_, "/", UniqueId("cg"));
  b.Write();
  return b;
}

HullResult HullTest::Hull(std::vector<std::string> args, const HullOptions& opts) {
  args.insert(args.begin(), {"--root", root()});
  return RunHull(args, opts);
}

std::unique_ptr<HullProcess> HullTest::HullBackground(std::vector<std::string> args,
                                                      const HullOptions& opts) {
  args.insert(args.begin(), {"--root", root()});
  return std::make_unique<HullProcess>(args, opts);
}

std::string HullTest::StatusOf(const std::string& id) {
  HullResult r = Hull({"state", id});
  if (r.code != 0) return "";
  auto v = json::Parse(r.out);
  if (!v.ok() || !v->is_object()) return "";
  const json::Value* s = v->Find("status");
  return s && s->is_string() ? s->as_string() : "";
}

bool HullTest::WaitForStatus(const std::string& id, const std::string& status, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (StatusOf(id) == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::vector<std::string> HullTest::LeftoverCgroups() const {
  std::vector<std::string> out;
  for (const auto& mp : CgroupMountPoints()) {
    std::vector<std::string> dirs;
    CollectCgroupDirs(mp + cgroup_parent_, &dirs);
    // The parent itself may legitimately remain (runc leaves intermediate dirs too): report
    // only the containers' own directories below it.
    for (const auto& d : dirs) {
      if (d != mp + cgroup_parent_) out.push_back(d);
    }
  }
  return out;
}

}  // namespace hull::testing
