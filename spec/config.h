// The OCI runtime-spec v1.3.0 container configuration (config.md, config-linux.md) as C++ types,
// plus decoding (with validation that reports every error with its JSON path) and encoding.
//
// Conventions (shared with the rest of hull):
// - type names mirror the Go package runtime-spec/specs-go;
// - field names are the JSON keys in snake_case (cgroupsPath -> cgroups_path);
// - anything optional in the schema (a Go pointer or an omitempty scalar) is std::optional<T>;
//   lists are std::vector (empty == absent, as Go's omitempty treats them), string maps std::map;
// - enumerated strings (namespace types, seccomp actions, ...) stay strings: validation
//   guarantees they hold one of the schema's values, and the runtime maps names to kernel values
//   through its own tables;
// - the non-Linux platform blocks (solaris, windows, vm, zos, freebsd) are kept as raw JSON:
//   a Linux runtime never acts on them, but they survive a decode/encode round trip.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "spec/json.h"

// `linux` is a predefined macro in GNU dialects (-std=gnu++20); the field Spec::linux needs the
// strict dialect (CMAKE_CXX_EXTENSIONS OFF).
#if defined(linux)
#error "spec/config.h needs -std=c++20 (not gnu++20): 'linux' is predefined as a macro"
#endif

namespace hull::spec {

// The runtime-spec version this code implements (and writes into new configs).
inline constexpr std::string_view kOciVersion = "1.3.0";

// ---------------------------------------------------------------------------------------------
// Common (config.md)

struct LinuxIDMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  friend bool operator==(const LinuxIDMapping&, const LinuxIDMapping&) = default;
};

struct Root {
  std::string path;
  std::optional<bool> readonly;
  friend bool operator==(const Root&, const Root&) = default;
};

struct Mount {
  std::string destination;  // required
  std::optional<std::string> type;
  std::optional<std::string> source;
  std::vector<std::string> options;
  std::vector<LinuxIDMapping> uid_mappings;
  std::vector<LinuxIDMapping> gid_mappings;
  friend bool operator==(const Mount&, const Mount&) = default;
};

// Go's Box.
struct Box {
  uint64_t height = 0;
  uint64_t width = 0;
  friend bool operator==(const Box&, const Box&) = default;
};

struct User {
  // Not optional: like Go's User, an absent uid/gid means 0 and is always written.
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::optional<std::string> username;  // windows only
  friend bool operator==(const User&, const User&) = default;
};

struct LinuxCapabilities {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> inheritable;
  std::vector<std::string> permitted;
  std::vector<std::string> ambient;
  friend bool operator==(const LinuxCapabilities&, const LinuxCapabilities&) = default;
};

struct POSIXRlimit {
  std::string type;  // "RLIMIT_[A-Z]+"
  uint64_t hard = 0;
  uint64_t soft = 0;
  friend bool operator==(const POSIXRlimit&, const POSIXRlimit&) = default;
};

struct Scheduler {
  std::string policy;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE,
                       // SCHED_DEADLINE
  std::optional<int32_t> nice;
  std::optional<int32_t> priority;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  std::optional<uint64_t> runtime;
  std::optional<uint64_t> deadline;
  std::optional<uint64_t> period;
  friend bool operator==(const Scheduler&, const Scheduler&) = default;
};

struct LinuxIOPriority {
  // JSON "class" (a C++ keyword): IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE.
  std::string class_;
  int32_t priority = 0;
  friend bool operator==(const LinuxIOPriority&, const LinuxIOPriority&) = default;
};

// process.execCPUAffinity: CPU lists ("0-3,7") for `exec`ed processes.
struct CPUAffinity {
  std::optional<std::string> initial;
  std::optional<std::string> final;
  friend bool operator==(const CPUAffinity&, const CPUAffinity&) = default;
};

struct Process {
  std::optional<bool> terminal;
  std::optional<Box> console_size;
  User user;  // always present (Go: non-pointer)
  std::vector<std::string> args;
  std::optional<std::string> command_line;  // windows only
  std::vector<std::string> env;
  std::string cwd;  // required, absolute
  std::optional<LinuxCapabilities> capabilities;
  std::vector<POSIXRlimit> rlimits;
  std::optional<bool> no_new_privileges;
  std::optional<std::string> apparmor_profile;
  std::optional<int> oom_score_adj;
  std::optional<Scheduler> scheduler;
  std::optional<std::string> selinux_label;
  std::optional<LinuxIOPriority> io_priority;
  std::optional<CPUAffinity> exec_cpu_affinity;
  friend bool operator==(const Process&, const Process&) = default;
};

struct Hook {
  std::string path;  // required, absolute
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds, >= 1
  friend bool operator==(const Hook&, const Hook&) = default;
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated, still honoured
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
  friend bool operator==(const Hooks&, const Hooks&) = default;
};

// ---------------------------------------------------------------------------------------------
// Linux (config-linux.md)

