// Encoding of config.json: keys in the order of Go's specs-go structs (so `hull spec` output
// lines up with `runc spec`), omitting what Go's omitempty omits.
#include "spec/config.h"
#include "spec/encode_util.h"

namespace hull::spec {

using internal::ObjectWriter;
using json::Value;

// These are found by argument-dependent lookup from the ObjectWriter templates; `static` keeps
// them private to this file.
static Value ToJson(const LinuxIDMapping& m) {
  ObjectWriter w;
  w.Put("containerID", m.container_id);
  w.Put("hostID", m.host_id);
  w.Put("size", m.size);
  return w.Finish();
}

static Value ToJson(const Root& r) {
  ObjectWriter w;
  w.Put("path", r.path);
  w.Put("readonly", r.readonly);
  return w.Finish();
}

static Value ToJson(const Mount& m) {
  ObjectWriter w;
  w.Put("destination", m.destination);
  w.Put("type", m.type);
  w.Put("source", m.source);
  w.Put("options", m.options);
  w.Put("uidMappings", m.uid_mappings);
  w.Put("gidMappings", m.gid_mappings);
  return w.Finish();
}

static Value ToJson(const Box& b) {
  ObjectWriter w;
  w.Put("height", b.height);
  w.Put("width", b.width);
  return w.Finish();
}

static Value ToJson(const User& u) {
  ObjectWriter w;
  w.Put("uid", u.uid);
  w.Put("gid", u.gid);
  w.Put("umask", u.umask);
  w.Put("additionalGids", u.additional_gids);
  w.Put("username", u.username);
  return w.Finish();
}

static Value ToJson(const LinuxCapabilities& c) {
  ObjectWriter w;
  w.Put("bounding", c.bounding);
  w.Put("effective", c.effective);
  w.Put("inheritable", c.inheritable);
  w.Put("permitted", c.permitted);
  w.Put("ambient", c.ambient);
  return w.Finish();
}

static Value ToJson(const POSIXRlimit& r) {
  ObjectWriter w;
  w.Put("type", r.type);
  w.Put("hard", r.hard);
  w.Put("soft", r.soft);
  return w.Finish();
}

static Value ToJson(const Scheduler& s) {
  ObjectWriter w;
  w.Put("policy", s.policy);
  w.Put("nice", s.nice);
  w.Put("priority", s.priority);
  w.Put("flags", s.flags);
  w.Put("runtime", s.runtime);
  w.Put("deadline", s.deadline);
  w.Put("period", s.period);
  return w.Finish();
}

static Value ToJson(const LinuxIOPriority& p) {
  ObjectWriter w;
  w.Put("class", p.class_);
  w.Put("priority", p.priority);
  return w.Finish();
}

static Value ToJson(const CPUAffinity& a) {
  ObjectWriter w;
  w.Put("initial", a.initial);
  w.Put("final", a.final);
  return w.Finish();
}

static Value ToJson(const Process& p) {
  ObjectWriter w;
  w.Put("terminal", p.terminal);
  w.Put("consoleSize", p.console_size);
  w.Put("user", p.user);
  w.Put("args", p.args);
  w.Put("commandLine", p.command_line);
  w.Put("env", p.env);
  w.Put("cwd", p.cwd);
  w.Put("capabilities", p.capabilities);
  w.Put("rlimits", p.rlimits);
  w.Put("noNewPrivileges", p.no_new_privileges);
  w.Put("apparmorProfile", p.apparmor_profile);
  w.Put("oomScoreAdj", p.oom_score_adj);
  w.Put("scheduler", p.scheduler);
  w.Put("selinuxLabel", p.selinux_label);
  w.Put("ioPriority", p.io_priority);
  w.Put("execCPUAffinity", p.exec_cpu_affinity);
  return w.Finish();
}

static Value ToJson(const Hook& h) {
  ObjectWriter w;
  w.Put("path", h.path);
  w.Put("args", h.args);
  w.Put("env", h.env);
  w.Put("timeout", h.timeout);
  return w.Finish();
}

static Value ToJson(const Hooks& h) {
  ObjectWriter w;
  w.Put("prestart", h.prestart);
  w.Put("createRuntime", h.create_runtime);
  w.Put("createContainer", h.create_container);
  w.Put("startContainer", h.start_container);
  w.Put("poststart", h.poststart);
  w.Put("poststop", h.poststop);
  return w.Finish();
}

static Value ToJson(const LinuxNamespace& n) {
  ObjectWriter w;
  w.Put("type", n.type);
  w.Put("path", n.path);
  return w.Finish();
}

static Value ToJson(const LinuxTimeOffset& t) {
  ObjectWriter w;
  w.Put("secs", t.secs);
  w.Put("nanosecs", t.nanosecs);
  return w.Finish();
}

static Value ToJson(const LinuxDevice& d) {
  ObjectWriter w;
  w.Put("path", d.path);
  w.Put("type", d.type);
  w.Put("major", d.major);
  w.Put("minor", d.minor);
  w.Put("fileMode", d.file_mode);
  w.Put("uid", d.uid);
  w.Put("gid", d.gid);
  return w.Finish();
}

static Value ToJson(const LinuxDeviceCgroup& d) {
  ObjectWriter w;
  w.Put("allow", d.allow);
  w.Put("type", d.type);
  w.Put("major", d.major);
  w.Put("minor", d.minor);
  w.Put("access", d.access);
  return w.Finish();
}

static Value ToJson(const LinuxMemory& m) {
  ObjectWriter w;
  w.Put("limit", m.limit);
  w.Put("reservation", m.reservation);
  w.Put("swap", m.swap);
  w.Put("kernel", m.kernel);
  w.Put("kernelTCP", m.kernel_tcp);
  w.Put("swappiness", m.swappiness);
  w.Put("disableOOMKiller", m.disable_oom_killer);
  w.Put("useHierarchy", m.use_hierarchy);
  w.Put("checkBeforeUpdate", m.check_before_update);
  return w.Finish();
}

static Value ToJson(const LinuxCPU& c) {
  ObjectWriter w;
  w.Put("shares", c.shares);
  w.Put("quota", c.quota);
  w.Put("burst", c.burst);
  w.Put("period", c.period);
  w.Put("realtimeRuntime", c.realtime_runtime);
  w.Put("realtimePeriod", c.realtime_period);
  w.Put("cpus", c.cpus);
  w.Put("mems", c.mems);
  w.Put("idle", c.idle);
  return w.Finish();
}

static Value ToJson(const LinuxPids& p) {
  ObjectWriter w;
  w.Put("limit", p.limit);
  return w.Finish();
}

static Value ToJson(const LinuxWeightDevice& d) {
  ObjectWriter w;
  w.Put("major", d.major);
  w.Put("minor", d.minor);
  w.Put("weight", d.weight);
  w.Put("leafWeight", d.leaf_weight);
  return w.Finish();
}

static Value ToJson(const LinuxThrottleDevice& d) {
  ObjectWriter w;
  w.Put("major", d.major);
  w.Put("minor", d.minor);
  w.Put("rate", d.rate);
  return w.Finish();
}

static Value ToJson(const LinuxBlockIO& b) {
  ObjectWriter w;
  w.Put("weight", b.weight);
  w.Put("leafWeight", b.leaf_weight);
  w.Put("weightDevice", b.weight_device);
  w.Put("throttleReadBpsDevice", b.throttle_read_bps_device);
  w.Put("throttleWriteBpsDevice", b.throttle_write_bps_device);
  w.Put("throttleReadIOPSDevice", b.throttle_read_iops_device);
  w.Put("throttleWriteIOPSDevice", b.throttle_write_iops_device);
  return w.Finish();
}

static Value ToJson(const LinuxHugepageLimit& h) {
  ObjectWriter w;
  w.Put("pageSize", h.page_size);
  w.Put("limit", h.limit);
  return w.Finish();
}

static Value ToJson(const LinuxInterfacePriority& p) {
  ObjectWriter w;
  w.Put("name", p.name);
  w.Put("priority", p.priority);
  return w.Finish();
}

static Value ToJson(const LinuxNetwork& n) {
  ObjectWriter w;
  w.Put("classID", n.class_id);
  w.Put("priorities", n.priorities);
  return w.Finish();
}

static Value ToJson(const LinuxRdma& r) {
  ObjectWriter w;
  w.Put("hcaHandles", r.hca_handles);
  w.Put("hcaObjects", r.hca_objects);
  return w.Finish();
}

static Value ToJson(const LinuxResources& r) {
  ObjectWriter w;
  w.Put("devices", r.devices);
  w.Put("memory", r.memory);
  w.Put("cpu", r.cpu);
  w.Put("pids", r.pids);
  w.Put("blockIO", r.block_io);
  w.Put("hugepageLimits", r.hugepage_limits);
  w.Put("network", r.network);
  w.Put("rdma", r.rdma);
  w.Put("unified", r.unified);
  return w.Finish();
}

static Value ToJson(const LinuxSeccompArg& a) {
  ObjectWriter w;
  w.Put("index", a.index);
  w.Put("value", a.value);
  w.Put("valueTwo", a.value_two);
  w.Put("op", a.op);
  return w.Finish();
}

static Value ToJson(const LinuxSyscall& s) {
  ObjectWriter w;
  w.Put("names", s.names);
  w.Put("action", s.action);
  w.Put("errnoRet", s.errno_ret);
  w.Put("args", s.args);
  return w.Finish();
}

static Value ToJson(const LinuxSeccomp& s) {
  ObjectWriter w;
  w.Put("defaultAction", s.default_action);
  w.Put("defaultErrnoRet", s.default_errno_ret);
  w.Put("architectures", s.architectures);
  w.Put("flags", s.flags);
  w.Put("listenerPath", s.listener_path);
  w.Put("listenerMetadata", s.listener_metadata);
  w.Put("syscalls", s.syscalls);
  return w.Finish();
}

static Value ToJson(const LinuxIntelRdt& r) {
  ObjectWriter w;
  w.Put("closID", r.clos_id);
  w.Put("schemata", r.schemata);
  w.Put("l3CacheSchema", r.l3_cache_schema);
  w.Put("memBwSchema", r.mem_bw_schema);
  w.Put("enableMonitoring", r.enable_monitoring);
  return w.Finish();
}

static Value ToJson(const LinuxPersonality& p) {
  ObjectWriter w;
  w.Put("domain", p.domain);
  w.Put("flags", p.flags);
  return w.Finish();
}

static Value ToJson(const LinuxMemoryPolicy& m) {
  ObjectWriter w;
  w.Put("mode", m.mode);
  w.Put("nodes", m.nodes);
  w.Put("flags", m.flags);
  return w.Finish();
}

static Value ToJson(const LinuxNetDevice& d) {
  ObjectWriter w;
  w.Put("name", d.name);
  return w.Finish();
}

static Value ToJson(const Linux& l) {
  ObjectWriter w;
  w.Put("uidMappings", l.uid_mappings);
  w.Put("gidMappings", l.gid_mappings);
  w.Put("sysctl", l.sysctl);
  w.Put("resources", l.resources);
  w.Put("cgroupsPath", l.cgroups_path);
  w.Put("namespaces", l.namespaces);
  w.Put("devices", l.devices);
  w.Put("netDevices", l.net_devices);
  w.Put("seccomp", l.seccomp);
  w.Put("rootfsPropagation", l.rootfs_propagation);
  w.Put("maskedPaths", l.masked_paths);
  w.Put("readonlyPaths", l.readonly_paths);
  w.Put("mountLabel", l.mount_label);
  w.Put("intelRdt", l.intel_rdt);
  w.Put("personality", l.personality);
  w.Put("timeOffsets", l.time_offsets);
  w.Put("memoryPolicy", l.memory_policy);
  return w.Finish();
}

json::Value EncodeConfig(const Spec& s) {
  ObjectWriter w;
  w.Put("ociVersion", s.oci_version);
  w.Put("process", s.process);
  w.Put("root", s.root);
  w.Put("hostname", s.hostname);
  w.Put("domainname", s.domainname);
  w.Put("mounts", s.mounts);
  w.Put("hooks", s.hooks);
  w.Put("annotations", s.annotations);
  w.Put("linux", s.linux);
  w.Put("solaris", s.solaris);
  w.Put("windows", s.windows);
  w.Put("vm", s.vm);
  w.Put("zos", s.zos);
  w.Put("freebsd", s.freebsd);
  return w.Finish();
}

std::string EmitConfig(const Spec& spec, bool pretty) {
  return json::Emit(EncodeConfig(spec), {.pretty = pretty});
}

}  // namespace hull::spec
