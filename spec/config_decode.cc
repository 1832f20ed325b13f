// Decoding and validation of config.json. Follows schema/config-schema.json, config-linux.json,
// defs.json and defs-linux.json of runtime-spec v1.3.0, plus the MUSTs of config.md /
// config-linux.md that the schema cannot express (absolute paths, args, mapping pairs).
//
// Every reader keeps going after an error so one run reports all problems; each problem is
// recorded with its JSON path.
#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "spec/config.h"
#include "spec/decode_util.h"
#include "spec/enums.h"

namespace hull::spec {
namespace {

using internal::ArrayOf;
using internal::CheckEnum;
using internal::Errors;
using internal::IsAbsolutePath;
using internal::MapOf;
using internal::ObjectReader;
using json::Value;

// --- small field checks ---------------------------------------------------------------------

void CheckAbsolute(Errors& e, const std::string& path, std::string_view value) {
  if (!IsAbsolutePath(value)) e.Add(path, "must be an absolute path");
}

void CheckNonEmpty(Errors& e, const std::string& path, std::string_view value) {
  if (value.empty()) e.Add(path, "must not be empty");
}

// Reads a string field and checks it against an enum.
// Reads a string field (required for std::string, optional for std::optional<std::string>) and
// checks it against an enum.
template <typename Out>
void EnumField(ObjectReader& r, std::string_view key, Out& out, std::string_view what,
               std::span<const std::string_view> names) {
  if constexpr (std::is_same_v<Out, std::string>) {
    if (r.Required(key, out)) CheckEnum(r.errors(), r.PathOf(key), out, what, names);
  } else {
    if (r.Optional(key, out)) CheckEnum(r.errors(), r.PathOf(key), *out, what, names);
  }
}

void EnumList(ObjectReader& r, std::string_view key, std::vector<std::string>& out,
              std::string_view what, std::span<const std::string_view> names) {
  if (!r.Optional(key, out)) return;
  for (size_t i = 0; i < out.size(); ++i) {
    CheckEnum(r.errors(), internal::Index(r.PathOf(key), i), out[i], what, names);
  }
}

// --- common blocks --------------------------------------------------------------------------

bool ReadIDMapping(Errors& e, const Value& v, const std::string& path, LinuxIDMapping& out) {
  ObjectReader r(e, v, path);
  r.Required("containerID", out.container_id);
  r.Required("hostID", out.host_id);
  r.Required("size", out.size);
  return r.ok();
}

// uidMappings and gidMappings come as a pair (config.md, mounts).
void ReadMappingPair(ObjectReader& r, std::vector<LinuxIDMapping>& uids,
                     std::vector<LinuxIDMapping>& gids, bool must_pair) {
  bool has_uid = r.Optional("uidMappings", uids, ArrayOf(ReadIDMapping));
  bool has_gid = r.Optional("gidMappings", gids, ArrayOf(ReadIDMapping));
  if (!must_pair) return;
  if (r.Has("uidMappings") && !r.Has("gidMappings") && has_uid) {
    r.errors().Add(r.PathOf("gidMappings"), "required when uidMappings is set");
  }
  if (r.Has("gidMappings") && !r.Has("uidMappings") && has_gid) {
    r.errors().Add(r.PathOf("uidMappings"), "required when gidMappings is set");
  }
}

bool ReadRoot(Errors& e, const Value& v, const std::string& path, Root& out) {
  ObjectReader r(e, v, path);
  if (r.Required("path", out.path)) CheckNonEmpty(e, r.PathOf("path"), out.path);
  r.Optional("readonly", out.readonly);
  return r.ok();
}

bool ReadMount(Errors& e, const Value& v, const std::string& path, Mount& out) {
  ObjectReader r(e, v, path);
  // On Linux a relative destination is deprecated but allowed (interpreted relative to "/"),
  // so only an empty one is an error here.
  if (r.Required("destination", out.destination)) {
    CheckNonEmpty(e, r.PathOf("destination"), out.destination);
  }
  r.Optional("type", out.type);
  r.Optional("source", out.source);
  r.Optional("options", out.options);
  ReadMappingPair(r, out.uid_mappings, out.gid_mappings, /*must_pair=*/true);
  return r.ok();
}

bool ReadBox(Errors& e, const Value& v, const std::string& path, Box& out) {
  ObjectReader r(e, v, path);
  r.Required("height", out.height);
  r.Required("width", out.width);
  return r.ok();
}

bool ReadUser(Errors& e, const Value& v, const std::string& path, User& out) {
  ObjectReader r(e, v, path);
  r.Optional("uid", out.uid);
  r.Optional("gid", out.gid);
  r.Optional("umask", out.umask);
  r.Optional("additionalGids", out.additional_gids);
  r.Optional("username", out.username);
  return r.ok();
}

bool ReadCapabilities(Errors& e, const Value& v, const std::string& path, LinuxCapabilities& out) {
  ObjectReader r(e, v, path);
  r.Optional("bounding", out.bounding);
  r.Optional("effective", out.effective);
  r.Optional("inheritable", out.inheritable);
  r.Optional("permitted", out.permitted);
  r.Optional("ambient", out.ambient);
  return r.ok();
}

bool IsRlimitName(std::string_view s) {
  constexpr std::string_view kPrefix = "RLIMIT_";
  if (s.size() <= kPrefix.size() || s.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(s.begin() + kPrefix.size(), s.end(),
                     [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool ReadRlimit(Errors& e, const Value& v, const std::string& path, POSIXRlimit& out) {
  ObjectReader r(e, v, path);
  if (r.Required("type", out.type) && !IsRlimitName(out.type)) {
    e.Add(r.PathOf("type"), absl::StrCat("invalid rlimit type ", json::Emit(Value(out.type)),
                                         "; expected RLIMIT_[A-Z]+"));
  }
  r.Required("soft", out.soft);
  r.Required("hard", out.hard);
  return r.ok();
}

bool ReadScheduler(Errors& e, const Value& v, const std::string& path, Scheduler& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "policy", out.policy, "scheduler policy", kSchedulerPolicies);
  r.Optional("nice", out.nice);
  r.Optional("priority", out.priority);
  EnumList(r, "flags", out.flags, "scheduler flag", kSchedulerFlags);
  r.Optional("runtime", out.runtime);
  r.Optional("deadline", out.deadline);
  r.Optional("period", out.period);
  return r.ok();
}

bool ReadIOPriority(Errors& e, const Value& v, const std::string& path, LinuxIOPriority& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "class", out.class_, "I/O priority class", kIOPriorityClasses);
  r.Optional("priority", out.priority);
  return r.ok();
}

// "^[0-9, -]*$"
void CheckCpuList(Errors& e, const std::string& path, const std::optional<std::string>& s) {
  if (!s.has_value()) return;
  for (char c : *s) {
    if (!((c >= '0' && c <= '9') || c == ',' || c == ' ' || c == '-')) {
      e.Add(path, absl::StrCat("invalid CPU list ", json::Emit(Value(*s)),
                               "; expected digits, ',', '-' and spaces"));
      return;
    }
  }
}

bool ReadCPUAffinity(Errors& e, const Value& v, const std::string& path, CPUAffinity& out) {
  ObjectReader r(e, v, path);
  r.Optional("initial", out.initial);
  r.Optional("final", out.final);
  CheckCpuList(e, r.PathOf("initial"), out.initial);
  CheckCpuList(e, r.PathOf("final"), out.final);
  return r.ok();
}

// Windows paths ("C:\\dir", "\\\\?\\Volume{...}") count as absolute in a Windows config.
bool IsWindowsAbsolutePath(std::string_view p) {
  if (p.size() >= 3 && std::isalpha(static_cast<unsigned char>(p[0])) && p[1] == ':' &&
      (p[2] == '\\' || p[2] == '/')) {
    return true;
  }
  return p.size() >= 2 && p[0] == '\\' && p[1] == '\\';
}

bool ReadProcess(Errors& e, const Value& v, const std::string& path, Process& out, bool windows) {
  ObjectReader r(e, v, path);
  r.Optional("terminal", out.terminal);
  r.Optional("consoleSize", out.console_size, ReadBox);
  r.Optional("user", out.user, ReadUser);
  r.Optional("args", out.args);
  r.Optional("commandLine", out.command_line);
  r.Optional("env", out.env);
  if (r.Required("cwd", out.cwd) && !(windows && IsWindowsAbsolutePath(out.cwd))) {
    CheckAbsolute(e, r.PathOf("cwd"), out.cwd);
  }
  r.Optional("capabilities", out.capabilities, ReadCapabilities);
  r.Optional("rlimits", out.rlimits, ArrayOf(ReadRlimit));
  r.Optional("noNewPrivileges", out.no_new_privileges);
  r.Optional("apparmorProfile", out.apparmor_profile);
  r.Optional("oomScoreAdj", out.oom_score_adj);
  r.Optional("scheduler", out.scheduler, ReadScheduler);
  r.Optional("selinuxLabel", out.selinux_label);
  r.Optional("ioPriority", out.io_priority, ReadIOPriority);
  r.Optional("execCPUAffinity", out.exec_cpu_affinity, ReadCPUAffinity);
  return r.ok();
}

void CheckArgs(Errors& e, const Value& process, const std::string& path) {
  const Value* args = process.Find("args");
  if (args == nullptr) {
    e.Add(internal::Field(path, "args"), "required field missing");
  } else if (args->is_array() && args->as_array().empty()) {
    e.Add(internal::Field(path, "args"), "must have at least one entry");
  }
}

bool ReadHook(Errors& e, const Value& v, const std::string& path, Hook& out) {
  ObjectReader r(e, v, path);
  if (r.Required("path", out.path)) CheckAbsolute(e, r.PathOf("path"), out.path);
  r.Optional("args", out.args);
  r.Optional("env", out.env);
  if (r.Optional("timeout", out.timeout) && *out.timeout < 1) {
    e.Add(r.PathOf("timeout"), absl::StrCat("must be at least 1 second, got ", *out.timeout));
  }
  return r.ok();
}

bool ReadHooks(Errors& e, const Value& v, const std::string& path, Hooks& out) {
  ObjectReader r(e, v, path);
  r.Optional("prestart", out.prestart, ArrayOf(ReadHook));
  r.Optional("createRuntime", out.create_runtime, ArrayOf(ReadHook));
  r.Optional("createContainer", out.create_container, ArrayOf(ReadHook));
  r.Optional("startContainer", out.start_container, ArrayOf(ReadHook));
  r.Optional("poststart", out.poststart, ArrayOf(ReadHook));
  r.Optional("poststop", out.poststop, ArrayOf(ReadHook));
  return r.ok();
}

// --- linux ----------------------------------------------------------------------------------

bool ReadNamespace(Errors& e, const Value& v, const std::string& path, LinuxNamespace& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "type", out.type, "namespace type", kNamespaceTypes);
  if (r.Optional("path", out.path)) CheckAbsolute(e, r.PathOf("path"), *out.path);
  return r.ok();
}

bool ReadTimeOffset(Errors& e, const Value& v, const std::string& path, LinuxTimeOffset& out) {
  ObjectReader r(e, v, path);
  r.Optional("secs", out.secs);
  r.Optional("nanosecs", out.nanosecs);
  return r.ok();
}

bool ReadDevice(Errors& e, const Value& v, const std::string& path, LinuxDevice& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "type", out.type, "device type", kDeviceTypes);
  if (r.Required("path", out.path)) CheckAbsolute(e, r.PathOf("path"), out.path);
  // major/minor: REQUIRED unless the type is p (config-linux.md).
  bool numbered = r.Has("type") && out.type != "p";
  if (numbered) {
    r.Required("major", out.major);
    r.Required("minor", out.minor);
  } else {
    r.Optional("major", out.major);
    r.Optional("minor", out.minor);
  }
  // Clients send Go's os.FileMode bits as runc accepts them, type bits included (podman: 8630 =
  // S_IFCHR|0666); only the permission bits (& 07777) are applied.
  if (r.Optional("fileMode", out.file_mode) && *out.file_mode > 0177777) {
    e.Add(r.PathOf("fileMode"),
          absl::StrCat(*out.file_mode, " is out of range for a file mode [0, 65535]"));
  }
  r.Optional("uid", out.uid);
  r.Optional("gid", out.gid);
  return r.ok();
}

bool ReadDeviceCgroup(Errors& e, const Value& v, const std::string& path, LinuxDeviceCgroup& out) {
  ObjectReader r(e, v, path);
  r.Required("allow", out.allow);
  EnumField(r, "type", out.type, "device cgroup type", kDeviceCgroupTypes);
  r.Optional("major", out.major);
  r.Optional("minor", out.minor);
  if (r.Optional("access", out.access)) {
    for (char c : *out.access) {
      if (c != 'r' && c != 'w' && c != 'm') {
        e.Add(r.PathOf("access"), absl::StrCat("invalid access ", json::Emit(Value(*out.access)),
                                               "; expected letters from \"rwm\""));
        break;
      }
    }
  }
  return r.ok();
}

bool ReadMemory(Errors& e, const Value& v, const std::string& path, LinuxMemory& out) {
  ObjectReader r(e, v, path);
  r.Optional("limit", out.limit);
  r.Optional("reservation", out.reservation);
  r.Optional("swap", out.swap);
  r.Optional("kernel", out.kernel);
  r.Optional("kernelTCP", out.kernel_tcp);
  r.Optional("swappiness", out.swappiness);
  r.Optional("disableOOMKiller", out.disable_oom_killer);
  r.Optional("useHierarchy", out.use_hierarchy);
  r.Optional("checkBeforeUpdate", out.check_before_update);
  return r.ok();
}

bool ReadCPU(Errors& e, const Value& v, const std::string& path, LinuxCPU& out) {
  ObjectReader r(e, v, path);
  r.Optional("shares", out.shares);
  r.Optional("quota", out.quota);
  r.Optional("burst", out.burst);
  r.Optional("period", out.period);
  r.Optional("realtimeRuntime", out.realtime_runtime);
  r.Optional("realtimePeriod", out.realtime_period);
  r.Optional("cpus", out.cpus);
  r.Optional("mems", out.mems);
  r.Optional("idle", out.idle);
  return r.ok();
}

bool ReadPids(Errors& e, const Value& v, const std::string& path, LinuxPids& out) {
  ObjectReader r(e, v, path);
  r.Optional("limit", out.limit);
  return r.ok();
}

bool ReadWeightDevice(Errors& e, const Value& v, const std::string& path, LinuxWeightDevice& out) {
  ObjectReader r(e, v, path);
  r.Required("major", out.major);
  r.Required("minor", out.minor);
  r.Optional("weight", out.weight);
  r.Optional("leafWeight", out.leaf_weight);
  return r.ok();
}

bool ReadThrottleDevice(Errors& e, const Value& v, const std::string& path,
                        LinuxThrottleDevice& out) {
  ObjectReader r(e, v, path);
  r.Required("major", out.major);
  r.Required("minor", out.minor);
  r.Required("rate", out.rate);
  return r.ok();
}

bool ReadBlockIO(Errors& e, const Value& v, const std::string& path, LinuxBlockIO& out) {
  ObjectReader r(e, v, path);
  r.Optional("weight", out.weight);
  r.Optional("leafWeight", out.leaf_weight);
  r.Optional("weightDevice", out.weight_device, ArrayOf(ReadWeightDevice));
  r.Optional("throttleReadBpsDevice", out.throttle_read_bps_device, ArrayOf(ReadThrottleDevice));
  r.Optional("throttleWriteBpsDevice", out.throttle_write_bps_device, ArrayOf(ReadThrottleDevice));
  r.Optional("throttleReadIOPSDevice", out.throttle_read_iops_device, ArrayOf(ReadThrottleDevice));
  r.Optional("throttleWriteIOPSDevice", out.throttle_write_iops_device,
             ArrayOf(ReadThrottleDevice));
  return r.ok();
}

// "^[1-9][0-9]*[KMG]B$"
bool IsHugepageSize(std::string_view s) {
  if (s.size() < 3 || s[0] < '1' || s[0] > '9' || s.back() != 'B') return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  return std::all_of(s.begin() + 1, s.end() - 2, [](char c) { return c >= '0' && c <= '9'; });
}

bool ReadHugepageLimit(Errors& e, const Value& v, const std::string& path,
                       LinuxHugepageLimit& out) {
  ObjectReader r(e, v, path);
  if (r.Required("pageSize", out.page_size) && !IsHugepageSize(out.page_size)) {
    e.Add(r.PathOf("pageSize"), absl::StrCat("invalid page size ", json::Emit(Value(out.page_size)),
                                             "; expected <number>KB, MB or GB"));
  }
  r.Required("limit", out.limit);
  return r.ok();
}

bool ReadInterfacePriority(Errors& e, const Value& v, const std::string& path,
                           LinuxInterfacePriority& out) {
  ObjectReader r(e, v, path);
  r.Required("name", out.name);
  r.Required("priority", out.priority);
  return r.ok();
}

bool ReadNetwork(Errors& e, const Value& v, const std::string& path, LinuxNetwork& out) {
  ObjectReader r(e, v, path);
  r.Optional("classID", out.class_id);
  r.Optional("priorities", out.priorities, ArrayOf(ReadInterfacePriority));
  return r.ok();
}

bool ReadRdma(Errors& e, const Value& v, const std::string& path, LinuxRdma& out) {
  ObjectReader r(e, v, path);
  r.Optional("hcaHandles", out.hca_handles);
  r.Optional("hcaObjects", out.hca_objects);
  return r.ok();
}

bool ReadResources(Errors& e, const Value& v, const std::string& path, LinuxResources& out) {
  ObjectReader r(e, v, path);
  r.Optional("devices", out.devices, ArrayOf(ReadDeviceCgroup));
  r.Optional("memory", out.memory, ReadMemory);
  r.Optional("cpu", out.cpu, ReadCPU);
  r.Optional("pids", out.pids, ReadPids);
  r.Optional("blockIO", out.block_io, ReadBlockIO);
  r.Optional("hugepageLimits", out.hugepage_limits, ArrayOf(ReadHugepageLimit));
  r.Optional("network", out.network, ReadNetwork);
  r.Optional("rdma", out.rdma, MapOf(ReadRdma));
  r.Optional("unified", out.unified);
  return r.ok();
}

bool ReadSeccompArg(Errors& e, const Value& v, const std::string& path, LinuxSeccompArg& out) {
  ObjectReader r(e, v, path);
  r.Required("index", out.index);
  r.Required("value", out.value);
  r.Optional("valueTwo", out.value_two);
  EnumField(r, "op", out.op, "seccomp operator", kSeccompOperators);
  return r.ok();
}

bool ReadSyscall(Errors& e, const Value& v, const std::string& path, LinuxSyscall& out) {
  ObjectReader r(e, v, path);
  if (r.Required("names", out.names) && out.names.empty()) {
    e.Add(r.PathOf("names"), "must have at least one entry");
  }
  EnumField(r, "action", out.action, "seccomp action", kSeccompActions);
  r.Optional("errnoRet", out.errno_ret);
  r.Optional("args", out.args, ArrayOf(ReadSeccompArg));
  return r.ok();
}

bool ReadSeccomp(Errors& e, const Value& v, const std::string& path, LinuxSeccomp& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "defaultAction", out.default_action, "seccomp action", kSeccompActions);
  r.Optional("defaultErrnoRet", out.default_errno_ret);
  EnumList(r, "architectures", out.architectures, "seccomp architecture", kSeccompArchs);
  EnumList(r, "flags", out.flags, "seccomp flag", kSeccompFlags);
  r.Optional("listenerPath", out.listener_path);
  if (r.Optional("listenerMetadata", out.listener_metadata) && !r.Has("listenerPath")) {
    e.Add(r.PathOf("listenerMetadata"), "must not be set without listenerPath");
  }
  r.Optional("syscalls", out.syscalls, ArrayOf(ReadSyscall));
  return r.ok();
}

bool ReadIntelRdt(Errors& e, const Value& v, const std::string& path, LinuxIntelRdt& out) {
  ObjectReader r(e, v, path);
  r.Optional("closID", out.clos_id);
  r.Optional("schemata", out.schemata);
  r.Optional("l3CacheSchema", out.l3_cache_schema);
  if (r.Optional("memBwSchema", out.mem_bw_schema)) {
    const std::string& s = *out.mem_bw_schema;
    if (s.rfind("MB:", 0) != 0 || s.find('\n') != std::string::npos) {
      e.Add(r.PathOf("memBwSchema"), absl::StrCat("invalid schema ", json::Emit(Value(s)),
                                                  "; expected one line starting with \"MB:\""));
    }
  }
  r.Optional("enableMonitoring", out.enable_monitoring);
  return r.ok();
}

bool ReadPersonality(Errors& e, const Value& v, const std::string& path, LinuxPersonality& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "domain", out.domain, "personality domain", kPersonalityDomains);
  r.Optional("flags", out.flags);
  return r.ok();
}

