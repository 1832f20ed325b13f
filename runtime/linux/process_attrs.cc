#include "runtime/linux/process_attrs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/status.h"
#include "spec/config.h"

namespace hull::linux {
namespace {

// Debian's Abseil is built with its own absl::string_view (not std::string_view): convert
// explicitly where a std::string_view meets an absl function.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr unsigned long kProcRootIno = 1;

absl::Status CheckOnProcfs(int fd, std::string_view what) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) return ErrnoError(absl::StrCat("fstatfs ", AV(what)));
  if (sfs.f_type != PROC_SUPER_MAGIC) {
    return absl::PermissionDeniedError(
        absl::StrCat(AV(what), " is not on procfs (f_type 0x", absl::Hex(sfs.f_type), ")"));
  }
  return absl::OkStatus();
}

struct PolicyEntry {
  std::string_view name;
  uint32_t value;
};
// SCHED_ISO is reserved in the kernel ABI (4) but not implemented; the kernel rejects it.
constexpr PolicyEntry kPolicies[] = {
    {"SCHED_OTHER", SCHED_OTHER},       {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},       {"SCHED_ISO", 4},           {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};
constexpr PolicyEntry kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};
constexpr PolicyEntry kIOPrioClasses[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};
constexpr int kIOPrioClassShift = 13;
constexpr int kIOPrioWhoProcess = 1;

template <size_t N>
std::optional<uint32_t> Lookup(const PolicyEntry (&table)[N], std::string_view name) {
  for (const PolicyEntry& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

// The kernel's struct sched_attr, SCHED_ATTR_SIZE_VER0 (util clamps are not in the spec).
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};
static_assert(sizeof(SchedAttr) == 48);

// The largest CPU number a list may name; bounds the mask allocation (NR_CPUS tops out at 8192).
constexpr int kMaxCpu = 65535;

}  // namespace

absl::StatusOr<UniqueFd> OpenProcRoot() {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, "/proc", &how, sizeof(how)));
  if (fd < 0 && errno == ENOSYS) fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open /proc");
  UniqueFd root(fd);
  RETURN_IF_ERROR(CheckOnProcfs(root.get(), "/proc"));
  struct stat st;
  if (fstat(root.get(), &st) != 0) return ErrnoError("fstat /proc");
  if (st.st_ino != kProcRootIno) {
    return absl::PermissionDeniedError("/proc is not the root of a procfs mount");
  }
  return root;
}

absl::StatusOr<UniqueFd> OpenVerifiedProcFile(std::string_view path, int flags) {
  ASSIGN_OR_RETURN(UniqueFd root, OpenProcRoot());
  std::string rel(path);
  std::string what = absl::StrCat("/proc/", rel);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof(how)));
  if (fd < 0 && errno == ENOSYS) {
    fd = openat(root.get(), rel.c_str(), flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  }
  if (fd < 0 && errno == EXDEV) {
    return absl::PermissionDeniedError(absl::StrCat(
        "open ", what, ": path crosses a mount point (something is mounted over procfs)"));
  }
  if (fd < 0) return ErrnoError(absl::StrCat("open ", what));
  UniqueFd file(fd);
  RETURN_IF_ERROR(CheckOnProcfs(file.get(), what));
  return file;
}

absl::Status SetNoNewPrivileges() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return ErrnoError("process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  }
  return absl::OkStatus();
}

absl::Status SetOomScoreAdj(int value) {
  if (value < -1000 || value > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.oomScoreAdj: ", value, " out of range [-1000, 1000]"));
  }
  absl::StatusOr<UniqueFd> fd = OpenVerifiedProcFile("self/oom_score_adj", O_WRONLY);
  if (!fd.ok()) return Annotate(fd.status(), "process.oomScoreAdj");
  RETURN_IF_ERROR_CTX(
      WriteAll(fd->get(), absl::StrCat(value)),
      absl::StrCat("process.oomScoreAdj: write ", value, " to /proc/self/oom_score_adj"));
  return absl::OkStatus();
}

