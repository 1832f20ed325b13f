// Small per-process attributes the container's init sets before execve, one function each:
// no_new_privs, oom_score_adj, personality, scheduler, I/O priority, CPU affinity, hostname and
// domainname. Each Resolve*/Parse* runs in the parent (validation before clone, errors name the
// OCI field); each Set*/Apply* runs in the process being configured.
//
// Also the verified procfs opener the attribute writers here and in lsm.cc use.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace hull::spec {
struct Scheduler;
struct LinuxIOPriority;
struct LinuxPersonality;
struct CPUAffinity;
}  // namespace hull::spec

namespace hull::linux {

// The procfs mounted at /proc, as an O_PATH fd: reached without following symlinks, on procfs
// (fstatfs) and its root (inode 1), so nothing mounted or linked over /proc stands in for it.
absl::StatusOr<UniqueFd> OpenProcRoot();

// Opens `path` relative to the procfs mounted at /proc ("self/oom_score_adj",
// "thread-self/attr/exec") so that nothing mounted or linked over /proc can redirect the write
// (the CVE-2019-19921 / CVE-2025-52881 family): /proc itself must be the root of a procfs
// (fstatfs PROC_SUPER_MAGIC, inode 1), the walk below it may not cross a mount point
// (openat2 RESOLVE_NO_XDEV | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), and the opened file must
// again be on procfs. Kernels without openat2 fall back to openat(O_NOFOLLOW) plus an fstatfs
// and mount-id check on the result.
absl::StatusOr<UniqueFd> OpenVerifiedProcFile(std::string_view path, int flags);

// process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS, 1).
absl::Status SetNoNewPrivileges();

// process.oomScoreAdj: writes /proc/self/oom_score_adj. Lowering below the current value needs
// CAP_SYS_RESOURCE, as with runc the kernel's EACCES is the error.
absl::Status SetOomScoreAdj(int value);

// linux.personality: "LINUX" -> PER_LINUX, "LINUX32" -> PER_LINUX32; no flags are defined by
// the spec, so any flag is an error.
absl::StatusOr<unsigned long> ResolvePersonality(const spec::LinuxPersonality& p);
absl::Status SetPersonality(unsigned long persona);

// process.scheduler, as the kernel's struct sched_attr wants it.
struct SchedulerSettings {
  uint32_t policy = 0;
  uint64_t flags = 0;
  int32_t nice = 0;
  uint32_t priority = 0;
  uint64_t runtime = 0;
  uint64_t deadline = 0;
  uint64_t period = 0;
};
// Validates like runc (libcontainer/configs/validate): known policy and flags, nice in
// [-20, 19], priority only with SCHED_FIFO/SCHED_RR, runtime/deadline/period only with
// SCHED_DEADLINE.
absl::StatusOr<SchedulerSettings> ResolveScheduler(const spec::Scheduler& s);
// sched_setattr(2) on the calling thread.
absl::Status ApplyScheduler(const SchedulerSettings& s);

// process.ioPriority -> the ioprio value (class << 13 | priority); priority must be 0..7.
absl::StatusOr<int> ResolveIOPriority(const spec::LinuxIOPriority& p);
// ioprio_set(IOPRIO_WHO_PROCESS, 0, value).
absl::Status SetIOPriority(int ioprio);

// "0-3,7" -> {0,1,2,3,7}, sorted and unique. Errors quote the list.
absl::StatusOr<std::vector<int>> ParseCpuList(std::string_view list);
// sched_setaffinity(pid, cpus); pid 0 is the calling thread.
absl::Status SetCpuAffinity(pid_t pid, const std::vector<int>& cpus);
// process.execCPUAffinity, validated: both lists parsed (an empty or missing list is "do not
// change").
struct ExecCpuAffinity {
  std::vector<int> initial;
  std::vector<int> final;
};
absl::StatusOr<ExecCpuAffinity> ResolveExecCpuAffinity(const spec::CPUAffinity& a);
// `initial` is applied by the runtime to the new child right after clone, before it is moved
// into the container's cgroup; `final` by the process itself just before execve, after the
// cgroup move (which may have reset its affinity to the cgroup's cpuset). Empty lists are a
// no-op. Both follow runc 1.2.
absl::Status ApplyInitialCpuAffinity(pid_t child, const ExecCpuAffinity& a);
absl::Status ApplyFinalCpuAffinity(const ExecCpuAffinity& a);

// hostname / domainname (need a UTS namespace of our own to be meaningful).
absl::Status SetHostname(std::string_view name);
absl::Status SetDomainname(std::string_view name);

}  // namespace hull::linux
