#include "ctr-pull/cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "ctr-pull/util.h"

namespace hull::pull {
namespace {

constexpr char kLayoutVersion[] = "1.0.0";

absl::Status DigestMismatch(std::string_view want, std::string_view got) {
  return absl::DataLossError(
      absl::StrCat("digest mismatch: expected ", Av(want), ", content is ", Av(got)));
}

}  // namespace

BlobWriter::BlobWriter(const BlobCache* cache, std::string tmp_path, UniqueFd fd,
                       std::string expected, int64_t expected_size)
    : cache_(cache),
      tmp_path_(std::move(tmp_path)),
      fd_(std::move(fd)),
      expected_(std::move(expected)),
      expected_size_(expected_size) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : cache_(o.cache_),
      tmp_path_(std::move(o.tmp_path_)),
      fd_(std::move(o.fd_)),
      expected_(std::move(o.expected_)),
      expected_size_(o.expected_size_),
      size_(o.size_),
      hash_(std::move(o.hash_)),
      committed_(std::exchange(o.committed_, true)) {}

BlobWriter::~BlobWriter() {
  if (!committed_ && !tmp_path_.empty()) unlink(tmp_path_.c_str());
}

absl::Status BlobWriter::Write(const void* data, size_t n) {
  if (expected_size_ >= 0 && size_ + static_cast<int64_t>(n) > expected_size_) {
    return absl::DataLossError(absl::StrCat("blob ", expected_, " is larger than its descriptor's ",
                                            expected_size_, " bytes"));
  }
  RETURN_IF_ERROR(WriteAll(fd_.get(), std::string_view(static_cast<const char*>(data), n)));
  hash_.Update(data, n);
  size_ += static_cast<int64_t>(n);
  return absl::OkStatus();
}

absl::Status BlobWriter::Restart() {
  if (ftruncate(fd_.get(), 0) != 0) return ErrnoError("truncate download");
  if (lseek(fd_.get(), 0, SEEK_SET) != 0) return ErrnoError("seek download");
  hash_.Reset();
  size_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<std::string> BlobWriter::Commit() {
  std::string got = hash_.Finish();
  if (!expected_.empty() && got != expected_) return DigestMismatch(expected_, got);
  if (expected_size_ >= 0 && size_ != expected_size_) {
    return absl::DataLossError(
        absl::StrCat("blob ", got, " is ", size_, " bytes, descriptor says ", expected_size_));
  }
  if (fsync(fd_.get()) != 0) return ErrnoError("fsync blob");
  std::string dest = cache_->BlobPath(got);
  if (rename(tmp_path_.c_str(), dest.c_str()) != 0) {
    return ErrnoError(absl::StrCat("rename blob into ", dest));
  }
  committed_ = true;
  return got;
}

absl::StatusOr<BlobCache> BlobCache::Open(const std::string& root) {
  RETURN_IF_ERROR_CTX(MakeDirs(root + "/blobs/sha256", 0755), absl::StrCat("cache ", root));
  RETURN_IF_ERROR_CTX(MakeDirs(root + "/ingest", 0700), absl::StrCat("cache ", root));
  BlobCache c(root);
  if (!PathExists(root + "/oci-layout")) {
    RETURN_IF_ERROR(WriteFileAtomic(root + "/oci-layout",
                                    json::Emit(spec::EncodeImageLayout({kLayoutVersion}))));
  }
  if (!PathExists(root + "/index.json")) {
    spec::Index empty;
    // Under the index lock, so a concurrent run's SetRef cannot be overwritten by this empty
    // index.
    ASSIGN_OR_RETURN(UniqueFd lock,
                     OpenFile(root + "/index.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (flock(lock.get(), LOCK_EX) != 0) return ErrnoError("lock cache index");
    if (!PathExists(root + "/index.json")) {
      RETURN_IF_ERROR(WriteFileAtomic(root + "/index.json", spec::EmitIndex(empty)));
    }
  }
  return c;
}

std::string BlobCache::BlobPath(std::string_view digest) const {
  return absl::StrCat(root_, "/blobs/", Av(spec::DigestAlgorithm(digest)), "/",
                      Av(spec::DigestEncoded(digest)));
}

bool BlobCache::Has(std::string_view digest) const {
  if (!spec::ValidateDigest(digest).ok()) return false;
  struct stat st;
  return stat(BlobPath(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool BlobCache::HasVerified(std::string_view digest) const { return OpenVerified(digest).ok(); }

absl::StatusOr<UniqueFd> BlobCache::OpenVerified(std::string_view digest) const {
  RETURN_IF_ERROR(spec::ValidateDigest(digest));
  if (spec::DigestAlgorithm(digest) != "sha256") {
    return absl::UnimplementedError(
        absl::StrCat("digest ", Av(digest), ": only sha256 is supported"));
  }
  std::string path = BlobPath(digest);
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("blob ", Av(digest)));
  UniqueFd f(fd);
  ASSIGN_OR_RETURN(std::string got, Sha256Fd(f.get()));
  if (got != digest) {
    unlink(path.c_str());
    return Annotate(DigestMismatch(digest, got), "cached blob corrupt (removed)");
  }
  return f;
}

absl::StatusOr<std::string> BlobCache::ReadVerified(std::string_view digest,
                                                    int64_t max_size) const {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenVerified(digest));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoError("stat blob");
  if (st.st_size > max_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("blob ", Av(digest), " is too large (", st.st_size, " bytes)"));
  }
  return ReadFd(fd.get());
}

absl::StatusOr<BlobWriter> BlobCache::NewWriter(std::string_view expected_digest,
                                                int64_t expected_size) const {
  if (!expected_digest.empty()) {
    RETURN_IF_ERROR(spec::ValidateDigest(expected_digest));
    if (spec::DigestAlgorithm(expected_digest) != "sha256") {
      return absl::UnimplementedError(
          absl::StrCat("digest ", Av(expected_digest), ": only sha256 is supported"));
    }
  }
  std::string tmpl = root_ + "/ingest/blob-XXXXXX";
  int fd = mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("create temp blob in ", root_, "/ingest"));
  fchmod(fd, 0644);
  return BlobWriter(this, tmpl, UniqueFd(fd), std::string(expected_digest), expected_size);
}

absl::StatusOr<std::string> BlobCache::Put(std::string_view data,
                                           std::string_view expected_digest) const {
  ASSIGN_OR_RETURN(BlobWriter w, NewWriter(expected_digest, -1));
  RETURN_IF_ERROR(w.Write(data));
  return w.Commit();
}

absl::StatusOr<spec::Index> BlobCache::ReadIndex() const {
  ASSIGN_OR_RETURN(std::string text, ReadFile(root_ + "/index.json"));
  absl::StatusOr<spec::Index> idx = spec::ParseIndex(text);
  if (!idx.ok()) return Annotate(idx.status(), absl::StrCat(root_, "/index.json"));
  return idx;
}

absl::Status BlobCache::SetRef(std::string_view name, spec::Descriptor desc) const {
  ASSIGN_OR_RETURN(UniqueFd lock,
                   OpenFile(root_ + "/index.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  while (flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError("lock cache index");
  }
  ASSIGN_OR_RETURN(spec::Index idx, ReadIndex());
  desc.annotations[std::string(spec::kAnnotationRefName)] = std::string(name);
  bool replaced = false;
  for (auto& d : idx.manifests) {
    auto it = d.annotations.find(std::string(spec::kAnnotationRefName));
    if (it != d.annotations.end() && it->second == name) {
      d = desc;
      replaced = true;
    }
  }
  if (!replaced) idx.manifests.push_back(std::move(desc));
  return WriteFileAtomic(root_ + "/index.json", spec::EmitIndex(idx));
}

absl::StatusOr<std::optional<spec::Descriptor>> BlobCache::LookupRef(std::string_view name) const {
  ASSIGN_OR_RETURN(spec::Index idx, ReadIndex());
  for (const auto& d : idx.manifests) {
    auto it = d.annotations.find(std::string(spec::kAnnotationRefName));
    if (it != d.annotations.end() && it->second == name) return d;
  }
  return std::nullopt;
}

}  // namespace hull::pull
