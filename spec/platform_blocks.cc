// Loose validation of the config.json blocks for platforms hull never runs on (solaris, windows,
// vm, zos, freebsd). They are kept verbatim (see Spec), so a small declarative shape per block
// (transcribed from schema/config-<platform>.json) is enough: types, enums, required fields and
// integer ranges. Unknown fields are ignored, as everywhere else.
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spec/decode_util.h"

namespace hull::spec::internal {
namespace {

struct Shape {
  enum Kind { kAny, kString, kBool, kInt, kObject, kArray } kind = kAny;
  // kInt: inclusive range (min as int64, max as uint64 so both extremes fit).
  int64_t min = std::numeric_limits<int64_t>::min();
  uint64_t max = std::numeric_limits<uint64_t>::max();
  std::string_view int_name;
  std::vector<std::string_view> enums;  // kString
  // kObject. Behind shared_ptr: a container of pairs holding Shape itself would need Shape to
  // be complete here.
  std::vector<std::pair<std::string_view, std::shared_ptr<const Shape>>> props;
  std::vector<std::string_view> required;  // kObject
  std::shared_ptr<Shape> items;            // kArray
  size_t min_items = 0;                    // kArray
};

Shape Str(std::vector<std::string_view> enums = {}) {
  Shape s;
  s.kind = Shape::kString;
  s.enums = std::move(enums);
  return s;
}
Shape Bool() {
  Shape s;
  s.kind = Shape::kBool;
  return s;
}
Shape Int(std::string_view name, int64_t min, uint64_t max) {
  Shape s;
  s.kind = Shape::kInt;
  s.int_name = name;
  s.min = min;
  s.max = max;
  return s;
}
Shape U8() { return Int("uint8", 0, 255); }
Shape U16() { return Int("uint16", 0, 65535); }
Shape U32() { return Int("uint32", 0, std::numeric_limits<uint32_t>::max()); }
Shape U64() { return Int("uint64", 0, std::numeric_limits<uint64_t>::max()); }
Shape FileMode() { return Int("file mode", 0, 0777); }
Shape Arr(Shape item, size_t min_items = 0) {
  Shape s;
  s.kind = Shape::kArray;
  s.items = std::make_shared<Shape>(std::move(item));
  s.min_items = min_items;
  return s;
}
Shape Strings() { return Arr(Str()); }
Shape Obj(std::vector<std::pair<std::string_view, Shape>> props,
          std::vector<std::string_view> required = {}) {
  Shape s;
  s.kind = Shape::kObject;
  for (auto& [key, sub] : props)
    s.props.emplace_back(key, std::make_shared<const Shape>(std::move(sub)));
  s.required = std::move(required);
  return s;
}

void Check(Errors& e, const Shape& shape, const json::Value& v, const std::string& path) {
  switch (shape.kind) {
    case Shape::kAny:
      return;
    case Shape::kString:
      if (!v.is_string()) {
        e.Add(path, "expected string, got " + Describe(v));
      } else if (!shape.enums.empty()) {
        CheckEnum(e, path, v.as_string(), "value", shape.enums);
      }
      return;
    case Shape::kBool:
      if (!v.is_bool()) e.Add(path, "expected boolean, got " + Describe(v));
      return;
    case Shape::kInt: {
      int64_t s;
      uint64_t u;
      bool is_signed = shape.min < 0;
      ReadIntegerInRange(e, v, path, is_signed, shape.min, shape.max, shape.int_name, &s, &u);
      return;
    }
    case Shape::kArray:
      if (!v.is_array()) {
        e.Add(path, "expected array, got " + Describe(v));
        return;
      }
      if (v.as_array().size() < shape.min_items) {
        e.Add(path, absl::StrCat("must have at least ", shape.min_items, " entries"));
      }
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        Check(e, *shape.items, v.as_array()[i], Index(path, i));
      }
      return;
    case Shape::kObject:
      if (!v.is_object()) {
        e.Add(path, "expected object, got " + Describe(v));
        return;
      }
      for (std::string_view req : shape.required) {
        if (v.Find(req) == nullptr) e.Add(Field(path, req), "required field missing");
      }
      for (const auto& [key, sub] : shape.props) {
        if (const json::Value* f = v.Find(key)) Check(e, *sub, *f, Field(path, key));
      }
      return;
  }
}

const Shape& SolarisShape() {
  static const Shape* s = new Shape(Obj({
      {"milestone", Str()},
      {"limitpriv", Str()},
      {"maxShmMemory", Str()},
      {"cappedCPU", Obj({{"ncpus", Str()}})},
      {"cappedMemory", Obj({{"physical", Str()}, {"swap", Str()}})},
      {"anet", Arr(Obj({{"linkname", Str()},
                        {"lowerLink", Str()},
                        {"allowedAddress", Str()},
                        {"configureAllowedAddress", Str()},
                        {"defrouter", Str()},
                        {"macAddress", Str()},
                        {"linkProtection", Str()}}))},
  }));
  return *s;
}

const Shape& WindowsShape() {
  static const Shape* s = new Shape(Obj(
      {
          {"layerFolders", Arr(Str(), 1)},
          {"devices", Arr(Obj({{"id", Str()}, {"idType", Str({"class"})}}, {"id", "idType"}))},
          {"resources",
           Obj({
               {"memory", Obj({{"limit", U64()}})},
               {"cpu", Obj({{"count", U64()},
                            {"shares", U16()},
                            {"maximum", U16()},
                            {"affinity", Obj({{"mask", U64()}, {"group", U32()}})}})},
               {"storage", Obj({{"iops", U64()}, {"bps", U64()}, {"sandboxSize", U64()}})},
           })},
          {"network", Obj({{"endpointList", Strings()},
                           {"allowUnqualifiedDNSQuery", Bool()},
                           {"DNSSearchList", Strings()},
                           {"networkSharedContainerName", Str()},
                           {"networkNamespace", Str()}})},
          {"credentialSpec", Obj({})},
          {"servicing", Bool()},
          {"ignoreFlushesDuringBoot", Bool()},
          {"hyperv", Obj({{"utilityVMPath", Str()}})},
      },
      {"layerFolders"}));
  return *s;
}

const Shape& VmShape() {
  static const Shape* s = new Shape(Obj(
      {
          {"hypervisor", Obj({{"path", Str()}, {"parameters", Strings()}}, {"path"})},
          {"kernel",
           Obj({{"path", Str()}, {"parameters", Strings()}, {"initrd", Str()}}, {"path"})},
          {"image", Obj({{"path", Str()}, {"format", Str({"raw", "qcow2", "vdi", "vmdk", "vhd"})}},
                        {"path", "format"})},
          {"hwConfig",
           Obj({{"deviceTree", Str()},
                {"vcpus", U32()},
                {"memory", U64()},
                {"dtdevs", Strings()},
                {"iomems", Arr(Obj({{"firstGFN", U64()}, {"firstMFN", U64()}, {"nrMFNs", U64()}},
                                   {"firstMFN", "nrMFNs"}))},
                {"irqs", Arr(U32())}})},
      },
      {"kernel"}));
  return *s;
}

const Shape& ZosShape() {
  static const Shape* s = new Shape(Obj({
      {"namespaces",
       Arr(Obj({{"type", Str({"mount", "pid", "uts", "ipc"})}, {"path", Str()}}, {"type"}))},
  }));
  return *s;
}

const Shape& FreebsdShape() {
  static const Shape* s = [] {
    Shape sharing = Str({"disable", "new", "inherit"});
    Shape no_disable = Str({"new", "inherit"});
    return new Shape(Obj({
        {"devices", Arr(Obj({{"path", Str()}, {"mode", FileMode()}}))},
        {"jail", Obj({
                     {"parent", Str()},
                     {"host", no_disable},
                     {"ip4", sharing},
                     {"ip4Addr", Strings()},
                     {"ip6", sharing},
                     {"ip6Addr", Strings()},
                     {"vnet", no_disable},
                     {"interface", Str()},
                     {"vnetInterfaces", Strings()},
                     {"sysvmsg", sharing},
                     {"sysvsem", sharing},
                     {"sysvshm", sharing},
                     {"enforceStatfs", U8()},
                     {"allow", Obj({{"setHostname", Bool()},
                                    {"rawSockets", Bool()},
                                    {"chflags", Bool()},
                                    {"mount", Strings()},
                                    {"quotas", Bool()},
                                    {"socketAf", Bool()},
                                    {"mlock", Bool()},
                                    {"reservedPorts", Bool()},
                                    {"suser", Bool()}})},
                 })},
    }));
  }();
  return *s;
}

}  // namespace

void CheckPlatformBlock(Errors& e, std::string_view platform, const json::Value& v,
                        const std::string& path) {
  const Shape* shape = nullptr;
  if (platform == "solaris") shape = &SolarisShape();
  if (platform == "windows") shape = &WindowsShape();
  if (platform == "vm") shape = &VmShape();
  if (platform == "zos") shape = &ZosShape();
  if (platform == "freebsd") shape = &FreebsdShape();
  if (shape == nullptr) {
    if (!v.is_object()) e.Add(path, "expected object, got " + Describe(v));
    return;
  }
  Check(e, *shape, v, path);
}

}  // namespace hull::spec::internal
