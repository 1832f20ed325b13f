// The JSON layer: a small ordered DOM, parsed and emitted with yajl. The only code in hull that
// includes yajl headers is spec/json.cc.
//
// Numbers keep their exact text range: integers are stored as int64 or uint64 (so 2^64-1 and
// negative values round-trip exactly), everything else as double.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace hull::json {

class Value;
using Array = std::vector<Value>;
// Objects keep insertion order (emitted in that order); lookups are linear, which is fine for
// the sizes OCI documents have.
using Object = std::vector<std::pair<std::string, Value>>;

enum class Type { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

// The name used in error messages: "null", "boolean", "integer", "number", "string", "array",
// "object".
std::string_view TypeName(Type t);

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : v_(i) {}
  Value(uint64_t u) : v_(u) {}
  Value(uint32_t u) : v_(static_cast<int64_t>(u)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  // True for kInt and kUint.
  bool is_integer() const { return type() == Type::kInt || type() == Type::kUint; }
  bool is_number() const { return is_integer() || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors: the caller checks the type first (they abort on a mismatch in debug builds and
  // return a default otherwise).
  bool as_bool() const;
  // int64 view of an integer; nullopt if it does not fit (a uint64 above INT64_MAX).
  std::optional<int64_t> as_int64() const;
  // uint64 view; nullopt if negative.
  std::optional<uint64_t> as_uint64() const;
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object helpers. Find returns nullptr when absent (or when this is not an object).
  const Value* Find(std::string_view key) const;
  // Sets (replacing an existing key in place, else appending). Turns null into an object.
  void Set(std::string_view key, Value v);
  // Appends to an array. Turns null into an array.
  void Push(Value v);

  friend bool operator==(const Value& a, const Value& b);

 private:
  // Arrays and objects are behind shared_ptr so Value stays cheap to move and the type is
  // complete; copies are deep (see copy ctor).
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      v_;

 public:
  Value(const Value& other);
  Value& operator=(const Value& other);
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;
};

struct ParseOptions {
  // Nesting deeper than this is rejected (protects the stack against hostile input).
  int max_depth = 256;
};

// Parses one JSON document. Errors say where: "invalid JSON at byte 17: ...".
// Rejects invalid UTF-8 in strings.
absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& opts = {});

struct EmitOptions {
  bool pretty = false;  // two-space indent, like `runc spec`
};
std::string Emit(const Value& v, const EmitOptions& opts = {});

}  // namespace hull::json
