// Streaming SHA-256 (libcrypto) producing OCI digests ("sha256:<hex>").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace hull::pull {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // "sha256:<hex>". The hasher is reset afterwards.
  std::string Finish();
  void Reset();

 private:
  EVP_MD_CTX* ctx_ = nullptr;
};

std::string Sha256Digest(std::string_view data);
// Hashes an fd from offset 0 to EOF (pread, so the offset is untouched); also returns the size.
absl::StatusOr<std::string> Sha256Fd(int fd, int64_t* size = nullptr);

}  // namespace hull::pull
