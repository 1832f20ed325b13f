// Internal helpers shared by the spec/ decoders (config, state, features): an error collector
// that keeps every problem with its JSON path, typed readers with range checks, and an object
// reader for required/optional fields. Not part of the public API of spec/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "spec/json.h"

namespace hull::spec::internal {

// Collects validation errors, each "path: message".
class Errors {
 public:
  void Add(std::string_view path, std::string_view message);
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }
  // OK when empty; otherwise InvalidArgument with one error per line, prefixed by `what`
  // ("invalid config: ") when given.
  absl::Status ToStatus(std::string_view what = "") const;

 private:
  std::vector<std::string> list_;
};

// JSON path building: Field("linux", "cgroupsPath") = "linux.cgroupsPath"; keys that are not
// identifiers are quoted: Field("linux.sysctl", "net.core.x") = linux.sysctl["net.core.x"].
std::string Field(std::string_view path, std::string_view key);
std::string Index(std::string_view path, size_t i);

// What a value is, for "expected X, got Y" messages: `string "abc"`, `integer 5`, `object`, ...
std::string Describe(const json::Value& v);

// One-line enumeration for messages: "a, b, c".
std::string JoinNames(std::span<const std::string_view> names);

// Records `path: unknown <what> "value"; expected one of: a, b, c` unless s is in names.
bool CheckEnum(Errors& e, const std::string& path, std::string_view s, std::string_view what,
               std::span<const std::string_view> names);

// SemVer 2.0.0 (semver.org), e.g. "1.0.2-dev", "1.3.0+build.1".
bool IsSemVer(std::string_view s);

// --- Typed readers. Each records an error and returns false when v does not fit. ---
bool ReadValue(Errors& e, const json::Value& v, const std::string& path, std::string& out);
bool ReadValue(Errors& e, const json::Value& v, const std::string& path, bool& out);
bool ReadValue(Errors& e, const json::Value& v, const std::string& path, json::Value& out);

// Integers of any width, range-checked against the C++ type ("uint32", "int64", ...).
bool ReadIntegerInRange(Errors& e, const json::Value& v, const std::string& path, bool is_signed,
                        int64_t min, uint64_t max, std::string_view type_name, int64_t* out_signed,
                        uint64_t* out_unsigned);

template <typename Int>
requires(std::is_integral_v<Int> &&
         !std::is_same_v<Int, bool>) bool ReadValue(Errors& e, const json::Value& v,
                                                    const std::string& path, Int& out) {
  constexpr bool kSigned = std::is_signed_v<Int>;
  constexpr int kBits = sizeof(Int) * 8;
  static const std::string kName = std::string(kSigned ? "int" : "uint") + std::to_string(kBits);
  int64_t s = 0;
  uint64_t u = 0;
  if (!ReadIntegerInRange(e, v, path, kSigned,
                          static_cast<int64_t>(std::numeric_limits<Int>::min()),
                          static_cast<uint64_t>(std::numeric_limits<Int>::max()), kName, &s, &u)) {
    return false;
  }
  out = kSigned ? static_cast<Int>(s) : static_cast<Int>(u);
  return true;
}

// A reader is any callable bool(Errors&, const json::Value&, const std::string& path, T& out).
template <typename T>
struct DefaultReader {
  bool operator()(Errors& e, const json::Value& v, const std::string& path, T& out) const {
    return ReadValue(e, v, path, out);
  }
};

// Arrays: every element is read (all element errors are reported).
template <typename T, typename F>
bool ReadArray(Errors& e, const json::Value& v, const std::string& path, std::vector<T>& out,
               F&& read_elem) {
  if (!v.is_array()) {
    e.Add(path, "expected array, got " + Describe(v));
    return false;
  }
  out.clear();
  out.reserve(v.as_array().size());
  bool ok = true;
  for (size_t i = 0; i < v.as_array().size(); ++i) {
    T elem{};
    if (read_elem(e, v.as_array()[i], Index(path, i), elem)) {
      out.push_back(std::move(elem));
    } else {
      ok = false;
    }
  }
  return ok;
}

