// The local image cache: an OCI image layout (blobs/sha256/<hex>, index.json, oci-layout) that is
// content-addressed and verified.
//
//  - Every blob is hashed before it is used (OpenVerified / ReadVerified); a blob that does not
//    match its name is deleted and reported, so the next pull fetches it again.
//  - Blobs are written to ingest/<random> and renamed into place only after their digest and size
//    matched: a reader never sees a partial blob, and two ctr-pull runs fetching the same blob
//    both succeed (the second rename replaces identical content).
//  - index.json (the references) is read-modify-written under an flock on index.lock and replaced
//    atomically, so concurrent runs never lose each other's references.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "ctr-pull/digest.h"
#include "spec/image.h"

namespace hull::pull {

class BlobCache;

// A blob being written. Destroying an uncommitted writer deletes its temp file.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;
  ~BlobWriter();

  absl::Status Write(const void* data, size_t n);
  absl::Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  // Bytes written so far (where a resumed download continues).
  int64_t size() const { return size_; }
  // Throws away what was written (a server that ignored a Range request).
  absl::Status Restart();
  // Verifies the digest (and size, when expected) and moves the blob into place. Returns the
  // digest. With no expected digest (docker-archive import) the computed one names the blob.
  absl::StatusOr<std::string> Commit();

 private:
  friend class BlobCache;
  BlobWriter(const BlobCache* cache, std::string tmp_path, UniqueFd fd, std::string expected,
             int64_t expected_size);

  const BlobCache* cache_;
  std::string tmp_path_;
  UniqueFd fd_;
  std::string expected_;
  int64_t expected_size_;
  int64_t size_ = 0;
  Sha256 hash_;
  bool committed_ = false;
};

class BlobCache {
 public:
  // Creates the layout if needed.
  static absl::StatusOr<BlobCache> Open(const std::string& root);

  const std::string& root() const { return root_; }
  std::string BlobPath(std::string_view digest) const;
  // Present (not verified).
  bool Has(std::string_view digest) const;
  // Present and its content matches (hashes the whole blob). A corrupt blob is removed.
  bool HasVerified(std::string_view digest) const;

  // Opens a blob after verifying it; the fd is at offset 0. A mismatching blob is deleted and
  // kDataLoss returned; a missing one is kNotFound.
  absl::StatusOr<UniqueFd> OpenVerified(std::string_view digest) const;
  // Reads a (small) blob after verifying it; refuses blobs larger than max_size.
  absl::StatusOr<std::string> ReadVerified(std::string_view digest,
                                           int64_t max_size = 16 << 20) const;

  // expected_digest may be empty (see BlobWriter::Commit); expected_size < 0 means unknown.
  absl::StatusOr<BlobWriter> NewWriter(std::string_view expected_digest,
                                       int64_t expected_size = -1) const;
  // Stores bytes whose digest must be `expected_digest` (or any, if empty). Returns the digest.
  absl::StatusOr<std::string> Put(std::string_view data, std::string_view expected_digest) const;

  // References: a name ("docker.io/library/alpine:latest") -> descriptor of a manifest or index.
  absl::Status SetRef(std::string_view name, spec::Descriptor desc) const;
  absl::StatusOr<std::optional<spec::Descriptor>> LookupRef(std::string_view name) const;
  absl::StatusOr<spec::Index> ReadIndex() const;

 private:
  explicit BlobCache(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace hull::pull
