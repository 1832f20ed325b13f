// A network namespace created ahead of the container's init, while hull itself is still
// starting.
//
// Why: creating a network namespace is the single most expensive kernel operation of a
// container start (~0.6 ms here: a loopback device, per-namespace sysctl tables, netfilter and
// IPv6 state). The init used to do it first thing, on the critical path, while the second CPU
// sat idle through hull's own exec and C library start (~0.5 ms). Now, for `create` and `run`,
// the ELF entry point (exe_protect_entry.cc, before libc) reads config.json, and when it asks for
// a new network namespace without a user namespace, starts a helper (CLONE_VM, raw system
// calls) that creates one and sends
// its fd over a socket. main() adopts the helper (AdoptNetnsAhead); `create` hands the socket to
// the init when the real, parsed config confirms the namespace is wanted, and the init joins it
// with setns instead of calling unshare. In every other case the socket is closed and the helper
// reaped: the entry point's scan is only a hint, the parsed config decides.
//
// The namespace is the one unshare would make in the init: owned by the initial user namespace,
// created by a root process of hull's own. With a user namespace in the config the network
// namespace must belong to it, so no helper is started.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

// Set by the entry point when it forked a helper and did not re-execute (the binary was already
// on a read-only mount); otherwise the re-executed image finds them in kNetnsAheadEnv.
extern "C" int hull_netns_ahead_socket;
extern "C" int hull_netns_ahead_pid;