bool ReadMemoryPolicy(Errors& e, const Value& v, const std::string& path, LinuxMemoryPolicy& out) {
  ObjectReader r(e, v, path);
  EnumField(r, "mode", out.mode, "memory policy mode", kMemoryPolicyModes);
  r.Optional("nodes", out.nodes);
  EnumList(r, "flags", out.flags, "memory policy flag", kMemoryPolicyFlags);
  return r.ok();
}

bool ReadNetDevice(Errors& e, const Value& v, const std::string& path, LinuxNetDevice& out) {
  ObjectReader r(e, v, path);
  r.Optional("name", out.name);
  return r.ok();
}

bool ReadLinux(Errors& e, const Value& v, const std::string& path, Linux& out) {
  ObjectReader r(e, v, path);
  r.Optional("uidMappings", out.uid_mappings, ArrayOf(ReadIDMapping));
  r.Optional("gidMappings", out.gid_mappings, ArrayOf(ReadIDMapping));
  r.Optional("sysctl", out.sysctl);
  r.Optional("resources", out.resources, ReadResources);
  r.Optional("cgroupsPath", out.cgroups_path);
  if (r.Optional("namespaces", out.namespaces, ArrayOf(ReadNamespace)) || r.Has("namespaces")) {
    // Each type at most once: the runtime cannot both create and join, or join two.
    std::set<std::string> seen;
    for (size_t i = 0; i < out.namespaces.size(); ++i) {
      if (!seen.insert(out.namespaces[i].type).second) {
        e.Add(internal::Field(internal::Index(r.PathOf("namespaces"), i), "type"),
              absl::StrCat("duplicate namespace type ", json::Emit(Value(out.namespaces[i].type))));
      }
    }
  }
  r.Optional("devices", out.devices, ArrayOf(ReadDevice));
  r.Optional("netDevices", out.net_devices, MapOf(ReadNetDevice));
  r.Optional("seccomp", out.seccomp, ReadSeccomp);
  EnumField(r, "rootfsPropagation", out.rootfs_propagation, "rootfs propagation",
            kRootfsPropagations);
  r.Optional("maskedPaths", out.masked_paths);
  r.Optional("readonlyPaths", out.readonly_paths);
  r.Optional("mountLabel", out.mount_label);
  r.Optional("intelRdt", out.intel_rdt, ReadIntelRdt);
  r.Optional("personality", out.personality, ReadPersonality);
  r.Optional("timeOffsets", out.time_offsets, MapOf(ReadTimeOffset));
  r.Optional("memoryPolicy", out.memory_policy, ReadMemoryPolicy);
  return r.ok();
}

