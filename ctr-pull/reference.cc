#include "ctr-pull/reference.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ctr-pull/util.h"
#include "spec/image.h"

namespace hull::pull {
namespace {

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsAlnumLower(c.front()) || !IsAlnumLower(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (IsAlnumLower(ch)) continue;
    if (ch == '.' || ch == '_' || ch == '-') {
      // A separator: ".", "_", "__", or a run of "-". Both sides must be alphanumeric runs.
      size_t j = i;
      while (j < c.size() && !IsAlnumLower(c[j])) ++j;
      std::string_view sep = c.substr(i, j - i);
      bool ok = sep == "." || sep == "_" || sep == "__" ||
                sep.find_first_not_of('-') == std::string_view::npos;
      if (!ok) return false;
      i = j - 1;
      continue;
    }
    return false;
  }
  return true;
}

// [\w][\w.-]{0,127}
bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(t[0])) return false;
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// host[:port], host being DNS labels or an IPv6 literal in brackets; the port is numeric.
bool ValidDomain(std::string_view d) {
  if (d.empty()) return false;
  size_t colon = d.rfind(':');
  if (colon != std::string_view::npos && d.find(']', colon) == std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
  }
  for (char c : d) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

absl::Status Bad(std::string_view ref, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid image reference \"", Av(ref), "\": ", Av(why)));
}

}  // namespace

std::string ImageRef::Name() const { return absl::StrCat(domain, "/", repository); }

std::string ImageRef::String() const {
  std::string s = Name();
  if (!tag.empty()) absl::StrAppend(&s, ":", tag);
  if (!digest.empty()) absl::StrAppend(&s, "@", digest);
  return s;
}

std::string ImageRef::ManifestReference() const { return digest.empty() ? tag : digest; }

std::string ImageRef::RegistryHost() const {
  return domain == kDockerHubDomain ? "registry-1.docker.io" : domain;
}

absl::StatusOr<ImageRef> ParseImageRef(std::string_view ref) {
  if (ref.empty()) return Bad(ref, "empty");
  ImageRef out;
  std::string_view rest = ref;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    if (absl::Status st = spec::ValidateDigest(out.digest); !st.ok()) {
      return Bad(ref, Sv(st.message()));
    }
    rest = rest.substr(0, at);
  }
  // The domain is the first component if it looks like a host (has '.' or ':' or is localhost).
  std::string_view remainder = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost" ||
        first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos) {
      if (!ValidDomain(first)) return Bad(ref, "invalid registry host");
      out.domain = std::string(first);
      remainder = rest.substr(slash + 1);
    }
  }
  if (out.domain.empty()) out.domain = std::string(kDockerHubDomain);
  // A tag is after the last ':' of the path (the domain's port is already split off).
  if (size_t colon = remainder.rfind(':'); colon != std::string_view::npos) {
    std::string_view tag = remainder.substr(colon + 1);
    if (tag.find('/') != std::string_view::npos) return Bad(ref, "invalid tag");
    if (!ValidTag(tag)) return Bad(ref, "invalid tag");
    out.tag = std::string(tag);
    remainder = remainder.substr(0, colon);
  }
  if (remainder.empty()) return Bad(ref, "empty repository");
  std::vector<std::string> comps = absl::StrSplit(Av(remainder), '/');
  for (const std::string& c : comps) {
    if (!ValidComponent(c)) {
      return Bad(ref, absl::StrCat("invalid repository path component \"", Av(c),
                                   "\" (lowercase letters, digits and . _ - only)"));
    }
  }
  out.repository = std::string(remainder);
  if (out.domain == kDockerHubDomain && comps.size() == 1) {
    out.repository = absl::StrCat("library/", out.repository);
  }
  if (out.repository.size() + out.domain.size() + 1 > 255) return Bad(ref, "name too long");
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return out;
}

}  // namespace hull::pull
