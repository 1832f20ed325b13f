#include "spec/decode_util.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hull::spec::internal {

void Errors::Add(std::string_view path, std::string_view message) {
  if (path.empty()) path = "(root)";
  list_.push_back(absl::StrCat(std::string(path), ": ", std::string(message)));
}

absl::Status Errors::ToStatus(std::string_view what) const {
  if (list_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(std::string(what), absl::StrJoin(list_, "\n")));
}

namespace {

// Debian's Abseil has its own absl::string_view: convert without copying.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsIdentifier(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}
}  // namespace

std::string Field(std::string_view path, std::string_view key) {
  if (IsIdentifier(key)) {
    if (path.empty()) return std::string(key);
    return absl::StrCat(AV(path), ".", AV(key));
  }
  return absl::StrCat(AV(path), "[", json::Emit(json::Value(key)), "]");
}

std::string Index(std::string_view path, size_t i) { return absl::StrCat(AV(path), "[", i, "]"); }

std::string Describe(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kString: {
      constexpr size_t kMax = 64;
      const std::string& s = v.as_string();
      if (s.size() <= kMax) return "string " + json::Emit(v);
      return "string " + json::Emit(json::Value(s.substr(0, kMax))) + "...";
    }
    case json::Type::kInt:
    case json::Type::kUint:
    case json::Type::kDouble:
    case json::Type::kBool:
      return absl::StrCat(std::string(json::TypeName(v.type())), " ", json::Emit(v));
    default:
      return std::string(json::TypeName(v.type()));
  }
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += std::string(n);
  }
  return out;
}

bool CheckEnum(Errors& e, const std::string& path, std::string_view s, std::string_view what,
               std::span<const std::string_view> names) {
  for (std::string_view n : names) {
    if (s == n) return true;
  }
  e.Add(path, absl::StrCat("unknown ", std::string(what), " ", json::Emit(json::Value(s)),
                           "; expected one of: ", JoinNames(names)));
  return false;
}

namespace {
// numeric identifier: "0" or no leading zero.
bool IsNumericId(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return s.size() == 1 || s[0] != '0';
}
bool IsAlnumHyphen(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}
template <typename Pred>
bool AllDotted(std::string_view s, Pred pred) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!pred(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
}  // namespace

bool IsSemVer(std::string_view s) {
  size_t plus = s.find('+');
  std::string_view build;
  if (plus != std::string_view::npos) {
    build = s.substr(plus + 1);
    s = s.substr(0, plus);
    if (!AllDotted(build, IsAlnumHyphen)) return false;
  }
  size_t dash = s.find('-');
  if (dash != std::string_view::npos) {
    std::string_view pre = s.substr(dash + 1);
    s = s.substr(0, dash);
    // Pre-release identifiers: alphanumerics and hyphens; numeric ones without leading zeros.
    bool ok = AllDotted(pre, [](std::string_view id) {
      if (!IsAlnumHyphen(id)) return false;
      bool all_digits = true;
      for (char c : id) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
      return !all_digits || IsNumericId(id);
    });
    if (!ok) return false;
  }
  int parts = 0;
  bool ok = AllDotted(s, [&parts](std::string_view id) {
    ++parts;
    return IsNumericId(id);
  });
  return ok && parts == 3;
}

bool ReadValue(Errors& e, const json::Value& v, const std::string& path, std::string& out) {
  if (!v.is_string()) {
    e.Add(path, "expected string, got " + Describe(v));
    return false;
  }
  out = v.as_string();
  return true;
}

bool ReadValue(Errors& e, const json::Value& v, const std::string& path, bool& out) {
  if (!v.is_bool()) {
    e.Add(path, "expected boolean, got " + Describe(v));
    return false;
  }
  out = v.as_bool();
  return true;
}

bool ReadValue(Errors&, const json::Value& v, const std::string&, json::Value& out) {
  out = v;
  return true;
}

bool ReadIntegerInRange(Errors& e, const json::Value& v, const std::string& path, bool is_signed,
                        int64_t min, uint64_t max, std::string_view type_name, int64_t* out_signed,
                        uint64_t* out_unsigned) {
  if (!v.is_integer()) {
    e.Add(path, "expected integer, got " + Describe(v));
    return false;
  }
  std::string range =
      is_signed ? absl::StrCat("[", min, ", ", max, "]") : absl::StrCat("[0, ", max, "]");
  auto out_of_range = [&] {
    e.Add(path,
          absl::StrCat(json::Emit(v), " is out of range for ", std::string(type_name), " ", range));
    return false;
  };
  if (is_signed) {
    std::optional<int64_t> i = v.as_int64();
    if (!i.has_value() || *i < min || (*i > 0 && static_cast<uint64_t>(*i) > max)) {
      return out_of_range();
    }
    *out_signed = *i;
  } else {
    std::optional<uint64_t> u = v.as_uint64();
    if (!u.has_value() || *u > max) return out_of_range();
    *out_unsigned = *u;
  }
  return true;
}

ObjectReader::ObjectReader(Errors& e, const json::Value& v, std::string path)
    : e_(e), obj_(v.is_object() ? &v : nullptr), path_(std::move(path)) {
  if (obj_ == nullptr) e_.Add(path_, "expected object, got " + Describe(v));
}

const json::Value* ObjectReader::Get(std::string_view key) const {
  return obj_ == nullptr ? nullptr : obj_->Find(key);
}

bool IsAbsolutePath(std::string_view p) { return !p.empty() && p[0] == '/'; }

}  // namespace hull::spec::internal