absl::StatusOr<unsigned long> ResolvePersonality(const spec::LinuxPersonality& p) {
  unsigned long persona;
  const std::string& domain = p.domain;
  if (domain == "LINUX") {
    persona = PER_LINUX;
  } else if (domain == "LINUX32") {
    persona = PER_LINUX32;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("linux.personality.domain: unknown domain \"",
                                                   domain, "\" (valid: LINUX, LINUX32)"));
  }
  const auto& flags = p.flags;
  if (!flags.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("linux.personality.flags[0]: unsupported flag \"", std::string(flags[0]),
                     "\" (the spec defines none)"));
  }
  return persona;
}

absl::Status SetPersonality(unsigned long persona) {
  if (personality(persona) == -1) {
    return ErrnoError(absl::StrCat("linux.personality: personality(0x", absl::Hex(persona), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SchedulerSettings> ResolveScheduler(const spec::Scheduler& s) {
  SchedulerSettings out;
  const std::string policy(s.policy);
  std::optional<uint32_t> pol = Lookup(kPolicies, policy);
  if (!pol) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.scheduler.policy: unknown policy \"", policy, "\""));
  }
  out.policy = *pol;
  const auto& flags = s.flags;
  for (size_t i = 0; i < flags.size(); ++i) {
    std::optional<uint32_t> f = Lookup(kSchedFlags, std::string(flags[i]));
    if (!f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "process.scheduler.flags[", i, "]: unknown flag \"", std::string(flags[i]), "\""));
    }
    out.flags |= *f;
  }
  out.nice = static_cast<int32_t>(s.nice.value_or(0));
  if (out.nice < -20 || out.nice > 19) {
    return absl::InvalidArgumentError(absl::StrCat(
        "process.scheduler.nice: ", out.nice, " out of range [-20, 19] (policy ", policy, ")"));
  }
  int64_t priority = s.priority.value_or(0);
  if (priority != 0 && out.policy != SCHED_FIFO && out.policy != SCHED_RR) {
    return absl::InvalidArgumentError(absl::StrCat(
        "process.scheduler.priority: can only be set with SCHED_FIFO or SCHED_RR, not ", policy));
  }
  if (priority < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.scheduler.priority: ", priority, " is negative"));
  }
  out.priority = static_cast<uint32_t>(priority);
  out.runtime = s.runtime.value_or(0);
  out.deadline = s.deadline.value_or(0);
  out.period = s.period.value_or(0);
  if (out.policy != SCHED_DEADLINE && (out.runtime != 0 || out.deadline != 0 || out.period != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.scheduler: runtime/deadline/period can only be set with "
                     "SCHED_DEADLINE, not ",
                     policy));
  }
  return out;
}

absl::Status ApplyScheduler(const SchedulerSettings& s) {
  SchedAttr attr{};
  attr.size = sizeof(attr);
  attr.sched_policy = s.policy;
  attr.sched_flags = s.flags;
  attr.sched_nice = s.nice;
  attr.sched_priority = s.priority;
  attr.sched_runtime = s.runtime;
  attr.sched_deadline = s.deadline;
  attr.sched_period = s.period;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
    return ErrnoError(absl::StrCat("process.scheduler: sched_setattr(policy=", s.policy,
                                   " nice=", s.nice, " priority=", s.priority, " flags=0x",
                                   absl::Hex(s.flags), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ResolveIOPriority(const spec::LinuxIOPriority& p) {
  const std::string cls(p.class_);
  std::optional<uint32_t> c = Lookup(kIOPrioClasses, cls);
  if (!c) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.ioPriority.class: unknown class \"", cls,
                     "\" (valid: IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)"));
  }
  int64_t prio = p.priority;
  if (prio < 0 || prio > 7) {
    return absl::InvalidArgumentError(
        absl::StrCat("process.ioPriority.priority: ", prio, " out of range [0, 7]"));
  }
  return static_cast<int>((*c << kIOPrioClassShift) | static_cast<uint32_t>(prio));
}

