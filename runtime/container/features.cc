#include "runtime/container/features.h"

#include "runtime/linux/capabilities.h"
#include "runtime/linux/mount_options.h"
#include "runtime/linux/namespaces.h"
#include "runtime/linux/seccomp.h"

namespace hull::container {

spec::features::Features BuildFeatures() {
  namespace f = spec::features;
  f::Features out;
  out.oci_version_min = "1.0.0";
  out.oci_version_max = "1.3.0";
  out.hooks = {"prestart",       "createRuntime", "createContainer",
               "startContainer", "poststart",     "poststop"};
  out.mount_options = linux::KnownMountOptions();

  f::Linux l;
  for (const auto& ns : linux::AllNamespaceKinds()) l.namespaces.emplace_back(ns.oci_type);
  l.capabilities = linux::KnownCapabilityNames();
  f::Cgroup cg;
  cg.v1 = true;
  cg.v2 = true;
  cg.systemd = false;  // no systemd driver: --systemd-cgroup fails clearly
  cg.systemd_user = false;
  cg.rdma = true;
  l.cgroup = cg;
  linux::SeccompFeatures sf = linux::GetSeccompFeatures();
  f::Seccomp sc;
  sc.enabled = sf.enabled;
  sc.actions = sf.actions;
  sc.operators = sf.operators;
  sc.archs = sf.archs;
  sc.known_flags = sf.known_flags;
  sc.supported_flags = sf.supported_flags;
  l.seccomp = sc;
  // Implemented (applied when the host's LSM is enabled); see runtime/linux/lsm.h.
  l.apparmor = f::Apparmor{true};
  l.selinux = f::Selinux{true};
  l.intel_rdt = f::IntelRdt{false, std::nullopt, std::nullopt};
  f::MountExtensions me;
  me.idmap = f::IDMap{true};  // idmap and ridmap mounts (runtime/linux/mounts.cc)
  l.mount_extensions = me;
  l.net_devices = f::NetDevices{false};
  out.linux = l;

  out.annotations["io.github.seccomp.libseccomp.version"] = linux::LibseccompVersion();
  out.annotations["org.opencontainers.runc.checkpoint.enabled"] = "false";
  out.potentially_unsafe_config_annotations = {};
  return out;
}

}  // namespace hull::container
