#include "ctr-pull/auth.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "ctr-pull/util.h"
#include "spec/json.h"

namespace hull::pull {

absl::StatusOr<Credentials> ParseCredentials(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    // The value itself is not echoed: it may be a password.
    return absl::InvalidArgumentError("credentials must be USER:PASSWORD");
  }
  return Credentials{std::string(s.substr(0, colon)), std::string(s.substr(colon + 1))};
}

absl::StatusOr<Challenge> ParseChallenge(std::string_view h) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  skip_ws();
  size_t start = i;
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') ++i;
  Challenge c;
  c.scheme = absl::AsciiStrToLower(Av(h.substr(start, i - start)));
  if (c.scheme.empty()) return absl::InvalidArgumentError("empty WWW-Authenticate challenge");
  while (i < h.size()) {
    skip_ws();
    size_t ks = i;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') ++i;
    std::string key = absl::AsciiStrToLower(Av(h.substr(ks, i - ks)));
    skip_ws();
    if (i >= h.size() || h[i] != '=') {
      // A token68 or a stray comma: skip to the next parameter.
      while (i < h.size() && h[i] != ',') ++i;
      if (i < h.size()) ++i;
      continue;
    }
    ++i;  // '='
    skip_ws();
    std::string value;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        value += h[i++];
      }
      if (i >= h.size())
        return absl::InvalidArgumentError("unterminated quoted string in challenge");
      ++i;  // closing quote
    } else {
      size_t vs = i;
      while (i < h.size() && h[i] != ',' && h[i] != ' ') ++i;
      value = std::string(h.substr(vs, i - vs));
    }
    if (!key.empty()) c.params[key] = value;
    skip_ws();
    if (i < h.size() && h[i] == ',') ++i;
  }
  return c;
}

absl::StatusOr<std::optional<Credentials>> LoadDockerCredentials(std::string_view domain) {
  std::string path;
  if (const char* dc = std::getenv("DOCKER_CONFIG"); dc && *dc) {
    path = absl::StrCat(dc, "/config.json");
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    path = absl::StrCat(home, "/.docker/config.json");
  } else {
    return std::nullopt;
  }
  if (!PathExists(path)) return std::nullopt;
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  absl::StatusOr<json::Value> doc = json::Parse(text);
  if (!doc.ok()) return Annotate(doc.status(), path);
  const json::Value* auths = doc->Find("auths");
  if (auths == nullptr || !auths->is_object()) return std::nullopt;
  std::vector<std::string> keys = {std::string(domain), absl::StrCat("https://", Av(domain)),
                                   absl::StrCat("http://", Av(domain)),
                                   absl::StrCat("https://", Av(domain), "/v1/"),
                                   absl::StrCat("https://", Av(domain), "/v2/")};
  if (domain == "docker.io") {
    keys.insert(keys.begin(),
                {"https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"});
  }
  for (const auto& k : keys) {
    const json::Value* e = auths->Find(k);
    if (e == nullptr || !e->is_object()) continue;
    const json::Value* auth = e->Find("auth");
    if (auth != nullptr && auth->is_string() && !auth->as_string().empty()) {
      std::string decoded;
      if (!Base64Decode(auth->as_string(), &decoded)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": auths.", k, ".auth: not base64"));
      }
      absl::StatusOr<Credentials> c = ParseCredentials(decoded);
      if (!c.ok()) return Annotate(c.status(), absl::StrCat(path, ": auths.", k, ".auth"));
      return std::optional<Credentials>(*std::move(c));
    }
    const json::Value* u = e->Find("username");
    const json::Value* p = e->Find("password");
    if (u && p && u->is_string() && p->is_string()) {
      return std::optional<Credentials>(Credentials{u->as_string(), p->as_string()});
    }
  }
  return std::nullopt;
}

}  // namespace hull::pull
