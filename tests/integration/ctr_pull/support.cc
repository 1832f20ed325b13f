#include "tests/integration/ctr_pull/support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ctr-pull/digest.h"
#include "ctr-pull/util.h"
#include "tests/unit/ctr_pull/tar_builder.h"

namespace hull::pull::testing {

namespace fs = std::filesystem;

RunResult RunCmd(const std::vector<std::string>& argv, int timeout_sec) {
  RunResult r;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    setpgid(0, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(p[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_sec);
  char buf[4096];
  while (true) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (left <= 0) {
      kill(-pid, SIGKILL);
      break;
    }
    struct pollfd pfd = {p[0], POLLIN, 0};
    if (poll(&pfd, 1, left) <= 0) continue;
    ssize_t n = read(p[0], buf, sizeof(buf));
    if (n <= 0) break;
    r.output.append(buf, static_cast<size_t>(n));
  }
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/ctrpull-it-XXXXXX";
  path_ = mkdtemp(tmpl);
}
TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

std::string Sha256Hex(const std::string& data) { return Sha256Digest(data).substr(7); }

LayoutBuilder::LayoutBuilder(std::string dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_ + "/blobs/sha256");
  WriteAll(dir_ + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

std::string LayoutBuilder::AddBlob(const std::string& data) {
  std::string hex = Sha256Hex(data);
  WriteAll(dir_ + "/blobs/sha256/" + hex, data);
  return "sha256:" + hex;
}

static std::string Desc(const std::string& mt, const std::string& digest, size_t size,
                        const std::string& extra = "") {
  return R"({"mediaType":")" + mt + R"(","digest":")" + digest + R"(","size":)" +
         std::to_string(size) + extra + "}";
}

std::string LayoutBuilder::AddManifest(const std::vector<Layer>& layers,
                                       const std::string& config_json, const std::string& arch,
                                       const std::string& variant) {
  std::string cfg = AddBlob(config_json);
  std::string m = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)";
  m += R"("config":)" + Desc("application/vnd.oci.image.config.v1+json", cfg, config_json.size());
  m += R"(,"layers":[)";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i) m += ",";
    m += Desc(layers[i].media_type, AddBlob(layers[i].data), layers[i].data.size());
  }
  m += "]}";
  std::string d = AddBlob(m);
  std::string plat = R"(,"platform":{"architecture":")" + arch + R"(","os":"linux")" +
                     (variant.empty() ? "" : R"(,"variant":")" + variant + "\"") + "}";
  return Desc("application/vnd.oci.image.manifest.v1+json", d, m.size(), plat);
}

std::string LayoutBuilder::AddIndex(const std::vector<std::string>& manifests) {
  std::string idx =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)";
  for (size_t i = 0; i < manifests.size(); ++i) idx += (i ? "," : "") + manifests[i];
  idx += "]}";
  std::string d = AddBlob(idx);
  return Desc("application/vnd.oci.image.index.v1+json", d, idx.size());
}

std::string LayoutBuilder::Digest(const std::string& desc) {
  size_t p = desc.find("sha256:");
  return desc.substr(p, 71);
}

void LayoutBuilder::Tag(const std::string& tag, const std::string& desc) {
  tags_.emplace_back(tag, desc);
  std::string idx = R"({"schemaVersion":2,"manifests":[)";
  for (size_t i = 0; i < tags_.size(); ++i) {
    std::string d = tags_[i].second;
    d.pop_back();  // drop '}' to add the annotation
    idx += (i ? "," : "") + d + R"(,"annotations":{"org.opencontainers.image.ref.name":")" +
           tags_[i].first + "\"}}";
  }
  idx += "]}";
  WriteAll(dir_ + "/index.json", idx);
}

std::vector<LayoutBuilder::Layer> BusyboxLayers(const std::string& marker) {
  TarBuilder l1;
  l1.Dir("bin").File("bin/busybox", ReadAll("/bin/busybox"), 0755);
  for (const char* app : {"sh", "echo", "cat", "ls", "id", "pwd", "env"}) {
    l1.Symlink(std::string("bin/") + app, "busybox");
  }
  TarBuilder l2;
  l2.Dir("etc")
      .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
      .File("etc/group", "root:x:0:\napp:x:1000:\n")
      .File("marker", marker + "\n")
      .File("data/keep", "keep\n")
      .File("data/gone", "gone\n")
      .Dir("opaque")
      .File("opaque/lower", "lower\n");
  TarBuilder l3;
  l3.File("data/.wh.gone", "")
      .File("data/new", "new\n")
      .File("opaque/.wh..wh..opq", "")
      .File("opaque/upper", "upper\n");
  return {
      {l1.Build(TarBuilder::Compression::kGzip), "application/vnd.oci.image.layer.v1.tar+gzip"},
      {l2.Build(TarBuilder::Compression::kZstd), "application/vnd.oci.image.layer.v1.tar+zstd"},
      {l3.Build(), "application/vnd.oci.image.layer.v1.tar"},
  };
}

