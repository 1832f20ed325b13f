// Device access rules and their two kernel forms: cgroup v1 devices.allow/devices.deny lines and,
// for cgroup v2, an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE generated here directly as
// instructions (no libbpf, no compiler).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/unique_fd.h"

namespace hull::cgroups {

struct DeviceRule {
  bool allow = false;
  char type = 'a';     // 'a' (all), 'c' (char) or 'b' (block)
  int64_t major = -1;  // -1: any
  int64_t minor = -1;  // -1: any
  std::string access = "rwm";

  friend bool operator==(const DeviceRule&, const DeviceRule&) = default;
};

// Checks type, access letters and numbers; normalises an empty access to "rwm".
absl::StatusOr<DeviceRule> NormalizeRule(DeviceRule rule);

// The rules runc appends after the spec's linux.resources.devices (libcontainer/specconv
// AllowedDevices): mknod of any char/block device, /dev/null, random, full, tty, zero, urandom,
// /dev/pts/* (136:*), /dev/ptmx (5:2) and /dev/net/tun (10:200). The container layer appends
// them, followed by an allow rule for each linux.devices entry, exactly like runc does; the
// Manager applies whatever list it is given. (runc dropped /dev/console, 5:1, from this list: the
// console is a pty under 136:*.)
std::vector<DeviceRule> DefaultAllowedDevices();

// "c 1:3 rwm", "a *:* rwm": the v1 devices.allow / devices.deny syntax.
std::string V1RuleString(const DeviceRule& rule);

// Builds a cgroup device program with v1 semantics for `rules` applied in order on top of "deny
// everything": the last rule that matches a request decides. An allow rule matches when it grants
// every requested access bit; a deny rule matches when it names any requested bit. A request no
// rule matches is denied.
absl::StatusOr<std::vector<bpf_insn>> GenerateDeviceProgram(absl::Span<const DeviceRule> rules);

// BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program; the verifier log is in the error.
absl::StatusOr<UniqueFd> LoadDeviceProgram(absl::Span<const bpf_insn> insns);

// Attaches `prog_fd` to the cgroup (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then detaches the
// programs that were attached to this very cgroup before, so an update replaces the filter
// without a window in which nothing is attached.
absl::Status ReplaceDeviceProgram(int cgroup_dir_fd, int prog_fd);

// Number of device programs attached directly to the cgroup (BPF_PROG_QUERY).
absl::StatusOr<int> CountDevicePrograms(int cgroup_dir_fd);

}  // namespace hull::cgroups
