#include "ctr-pull/pull.h"

#include <sys/utsname.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "ctr-pull/pull_internal.h"
#include "ctr-pull/reference.h"
#include "ctr-pull/util.h"

namespace hull::pull {

// Defined in local_sources.cc.
absl::StatusOr<PulledImage> PullFromOciLayout(std::string_view spec, const BlobCache& cache,
                                              const PullOptions& opts);
absl::StatusOr<PulledImage> PullFromDockerArchive(std::string_view path, const BlobCache& cache,
                                                  const PullOptions& opts);

namespace internal {

absl::StatusOr<DocKind> KindOf(std::string_view media_type, std::string_view body) {
  if (spec::IsIndexMediaType(media_type)) return DocKind::kIndex;
  if (spec::IsManifestMediaType(media_type)) return DocKind::kManifest;
  absl::StatusOr<json::Value> v = json::Parse(body);
  if (!v.ok()) return Annotate(v.status(), "manifest");
  if (const json::Value* mt = v->Find("mediaType"); mt && mt->is_string()) {
    if (spec::IsIndexMediaType(mt->as_string())) return DocKind::kIndex;
    if (spec::IsManifestMediaType(mt->as_string())) return DocKind::kManifest;
  }
  if (v->Find("manifests") != nullptr) return DocKind::kIndex;
  if (v->Find("layers") != nullptr) return DocKind::kManifest;
  if (v->Find("fsLayers") != nullptr) {
    return absl::UnimplementedError("Docker schema 1 manifests are not supported");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported manifest media type \"", Av(media_type), "\""));
}

absl::Status CheckRunnable(const spec::Manifest& m) {
  const std::string& ct = m.config.media_type;
  if (ct != spec::media_type::kOciConfig && ct != spec::media_type::kDockerConfig) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a container image: config media type is \"", ct, "\"",
        m.artifact_type ? absl::StrCat(" (artifact type ", *m.artifact_type, ")") : ""));
  }
  for (const auto& l : m.layers) {
    if (spec::LayerCompressionOf(l.media_type) == spec::LayerCompression::kUnknown) {
      return absl::InvalidArgumentError(
          absl::StrCat("layer ", l.digest, ": unsupported media type \"", l.media_type, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PulledImage> ResolveInCache(const BlobCache& cache, const spec::Descriptor& top,
                                           const spec::Platform& platform) {
  PulledImage out;
  ASSIGN_OR_RETURN(std::string body, cache.ReadVerified(top.digest));
  ASSIGN_OR_RETURN(DocKind kind, KindOf(top.media_type, body));
  spec::Descriptor mdesc = top;
  if (kind == DocKind::kIndex) {
    ASSIGN_OR_RETURN(spec::Index idx, spec::ParseIndex(body));
    ASSIGN_OR_RETURN(mdesc, SelectPlatform(idx, platform));
    ASSIGN_OR_RETURN(body, cache.ReadVerified(mdesc.digest));
  }
  ASSIGN_OR_RETURN(out.manifest, spec::ParseManifest(body));
  out.manifest_desc = mdesc;
  RETURN_IF_ERROR(CheckRunnable(out.manifest));
  ASSIGN_OR_RETURN(std::string cfg, cache.ReadVerified(out.manifest.config.digest));
  ASSIGN_OR_RETURN(out.config, spec::ParseImage(cfg));
  for (const auto& l : out.manifest.layers) {
    if (!cache.Has(l.digest)) {
      return absl::NotFoundError(absl::StrCat("layer ", l.digest, " is not in the cache"));
    }
  }
  return out;
}

}  // namespace internal

absl::StatusOr<PullPolicy> ParsePullPolicy(std::string_view s) {
  if (s == "always") return PullPolicy::kAlways;
  if (s == "missing") return PullPolicy::kMissing;
  if (s == "never") return PullPolicy::kNever;
  return absl::InvalidArgumentError(
      absl::StrCat("--pull: want always, missing or never, got \"", Av(s), "\""));
}

absl::StatusOr<spec::Platform> ParsePlatform(std::string_view s) {
  std::vector<std::string> parts = absl::StrSplit(Av(s), '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--platform: want os/arch[/variant], got \"", Av(s), "\""));
  }
  spec::Platform p;
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3 && !parts[2].empty()) p.variant = parts[2];
  return p;
}

spec::Platform HostPlatform() {
  spec::Platform p;
  p.os = "linux";
  struct utsname u;
  std::string m = uname(&u) == 0 ? u.machine : "x86_64";
  if (m == "x86_64") {
    p.architecture = "amd64";
  } else if (m == "aarch64" || m == "arm64") {
    p.architecture = "arm64";
    p.variant = "v8";
  } else if (m.rfind("armv7", 0) == 0) {
    p.architecture = "arm";
    p.variant = "v7";
  } else if (m.rfind("armv6", 0) == 0) {
    p.architecture = "arm";
    p.variant = "v6";
  } else if (m == "i386" || m == "i686") {
    p.architecture = "386";
  } else {
    p.architecture = m;  // ppc64le, s390x, riscv64 match GOARCH already
  }
  return p;
}

std::string PlatformString(const spec::Platform& p) {
  std::string s = absl::StrCat(p.os, "/", p.architecture);
  if (p.variant) absl::StrAppend(&s, "/", *p.variant);
  return s;
}

absl::StatusOr<spec::Descriptor> SelectPlatform(const spec::Index& idx,
                                                const spec::Platform& want) {
  const spec::Descriptor* best = nullptr;
  std::vector<std::string> offered;
  for (const auto& d : idx.manifests) {
    if (!d.platform) continue;
    const spec::Platform& p = *d.platform;
    offered.push_back(PlatformString(p));
    if (p.os != want.os || p.architecture != want.architecture) continue;
    if (want.variant) {
      // arm64 images often omit the (only) v8 variant.
      bool same = p.variant == want.variant ||
                  (!p.variant && want.architecture == "arm64" && *want.variant == "v8");
      if (!same) continue;
    }
    // Prefer an exact variant match, else the first entry.
    if (best == nullptr || (p.variant == want.variant && best->platform->variant != want.variant)) {
      best = &d;
    }
  }
  if (best == nullptr) {
    // An index with one platform-less manifest (some OCI layouts): take it.
    if (idx.manifests.size() == 1 && !idx.manifests[0].platform) return idx.manifests[0];
    return absl::NotFoundError(absl::StrCat(
        "no manifest for platform ", PlatformString(want),
        " (the index offers: ", offered.empty() ? "none" : absl::StrJoin(offered, ", "), ")"));
  }
  return *best;
}

namespace {

absl::Status FetchBlobToCache(RegistryClient& client, const BlobCache& cache,
                              const spec::Descriptor& d, Progress* progress) {
  ASSIGN_OR_RETURN(BlobWriter w, cache.NewWriter(d.digest, d.size));
  ProgressFn fn;
  if (progress)
    fn = [&](int64_t done, int64_t total) { progress->LayerBytes(d.digest, done, total); };
  RETURN_IF_ERROR_CTX(client.FetchBlob(d, &w, fn), absl::StrCat("blob ", d.digest));
  absl::StatusOr<std::string> got = w.Commit();
  if (!got.ok()) return Annotate(got.status(), absl::StrCat("blob ", d.digest, " (not cached)"));
  return absl::OkStatus();
}

absl::StatusOr<PulledImage> PullFromRegistry(std::string_view image, const BlobCache& cache,
                                             const PullOptions& opts) {
  ASSIGN_OR_RETURN(ImageRef ref, ParseImageRef(image));
  const std::string name = ref.String();
  Progress* progress = opts.progress;

  if (opts.policy != PullPolicy::kAlways) {
    ASSIGN_OR_RETURN(std::optional<spec::Descriptor> top, cache.LookupRef(name));
    if (top) {
      absl::StatusOr<PulledImage> hit = internal::ResolveInCache(cache, *top, opts.platform);
      if (hit.ok()) {
        hit->ref_name = name;
        if (progress)
          progress->Status(absl::StrCat(name, ": using cached image ", hit->manifest_desc.digest));
        return hit;
      }
      if (opts.policy == PullPolicy::kNever) {
        return Annotate(hit.status(),
                        absl::StrCat(name, ": cached image incomplete (--pull never)"));
      }
    } else if (opts.policy == PullPolicy::kNever) {
      return absl::NotFoundError(
          absl::StrCat(name, ": not in the cache ", cache.root(), " (--pull never)"));
    }
  }

  RegistryOptions ropts = opts.registry;
  if (!ropts.creds && opts.docker_config_creds) {
    ASSIGN_OR_RETURN(std::optional<Credentials> c, LoadDockerCredentials(ref.domain));
    ropts.creds = std::move(c);
  }
  RegistryClient client(ref.RegistryHost(), ref.repository, ropts);
  if (progress) progress->Status(absl::StrCat("pulling ", name));
  absl::StatusOr<FetchedManifest> top = client.GetManifest(ref.ManifestReference());
  if (!top.ok()) return Annotate(top.status(), name);
  ASSIGN_OR_RETURN(internal::DocKind kind, internal::KindOf(top->media_type, top->body));
  spec::Descriptor top_desc;
  top_desc.digest = top->digest;
  top_desc.size = static_cast<int64_t>(top->body.size());
  std::string manifest_body = top->body;
  spec::Descriptor mdesc;
  if (kind == internal::DocKind::kIndex) {
    ASSIGN_OR_RETURN(spec::Index idx, spec::ParseIndex(top->body));
    top_desc.media_type = idx.media_type.value_or(std::string(spec::media_type::kOciIndex));
    ASSIGN_OR_RETURN(mdesc, SelectPlatform(idx, opts.platform));
    RETURN_IF_ERROR(cache.Put(top->body, top->digest).status());
    absl::StatusOr<FetchedManifest> m = client.GetManifest(mdesc.digest);
    if (!m.ok()) return Annotate(m.status(), name);
    manifest_body = m->body;
  } else {
    top_desc.media_type = top->media_type.empty() || !spec::IsManifestMediaType(top->media_type)
                              ? std::string(spec::media_type::kOciManifest)
                              : top->media_type;
    mdesc = top_desc;
  }
  PulledImage out;
  out.ref_name = name;
  absl::StatusOr<spec::Manifest> manifest = spec::ParseManifest(manifest_body);
  if (!manifest.ok()) return Annotate(manifest.status(), name);
  out.manifest = *std::move(manifest);
  RETURN_IF_ERROR_CTX(internal::CheckRunnable(out.manifest), name);
  out.manifest_desc = mdesc;
  out.manifest_desc.digest = Sha256Digest(manifest_body);

  if (!cache.HasVerified(out.manifest.config.digest)) {
    RETURN_IF_ERROR_CTX(FetchBlobToCache(client, cache, out.manifest.config, nullptr), name);
  }
  ASSIGN_OR_RETURN(std::string cfg, cache.ReadVerified(out.manifest.config.digest));
  absl::StatusOr<spec::Image> config = spec::ParseImage(cfg);
  if (!config.ok()) return Annotate(config.status(), name);
  out.config = *std::move(config);

  for (const auto& l : out.manifest.layers) {
    if (cache.Has(l.digest)) {
      if (progress) progress->LayerDone(l.digest, /*cached=*/true);
      continue;
    }
    if (progress) progress->LayerStart(l.digest, l.size);
    RETURN_IF_ERROR_CTX(FetchBlobToCache(client, cache, l, progress), name);
    if (progress) progress->LayerDone(l.digest, /*cached=*/false);
    ++out.layers_downloaded;
  }
  // The manifest goes in last: a reference only ever points at a complete image.
  RETURN_IF_ERROR(cache.Put(manifest_body, out.manifest_desc.digest).status());
  RETURN_IF_ERROR(cache.SetRef(name, top_desc));
  out.http_requests = client.requests();
  return out;
}

}  // namespace

absl::StatusOr<PulledImage> PullImage(std::string_view image, const BlobCache& cache,
                                      const PullOptions& opts) {
  if (image.rfind("oci:", 0) == 0) return PullFromOciLayout(image.substr(4), cache, opts);
  if (image.rfind("docker-archive:", 0) == 0) {
    return PullFromDockerArchive(image.substr(15), cache, opts);
  }
  return PullFromRegistry(image, cache, opts);
}

}  // namespace hull::pull
