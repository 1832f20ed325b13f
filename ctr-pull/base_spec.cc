// The base of a bundle's config.json. hull's own default (spec::DefaultSpec, the `hull spec`
// output) is the intended source; until spec/ provides it, this builds the same shape as
// `runc spec` so bundles are complete. Swap the body for `return spec::DefaultSpec(rootless);`
// (then clear root.readonly and linux.cgroups_path as below) once it lands.
#include <unistd.h>

#include "ctr-pull/bundle.h"

namespace hull::pull {

absl::StatusOr<spec::Spec> BaseSpec(bool rootless) {
  spec::Spec s;
  s.oci_version = std::string(spec::kOciVersion);
  spec::Process p;
  p.terminal = false;
  p.args = {"sh"};
  p.env = {kDefaultPath, "TERM=xterm"};
  p.cwd = "/";
  spec::LinuxCapabilities caps;
  caps.bounding = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.effective = caps.bounding;
  caps.permitted = caps.bounding;
  p.capabilities = caps;
  p.rlimits = {spec::POSIXRlimit{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  s.process = std::move(p);
  // Images write to their rootfs (docker runs them read-write).
  s.root = spec::Root{"rootfs", false};
  s.hostname = "hull";
  auto mount = [](std::string dest, std::string type, std::string src,
                  std::vector<std::string> opts) {
    spec::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(src);
    m.options = std::move(opts);
    return m;
  };
  s.mounts = {
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };
  spec::Linux l;
  spec::LinuxResources res;
  spec::LinuxDeviceCgroup deny;
  deny.allow = false;
  deny.access = "rwm";
  res.devices = {deny};
  l.resources = res;
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount", "cgroup"}) {
    l.namespaces.push_back(spec::LinuxNamespace{ns, std::nullopt});
  }
  if (rootless) {
    l.namespaces.push_back(spec::LinuxNamespace{"user", std::nullopt});
    l.uid_mappings = {spec::LinuxIDMapping{0, static_cast<uint32_t>(geteuid()), 1}};
    l.gid_mappings = {spec::LinuxIDMapping{0, static_cast<uint32_t>(getegid()), 1}};
    l.resources.reset();
    s.mounts.pop_back();  // no cgroup mount without a cgroup the user owns
  }
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  // No cgroups_path: hull derives a per-container one, so two bundles never collide.
  s.linux = std::move(l);
  return s;
}

}  // namespace hull::pull