namespace hull::linux {

// "<socket fd>,<helper pid>", passed by the entry point across its re-exec.
inline constexpr char kNetnsAheadEnv[] = "HULL_NETNS_AHEAD";

// The config scan, free of the C library (it runs before it, see exe_protect_entry.cc): whether
// `json` has a linux.namespaces entry of type "network" without a non-empty "path", and none of
// type "user". Anything unexpected (bad syntax, escapes in the names, a truncated file) answers
// false: the init then creates the namespace itself, as before.
namespace netns_scan {

#define HULL_SCAN __attribute__((always_inline, no_sanitize("address", "undefined"))) inline

struct Cursor {
  const char* p;
  const char* end;
};

HULL_SCAN void SkipSpace(Cursor& c) {
  while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' || *c.p == '\n' || *c.p == '\r')) ++c.p;
}

// At an opening quote: moves past the closing one; [*s, *s + *n) is the raw content.
HULL_SCAN bool ReadString(Cursor& c, const char** s, long* n) {
  if (c.p >= c.end || *c.p != '"') return false;
  const char* start = ++c.p;
  while (c.p < c.end && *c.p != '"') c.p += (*c.p == '\\') ? 2 : 1;
  if (c.p >= c.end) return false;
  *s = start;
  *n = c.p - start;
  ++c.p;
  return true;
}

HULL_SCAN bool Equals(const char* s, long n, const char* lit) {
  long i = 0;
  for (; i < n && lit[i] != '\0'; ++i) {
    if (s[i] != lit[i]) return false;
  }
  return i == n && lit[i] == '\0';
}

// Skips one value of any kind.
HULL_SCAN bool SkipValue(Cursor& c) {
  SkipSpace(c);
  if (c.p >= c.end) return false;
  if (*c.p == '"') {
    const char* s;
    long n;
    return ReadString(c, &s, &n);
  }
  if (*c.p == '{' || *c.p == '[') {
    long depth = 0;
    while (c.p < c.end) {
      if (*c.p == '"') {
        const char* s;
        long n;
        if (!ReadString(c, &s, &n)) return false;
        continue;
      }
      if (*c.p == '{' || *c.p == '[') ++depth;
      if (*c.p == '}' || *c.p == ']') --depth;
      ++c.p;
      if (depth == 0) return true;
    }
    return false;
  }
  while (c.p < c.end && *c.p != ',' && *c.p != '}' && *c.p != ']' && *c.p != ' ' && *c.p != '\n' &&
         *c.p != '\t' && *c.p != '\r') {
    ++c.p;
  }
  return true;
}

// At '[' of the namespaces array.
HULL_SCAN bool ScanNamespaces(Cursor& c, bool* new_net, bool* user) {
  ++c.p;
  for (;;) {
    SkipSpace(c);
    if (c.p >= c.end) return false;
    if (*c.p == ']') return true;
    if (*c.p != '{') return false;
    ++c.p;
    bool is_net = false, is_user = false, has_path = false;
    for (;;) {
      SkipSpace(c);
      if (c.p < c.end && *c.p == '}') break;
      const char* key;
      long key_n;
      if (!ReadString(c, &key, &key_n)) return false;
      SkipSpace(c);
      if (c.p >= c.end || *c.p != ':') return false;
      ++c.p;
      SkipSpace(c);
      const bool is_type = Equals(key, key_n, "type");
      const bool is_path = Equals(key, key_n, "path");
      if ((is_type || is_path) && c.p < c.end && *c.p == '"') {
        const char* v;
        long v_n;
        if (!ReadString(c, &v, &v_n)) return false;
        if (is_type) {
          is_net = Equals(v, v_n, "network");
          is_user = Equals(v, v_n, "user");
        }
        if (is_path) has_path = v_n > 0;
      } else if (!SkipValue(c)) {
        return false;
      }
      SkipSpace(c);
      if (c.p < c.end && *c.p == ',') {
        ++c.p;
        continue;
      }
      if (c.p < c.end && *c.p == '}') break;
      return false;
    }
    ++c.p;  // '}'
    if (is_net && !has_path) *new_net = true;
    if (is_user) *user = true;
    SkipSpace(c);
    if (c.p < c.end && *c.p == ',') ++c.p;
  }
}

HULL_SCAN bool WantsNewNetnsWithoutUserns(const char* json, long len) {
  Cursor c{json, json + len};
  // Every string in the document, looking for the key "namespaces" with an array value.
  while (c.p < c.end) {
    if (*c.p != '"') {
      ++c.p;
      continue;
    }
    const char* s;
    long n;
    if (!ReadString(c, &s, &n)) return false;
    if (!Equals(s, n, "namespaces")) continue;
    Cursor after = c;
    SkipSpace(after);
    if (after.p >= after.end || *after.p != ':') continue;
    ++after.p;
    SkipSpace(after);
    if (after.p >= after.end || *after.p != '[') continue;
    bool new_net = false, user = false;
    if (!ScanNamespaces(after, &new_net, &user)) return false;
    return new_net && !user;
  }
  return false;
}

#undef HULL_SCAN

}  // namespace netns_scan

// The helper the entry point started, owned by main() then by `create`. Destroying it closes
// the socket (a namespace still in it is freed) and reaps the helper, which never blocks: it
// exits right after sending.
class NetnsAhead {
 public:
  NetnsAhead() = default;
  NetnsAhead(UniqueFd socket, pid_t helper) : socket_(std::move(socket)), helper_(helper) {}
  NetnsAhead(NetnsAhead&& o) noexcept : socket_(std::move(o.socket_)), helper_(o.helper_) {
    o.helper_ = -1;
  }
  NetnsAhead& operator=(NetnsAhead&& o) noexcept;
  ~NetnsAhead() { Release(); }

  bool valid() const { return socket_.get() >= 0; }
  // The socket the namespace fd arrives on (ReceiveNetnsAhead), for the init.
  int socket() const { return socket_.get(); }
  pid_t helper() const { return helper_; }
  // Closes our end and reaps the helper.
  void Release();

 private:
  UniqueFd socket_;
  pid_t helper_ = -1;
};

// Called once at the start of main(): takes the helper left by the entry point (the globals
// above, or kNetnsAheadEnv after the re-exec, which it removes from the environment), checks
// that the pid is our child and the fd a SOCK_SEQPACKET socket, and keeps them for
// TakeNetnsAhead. Anything else is ignored.
void AdoptNetnsAhead();

// The adopted helper (empty when there is none, or when already taken).
NetnsAhead TakeNetnsAhead();

// In the init: waits for the helper's network namespace fd on `socket` and checks that it is
// one. An error when the helper failed (it then sends nothing and exits: end of file).
absl::StatusOr<UniqueFd> ReceiveNetnsAhead(int socket);

}  // namespace hull::linux
