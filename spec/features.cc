#include "spec/features.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "spec/decode_util.h"
#include "spec/encode_util.h"
#include "spec/enums.h"

namespace hull::spec::features {

using internal::Errors;
using internal::ObjectReader;
using internal::ObjectWriter;
using json::Value;

// --- encoding (ToJson overloads are found by argument-dependent lookup) ---------------------

static Value ToJson(const Cgroup& c) {
  ObjectWriter w;
  w.Put("v1", c.v1);
  w.Put("v2", c.v2);
  w.Put("systemd", c.systemd);
  w.Put("systemdUser", c.systemd_user);
  w.Put("rdma", c.rdma);
  return w.Finish();
}

static Value ToJson(const Seccomp& s) {
  ObjectWriter w;
  w.Put("enabled", s.enabled);
  w.Put("actions", s.actions);
  w.Put("operators", s.operators);
  w.Put("archs", s.archs);
  w.Put("knownFlags", s.known_flags);
  w.Put("supportedFlags", s.supported_flags);
  return w.Finish();
}

static Value ToJson(const Apparmor& a) {
  ObjectWriter w;
  w.Put("enabled", a.enabled);
  return w.Finish();
}

static Value ToJson(const Selinux& s) {
  ObjectWriter w;
  w.Put("enabled", s.enabled);
  return w.Finish();
}

static Value ToJson(const IntelRdt& r) {
  ObjectWriter w;
  w.Put("enabled", r.enabled);
  w.Put("schemata", r.schemata);
  w.Put("monitoring", r.monitoring);
  return w.Finish();
}

static Value ToJson(const IDMap& m) {
  ObjectWriter w;
  w.Put("enabled", m.enabled);
  return w.Finish();
}

static Value ToJson(const MountExtensions& m) {
  ObjectWriter w;
  w.Put("idmap", m.idmap);
  return w.Finish();
}

static Value ToJson(const NetDevices& n) {
  ObjectWriter w;
  w.Put("enabled", n.enabled);
  return w.Finish();
}

static Value ToJson(const MemoryPolicy& m) {
  ObjectWriter w;
  w.Put("modes", m.modes);
  w.Put("flags", m.flags);
  return w.Finish();
}

static Value ToJson(const Linux& l) {
  ObjectWriter w;
  w.Put("namespaces", l.namespaces);
  w.Put("capabilities", l.capabilities);
  w.Put("cgroup", l.cgroup);
  w.Put("seccomp", l.seccomp);
  w.Put("apparmor", l.apparmor);
  w.Put("selinux", l.selinux);
  w.Put("intelRdt", l.intel_rdt);
  w.Put("mountExtensions", l.mount_extensions);
  w.Put("netDevices", l.net_devices);
  w.Put("memoryPolicy", l.memory_policy);
  return w.Finish();
}

json::Value EncodeFeatures(const Features& f) {
  ObjectWriter w;
  w.Put("ociVersionMin", f.oci_version_min);
  w.Put("ociVersionMax", f.oci_version_max);
  w.Put("hooks", f.hooks);
  w.Put("mountOptions", f.mount_options);
  w.Put("linux", f.linux);
  w.Put("annotations", f.annotations);
  w.Put("potentiallyUnsafeConfigAnnotations", f.potentially_unsafe_config_annotations);
  return w.Finish();
}

std::string EmitFeatures(const Features& f, bool pretty) {
  return json::Emit(EncodeFeatures(f), {.pretty = pretty});
}

// --- decoding -------------------------------------------------------------------------------

namespace {

void EnumList(ObjectReader& r, std::string_view key, std::vector<std::string>& out,
              std::string_view what, std::span<const std::string_view> names) {
  if (!r.Optional(key, out)) return;
  for (size_t i = 0; i < out.size(); ++i) {
    internal::CheckEnum(r.errors(), internal::Index(r.PathOf(key), i), out[i], what, names);
  }
}

template <typename T>
bool ReadEnabled(Errors& e, const Value& v, const std::string& path, T& out) {
  ObjectReader r(e, v, path);
  r.Optional("enabled", out.enabled);
  return r.ok();
}

bool ReadCgroup(Errors& e, const Value& v, const std::string& path, Cgroup& out) {
  ObjectReader r(e, v, path);
  r.Optional("v1", out.v1);
  r.Optional("v2", out.v2);
  r.Optional("systemd", out.systemd);
  r.Optional("systemdUser", out.systemd_user);
  r.Optional("rdma", out.rdma);
  return r.ok();
}

bool ReadSeccomp(Errors& e, const Value& v, const std::string& path, Seccomp& out) {
  ObjectReader r(e, v, path);
  r.Optional("enabled", out.enabled);
  EnumList(r, "actions", out.actions, "seccomp action", kSeccompActions);
  EnumList(r, "operators", out.operators, "seccomp operator", kSeccompOperators);
  EnumList(r, "archs", out.archs, "seccomp architecture", kSeccompArchs);
  EnumList(r, "knownFlags", out.known_flags, "seccomp flag", kSeccompFlags);
  EnumList(r, "supportedFlags", out.supported_flags, "seccomp flag", kSeccompFlags);
  return r.ok();
}

bool ReadIntelRdt(Errors& e, const Value& v, const std::string& path, IntelRdt& out) {
  ObjectReader r(e, v, path);
  r.Optional("enabled", out.enabled);
  r.Optional("schemata", out.schemata);
  r.Optional("monitoring", out.monitoring);
  return r.ok();
}

bool ReadMountExtensions(Errors& e, const Value& v, const std::string& path, MountExtensions& out) {
  ObjectReader r(e, v, path);
  r.Optional("idmap", out.idmap, ReadEnabled<IDMap>);
  return r.ok();
}

bool ReadMemoryPolicy(Errors& e, const Value& v, const std::string& path, MemoryPolicy& out) {
  ObjectReader r(e, v, path);
  EnumList(r, "modes", out.modes, "memory policy mode", kMemoryPolicyModes);
  EnumList(r, "flags", out.flags, "memory policy flag", kMemoryPolicyFlags);
  return r.ok();
}

bool IsCapName(std::string_view s) {
  return s.size() > 4 && s.substr(0, 4) == "CAP_" &&
         std::all_of(s.begin() + 4, s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

bool ReadLinux(Errors& e, const Value& v, const std::string& path, Linux& out) {
  ObjectReader r(e, v, path);
  EnumList(r, "namespaces", out.namespaces, "namespace type", kNamespaceTypes);
  if (r.Optional("capabilities", out.capabilities)) {
    for (size_t i = 0; i < out.capabilities.size(); ++i) {
      if (!IsCapName(out.capabilities[i])) {
        e.Add(internal::Index(r.PathOf("capabilities"), i),
              absl::StrCat("invalid capability ", json::Emit(Value(out.capabilities[i])),
                           "; expected CAP_[A-Z_]+"));
      }
    }
  }
  r.Optional("cgroup", out.cgroup, ReadCgroup);
  r.Optional("seccomp", out.seccomp, ReadSeccomp);
  r.Optional("apparmor", out.apparmor, ReadEnabled<Apparmor>);
  r.Optional("selinux", out.selinux, ReadEnabled<Selinux>);
  r.Optional("intelRdt", out.intel_rdt, ReadIntelRdt);
  r.Optional("mountExtensions", out.mount_extensions, ReadMountExtensions);
  r.Optional("netDevices", out.net_devices, ReadEnabled<NetDevices>);
  r.Optional("memoryPolicy", out.memory_policy, ReadMemoryPolicy);
  return r.ok();
}

void ReadVersion(ObjectReader& r, std::string_view key, std::string& out) {
  if (r.Required(key, out) && !internal::IsSemVer(out)) {
    r.errors().Add(r.PathOf(key), absl::StrCat("invalid version ", json::Emit(Value(out)),
                                               "; expected SemVer 2.0.0"));
  }
}

}  // namespace

absl::StatusOr<Features> DecodeFeatures(const json::Value& doc) {
  Errors e;
  Features f;
  ObjectReader r(e, doc, "");
  ReadVersion(r, "ociVersionMin", f.oci_version_min);
  ReadVersion(r, "ociVersionMax", f.oci_version_max);
  r.Optional("hooks", f.hooks);
  r.Optional("mountOptions", f.mount_options);
  r.Optional("linux", f.linux, ReadLinux);
  r.Optional("annotations", f.annotations);
  r.Optional("potentiallyUnsafeConfigAnnotations", f.potentially_unsafe_config_annotations);
  RETURN_IF_ERROR(e.ToStatus());
  return f;
}

absl::StatusOr<Features> ParseFeatures(std::string_view json_text) {
  ASSIGN_OR_RETURN(json::Value doc, json::Parse(json_text));
  return DecodeFeatures(doc);
}

}  // namespace hull::spec::features
