#include "ctr-pull/digest.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ctr-pull/util.h"

namespace hull::pull {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { Reset(); }
Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }
Sha256::Sha256(Sha256&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
Sha256& Sha256::operator=(Sha256&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
  }
  return *this;
}

void Sha256::Reset() { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }

void Sha256::Update(const void* data, size_t n) { EVP_DigestUpdate(ctx_, data, n); }

std::string Sha256::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  Reset();
  return "sha256:" + HexEncode(md, len);
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

absl::StatusOr<std::string> Sha256Fd(int fd, int64_t* size) {
  Sha256 h;
  std::vector<char> buf(1 << 16);
  off_t off = 0;
  while (true) {
    ssize_t n = pread(fd, buf.data(), buf.size(), off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read blob");
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    off += n;
  }
  if (size != nullptr) *size = off;
  return h.Finish();
}

}  // namespace hull::pull
