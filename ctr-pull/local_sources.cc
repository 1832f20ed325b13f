// Images that are already on disk: an OCI image layout ("oci:DIR[:TAG]") and a `docker save`
// tarball ("docker-archive:FILE"). Both are imported into the cache (every blob verified or
// hashed on the way in) and then used exactly like a pulled image.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "ctr-pull/pull.h"
#include "ctr-pull/pull_internal.h"
#include "ctr-pull/util.h"
#include "spec/json.h"

namespace hull::pull {
namespace {

// Copies a blob from a layout into the cache, verifying its digest (and size) on the way.
absl::Status ImportBlob(const std::string& layout, const spec::Descriptor& d,
                        const BlobCache& cache) {
  if (cache.HasVerified(d.digest)) return absl::OkStatus();
  RETURN_IF_ERROR(spec::ValidateDigest(d.digest));  // it becomes a path below
  std::string path = absl::StrCat(layout, "/blobs/", Av(spec::DigestAlgorithm(d.digest)), "/",
                                  Av(spec::DigestEncoded(d.digest)));
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  ASSIGN_OR_RETURN(BlobWriter w, cache.NewWriter(d.digest, d.size));
  std::vector<char> buf(1 << 16);
  while (true) {
    ssize_t n = read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("read ", path));
    }
    if (n == 0) break;
    RETURN_IF_ERROR_CTX(w.Write(buf.data(), static_cast<size_t>(n)), path);
  }
  return Annotate(w.Commit().status(), path);
}

}  // namespace

absl::StatusOr<PulledImage> PullFromOciLayout(std::string_view spec_str, const BlobCache& cache,
                                              const PullOptions& opts) {
  // DIR[:TAG]: a tag never contains '/', so a ':' followed by a '/' belongs to the path.
  std::string dir(spec_str);
  std::string tag;
  if (size_t colon = dir.rfind(':');
      colon != std::string::npos && dir.find('/', colon) == std::string::npos) {
    tag = dir.substr(colon + 1);
    dir = dir.substr(0, colon);
  }
  if (dir.empty()) return absl::InvalidArgumentError("oci: needs a directory");
  std::string name = absl::StrCat("oci:", dir, tag.empty() ? "" : ":", tag);
  ASSIGN_OR_RETURN(std::string layout_text, ReadFile(dir + "/oci-layout"));
  RETURN_IF_ERROR_CTX(spec::ParseImageLayout(layout_text).status(), dir);
  ASSIGN_OR_RETURN(std::string index_text, ReadFile(dir + "/index.json"));
  absl::StatusOr<spec::Index> idx = spec::ParseIndex(index_text);
  if (!idx.ok()) return Annotate(idx.status(), dir + "/index.json");

  const spec::Descriptor* top = nullptr;
  for (const auto& d : idx->manifests) {
    auto it = d.annotations.find(std::string(spec::kAnnotationRefName));
    if (!tag.empty() && it != d.annotations.end() && it->second == tag) top = &d;
  }
  if (tag.empty()) {
    if (idx->manifests.size() != 1) {
      // Several images: pick the platform's one if the layout's index is a platform index.
      absl::StatusOr<spec::Descriptor> sel = SelectPlatform(*idx, opts.platform);
      if (!sel.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(dir, ": the layout holds ",
                                                       idx->manifests.size(),
                                                       " images; name one with oci:DIR:TAG"));
      }
      for (const auto& d : idx->manifests) {
        if (d.digest == sel->digest) top = &d;
      }
    } else {
      top = &idx->manifests[0];
    }
  }
  if (top == nullptr) {
    return absl::NotFoundError(absl::StrCat(dir, ": no image tagged \"", tag, "\""));
  }
  RETURN_IF_ERROR(ImportBlob(dir, *top, cache));
  spec::Descriptor manifest_desc = *top;
  if (spec::IsIndexMediaType(top->media_type)) {
    ASSIGN_OR_RETURN(std::string body, cache.ReadVerified(top->digest));
    ASSIGN_OR_RETURN(spec::Index inner, spec::ParseIndex(body));
    ASSIGN_OR_RETURN(manifest_desc, SelectPlatform(inner, opts.platform));
    RETURN_IF_ERROR(ImportBlob(dir, manifest_desc, cache));
  }
  ASSIGN_OR_RETURN(std::string mbody, cache.ReadVerified(manifest_desc.digest));
  ASSIGN_OR_RETURN(spec::Manifest m, spec::ParseManifest(mbody));
  RETURN_IF_ERROR_CTX(internal::CheckRunnable(m), name);
  RETURN_IF_ERROR(ImportBlob(dir, m.config, cache));
  for (const auto& l : m.layers) RETURN_IF_ERROR(ImportBlob(dir, l, cache));
  spec::Descriptor ref_desc = *top;
  ref_desc.annotations.clear();
  RETURN_IF_ERROR(cache.SetRef(name, ref_desc));
  ASSIGN_OR_RETURN(PulledImage out, internal::ResolveInCache(cache, ref_desc, opts.platform));
  out.ref_name = tag.empty() ? name : tag;
  return out;
}

