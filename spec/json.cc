// yajl-backed implementation of the JSON DOM (see json.h). This is the only file in hull that
// includes yajl.
//
// Parsing uses yajl's callback API with the yajl_number callback, so we see the exact text of
// every number and can decide int64 / uint64 / double without going through a lossy double.
//
// Emission is done here rather than with yajl_gen: yajl_gen caps nesting at 128 levels (less
// than ParseOptions::max_depth, so a document we accepted could not be written back) and its
// beautifier prints empty containers as "[\n]" where `runc spec` (Go's json.MarshalIndent) prints
// "[]". The emitter below produces Go's layout: "key": value, two-space indent, "[]" / "{}".
#include "spec/json.h"

#include <yajl/yajl_parse.h>

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hull::json {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kInt:
    case Type::kUint:
      return "integer";
    case Type::kDouble:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Value

Value::Value(const Value& other) { *this = other; }

Value& Value::operator=(const Value& other) {
  if (this == &other) return *this;
  // Arrays and objects are deep-copied so two Values never share mutable state.
  if (auto* a = std::get_if<std::shared_ptr<Array>>(&other.v_)) {
    v_ = std::make_shared<Array>(**a);
  } else if (auto* o = std::get_if<std::shared_ptr<Object>>(&other.v_)) {
    v_ = std::make_shared<Object>(**o);
  } else {
    v_ = other.v_;
  }
  return *this;
}

Type Value::type() const {
  switch (v_.index()) {
    case 0:
      return Type::kNull;
    case 1:
      return Type::kBool;
    case 2:
      return Type::kInt;
    case 3:
      return Type::kUint;
    case 4:
      return Type::kDouble;
    case 5:
      return Type::kString;
    case 6:
      return Type::kArray;
    default:
      return Type::kObject;
  }
}

bool Value::as_bool() const {
  assert(is_bool());
  const bool* b = std::get_if<bool>(&v_);
  return b != nullptr && *b;
}

std::optional<int64_t> Value::as_int64() const {
  assert(is_integer());
  if (const int64_t* i = std::get_if<int64_t>(&v_)) return *i;
  if (const uint64_t* u = std::get_if<uint64_t>(&v_)) {
    if (*u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

std::optional<uint64_t> Value::as_uint64() const {
  assert(is_integer());
  if (const uint64_t* u = std::get_if<uint64_t>(&v_)) return *u;
  if (const int64_t* i = std::get_if<int64_t>(&v_)) {
    if (*i >= 0) return static_cast<uint64_t>(*i);
  }
  return std::nullopt;
}

double Value::as_double() const {
  assert(is_number());
  if (const double* d = std::get_if<double>(&v_)) return *d;
  if (const int64_t* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (const uint64_t* u = std::get_if<uint64_t>(&v_)) return static_cast<double>(*u);
  return 0;
}

namespace {
const std::string& EmptyString() {
  static const std::string* s = new std::string();
  return *s;
}
const Array& EmptyArray() {
  static const Array* a = new Array();
  return *a;
}
const Object& EmptyObject() {
  static const Object* o = new Object();
  return *o;
}
}  // namespace

const std::string& Value::as_string() const {
  assert(is_string());
  const std::string* s = std::get_if<std::string>(&v_);
  return s != nullptr ? *s : EmptyString();
}

const Array& Value::as_array() const {
  assert(is_array());
  const auto* a = std::get_if<std::shared_ptr<Array>>(&v_);
  return a != nullptr ? **a : EmptyArray();
}

Array& Value::as_array() {
  // Mutable access on a non-array turns it into an empty array rather than handing out a
  // reference to shared static storage.
  if (!is_array()) {
    assert(is_null());
    v_ = std::make_shared<Array>();
  }
  return *std::get<std::shared_ptr<Array>>(v_);
}

const Object& Value::as_object() const {
  assert(is_object());
  const auto* o = std::get_if<std::shared_ptr<Object>>(&v_);
  return o != nullptr ? **o : EmptyObject();
}

Object& Value::as_object() {
  if (!is_object()) {
    assert(is_null());
    v_ = std::make_shared<Object>();
  }
  return *std::get<std::shared_ptr<Object>>(v_);
}

const Value* Value::Find(std::string_view key) const {
  const auto* o = std::get_if<std::shared_ptr<Object>>(&v_);
  if (o == nullptr) return nullptr;
  for (const auto& [k, v] : **o) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Value::Set(std::string_view key, Value v) {
  if (!is_object()) v_ = std::make_shared<Object>();
  Object& obj = as_object();
  for (auto& [k, existing] : obj) {
    if (k == key) {
      existing = std::move(v);
      return;
    }
  }
  obj.emplace_back(std::string(key), std::move(v));
}

void Value::Push(Value v) {
  if (!is_array()) v_ = std::make_shared<Array>();
  as_array().push_back(std::move(v));
}

bool operator==(const Value& a, const Value& b) {
  // Integers compare by value whatever their storage (int64 vs uint64).
  if (a.is_integer() && b.is_integer()) {
    auto ai = a.as_int64(), bi = b.as_int64();
    if (ai.has_value() || bi.has_value()) return ai == bi;
    return a.as_uint64() == b.as_uint64();
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return a.as_bool() == b.as_bool();
    case Type::kDouble:
      return a.as_double() == b.as_double();
    case Type::kString:
      return a.as_string() == b.as_string();
    case Type::kArray:
      return a.as_array() == b.as_array();
    case Type::kObject:
      return a.as_object() == b.as_object();
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

// Strict UTF-8 check (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// yajl's own check only looks at the byte-sequence shape.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += len;
  }
  return true;
}

// Builds the DOM from yajl callbacks. Containers under construction live on a stack of frames;
// a finished value is appended to the frame below (or becomes the root).
class Builder {
 public:
  explicit Builder(int max_depth) : max_depth_(max_depth) {}

  // Set when a callback cancels the parse, so the caller can report our reason instead of
  // yajl's generic "client cancelled parse via callback return value".
  std::string error;
  Value root;

  bool AddValue(Value v) {
    if (stack_.empty()) {
      root = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.as_array().push_back(std::move(v));
    } else {
      top.value.as_object().emplace_back(std::move(top.key), std::move(v));
    }
    return true;
  }

  bool Open(Value container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      error = absl::StrCat("nesting deeper than ", max_depth_, " levels");
      return false;
    }
    stack_.push_back(Frame{std::move(container), {}});
    return true;
  }

  bool Close() {
    Value v = std::move(stack_.back().value);
    stack_.pop_back();
    if (v.is_object()) DropDuplicateKeys(v.as_object());
    return AddValue(std::move(v));
  }

  bool Key(std::string_view k) {
    if (!IsValidUtf8(k)) {
      error = "invalid UTF-8 in object key";
      return false;
    }
    stack_.back().key = std::string(k);
    return true;
  }

  bool String(std::string_view s) {
    if (!IsValidUtf8(s)) {
      error = "invalid UTF-8 in string";
      return false;
    }
    return AddValue(Value(std::string(s)));
  }

  bool Number(std::string_view text) {
    bool is_float = text.find_first_of(".eE") != std::string_view::npos;
    if (!is_float) {
      const char* first = text.data();
      const char* last = text.data() + text.size();
      if (text.front() == '-') {
        int64_t i;
        auto [ptr, ec] = std::from_chars(first, last, i);
        if (ec == std::errc() && ptr == last) return AddValue(Value(i));
      } else {
        uint64_t u;
        auto [ptr, ec] = std::from_chars(first, last, u);
        if (ec == std::errc() && ptr == last) {
          if (u <= static_cast<uint64_t>(INT64_MAX))
            return AddValue(Value(static_cast<int64_t>(u)));
          return AddValue(Value(u));
        }
      }
      // Out of 64-bit range: falls through to double, which validation will reject wherever an
      // integer is expected.
    }
    std::string copy(text);  // strtod needs a terminator
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(d)) {
      error = absl::StrCat("number out of range: ", std::string(text));
      return false;
    }
    return AddValue(Value(d));
  }

 private:
  struct Frame {
    Value value;
    std::string key;  // pending key when value is an object
  };

  // Go's encoding/json (what runc uses) lets the last duplicate win; we do the same, keeping the
  // position of the first occurrence. Done once per object with a hash map so hostile inputs
  // with many keys stay linear.
  static void DropDuplicateKeys(Object& obj) {
    if (obj.size() < 2) return;
    absl::flat_hash_map<std::string_view, size_t> first;
    first.reserve(obj.size());
    bool dup = false;
    for (size_t i = 0; i < obj.size(); ++i) {
      auto [it, inserted] = first.try_emplace(obj[i].first, i);
      if (!inserted) {
        dup = true;
        break;
      }
    }
    if (!dup) return;
    first.clear();
    Object out;
    out.reserve(obj.size());
    std::vector<std::pair<std::string, Value>> in = std::move(obj);
    absl::flat_hash_map<std::string, size_t> pos;
    for (auto& [k, v] : in) {
      auto it = pos.find(k);
      if (it != pos.end()) {
        out[it->second].second = std::move(v);
      } else {
        pos.emplace(k, out.size());
        out.emplace_back(std::move(k), std::move(v));
      }
    }
    obj = std::move(out);
  }

  int max_depth_;
  std::vector<Frame> stack_;
};

Builder* B(void* ctx) { return static_cast<Builder*>(ctx); }

const yajl_callbacks kCallbacks = {
    /*yajl_null=*/[](void* ctx) -> int { return B(ctx)->AddValue(Value()); },
    /*yajl_boolean=*/[](void* ctx, int b) -> int { return B(ctx)->AddValue(Value(b != 0)); },
    /*yajl_integer=*/nullptr,
    /*yajl_double=*/nullptr,
    /*yajl_number=*/
    [](void* ctx, const char* s, size_t len) -> int {
      return B(ctx)->Number(std::string_view(s, len));
    },
    /*yajl_string=*/
    [](void* ctx, const unsigned char* s, size_t len) -> int {
      return B(ctx)->String(std::string_view(reinterpret_cast<const char*>(s), len));
    },
    /*yajl_start_map=*/[](void* ctx) -> int { return B(ctx)->Open(Value(Object())); },
    /*yajl_map_key=*/
    [](void* ctx, const unsigned char* s, size_t len) -> int {
      return B(ctx)->Key(std::string_view(reinterpret_cast<const char*>(s), len));
    },
    /*yajl_end_map=*/[](void* ctx) -> int { return B(ctx)->Close(); },
    /*yajl_start_array=*/[](void* ctx) -> int { return B(ctx)->Open(Value(Array())); },
    /*yajl_end_array=*/[](void* ctx) -> int { return B(ctx)->Close(); },
};

struct YajlHandleDeleter {
  void operator()(yajl_handle h) const { yajl_free(h); }
};

}  // namespace

absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& opts) {
  Builder builder(opts.max_depth);
  std::unique_ptr<yajl_handle_t, YajlHandleDeleter> h(yajl_alloc(&kCallbacks, nullptr, &builder));
  if (h == nullptr) return absl::ResourceExhaustedError("invalid JSON: out of memory");
  // Defaults are what we want: UTF-8 validation on, no comments, no trailing garbage, one value.
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  yajl_status st = yajl_parse(h.get(), data, text.size());
  size_t offset = yajl_get_bytes_consumed(h.get());
  if (st == yajl_status_ok) {
    st = yajl_complete_parse(h.get());
    if (st != yajl_status_ok) offset = text.size();
  }
  if (st == yajl_status_ok) return std::move(builder.root);

  // N in "at byte N" is how many bytes yajl had consumed when it stopped, i.e. the offending
  // token ends at byte N.

  std::string why;
  if (st == yajl_status_client_canceled && !builder.error.empty()) {
    why = builder.error;
  } else {
    unsigned char* msg = yajl_get_error(h.get(), /*verbose=*/0, data, text.size());
    why = msg != nullptr ? reinterpret_cast<char*>(msg) : "parse error";
    if (msg != nullptr) yajl_free_error(h.get(), msg);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ' || why.back() == '.'))
      why.pop_back();
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid JSON at byte ", offset, ": ", why));
}

// ---------------------------------------------------------------------------------------------
// Emission

namespace {

void EmitString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

// Strings built in code (not parsed) may hold arbitrary bytes; like Go, replace each invalid
// UTF-8 sequence with U+FFFD so the output is always valid JSON.
std::string SanitizeUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    // Try the longest valid sequence starting at i.
    bool ok = false;
    for (size_t len = 1; len <= 4 && i + len <= s.size(); ++len) {
      std::string_view piece = s.substr(i, len);
      if (IsValidUtf8(piece)) {
        out.append(piece);
        i += len;
        ok = true;
        break;
      }
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// EmitString of SanitizeUtf8(s), without the copy for the usual valid string.
void EmitSanitized(std::string_view s, std::string& out) {
  if (IsValidUtf8(s)) {
    EmitString(s, out);
  } else {
    EmitString(SanitizeUtf8(s), out);
  }
}

void Indent(std::string& out, bool pretty, int depth) {
  if (!pretty) return;
  out.push_back('\n');
  out.append(static_cast<size_t>(depth) * 2, ' ');
}

void EmitValue(const Value& v, bool pretty, int depth, std::string& out) {
  switch (v.type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::kInt:
      out += absl::StrCat(*v.as_int64());
      return;
    case Type::kUint:
      out += absl::StrCat(*v.as_uint64());
      return;
    case Type::kDouble: {
      double d = v.as_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no inf/nan
        return;
      }
      char buf[64];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      std::string_view text(buf, ec == std::errc() ? ptr - buf : 0);
      out.append(text);
      // Keep it a double when read back: shortest form of 1.0 is "1", which would parse as an
      // integer and change the value's type.
      if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
      return;
    }
    case Type::kString:
      EmitSanitized(v.as_string(), out);
      return;
    case Type::kArray: {
      const Array& a = v.as_array();
      out.push_back('[');
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out.push_back(',');
        Indent(out, pretty, depth + 1);
        EmitValue(a[i], pretty, depth + 1, out);
      }
      if (!a.empty()) Indent(out, pretty, depth);
      out.push_back(']');
      return;
    }
    case Type::kObject: {
      const Object& o = v.as_object();
      out.push_back('{');
      for (size_t i = 0; i < o.size(); ++i) {
        if (i > 0) out.push_back(',');
        Indent(out, pretty, depth + 1);
        EmitSanitized(o[i].first, out);
        out += pretty ? ": " : ":";
        EmitValue(o[i].second, pretty, depth + 1, out);
      }
      if (!o.empty()) Indent(out, pretty, depth);
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string Emit(const Value& v, const EmitOptions& opts) {
  std::string out;
  EmitValue(v, opts.pretty, 0, out);
  return out;
}

}  // namespace hull::json
