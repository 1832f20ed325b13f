// A Distribution API v2 client (libcurl): manifests by tag or digest, blobs streamed into the
// cache with digest verification, bearer-token and basic auth, redirects to blob storage, and
// retries that resume interrupted downloads with Range.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ctr-pull/auth.h"
#include "ctr-pull/cache.h"
#include "spec/image.h"

namespace hull::pull {

struct RegistryOptions {
  bool plain_http = false;  // http:// instead of https://
  bool insecure = false;    // https without certificate verification
  std::optional<Credentials> creds;
  long connect_timeout_sec = 30;
  // A transfer slower than 1 byte/s for this long is aborted (and retried).
  long stall_timeout_sec = 60;
  // Whole-request bound for manifests and tokens (blobs are bounded by the stall timeout).
  long request_timeout_sec = 120;
  int max_attempts = 5;
  long initial_backoff_ms = 200;
  // Extra CA bundle file (tests use one for a self-signed registry); empty = system store.
  std::string ca_file;
};

struct FetchedManifest {
  std::string media_type;  // from Content-Type, or the document's mediaType
  std::string body;
  std::string digest;  // sha256 of body (verified against the requested digest)
};

// (bytes so far, total or -1)
using ProgressFn = std::function<void(int64_t, int64_t)>;

class RegistryClient {
 public:
  // host: "registry-1.docker.io", "127.0.0.1:5000"; repository: "library/alpine".
  RegistryClient(std::string host, std::string repository, RegistryOptions opts);

  // GET /v2/<repo>/manifests/<reference> with the OCI and Docker Accept types.
  absl::StatusOr<FetchedManifest> GetManifest(std::string_view reference);
  // GET /v2/<repo>/blobs/<digest> into `w` (resuming on interruption); w->Commit() is left to
  // the caller.
  absl::Status FetchBlob(const spec::Descriptor& desc, BlobWriter* w, const ProgressFn& progress);

  // Number of HTTP requests made (tests check that cached layers are not fetched again).
  int requests() const { return requests_; }

  // Where a transfer's bytes go (public only so the libcurl callbacks can reach it).
  struct Sink;

 private:
  struct Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // lowercased names, last response only
    std::string body;                            // error bodies and small documents
    std::string effective_url;
  };
  std::string Url(std::string_view path) const;
  // One HTTP GET with the current Authorization; body data of 200/206 goes to `sink`.
  absl::StatusOr<Response> Perform(const std::string& url, const std::string& accept,
                                   int64_t range_from, Sink* sink, bool bounded);
  // Perform + one round of authentication on 401.
  absl::StatusOr<Response> Get(const std::string& url, const std::string& accept,
                               int64_t range_from, Sink* sink, bool bounded);
  absl::Status Authenticate(const Response& unauthorized);
  absl::Status FetchToken(const std::map<std::string, std::string>& params);
  absl::Status HttpError(const std::string& what, const Response& r) const;

  std::string host_;
  std::string repository_;
  RegistryOptions opts_;
  std::string authorization_;  // "Bearer ..." / "Basic ..."; never logged
  int requests_ = 0;
};

}  // namespace hull::pull
