// Test fixtures for ctr-pull against a real registry on loopback: processes with timeouts, a
// docker-registry started per test (plain, htpasswd or token mode), OCI layouts built in-process,
// a connection-cutting proxy and a small JWT token issuer.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hull::pull::testing {

struct RunResult {
  int exit_code = -1;  // -1: killed by the timeout or a signal
  std::string output;  // stdout + stderr
};
RunResult RunCmd(const std::vector<std::string>& argv, int timeout_sec = 120);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

int FreePort();
std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& data);
std::string Sha256Hex(const std::string& data);

// Builds an OCI image layout directory.
class LayoutBuilder {
 public:
  explicit LayoutBuilder(std::string dir);
  // Stores a blob, returns "sha256:..." .
  std::string AddBlob(const std::string& data);
  struct Layer {
    std::string data;
    std::string media_type;
  };
  // An image manifest for one platform; returns its descriptor JSON (with platform).
  std::string AddManifest(const std::vector<Layer>& layers, const std::string& config_json,
                          const std::string& arch = "amd64", const std::string& variant = "");
  // Tags a manifest or index descriptor in index.json (writes index.json and oci-layout).
  void Tag(const std::string& tag, const std::string& descriptor_json);
  // An image index over descriptors; returns its descriptor JSON.
  std::string AddIndex(const std::vector<std::string>& manifest_descriptors);
  static std::string Digest(const std::string& descriptor_json);

 private:
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> tags_;
};

// A busybox image: layer 1 busybox + applets, layer 2 adds /etc files and /data/{keep,gone},
// layer 3 whites out /data/gone and adds /data/new. Config Cmd: ["echo","from-image"].
std::vector<LayoutBuilder::Layer> BusyboxLayers(const std::string& marker);
std::string BusyboxConfig(const std::string& arch = "amd64");

class Registry {
 public:
  enum class Auth { kNone, kHtpasswd, kToken };
  // `storage` persists across Start/Stop (push once, restart in another auth mode).
  explicit Registry(std::string workdir);
  ~Registry();
  void set_htpasswd(const std::string& file) { htpasswd_ = file; }
  void set_token(const std::string& realm, const std::string& cert_file) {
    realm_ = realm;
    cert_ = cert_file;
  }
  bool Start(Auth auth);  // waits until it answers; false on failure (see log())
  void Stop();            // by PID; SIGTERM then SIGKILL
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string storage() const { return workdir_ + "/storage"; }
  std::string log() const;
  // skopeo copy oci:LAYOUT:TAG docker://host/REPO:TAG (all platforms of an index).
  RunResult Push(const std::string& layout, const std::string& tag, const std::string& repo);

 private:
  std::string workdir_;
  std::string htpasswd_, realm_, cert_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP proxy on loopback that cuts the first connection whose response exceeds `cut_after`
// bytes, and records whether any request carried a Range header.
class CuttingProxy {
 public:
  CuttingProxy(int upstream_port, size_t cut_after);
  ~CuttingProxy();
  int port() const { return port_; }
  int cuts() const { return cuts_.load(); }
  bool saw_range() const { return saw_range_.load(); }

 private:
  void Serve();
  void Pump(int client);
  int listen_fd_ = -1;
  int port_ = 0;
  int upstream_port_;
  size_t cut_after_;
  std::atomic<int> cuts_{0};
  std::atomic<bool> saw_range_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

// A minimal token service (GET /token?service=..&scope=..) issuing RS256 JWTs with an x5c header
// for the registry's token mode. Requires Basic user:pass when credentials are configured.
class TokenIssuer {
 public:
  TokenIssuer(const std::string& key_pem_file, const std::string& cert_pem_file, std::string user,
              std::string pass, std::string service, std::string issuer);
  ~TokenIssuer();
  int port() const { return port_; }
  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  int issued() const { return issued_.load(); }
  int refused() const { return refused_.load(); }

 private:
  void Serve();
  std::string MakeToken(const std::string& scope);
  std::string key_pem_, cert_der_b64_, user_, pass_, service_, issuer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> issued_{0}, refused_{0};
  std::thread thread_;
};

// A one-request-per-connection HTTP server on loopback; `handler` gets the raw request head and
// returns the raw response.
class MiniHttpServer {
 public:
  using Handler = std::function<std::string(const std::string& request)>;
  explicit MiniHttpServer(Handler handler);
  ~MiniHttpServer();
  int port() const { return port_; }

 private:
  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Sends `request` (its head; "Connection: close" is added) to 127.0.0.1:port and returns the
// whole response.
std::string ForwardHttp(int port, const std::string& request);

}  // namespace hull::pull::testing
