#include "ctr-pull/registry.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "ctr-pull/digest.h"
#include "ctr-pull/util.h"
#include "spec/json.h"

namespace hull::pull {
namespace {

constexpr size_t kMaxDocument = 8 << 20;  // manifests, indexes, token responses
constexpr size_t kMaxErrorBody = 64 << 10;
constexpr char kUserAgent[] = "hull-ctr-pull/0.1";

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

std::string AcceptManifests() {
  return absl::StrCat(Av(spec::media_type::kOciManifest), ", ", Av(spec::media_type::kOciIndex),
                      ", ", Av(spec::media_type::kDockerManifest), ", ",
                      Av(spec::media_type::kDockerManifestList));
}

bool Retriable(long status) { return status == 429 || status == 408 || status >= 500; }

bool RetriableCurl(int code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_COULDNT_RESOLVE_HOST:
      return true;
    default:
      return false;
  }
}

std::string Escape(CURL* c, const std::string& s) {
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// "bytes 100-199/200" -> 100
std::optional<int64_t> ContentRangeStart(const std::string& v) {
  size_t sp = v.find(' ');
  size_t dash = v.find('-');
  if (sp == std::string::npos || dash == std::string::npos || dash < sp) return std::nullopt;
  int64_t start = 0;
  if (!absl::SimpleAtoi(v.substr(sp + 1, dash - sp - 1), &start)) return std::nullopt;
  return start;
}

// The registry's {"errors":[{"code":..,"message":..}]} as "CODE: message; ...".
std::string RegistryErrors(const std::string& body) {
  absl::StatusOr<json::Value> v = json::Parse(body);
  if (!v.ok()) return "";
  const json::Value* errs = v->Find("errors");
  if (errs == nullptr || !errs->is_array()) return "";
  std::vector<std::string> parts;
  for (const auto& e : errs->as_array()) {
    std::string s;
    if (const json::Value* c = e.Find("code"); c && c->is_string()) s = c->as_string();
    if (const json::Value* m = e.Find("message"); m && m->is_string()) {
      absl::StrAppend(&s, s.empty() ? "" : ": ", m->as_string());
    }
    if (!s.empty()) parts.push_back(std::move(s));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

struct RegistryClient::Sink {
  CURL* curl = nullptr;
  std::map<std::string, std::string>* headers = nullptr;
  std::string* document = nullptr;  // document mode
  BlobWriter* writer = nullptr;     // blob mode
  std::string error_body;           // body of a non-2xx response
  absl::Status error;               // why the write callback aborted the transfer
  bool started = false;
  int64_t range_from = 0;
  const ProgressFn* progress = nullptr;
  int64_t total = -1;
};

namespace {

size_t HeaderCb(char* p, size_t size, size_t n, void* ud) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(ud);
  std::string_view line(p, size * n);
  // A new status line (after a redirect or a 100 Continue) starts a new header set.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = absl::AsciiStrToLower(Av(line.substr(0, colon)));
    std::string value(absl::StripAsciiWhitespace(Av(line.substr(colon + 1))));
    (*headers)[name] = value;
  }
  return size * n;
}

}  // namespace

static size_t WriteCb(char* p, size_t size, size_t n, void* ud) {
  auto* s = static_cast<RegistryClient::Sink*>(ud);
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
  if (code != 200 && code != 206) {
    if (s->error_body.size() < kMaxErrorBody) s->error_body.append(p, std::min(len, kMaxErrorBody));
    return len;
  }
  if (s->writer != nullptr) {
    if (!s->started) {
      s->started = true;
      if (code == 200 && s->writer->size() > 0) {
        // The server ignored our Range: start over.
        if (absl::Status st = s->writer->Restart(); !st.ok()) {
          s->error = st;
          return 0;
        }
      } else if (code == 206) {
        auto it = s->headers->find("content-range");
        std::optional<int64_t> start =
            it == s->headers->end() ? std::nullopt : ContentRangeStart(it->second);
        if (!start || *start != s->writer->size()) {
          s->error = absl::UnavailableError("server resumed at the wrong offset");
          (void)s->writer->Restart();
          return 0;
        }
      }
    }
    if (absl::Status st = s->writer->Write(p, len); !st.ok()) {
      s->error = st;
      return 0;
    }
    if (s->progress && *s->progress) (*s->progress)(s->writer->size(), s->total);
    return len;
  }
  if (s->document->size() + len > kMaxDocument) {
    s->error = absl::ResourceExhaustedError("response too large");
    return 0;
  }
  s->document->append(p, len);
  return len;
}

RegistryClient::RegistryClient(std::string host, std::string repository, RegistryOptions opts)
    : host_(std::move(host)), repository_(std::move(repository)), opts_(std::move(opts)) {
  GlobalInit();
}

std::string RegistryClient::Url(std::string_view path) const {
  return absl::StrCat(opts_.plain_http ? "http://" : "https://", host_, "/v2/", repository_, "/",
                      Av(path));
}

namespace {

void CommonOptions(CURL* c, const RegistryOptions& o, bool bounded) {
  curl_easy_setopt(c, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  // Only http(s), also after a redirect; curl drops our Authorization header when a redirect
  // goes to another host (blob storage), so the registry token never leaks there.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_sec);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_sec);
  if (bounded) curl_easy_setopt(c, CURLOPT_TIMEOUT, o.request_timeout_sec);
  if (o.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
}

}  // namespace

absl::StatusOr<RegistryClient::Response> RegistryClient::Perform(const std::string& url,
                                                                 const std::string& accept,
                                                                 int64_t range_from, Sink* sink,
                                                                 bool bounded) {
  CurlPtr c(curl_easy_init());
  if (!c) return absl::ResourceExhaustedError("curl_easy_init failed");
  Response r;
  std::string document;
  sink->curl = c.get();
  sink->headers = &r.headers;
  if (sink->writer == nullptr) sink->document = &document;
  sink->error_body.clear();
  sink->error = absl::OkStatus();
  sink->started = false;
  sink->range_from = range_from;

  CommonOptions(c.get(), opts_, bounded);
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, HeaderCb);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, sink);
  curl_slist* raw = nullptr;
  if (!accept.empty()) raw = curl_slist_append(raw, absl::StrCat("Accept: ", accept).c_str());
  if (!authorization_.empty()) {
    raw = curl_slist_append(raw, absl::StrCat("Authorization: ", authorization_).c_str());
  }
  SlistPtr headers(raw);
  if (headers) curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  std::string range;
  if (range_from > 0) {
    range = absl::StrCat(range_from, "-");
    curl_easy_setopt(c.get(), CURLOPT_RANGE, range.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  ++requests_;
  CURLcode rc = curl_easy_perform(c.get());
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &r.status);
  if (char* eff = nullptr;
      curl_easy_getinfo(c.get(), CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != nullptr) {
    r.effective_url = eff;
  }
  if (!sink->error.ok()) return sink->error;
  if (rc != CURLE_OK) {
    std::string msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    absl::Status st =
        rc == CURLE_OPERATION_TIMEDOUT
            ? absl::DeadlineExceededError(absl::StrCat("GET ", url, ": timed out: ", msg))
            : absl::UnavailableError(absl::StrCat("GET ", url, ": ", msg));
    st.SetPayload("hull/curl", absl::Cord(absl::StrCat(static_cast<int>(rc))));
    return st;
  }
  r.body = r.status == 200 || r.status == 206 ? std::move(document) : std::move(sink->error_body);
  return r;
}

namespace {

// Docker treats loopback registries as insecure: https first, then plain http.
bool IsLoopbackHost(const std::string& host) {
  std::string h =
      host.substr(0, host.rfind(':') == std::string::npos || host.back() == ']' ? host.size()
                                                                                : host.rfind(':'));
  return h == "localhost" || h.rfind("127.", 0) == 0 || h == "[::1]";
}

}  // namespace

absl::StatusOr<RegistryClient::Response> RegistryClient::Get(const std::string& url_in,
                                                             const std::string& accept,
                                                             int64_t range_from, Sink* sink,
                                                             bool bounded) {
  std::string url = url_in;
  // After a fallback to http, URLs built before it still say https.
  if (opts_.plain_http && url.rfind("https://", 0) == 0) url = "http://" + url.substr(8);
  absl::StatusOr<Response> first = Perform(url, accept, range_from, sink, bounded);
  if (!first.ok() && !opts_.plain_http && IsLoopbackHost(host_) && url.rfind("https://", 0) == 0) {
    auto code = first.status().GetPayload("hull/curl");
    if (code && std::stoi(std::string(*code)) == CURLE_SSL_CONNECT_ERROR) {
      opts_.plain_http = true;  // and for every later request of this client
      url = "http://" + url.substr(8);
      first = Perform(url, accept, range_from, sink, bounded);
    }
  }
  if (!first.ok()) return first.status();
  Response r = *std::move(first);
  if (r.status != 401) return r;
  RETURN_IF_ERROR(Authenticate(r));
  ASSIGN_OR_RETURN(Response again, Perform(url, accept, range_from, sink, bounded));
  if (again.status == 401) {
    return absl::UnauthenticatedError(absl::StrCat("registry ", host_, " rejected the ",
                                                   opts_.creds ? "credentials" : "anonymous token",
                                                   " (401 Unauthorized)"));
  }
  return again;
}

absl::Status RegistryClient::Authenticate(const Response& unauthorized) {
  auto it = unauthorized.headers.find("www-authenticate");
  if (it == unauthorized.headers.end()) {
    return HttpError(absl::StrCat("GET ", Url("")), unauthorized);
  }
  ASSIGN_OR_RETURN(Challenge ch, ParseChallenge(it->second));
  if (ch.scheme == "basic") {
    if (!opts_.creds) {
      return absl::UnauthenticatedError(
          absl::StrCat("registry ", host_,
                       " requires authentication (basic): pass --creds USER:PASS or log in"));
    }
    if (!authorization_.empty()) {
      return absl::UnauthenticatedError(
          absl::StrCat("registry ", host_, " rejected the credentials (401 Unauthorized)"));
    }
    authorization_ = absl::StrCat(
        "Basic ", Base64Encode(absl::StrCat(opts_.creds->username, ":", opts_.creds->password)));
    return absl::OkStatus();
  }
  if (ch.scheme == "bearer") {
    if (authorization_.rfind("Bearer ", 0) == 0 && ch.params.count("error") == 0) {
      return absl::UnauthenticatedError(
          absl::StrCat("registry ", host_, " rejected the token (401 Unauthorized)"));
    }
    return FetchToken(ch.params);
  }
  return absl::UnimplementedError(
      absl::StrCat("registry ", host_, ": unsupported authentication scheme \"", ch.scheme, "\""));
}

absl::Status RegistryClient::FetchToken(const std::map<std::string, std::string>& params) {
  auto realm = params.find("realm");
  if (realm == params.end() || realm->second.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry ", host_, ": bearer challenge without a realm"));
  }
  if (realm->second.rfind("https://", 0) != 0 && realm->second.rfind("http://", 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry ", host_, ": token realm is not an http(s) URL"));
  }
  CurlPtr c(curl_easy_init());
  if (!c) return absl::ResourceExhaustedError("curl_easy_init failed");
  std::string url = realm->second;
  std::vector<std::string> query;
  if (auto s = params.find("service"); s != params.end()) {
    query.push_back(absl::StrCat("service=", Escape(c.get(), s->second)));
  }
  auto scope = params.find("scope");
  query.push_back(absl::StrCat(
      "scope=",
      Escape(c.get(), scope != params.end() ? scope->second
                                            : absl::StrCat("repository:", repository_, ":pull"))));
  absl::StrAppend(&url, url.find('?') == std::string::npos ? "?" : "&", absl::StrJoin(query, "&"));

  std::map<std::string, std::string> headers;
  Sink sink;
  std::string body;
  sink.curl = c.get();
  sink.headers = &headers;
  sink.document = &body;
  CommonOptions(c.get(), opts_, /*bounded=*/true);
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, HeaderCb);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &sink);
  if (opts_.creds) {
    curl_easy_setopt(c.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c.get(), CURLOPT_USERNAME, opts_.creds->username.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PASSWORD, opts_.creds->password.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  ++requests_;
  CURLcode rc = curl_easy_perform(c.get());
  // The realm URL carries no credentials (they go in the Authorization header), so it is safe to
  // show.
  if (!sink.error.ok()) return Annotate(sink.error, absl::StrCat("token from ", realm->second));
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("token from ", realm->second, ": ",
                                               errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 401 || status == 403) {
    return absl::PermissionDeniedError(absl::StrCat(
        "token from ", realm->second, ": ", status,
        opts_.creds ? " (credentials rejected)" : " (anonymous access denied; pass --creds)"));
  }
  if (status != 200) {
    return absl::UnavailableError(absl::StrCat("token from ", realm->second, ": HTTP ", status));
  }
  absl::StatusOr<json::Value> doc = json::Parse(body);
  if (!doc.ok()) return Annotate(doc.status(), absl::StrCat("token from ", realm->second));
  const json::Value* tok = doc->Find("token");
  if (tok == nullptr || !tok->is_string() || tok->as_string().empty())
    tok = doc->Find("access_token");
  if (tok == nullptr || !tok->is_string() || tok->as_string().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token from ", realm->second, ": response has no token"));
  }
  authorization_ = absl::StrCat("Bearer ", tok->as_string());
  return absl::OkStatus();
}

absl::Status RegistryClient::HttpError(const std::string& what, const Response& r) const {
  std::string detail = RegistryErrors(r.body);
  std::string msg = absl::StrCat(what, ": HTTP ", r.status);
  switch (r.status) {
    case 401:
      absl::StrAppend(&msg, " Unauthorized");
      break;
    case 403:
      absl::StrAppend(&msg, " Forbidden");
      break;
    case 404:
      absl::StrAppend(&msg, " Not Found");
      break;
    case 429:
      absl::StrAppend(&msg, " Too Many Requests (rate limited)");
      break;
    default:
      break;
  }
  if (!detail.empty()) absl::StrAppend(&msg, ": ", detail);
  switch (r.status) {
    case 401:
      return absl::UnauthenticatedError(msg);
    case 403:
      return absl::PermissionDeniedError(msg);
    case 404:
      return absl::NotFoundError(msg);
    case 429:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::UnavailableError(msg);
  }
}

absl::StatusOr<FetchedManifest> RegistryClient::GetManifest(std::string_view reference) {
  std::string url = Url(absl::StrCat("manifests/", Av(reference)));
  absl::Status last;
  for (int attempt = 0; attempt < opts_.max_attempts; ++attempt) {
    if (attempt > 0)
      usleep(static_cast<useconds_t>(opts_.initial_backoff_ms * 1000 << (attempt - 1)));
    Sink sink;
    absl::StatusOr<Response> r = Get(url, AcceptManifests(), 0, &sink, /*bounded=*/true);
    if (!r.ok()) {
      auto code = r.status().GetPayload("hull/curl");
      if (code && RetriableCurl(std::stoi(std::string(*code)))) {
        last = r.status();
        continue;
      }
      return r.status();
    }
    if (r->status != 200) {
      last = HttpError(absl::StrCat("GET ", url), *r);
      if (Retriable(r->status)) continue;
      return last;
    }
    FetchedManifest m;
    m.body = std::move(r->body);
    m.digest = Sha256Digest(m.body);
    if (reference.rfind("sha256:", 0) == 0 && m.digest != reference) {
      return absl::DataLossError(
          absl::StrCat("GET ", url, ": manifest digest mismatch: content is ", m.digest));
    }
    if (auto h = r->headers.find("docker-content-digest");
        h != r->headers.end() && h->second.rfind("sha256:", 0) == 0 && h->second != m.digest) {
      return absl::DataLossError(absl::StrCat("GET ", url, ": Docker-Content-Digest ", h->second,
                                              " does not match the content (", m.digest, ")"));
    }
    if (auto ct = r->headers.find("content-type"); ct != r->headers.end()) {
      m.media_type = ct->second.substr(0, ct->second.find(';'));
    }
    return m;
  }
  return Annotate(last, absl::StrCat("giving up after ", opts_.max_attempts, " attempts"));
}

absl::Status RegistryClient::FetchBlob(const spec::Descriptor& desc, BlobWriter* w,
                                       const ProgressFn& progress) {
  std::string url = Url(absl::StrCat("blobs/", desc.digest));
  absl::Status last;
  for (int attempt = 0; attempt < opts_.max_attempts; ++attempt) {
    if (attempt > 0)
      usleep(static_cast<useconds_t>(opts_.initial_backoff_ms * 1000 << (attempt - 1)));
    if (desc.size > 0 && w->size() == desc.size) return absl::OkStatus();
    Sink sink;
    sink.writer = w;
    sink.progress = &progress;
    sink.total = desc.size;
    absl::StatusOr<Response> r = Get(url, "", w->size(), &sink, /*bounded=*/false);
    if (!r.ok()) {
      auto code = r.status().GetPayload("hull/curl");
      bool retry = (code && RetriableCurl(std::stoi(std::string(*code)))) ||
                   r.status().code() == absl::StatusCode::kUnavailable;
      // A blob larger than its descriptor, or a local write error: retrying cannot help.
      if (!retry || r.status().code() == absl::StatusCode::kDataLoss) return r.status();
      last = r.status();
      continue;
    }
    if (r->status == 416 && w->size() > 0) {  // range not satisfiable: start over
      RETURN_IF_ERROR(w->Restart());
      last = HttpError(absl::StrCat("GET ", url), *r);
      continue;
    }
    if (r->status != 200 && r->status != 206) {
      last = HttpError(absl::StrCat("GET ", url), *r);
      if (Retriable(r->status)) continue;
      return last;
    }
    if (desc.size >= 0 && w->size() != desc.size) {
      last = absl::UnavailableError(
          absl::StrCat("GET ", url, ": short body (", w->size(), " of ", desc.size, " bytes)"));
      continue;
    }
    return absl::OkStatus();
  }
  return Annotate(last, absl::StrCat("giving up after ", opts_.max_attempts, " attempts"));
}

}  // namespace hull::pull
