// Internal helpers for the spec/ encoders: building JSON objects in a fixed key order with Go's
// omitempty behaviour (absent optionals, empty lists and maps are left out).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "spec/json.h"

namespace hull::spec::internal {

inline json::Value ToJson(const std::string& s) { return json::Value(s); }
inline json::Value ToJson(bool b) { return json::Value(b); }
inline json::Value ToJson(const json::Value& v) { return v; }
template <typename Int>
requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) json::Value ToJson(Int i) {
  if constexpr (std::is_signed_v<Int>) {
    return json::Value(static_cast<int64_t>(i));
  } else {
    return json::Value(static_cast<uint64_t>(i));
  }
}
template <typename T>
json::Value ToJson(const std::vector<T>& list) {
  json::Array a;
  a.reserve(list.size());
  for (const T& x : list) a.push_back(ToJson(x));
  return json::Value(std::move(a));
}
template <typename T>
json::Value ToJson(const std::map<std::string, T>& map) {
  json::Object o;
  o.reserve(map.size());
  for (const auto& [k, x] : map) o.emplace_back(k, ToJson(x));
  return json::Value(std::move(o));
}

class ObjectWriter {
 public:
  // Always written.
  template <typename T>
  void Put(std::string_view key, const T& v) {
    obj_.emplace_back(std::string(key), ToJson(v));
  }
  // Written when engaged.
  template <typename T>
  void Put(std::string_view key, const std::optional<T>& v) {
    if (v.has_value()) obj_.emplace_back(std::string(key), ToJson(*v));
  }
  // Written when non-empty.
  template <typename T>
  void Put(std::string_view key, const std::vector<T>& v) {
    if (!v.empty()) obj_.emplace_back(std::string(key), ToJson(v));
  }
  template <typename T>
  void Put(std::string_view key, const std::map<std::string, T>& v) {
    if (!v.empty()) obj_.emplace_back(std::string(key), ToJson(v));
  }
  // Written when non-empty (Go's omitempty on strings).
  void PutNonEmpty(std::string_view key, const std::string& s) {
    if (!s.empty()) obj_.emplace_back(std::string(key), json::Value(s));
  }

  json::Value Finish() { return json::Value(std::move(obj_)); }

 private:
  json::Object obj_;
};

}  // namespace hull::spec::internal