absl::Status SetIOPriority(int ioprio) {
  if (syscall(SYS_ioprio_set, kIOPrioWhoProcess, 0, ioprio) != 0) {
    return ErrnoError(absl::StrCat("process.ioPriority: ioprio_set(class=",
                                   ioprio >> kIOPrioClassShift, " priority=", ioprio & 7, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> ParseCpuList(std::string_view list_in) {
  const absl::string_view list = AV(list_in);
  std::vector<int> cpus;
  auto bad = [&](absl::string_view entry, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid CPU list \"", list, "\": ", why, " \"", entry, "\""));
  };
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    absl::string_view e = absl::StripAsciiWhitespace(entry);
    if (e.empty()) return bad(entry, "empty entry");
    std::vector<absl::string_view> ends = absl::StrSplit(e, absl::MaxSplits('-', 1));
    int lo = 0;
    int hi = 0;
    if (!absl::SimpleAtoi(ends[0], &lo) || lo < 0 ||
        (ends.size() == 2 ? !absl::SimpleAtoi(ends[1], &hi) || hi < 0 : (hi = lo, false))) {
      return bad(e, "bad entry");
    }
    if (hi < lo) return bad(e, "descending range");
    if (hi > kMaxCpu) return bad(e, absl::StrCat("CPU number above ", kMaxCpu, " in"));
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

absl::Status SetCpuAffinity(pid_t pid, const std::vector<int>& cpus) {
  if (cpus.empty()) return absl::InvalidArgumentError("empty CPU affinity list");
  const int count = cpus.back() + 1;
  cpu_set_t* set = CPU_ALLOC(count);
  if (set == nullptr) return ErrnoError("CPU_ALLOC");
  const size_t size = CPU_ALLOC_SIZE(count);
  CPU_ZERO_S(size, set);
  for (int c : cpus) CPU_SET_S(c, size, set);
  int rc = sched_setaffinity(pid, size, set);
  int err = errno;
  CPU_FREE(set);
  if (rc != 0) return ErrnoError(err, absl::StrCat("sched_setaffinity(pid ", pid, ")"));
  return absl::OkStatus();
}

absl::StatusOr<ExecCpuAffinity> ResolveExecCpuAffinity(const spec::CPUAffinity& a) {
  ExecCpuAffinity out;
  const std::string initial(a.initial.value_or(""));
  const std::string final_list(a.final.value_or(""));
  if (!initial.empty()) {
    ASSIGN_OR_RETURN(out.initial, ParseCpuList(initial));
  }
  if (!final_list.empty()) {
    ASSIGN_OR_RETURN(out.final, ParseCpuList(final_list));
  }
  return out;
}

absl::Status ApplyInitialCpuAffinity(pid_t child, const ExecCpuAffinity& a) {
  if (a.initial.empty()) return absl::OkStatus();
  RETURN_IF_ERROR_CTX(SetCpuAffinity(child, a.initial), "process.execCPUAffinity.initial");
  return absl::OkStatus();
}

absl::Status ApplyFinalCpuAffinity(const ExecCpuAffinity& a) {
  if (a.final.empty()) return absl::OkStatus();
  RETURN_IF_ERROR_CTX(SetCpuAffinity(0, a.final), "process.execCPUAffinity.final");
  return absl::OkStatus();
}

absl::Status SetHostname(std::string_view name) {
  if (sethostname(name.data(), name.size()) != 0) {
    return ErrnoError(absl::StrCat("hostname: sethostname(\"", AV(name), "\")"));
  }
  return absl::OkStatus();
}

absl::Status SetDomainname(std::string_view name) {
  if (setdomainname(name.data(), name.size()) != 0) {
    return ErrnoError(absl::StrCat("domainname: setdomainname(\"", AV(name), "\")"));
  }
  return absl::OkStatus();
}

}  // namespace hull::linux