struct LinuxNamespace {
  std::string type;  // mount, pid, network, uts, ipc, user, cgroup, time
  std::optional<std::string> path;
  friend bool operator==(const LinuxNamespace&, const LinuxNamespace&) = default;
};

struct LinuxTimeOffset {
  std::optional<int64_t> secs;
  std::optional<uint32_t> nanosecs;
  friend bool operator==(const LinuxTimeOffset&, const LinuxTimeOffset&) = default;
};

struct LinuxDevice {
  std::string type;  // c, b, u or p
  std::string path;  // absolute
  // Not optional, as in Go: absent means 0 (fifos have no numbers).
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;  // permission bits, 0..0777
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  friend bool operator==(const LinuxDevice&, const LinuxDevice&) = default;
};

struct LinuxDeviceCgroup {
  bool allow = false;               // required
  std::optional<std::string> type;  // a, c or b
  std::optional<int64_t> major;     // absent = all (-1 in Go's cgroup code)
  std::optional<int64_t> minor;
  std::optional<std::string> access;  // subset of "rwm"
  friend bool operator==(const LinuxDeviceCgroup&, const LinuxDeviceCgroup&) = default;
};

struct LinuxMemory {
  std::optional<int64_t> limit;
  std::optional<int64_t> reservation;
  std::optional<int64_t> swap;
  std::optional<int64_t> kernel;      // not recommended
  std::optional<int64_t> kernel_tcp;  // not recommended
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer;
  std::optional<bool> use_hierarchy;
  std::optional<bool> check_before_update;
  friend bool operator==(const LinuxMemory&, const LinuxMemory&) = default;
};

struct LinuxCPU {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::optional<std::string> cpus;
  std::optional<std::string> mems;
  std::optional<int64_t> idle;
  friend bool operator==(const LinuxCPU&, const LinuxCPU&) = default;
};

struct LinuxPids {
  // Required by the schema; optional in Go 1.3 (a pointer) and in config-linux.md. Decoding
  // accepts an absent limit (= no limit); encoding writes it when set.
  std::optional<int64_t> limit;
  friend bool operator==(const LinuxPids&, const LinuxPids&) = default;
};

struct LinuxWeightDevice {
  int64_t major = 0;  // required
  int64_t minor = 0;  // required
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  friend bool operator==(const LinuxWeightDevice&, const LinuxWeightDevice&) = default;
};

struct LinuxThrottleDevice {
  int64_t major = 0;  // required
  int64_t minor = 0;  // required
  uint64_t rate = 0;
  friend bool operator==(const LinuxThrottleDevice&, const LinuxThrottleDevice&) = default;
};

struct LinuxBlockIO {
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  std::vector<LinuxWeightDevice> weight_device;
  std::vector<LinuxThrottleDevice> throttle_read_bps_device;
  std::vector<LinuxThrottleDevice> throttle_write_bps_device;
  std::vector<LinuxThrottleDevice> throttle_read_iops_device;
  std::vector<LinuxThrottleDevice> throttle_write_iops_device;
  friend bool operator==(const LinuxBlockIO&, const LinuxBlockIO&) = default;
};

struct LinuxHugepageLimit {
  std::string page_size;  // "2MB", "1GB", "64KB"
  uint64_t limit = 0;
  friend bool operator==(const LinuxHugepageLimit&, const LinuxHugepageLimit&) = default;
};

struct LinuxInterfacePriority {
  std::string name;
  uint32_t priority = 0;
  friend bool operator==(const LinuxInterfacePriority&, const LinuxInterfacePriority&) = default;
};

struct LinuxNetwork {
  std::optional<uint32_t> class_id;
  std::vector<LinuxInterfacePriority> priorities;
  friend bool operator==(const LinuxNetwork&, const LinuxNetwork&) = default;
};

struct LinuxRdma {
  std::optional<uint32_t> hca_handles;
  std::optional<uint32_t> hca_objects;
  friend bool operator==(const LinuxRdma&, const LinuxRdma&) = default;
};

struct LinuxResources {
  std::vector<LinuxDeviceCgroup> devices;
  std::optional<LinuxMemory> memory;
  std::optional<LinuxCPU> cpu;
  std::optional<LinuxPids> pids;
  std::optional<LinuxBlockIO> block_io;
  std::vector<LinuxHugepageLimit> hugepage_limits;
  std::optional<LinuxNetwork> network;
  std::map<std::string, LinuxRdma> rdma;  // keyed by device name
  std::map<std::string, std::string> unified;
  friend bool operator==(const LinuxResources&, const LinuxResources&) = default;
};

struct LinuxSeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  std::optional<uint64_t> value_two;
  std::string op;  // SCMP_CMP_*
  friend bool operator==(const LinuxSeccompArg&, const LinuxSeccompArg&) = default;
};

struct LinuxSyscall {
  std::vector<std::string> names;  // at least one
  std::string action;              // SCMP_ACT_*
  std::optional<uint32_t> errno_ret;
  std::vector<LinuxSeccompArg> args;
  friend bool operator==(const LinuxSyscall&, const LinuxSyscall&) = default;
};