std::string BusyboxConfig(const std::string& arch) {
  return R"({"architecture":")" + arch +
         R"(","os":"linux","config":{"Env":["FOO=bar"],"Cmd":["echo","from-image"],)"
         R"("WorkingDir":"/","Labels":{"test":"ctr-pull"}},"rootfs":{"type":"layers","diff_ids":[]}})";
}

Registry::Registry(std::string workdir) : workdir_(std::move(workdir)) {
  fs::create_directories(storage());
}
Registry::~Registry() { Stop(); }

bool Registry::Start(Auth auth) {
  Stop();
  port_ = FreePort();
  std::string cfg =
      "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: " +
      storage() + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host() + "\n";
  if (auth == Auth::kHtpasswd) {
    cfg += "auth:\n  htpasswd:\n    realm: hull-test\n    path: " + htpasswd_ + "\n";
  } else if (auth == Auth::kToken) {
    cfg += "auth:\n  token:\n    realm: " + realm_ +
           "\n    service: hull-test-registry\n    issuer: hull-test-issuer\n    rootcertbundle: " +
           cert_ + "\n";
  }
  WriteAll(workdir_ + "/config.yml", cfg);
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open((workdir_ + "/registry.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    setpgid(0, 0);
    execlp("docker-registry", "docker-registry", "serve", (workdir_ + "/config.yml").c_str(),
           nullptr);
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    close(fd);
    if (ok) return true;
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    usleep(50 * 1000);
  }
  return false;
}

void Registry::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    usleep(50 * 1000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string Registry::log() const { return ReadAll(workdir_ + "/registry.log"); }

RunResult Registry::Push(const std::string& layout, const std::string& tag,
                         const std::string& repo) {
  return RunCmd({"skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                 "--dest-tls-verify=false", "oci:" + layout + ":" + tag,
                 "docker://" + host() + "/" + repo + ":" + tag},
                120);
}

// ---- CuttingProxy ----------------------------------------------------------------------------

static int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(fd, 16);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// accept() that gives up every 100ms so the server thread can notice stop_.
static int AcceptWithStop(int lfd, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) return accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  }
  return -1;
}