bool ReadSpec(Errors& e, const Value& v, Spec& out) {
  ObjectReader r(e, v, "");
  if (r.Required("ociVersion", out.oci_version) && !internal::IsSemVer(out.oci_version)) {
    e.Add("ociVersion", absl::StrCat("invalid version ", json::Emit(Value(out.oci_version)),
                                     "; expected SemVer 2.0.0 (e.g. \"1.3.0\")"));
  }
  const bool windows = r.Has("windows");
  r.Optional("process", out.process,
             [windows](Errors& e, const Value& v, const std::string& path, Process& p) {
               return ReadProcess(e, v, path, p, windows);
             });
  r.Optional("root", out.root, ReadRoot);
  r.Optional("hostname", out.hostname);
  r.Optional("domainname", out.domainname);
  r.Optional("mounts", out.mounts, ArrayOf(ReadMount));
  r.Optional("hooks", out.hooks, ReadHooks);
  r.Optional("annotations", out.annotations);
  r.Optional("linux", out.linux, ReadLinux);
  static constexpr std::pair<std::string_view, std::optional<Value> Spec::*> kPlatforms[] = {
      {"solaris", &Spec::solaris}, {"windows", &Spec::windows}, {"vm", &Spec::vm},
      {"zos", &Spec::zos},         {"freebsd", &Spec::freebsd},
  };
  for (const auto& [name, member] : kPlatforms) {
    if (const Value* block = r.Get(name)) {
      internal::CheckPlatformBlock(e, name, *block, r.PathOf(name));
      out.*member = *block;
    }
  }
  // args: at least one entry outside Windows (config.md); Windows may use commandLine instead.
  const Value* process = r.Get("process");
  if (process != nullptr && process->is_object() && !r.Has("windows")) {
    CheckArgs(e, *process, "process");
  }
  return r.ok();
}

}  // namespace