struct LinuxSeccomp {
  std::string default_action;  // SCMP_ACT_*
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::optional<std::string> listener_path;
  std::optional<std::string> listener_metadata;
  std::vector<LinuxSyscall> syscalls;
  friend bool operator==(const LinuxSeccomp&, const LinuxSeccomp&) = default;
};

struct LinuxIntelRdt {
  std::optional<std::string> clos_id;
  std::vector<std::string> schemata;
  std::optional<std::string> l3_cache_schema;
  std::optional<std::string> mem_bw_schema;  // "MB:..."
  std::optional<bool> enable_monitoring;
  friend bool operator==(const LinuxIntelRdt&, const LinuxIntelRdt&) = default;
};

struct LinuxPersonality {
  std::string domain;  // LINUX or LINUX32
  std::vector<std::string> flags;
  friend bool operator==(const LinuxPersonality&, const LinuxPersonality&) = default;
};

struct LinuxMemoryPolicy {
  std::string mode;  // MPOL_*
  std::optional<std::string> nodes;
  std::vector<std::string> flags;  // MPOL_F_*
  friend bool operator==(const LinuxMemoryPolicy&, const LinuxMemoryPolicy&) = default;
};

struct LinuxNetDevice {
  std::optional<std::string> name;  // name inside the container; default: the host name
  friend bool operator==(const LinuxNetDevice&, const LinuxNetDevice&) = default;
};

struct Linux {
  std::vector<LinuxIDMapping> uid_mappings;
  std::vector<LinuxIDMapping> gid_mappings;
  std::map<std::string, std::string> sysctl;
  std::optional<LinuxResources> resources;
  std::optional<std::string> cgroups_path;
  std::vector<LinuxNamespace> namespaces;
  std::vector<LinuxDevice> devices;
  std::optional<LinuxSeccomp> seccomp;
  std::optional<std::string> rootfs_propagation;  // private, shared, slave, unbindable
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::optional<std::string> mount_label;
  std::optional<LinuxIntelRdt> intel_rdt;
  std::optional<LinuxPersonality> personality;
  std::map<std::string, LinuxTimeOffset> time_offsets;  // "boottime", "monotonic"
  std::optional<LinuxMemoryPolicy> memory_policy;
  std::map<std::string, LinuxNetDevice> net_devices;  // keyed by host interface name
  friend bool operator==(const Linux&, const Linux&) = default;
};

// ---------------------------------------------------------------------------------------------
// The whole config.json

struct Spec {
  std::string oci_version;
  std::optional<Process> process;
  std::optional<Root> root;
  std::optional<std::string> hostname;
  std::optional<std::string> domainname;
  std::vector<Mount> mounts;
  std::optional<Hooks> hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux;
  // Other platforms: checked loosely (must be objects), kept verbatim, never acted on.
  std::optional<json::Value> solaris;
  std::optional<json::Value> windows;
  std::optional<json::Value> vm;
  std::optional<json::Value> zos;
  std::optional<json::Value> freebsd;
  friend bool operator==(const Spec&, const Spec&) = default;
};

// ---------------------------------------------------------------------------------------------
// Decoding and encoding (config_decode.cc, config_encode.cc)

// Decodes and validates a config. On failure the status (InvalidArgument) lists every problem
// found, one per line, each starting with its JSON path:
//   linux.resources.memory.limit: expected integer, got string "abc"
//   mounts[3].destination: must be an absolute path
// Unknown fields are ignored. ociVersion must be a SemVer 2.0 string (any version; see
// CheckSupportedOciVersion).
absl::StatusOr<Spec> ParseConfig(std::string_view json_text);
// The same on an already parsed document. (Not an overload of ParseConfig: json::Value converts
// implicitly from std::string, which would make ParseConfig(std::string) ambiguous.)
absl::StatusOr<Spec> DecodeConfig(const json::Value& doc);
// Decodes a bare process object (`exec --process process.json`), with the same checks as
// config.json's "process" (cwd absolute, args non-empty); paths in errors start at the top
// ("cwd: must be an absolute path").
absl::StatusOr<Process> ParseProcess(std::string_view json_text);
// Reads and parses a config.json file; errors are prefixed with the path. With `document`, the
// parsed JSON is handed back too (create keeps it in the state record instead of re-encoding),
// and with `text` the file's bytes (which state.json embeds as they are: they parse to the same
// document, and need no encoding).
absl::StatusOr<Spec> LoadConfig(const std::string& path, json::Value* document = nullptr,
                                std::string* text = nullptr);

// Rejects (FailedPrecondition) a config whose ociVersion major is not 1. Called by create; other
// tools (spec, state) accept any version.
absl::Status CheckSupportedOciVersion(const Spec& spec);

// Encodes with the JSON key names of the spec, omitting absent optionals and empty lists/maps
// (Go's omitempty), in the field order of Go's specs-go structs.
json::Value EncodeConfig(const Spec& spec);
std::string EmitConfig(const Spec& spec, bool pretty = true);

}  // namespace hull::spec