CuttingProxy::CuttingProxy(int upstream_port, size_t cut_after)
    : upstream_port_(upstream_port), cut_after_(cut_after) {
  listen_fd_ = ListenLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

CuttingProxy::~CuttingProxy() {
  stop_ = true;
  thread_.join();
  for (auto& w : workers_) w.join();
  close(listen_fd_);
}

void CuttingProxy::Serve() {
  while (!stop_.load()) {
    int c = AcceptWithStop(listen_fd_, stop_);
    if (c < 0) continue;
    workers_.emplace_back([this, c] { Pump(c); });
  }
}

void CuttingProxy::Pump(int client) {
  int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(up, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(client);
    close(up);
    return;
  }
  size_t down = 0;
  char buf[16384];
  while (!stop_.load()) {
    struct pollfd p[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
    if (poll(p, 2, 100) <= 0) continue;
    if (p[0].revents) {
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) break;
      std::string req(buf, static_cast<size_t>(n));
      if (req.find("Range: bytes=") != std::string::npos ||
          req.find("range: bytes=") != std::string::npos) {
        saw_range_ = true;
      }
      if (write(up, buf, static_cast<size_t>(n)) != n) break;
    }
    if (p[1].revents) {
      ssize_t n = read(up, buf, sizeof(buf));
      if (n <= 0) break;
      size_t len = static_cast<size_t>(n);
      if (cuts_.load() == 0 && down + len > cut_after_) {
        // Deliver up to the limit, then drop the connection mid-body.
        size_t part = cut_after_ - down;
        if (part > 0 && write(client, buf, part) < 0) break;
        cuts_++;
        break;
      }
      down += len;
      if (write(client, buf, len) != n) break;
    }
  }
  close(client);
  close(up);
}

// ---- TokenIssuer -------------------------------------------------------------------------------

static std::string B64Url(const std::string& in) {
  std::string s = Base64Encode(in);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

TokenIssuer::TokenIssuer(const std::string& key_file, const std::string& cert_file,
                         std::string user, std::string pass, std::string service,
                         std::string issuer)
    : key_pem_(ReadAll(key_file)),
      user_(std::move(user)),
      pass_(std::move(pass)),
      service_(std::move(service)),
      issuer_(std::move(issuer)) {
  FILE* f = fopen(cert_file.c_str(), "r");
  X509* cert = f ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) fclose(f);
  if (cert) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    cert_der_b64_ =
        Base64Encode(std::string(reinterpret_cast<char*>(der), static_cast<size_t>(len)));
    OPENSSL_free(der);
    X509_free(cert);
  }
  listen_fd_ = ListenLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

TokenIssuer::~TokenIssuer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string TokenIssuer::MakeToken(const std::string& scope) {
  std::string header = R"({"alg":"RS256","typ":"JWT","x5c":[")" + cert_der_b64_ + R"("]})";
  // scope "repository:NAME:ACTIONS"
  std::string name, actions;
  size_t a = scope.find(':'), b = scope.rfind(':');
  if (a != std::string::npos && b != a) {
    name = scope.substr(a + 1, b - a - 1);
    actions = scope.substr(b + 1);
  }
  std::string acts;
  std::stringstream ss(actions);
  std::string act;
  while (std::getline(ss, act, ',')) acts += (acts.empty() ? "\"" : ",\"") + act + "\"";
  long now = static_cast<long>(time(nullptr));
  std::string claims = R"({"iss":")" + issuer_ + R"(","sub":")" + user_ + R"(","aud":")" +
                       service_ + R"(","exp":)" + std::to_string(now + 600) + R"(,"nbf":)" +
                       std::to_string(now - 60) + R"(,"iat":)" + std::to_string(now - 60) +
                       R"(,"jti":")" + std::to_string(now) + std::to_string(issued_.load()) +
                       R"(","access":[{"type":"repository","name":")" + name + R"(","actions":[)" +
                       acts + "]}]}";
  std::string signing_input = B64Url(header) + "." + B64Url(claims);
  BIO* bio = BIO_new_mem_buf(key_pem_.data(), static_cast<int>(key_pem_.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t siglen = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &siglen,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::string sig(siglen, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &siglen,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  sig.resize(siglen);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return signing_input + "." + B64Url(sig);
}

static std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

void TokenIssuer::Serve() {
  while (!stop_.load()) {
    int c = AcceptWithStop(listen_fd_, stop_);
    if (c < 0) continue;
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      struct pollfd p = {c, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) break;
      ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string scope;
    size_t sp = req.find("scope=");
    if (sp != std::string::npos) {
      size_t end = req.find_first_of("& ", sp);
      scope = UrlDecode(req.substr(sp + 6, end - sp - 6));
    }
    std::string want = "Basic " + Base64Encode(user_ + ":" + pass_);
    bool authorized = req.find("Authorization: " + want) != std::string::npos ||
                      req.find("authorization: " + want) != std::string::npos;
    std::string resp;
    if (!authorized) {
      refused_++;
      resp = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } else {
      issued_++;
      std::string body = R"({"token":")" + MakeToken(scope) + R"(","expires_in":600})";
      resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    (void)!write(c, resp.data(), resp.size());
    close(c);
  }
}

// ---- MiniHttpServer ----------------------------------------------------------------------------

static std::string ReadRequestHead(int c) {
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos) {
    struct pollfd p = {c, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = read(c, buf, sizeof(buf));
    if (n <= 0) break;
    req.append(buf, static_cast<size_t>(n));
  }
  return req;
}

MiniHttpServer::MiniHttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ListenLoopback(&port_);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      int c = AcceptWithStop(listen_fd_, stop_);
      if (c < 0) continue;
      std::string resp = handler_(ReadRequestHead(c));
      size_t off = 0;
      while (off < resp.size()) {
        ssize_t n = write(c, resp.data() + off, resp.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      close(c);
    }
  });
}

MiniHttpServer::~MiniHttpServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string ForwardHttp(int port, const std::string& request) {
  int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(up, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(up);
    return "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
  }
  std::string req = request;
  size_t eol = req.find("\r\n");
  req.insert(eol + 2, "Connection: close\r\n");
  (void)!write(up, req.data(), req.size());
  std::string resp;
  char buf[16384];
  while (true) {
    struct pollfd p = {up, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    ssize_t n = read(up, buf, sizeof(buf));
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(up);
  return resp;
}

}  // namespace hull::pull::testing