template <typename T>
bool ReadValue(Errors& e, const json::Value& v, const std::string& path, std::vector<T>& out) {
  return ReadArray(e, v, path, out, DefaultReader<T>());
}

// Objects used as maps (annotations, sysctl, rdma, ...). Keys must be non-empty.
template <typename T, typename F>
bool ReadMap(Errors& e, const json::Value& v, const std::string& path,
             std::map<std::string, T>& out, F&& read_elem) {
  if (!v.is_object()) {
    e.Add(path, "expected object, got " + Describe(v));
    return false;
  }
  out.clear();
  bool ok = true;
  for (const auto& [key, val] : v.as_object()) {
    std::string p = Field(path, key);
    if (key.empty()) {
      e.Add(p, "key must not be empty");
      ok = false;
      continue;
    }
    T elem{};
    if (read_elem(e, val, p, elem)) {
      out[key] = std::move(elem);
    } else {
      ok = false;
    }
  }
  return ok;
}

template <typename T>
bool ReadValue(Errors& e, const json::Value& v, const std::string& path,
               std::map<std::string, T>& out) {
  return ReadMap(e, v, path, out, DefaultReader<T>());
}

template <typename F>
struct ArrayReader {
  F f;
  template <typename T>
  bool operator()(Errors& e, const json::Value& v, const std::string& path,
                  std::vector<T>& out) const {
    return ReadArray(e, v, path, out, f);
  }
};
template <typename F>
ArrayReader<F> ArrayOf(F f) {
  return ArrayReader<F>{f};
}

template <typename F>
struct MapReader {
  F f;
  template <typename T>
  bool operator()(Errors& e, const json::Value& v, const std::string& path,
                  std::map<std::string, T>& out) const {
    return ReadMap(e, v, path, out, f);
  }
};
template <typename F>
MapReader<F> MapOf(F f) {
  return MapReader<F>{f};
}

// Reads fields of one JSON object. If the value is not an object, one error is recorded and
// every field read is a no-op.
class ObjectReader {
 public:
  ObjectReader(Errors& e, const json::Value& v, std::string path);

  bool ok() const { return obj_ != nullptr; }
  Errors& errors() { return e_; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return Field(path_, key); }
  // The field's value, or nullptr when absent (or when this is not an object).
  const json::Value* Get(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key) != nullptr; }

  // Required field: "path.key: required field missing" when absent. Returns true when read.
  template <typename T, typename F = DefaultReader<T>>
  bool Required(std::string_view key, T& out, F f = F()) {
    if (!ok()) return false;
    const json::Value* v = Get(key);
    if (v == nullptr) {
      e_.Add(PathOf(key), "required field missing");
      return false;
    }
    return f(e_, *v, PathOf(key), out);
  }

  // Optional field into a plain T (vector, map, defaulted scalar): untouched when absent.
  template <typename T, typename F = DefaultReader<T>>
  bool Optional(std::string_view key, T& out, F f = F()) {
    if (!ok()) return false;
    const json::Value* v = Get(key);
    if (v == nullptr) return false;
    return f(e_, *v, PathOf(key), out);
  }

  // Optional field into std::optional<T>: engaged only when present and valid.
  template <typename T, typename F = DefaultReader<T>>
  bool Optional(std::string_view key, std::optional<T>& out, F f = F()) {
    if (!ok()) return false;
    const json::Value* v = Get(key);
    if (v == nullptr) return false;
    T tmp{};
    if (!f(e_, *v, PathOf(key), tmp)) return false;
    out = std::move(tmp);
    return true;
  }

 private:
  Errors& e_;
  const json::Value* obj_;
  std::string path_;
};

// Loose schema check of a non-Linux platform block of config.json ("solaris", "windows", "vm",
// "zos", "freebsd"): types, enums, required fields and ranges of config-<platform>.json.
void CheckPlatformBlock(Errors& e, std::string_view platform, const json::Value& v,
                        const std::string& path);

// Path checks used by several blocks.
bool IsAbsolutePath(std::string_view p);

}  // namespace hull::spec::internal
