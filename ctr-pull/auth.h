// Registry authentication helpers: WWW-Authenticate challenges and Docker's credential file.
// Credentials are only ever held in memory and sent in Authorization headers; nothing here logs
// them or puts them in an error message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hull::pull {

struct Credentials {
  std::string username;
  std::string password;
};

// "USER:PASS" (the password may contain ':').
absl::StatusOr<Credentials> ParseCredentials(std::string_view user_colon_pass);

struct Challenge {
  std::string scheme;                         // lowercased: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lowercased: realm, service, scope, error
};

// Parses one WWW-Authenticate header value (RFC 7235 auth-params, quoted strings with escapes).
// Only the first challenge is returned; registries send one.
absl::StatusOr<Challenge> ParseChallenge(std::string_view header);

// Credentials for `registry_domain` ("docker.io", "localhost:5000") from the Docker config file
// ($DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; "auths" entries with "auth" or
// "username"/"password"). nullopt when there is none; errors only for a malformed file.
absl::StatusOr<std::optional<Credentials>> LoadDockerCredentials(std::string_view registry_domain);

}  // namespace hull::pull
