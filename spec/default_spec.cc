#include "spec/default_spec.h"

#include <unistd.h>

namespace hull::spec {

namespace {

Mount MakeMount(std::string destination, std::string type, std::string source,
                std::vector<std::string> options = {}) {
  Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

}  // namespace

Spec DefaultSpec(bool rootless) { return DefaultSpec(rootless, geteuid(), getegid()); }

Spec DefaultSpec(bool rootless, uint32_t host_uid, uint32_t host_gid) {
  Spec s;
  s.oci_version = std::string(kOciVersion);

  Process& p = s.process.emplace();
  p.terminal = true;
  p.user.uid = 0;
  p.user.gid = 0;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  LinuxCapabilities& c = p.capabilities.emplace();
  c.bounding = caps;
  c.effective = caps;
  c.permitted = caps;
  c.ambient = caps;
  p.rlimits = {POSIXRlimit{.type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024}};
  p.no_new_privileges = true;

  s.root = Root{.path = "rootfs", .readonly = true};
  s.hostname = "runc";

  s.mounts = {
      MakeMount("/proc", "proc", "proc"),
      MakeMount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      MakeMount("/dev/pts", "devpts", "devpts",
                {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      MakeMount("/dev/shm", "tmpfs", "shm",
                {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      MakeMount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      MakeMount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      MakeMount("/sys/fs/cgroup", "cgroup", "cgroup",
                {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };

  Linux& l = s.linux.emplace();
  l.resources.emplace().devices = {LinuxDeviceCgroup{.allow = false, .access = "rwm"}};
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount"}) {
    l.namespaces.push_back(LinuxNamespace{.type = ns});
  }
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

  if (rootless) {
    // What runc's ToRootless does: no cgroup device rules (no cgroup access), a user namespace
    // mapping root to the caller, no network namespace (no way to set it up unprivileged),
    // sysfs bind-mounted from the host (a new sysfs needs a network namespace), and no
    // gid=5 on devpts (gid 5 is not mapped).
    l.resources.reset();
    l.uid_mappings = {LinuxIDMapping{.container_id = 0, .host_id = host_uid, .size = 1}};
    l.gid_mappings = {LinuxIDMapping{.container_id = 0, .host_id = host_gid, .size = 1}};
    std::vector<LinuxNamespace> namespaces;
    for (LinuxNamespace& ns : l.namespaces) {
      if (ns.type != "network" && ns.type != "user") namespaces.push_back(std::move(ns));
    }
    namespaces.push_back(LinuxNamespace{.type = "user"});
    l.namespaces = std::move(namespaces);
    for (Mount& m : s.mounts) {
      if (m.destination == "/sys") {
        m = MakeMount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
      } else if (m.destination == "/dev/pts") {
        std::erase(m.options, "gid=5");
      }
    }
  }
  return s;
}

}  // namespace hull::spec