absl::StatusOr<Spec> DecodeConfig(const json::Value& doc) {
  Errors errors;
  Spec spec;
  ReadSpec(errors, doc, spec);
  RETURN_IF_ERROR(errors.ToStatus());
  return spec;
}

absl::StatusOr<Spec> ParseConfig(std::string_view json_text) {
  ASSIGN_OR_RETURN(json::Value doc, json::Parse(json_text));
  return DecodeConfig(doc);
}

absl::StatusOr<Process> ParseProcess(std::string_view json_text) {
  ASSIGN_OR_RETURN(json::Value doc, json::Parse(json_text));
  Errors errors;
  Process process;
  if (ReadProcess(errors, doc, "", process, /*windows=*/false)) CheckArgs(errors, doc, "");
  RETURN_IF_ERROR(errors.ToStatus());
  return process;
}

absl::StatusOr<Spec> LoadConfig(const std::string& path, json::Value* document,
                                std::string* text_out) {
  auto text = ReadFile(path);
  if (!text.ok()) return Annotate(text.status(), absl::StrCat("load config ", path));
  auto doc = json::Parse(*text);
  if (!doc.ok()) return Annotate(doc.status(), path);
  auto spec = DecodeConfig(*doc);
  if (!spec.ok()) return Annotate(spec.status(), path);
  if (document) *document = std::move(*doc);
  if (text_out) *text_out = std::move(*text);
  return spec;
}

absl::Status CheckSupportedOciVersion(const Spec& spec) {
  std::string_view v = spec.oci_version;
  std::string_view major = v.substr(0, v.find('.'));
  if (major != "1") {
    return absl::FailedPreconditionError(absl::StrCat(
        "unsupported ociVersion ", json::Emit(Value(spec.oci_version)),
        ": this runtime implements runtime-spec ", std::string(kOciVersion), " and accepts 1.x"));
  }
  return absl::OkStatus();
}

}  // namespace hull::spec