namespace {

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

absl::StatusOr<std::unique_ptr<struct archive, ArchiveDeleter>> OpenTar(const std::string& path) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_none(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open"));
  }
  return a;
}

std::string CleanMember(std::string n) {
  while (n.rfind("./", 0) == 0) n = n.substr(2);
  return n;
}

// Relative symlink target of member `from` -> archive path.
std::string ResolveMemberLink(const std::string& from, const std::string& target) {
  if (!target.empty() && target[0] == '/') return CleanMember(target.substr(1));
  std::vector<std::string> parts;
  std::string dir = from.substr(0, from.rfind('/') == std::string::npos ? 0 : from.rfind('/'));
  std::string joined = dir.empty() ? target : dir + "/" + target;
  size_t i = 0;
  while (i <= joined.size()) {
    size_t j = joined.find('/', i);
    if (j == std::string::npos) j = joined.size();
    std::string c = joined.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string LayerMediaType(const std::string& head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return std::string(spec::media_type::kOciLayerGzip);
  }
  if (head.size() >= 4 && head.compare(0, 4, "\x28\xb5\x2f\xfd") == 0) {
    return std::string(spec::media_type::kOciLayerZstd);
  }
  return std::string(spec::media_type::kOciLayerTar);
}

}  // namespace

absl::StatusOr<PulledImage> PullFromDockerArchive(std::string_view path_sv, const BlobCache& cache,
                                                  const PullOptions& opts) {
  std::string path(path_sv);
  // Pass 1: manifest.json.
  std::string manifest_json;
  {
    ASSIGN_OR_RETURN(auto a, OpenTar(path));
    struct archive_entry* e;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
      if (CleanMember(archive_entry_pathname(e) ? archive_entry_pathname(e) : "") !=
          "manifest.json") {
        continue;
      }
      if (archive_entry_size(e) > (4 << 20))
        return absl::InvalidArgumentError("manifest.json too large");
      manifest_json.resize(static_cast<size_t>(archive_entry_size(e)));
      la_ssize_t n = archive_read_data(a.get(), manifest_json.data(), manifest_json.size());
      if (n != static_cast<la_ssize_t>(manifest_json.size())) {
        return absl::DataLossError(absl::StrCat(path, ": truncated manifest.json"));
      }
      break;
    }
  }
  if (manifest_json.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no manifest.json (not a docker save archive)"));
  }
  absl::StatusOr<json::Value> doc = json::Parse(manifest_json);
  if (!doc.ok()) return Annotate(doc.status(), absl::StrCat(path, ": manifest.json"));
  if (!doc->is_array() || doc->as_array().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": manifest.json: expected a non-empty array"));
  }
  const json::Value& entry = doc->as_array()[0];
  const json::Value* cfg = entry.Find("Config");
  const json::Value* layers = entry.Find("Layers");
  if (!cfg || !cfg->is_string() || !layers || !layers->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": manifest.json[0]: needs Config (string) and Layers (array)"));
  }
  std::string ref_name = absl::StrCat("docker-archive:", path);
  if (const json::Value* tags = entry.Find("RepoTags");
      tags && tags->is_array() && !tags->as_array().empty() && tags->as_array()[0].is_string()) {
    ref_name = tags->as_array()[0].as_string();
  }
  std::map<std::string, bool> wanted;
  wanted[CleanMember(cfg->as_string())] = true;
  std::vector<std::string> layer_names;
  for (const auto& l : layers->as_array()) {
    if (!l.is_string())
      return absl::InvalidArgumentError(absl::StrCat(path, ": Layers: expected strings"));
    layer_names.push_back(CleanMember(l.as_string()));
    wanted[layer_names.back()] = true;
  }

  // Pass 2: hash every wanted member into the cache.
  struct Stored {
    std::string digest;
    int64_t size = 0;
    std::string head;  // first bytes (compression sniffing)
  };
  std::map<std::string, Stored> stored;
  std::map<std::string, std::string> links;  // member -> member it points to
  {
    ASSIGN_OR_RETURN(auto a, OpenTar(path));
    struct archive_entry* e;
    std::vector<char> buf(1 << 16);
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
      std::string n = CleanMember(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
      if (!wanted.count(n)) continue;
      if (const char* hl = archive_entry_hardlink(e)) {
        links[n] = CleanMember(hl);
        continue;
      }
      if (archive_entry_filetype(e) == AE_IFLNK) {
        links[n] = ResolveMemberLink(n, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        continue;
      }
      ASSIGN_OR_RETURN(BlobWriter w, cache.NewWriter("", -1));
      Stored s;
      while (true) {
        la_ssize_t r = archive_read_data(a.get(), buf.data(), buf.size());
        if (r < 0)
          return absl::DataLossError(
              absl::StrCat(path, ": ", n, ": ", archive_error_string(a.get())));
        if (r == 0) break;
        if (s.head.size() < 8)
          s.head.append(buf.data(), std::min<size_t>(8, static_cast<size_t>(r)));
        RETURN_IF_ERROR(w.Write(buf.data(), static_cast<size_t>(r)));
      }
      s.size = w.size();
      ASSIGN_OR_RETURN(s.digest, w.Commit());
      stored[n] = s;
    }
  }
  auto lookup = [&](std::string n) -> absl::StatusOr<Stored> {
    for (int hops = 0; hops < 8; ++hops) {
      if (auto it = stored.find(n); it != stored.end()) return it->second;
      auto l = links.find(n);
      if (l == links.end()) break;
      n = l->second;
      if (auto it = stored.find(n); it != stored.end()) return it->second;
    }
    return absl::NotFoundError(absl::StrCat(path, ": member ", n, " is missing"));
  };
  spec::Manifest m;
  m.media_type = std::string(spec::media_type::kOciManifest);
  ASSIGN_OR_RETURN(Stored c, lookup(CleanMember(cfg->as_string())));
  m.config = spec::Descriptor{std::string(spec::media_type::kOciConfig), c.digest, c.size};
  for (const auto& ln : layer_names) {
    ASSIGN_OR_RETURN(Stored s, lookup(ln));
    m.layers.push_back(spec::Descriptor{LayerMediaType(s.head), s.digest, s.size});
  }
  std::string body = spec::EmitManifest(m);
  ASSIGN_OR_RETURN(std::string mdigest, cache.Put(body, ""));
  spec::Descriptor top{std::string(spec::media_type::kOciManifest), mdigest,
                       static_cast<int64_t>(body.size())};
  RETURN_IF_ERROR(cache.SetRef(absl::StrCat("docker-archive:", path), top));
  ASSIGN_OR_RETURN(PulledImage out, internal::ResolveInCache(cache, top, opts.platform));
  out.ref_name = ref_name;
  return out;
}

}  // namespace hull::pull
