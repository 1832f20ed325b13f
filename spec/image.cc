#include "spec/image.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"

namespace hull::spec {
namespace {

// This Abseil build has its own string_view type; StrCat needs it.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A cursor over one JSON object that knows its path, so every error says where it is.
class ObjectReader {
 public:
  ObjectReader(const json::Value& v, std::string path) : v_(v), path_(std::move(path)) {}

  absl::Status CheckObject() const {
    if (!v_.is_object()) return TypeError(path_, "object", v_);
    return absl::OkStatus();
  }

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view key) const {
    return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", Av(key));
  }

  // A missing key or JSON null leaves `out` unchanged and returns OK unless `required`.
  absl::Status String(std::string_view key, std::string* out, bool required = false) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return required ? Missing(key) : absl::OkStatus();
    if (!f->is_string()) return TypeError(Sub(key), "string", *f);
    *out = f->as_string();
    return absl::OkStatus();
  }
  absl::Status OptString(std::string_view key, std::optional<std::string>* out) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return absl::OkStatus();
    if (!f->is_string()) return TypeError(Sub(key), "string", *f);
    *out = f->as_string();
    return absl::OkStatus();
  }
  absl::Status OptBool(std::string_view key, std::optional<bool>* out) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return absl::OkStatus();
    if (!f->is_bool()) return TypeError(Sub(key), "boolean", *f);
    *out = f->as_bool();
    return absl::OkStatus();
  }
  absl::Status Int64(std::string_view key, int64_t* out, bool required = false) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return required ? Missing(key) : absl::OkStatus();
    if (!f->is_integer() || !f->as_int64().has_value()) return TypeError(Sub(key), "integer", *f);
    *out = *f->as_int64();
    return absl::OkStatus();
  }
  absl::Status Strings(std::string_view key, std::vector<std::string>* out) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return absl::OkStatus();
    if (!f->is_array()) return TypeError(Sub(key), "array", *f);
    out->clear();
    const json::Array& a = f->as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) return TypeError(absl::StrCat(Sub(key), "[", i, "]"), "string", a[i]);
      out->push_back(a[i].as_string());
    }
    return absl::OkStatus();
  }
  absl::Status OptStrings(std::string_view key,
                          std::optional<std::vector<std::string>>* out) const {
    if (Field(key) == nullptr) return absl::OkStatus();
    std::vector<std::string> v;
    if (absl::Status st = Strings(key, &v); !st.ok()) return st;
    *out = std::move(v);
    return absl::OkStatus();
  }
  absl::Status StringMap(std::string_view key, std::map<std::string, std::string>* out) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return absl::OkStatus();
    if (!f->is_object()) return TypeError(Sub(key), "object", *f);
    for (const auto& [k, val] : f->as_object()) {
      if (!val.is_string()) return TypeError(absl::StrCat(Sub(key), ".", k), "string", val);
      (*out)[k] = val.as_string();
    }
    return absl::OkStatus();
  }
  // The keys of an object whose values are ignored ({"80/tcp": {}}).
  absl::Status Keys(std::string_view key, std::vector<std::string>* out) const {
    const json::Value* f = Field(key);
    if (f == nullptr) return absl::OkStatus();
    if (!f->is_object()) return TypeError(Sub(key), "object", *f);
    for (const auto& [k, val] : f->as_object()) out->push_back(k);
    return absl::OkStatus();
  }
  // nullptr when absent or null.
  const json::Value* Field(std::string_view key) const {
    const json::Value* f = v_.Find(key);
    if (f == nullptr || f->is_null()) return nullptr;
    return f;
  }

  static absl::Status TypeError(std::string_view path, std::string_view want,
                                const json::Value& got) {
    return absl::InvalidArgumentError(
        absl::StrCat(Av(path), ": expected ", Av(want), ", got ", Av(json::TypeName(got.type()))));
  }
  absl::Status Missing(std::string_view key) const {
    return absl::InvalidArgumentError(absl::StrCat(Sub(key), ": required field missing"));
  }

 private:
  const json::Value& v_;
  std::string path_;
};

absl::Status PlatformFrom(const ObjectReader& r, Platform* p) {
  RETURN_IF_ERROR(r.String("architecture", &p->architecture));
  RETURN_IF_ERROR(r.String("os", &p->os));
  RETURN_IF_ERROR(r.OptString("os.version", &p->os_version));
  RETURN_IF_ERROR(r.Strings("os.features", &p->os_features));
  RETURN_IF_ERROR(r.OptString("variant", &p->variant));
  return absl::OkStatus();
}

absl::StatusOr<Descriptor> DescriptorAt(const json::Value& v, const std::string& path) {
  ObjectReader r(v, path);
  RETURN_IF_ERROR(r.CheckObject());
  Descriptor d;
  RETURN_IF_ERROR(r.String("mediaType", &d.media_type, /*required=*/true));
  RETURN_IF_ERROR(r.String("digest", &d.digest, /*required=*/true));
  if (absl::Status st = ValidateDigest(d.digest); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(r.Sub("digest"), ": ", st.message()));
  }
  RETURN_IF_ERROR(r.Int64("size", &d.size, /*required=*/true));
  if (d.size < 0) return absl::InvalidArgumentError(absl::StrCat(r.Sub("size"), ": negative"));
  RETURN_IF_ERROR(r.Strings("urls", &d.urls));
  RETURN_IF_ERROR(r.StringMap("annotations", &d.annotations));
  RETURN_IF_ERROR(r.OptString("data", &d.data));
  RETURN_IF_ERROR(r.OptString("artifactType", &d.artifact_type));
  if (const json::Value* p = r.Field("platform")) {
    ObjectReader pr(*p, r.Sub("platform"));
    RETURN_IF_ERROR(pr.CheckObject());
    Platform plat;
    RETURN_IF_ERROR(PlatformFrom(pr, &plat));
    d.platform = std::move(plat);
  }
  return d;
}

absl::Status DescriptorList(const ObjectReader& r, std::string_view key,
                            std::vector<Descriptor>* out) {
  const json::Value* f = r.Field(key);
  if (f == nullptr) return absl::OkStatus();
  if (!f->is_array()) return ObjectReader::TypeError(r.Sub(key), "array", *f);
  const json::Array& a = f->as_array();
  for (size_t i = 0; i < a.size(); ++i) {
    ASSIGN_OR_RETURN(Descriptor d, DescriptorAt(a[i], absl::StrCat(r.Sub(key), "[", i, "]")));
    out->push_back(std::move(d));
  }
  return absl::OkStatus();
}

absl::Status SchemaVersion(const ObjectReader& r, int* out) {
  int64_t v = 0;
  RETURN_IF_ERROR(r.Int64("schemaVersion", &v, /*required=*/true));
  if (v != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.Sub("schemaVersion"), ": unsupported value ", v, " (want 2)"));
  }
  *out = static_cast<int>(v);
  return absl::OkStatus();
}

absl::StatusOr<json::Value> ParseText(std::string_view text, std::string_view what) {
  absl::StatusOr<json::Value> v = json::Parse(text);
  if (!v.ok()) return Annotate(v.status(), what);
  return v;
}

void PutAnnotations(json::Value* o, const std::map<std::string, std::string>& a) {
  if (a.empty()) return;
  json::Value m{json::Object{}};
  for (const auto& [k, v] : a) m.Set(k, v);
  o->Set("annotations", std::move(m));
}

json::Value StringArray(const std::vector<std::string>& v) {
  json::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::Value(std::move(a));
}

json::Value KeySet(const std::vector<std::string>& keys) {
  json::Value m{json::Object{}};
  for (const auto& k : keys) m.Set(k, json::Value(json::Object{}));
  return m;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool IsManifestMediaType(std::string_view mt) {
  return mt == media_type::kOciManifest || mt == media_type::kDockerManifest;
}

bool IsIndexMediaType(std::string_view mt) {
  return mt == media_type::kOciIndex || mt == media_type::kDockerManifestList;
}

LayerCompression LayerCompressionOf(std::string_view mt) {
  using namespace media_type;
  if (mt == kOciLayerTar || mt == kOciLayerNondistTar) return LayerCompression::kNone;
  if (mt == kOciLayerGzip || mt == kOciLayerNondistGzip || mt == kDockerLayerGzip ||
      mt == kDockerLayerForeignGzip) {
    return LayerCompression::kGzip;
  }
  if (mt == kOciLayerZstd || mt == kOciLayerNondistZstd) return LayerCompression::kZstd;
  return LayerCompression::kUnknown;
}

absl::Status ValidateDigest(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid digest \"", Av(digest), "\": no ':'"));
  }
  std::string_view alg = digest.substr(0, colon);
  std::string_view enc = digest.substr(colon + 1);
  size_t want = 0;
  if (alg == "sha256") {
    want = 64;
  } else if (alg == "sha512") {
    want = 128;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid digest \"", Av(digest), "\": unsupported algorithm"));
  }
  if (enc.size() != want || !IsLowerHex(enc)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid digest \"", Av(digest), "\": want ",
                                                   want, " lowercase hex characters after ",
                                                   Av(alg), ":"));
  }
  return absl::OkStatus();
}

std::string_view DigestAlgorithm(std::string_view digest) {
  return digest.substr(0, digest.find(':'));
}

std::string_view DigestEncoded(std::string_view digest) {
  size_t colon = digest.find(':');
  return colon == std::string_view::npos ? std::string_view() : digest.substr(colon + 1);
}

absl::StatusOr<Descriptor> DescriptorFromJson(const json::Value& v, std::string_view what) {
  return DescriptorAt(v, std::string(what));
}

absl::StatusOr<Manifest> ManifestFromJson(const json::Value& v, std::string_view what) {
  ObjectReader r(v, std::string(what));
  RETURN_IF_ERROR(r.CheckObject());
  Manifest m;
  RETURN_IF_ERROR(SchemaVersion(r, &m.schema_version));
  RETURN_IF_ERROR(r.OptString("mediaType", &m.media_type));
  if (m.media_type && !IsManifestMediaType(*m.media_type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.Sub("mediaType"), ": not a manifest: ", *m.media_type));
  }
  RETURN_IF_ERROR(r.OptString("artifactType", &m.artifact_type));
  const json::Value* c = r.Field("config");
  if (c == nullptr) return r.Missing("config");
  ASSIGN_OR_RETURN(m.config, DescriptorAt(*c, r.Sub("config")));
  if (r.Field("layers") == nullptr) return r.Missing("layers");
  RETURN_IF_ERROR(DescriptorList(r, "layers", &m.layers));
  if (const json::Value* s = r.Field("subject")) {
    ASSIGN_OR_RETURN(Descriptor d, DescriptorAt(*s, r.Sub("subject")));
    m.subject = std::move(d);
  }
  RETURN_IF_ERROR(r.StringMap("annotations", &m.annotations));
  return m;
}

absl::StatusOr<Index> IndexFromJson(const json::Value& v, std::string_view what) {
  ObjectReader r(v, std::string(what));
  RETURN_IF_ERROR(r.CheckObject());
  Index idx;
  RETURN_IF_ERROR(SchemaVersion(r, &idx.schema_version));
  RETURN_IF_ERROR(r.OptString("mediaType", &idx.media_type));
  if (idx.media_type && !IsIndexMediaType(*idx.media_type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.Sub("mediaType"), ": not an index: ", *idx.media_type));
  }
  RETURN_IF_ERROR(r.OptString("artifactType", &idx.artifact_type));
  if (r.Field("manifests") == nullptr) return r.Missing("manifests");
  RETURN_IF_ERROR(DescriptorList(r, "manifests", &idx.manifests));
  if (const json::Value* s = r.Field("subject")) {
    ASSIGN_OR_RETURN(Descriptor d, DescriptorAt(*s, r.Sub("subject")));
    idx.subject = std::move(d);
  }
  RETURN_IF_ERROR(r.StringMap("annotations", &idx.annotations));
  return idx;
}

absl::StatusOr<Image> ImageFromJson(const json::Value& v, std::string_view what) {
  ObjectReader r(v, std::string(what));
  RETURN_IF_ERROR(r.CheckObject());
  Image img;
  RETURN_IF_ERROR(r.OptString("created", &img.created));
  RETURN_IF_ERROR(r.OptString("author", &img.author));
  RETURN_IF_ERROR(PlatformFrom(r, &img.platform));
  if (const json::Value* c = r.Field("config")) {
    ObjectReader cr(*c, r.Sub("config"));
    RETURN_IF_ERROR(cr.CheckObject());
    ImageConfig& ic = img.config;
    RETURN_IF_ERROR(cr.OptString("User", &ic.user));
    RETURN_IF_ERROR(cr.Keys("ExposedPorts", &ic.exposed_ports));
    RETURN_IF_ERROR(cr.Strings("Env", &ic.env));
    RETURN_IF_ERROR(cr.OptStrings("Entrypoint", &ic.entrypoint));
    RETURN_IF_ERROR(cr.OptStrings("Cmd", &ic.cmd));
    RETURN_IF_ERROR(cr.Keys("Volumes", &ic.volumes));
    RETURN_IF_ERROR(cr.OptString("WorkingDir", &ic.working_dir));
    RETURN_IF_ERROR(cr.StringMap("Labels", &ic.labels));
    RETURN_IF_ERROR(cr.OptString("StopSignal", &ic.stop_signal));
    RETURN_IF_ERROR(cr.OptBool("ArgsEscaped", &ic.args_escaped));
  }
  if (const json::Value* rf = r.Field("rootfs")) {
    ObjectReader rr(*rf, r.Sub("rootfs"));
    RETURN_IF_ERROR(rr.CheckObject());
    RETURN_IF_ERROR(rr.String("type", &img.rootfs.type));
    RETURN_IF_ERROR(rr.Strings("diff_ids", &img.rootfs.diff_ids));
  }
  if (const json::Value* h = r.Field("history")) {
    if (!h->is_array()) return ObjectReader::TypeError(r.Sub("history"), "array", *h);
    const json::Array& a = h->as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      ObjectReader hr(a[i], absl::StrCat(r.Sub("history"), "[", i, "]"));
      RETURN_IF_ERROR(hr.CheckObject());
      History hist;
      RETURN_IF_ERROR(hr.OptString("created", &hist.created));
      RETURN_IF_ERROR(hr.OptString("created_by", &hist.created_by));
      RETURN_IF_ERROR(hr.OptString("author", &hist.author));
      RETURN_IF_ERROR(hr.OptString("comment", &hist.comment));
      RETURN_IF_ERROR(hr.OptBool("empty_layer", &hist.empty_layer));
      img.history.push_back(std::move(hist));
    }
  }
  return img;
}

absl::StatusOr<Manifest> ParseManifest(std::string_view text) {
  ASSIGN_OR_RETURN(json::Value v, ParseText(text, "manifest"));
  return ManifestFromJson(v, "manifest");
}

absl::StatusOr<Index> ParseIndex(std::string_view text) {
  ASSIGN_OR_RETURN(json::Value v, ParseText(text, "index"));
  return IndexFromJson(v, "index");
}

absl::StatusOr<Image> ParseImage(std::string_view text) {
  ASSIGN_OR_RETURN(json::Value v, ParseText(text, "image config"));
  return ImageFromJson(v, "image config");
}

absl::StatusOr<ImageLayout> ParseImageLayout(std::string_view text) {
  ASSIGN_OR_RETURN(json::Value v, ParseText(text, "oci-layout"));
  ObjectReader r(v, "oci-layout");
  RETURN_IF_ERROR(r.CheckObject());
  ImageLayout l;
  RETURN_IF_ERROR(r.String("imageLayoutVersion", &l.version, /*required=*/true));
  return l;
}

json::Value EncodePlatform(const Platform& p) {
  json::Value o{json::Object{}};
  o.Set("architecture", p.architecture);
  o.Set("os", p.os);
  if (p.os_version) o.Set("os.version", *p.os_version);
  if (!p.os_features.empty()) o.Set("os.features", StringArray(p.os_features));
  if (p.variant) o.Set("variant", *p.variant);
  return o;
}

json::Value EncodeDescriptor(const Descriptor& d) {
  json::Value o{json::Object{}};
  o.Set("mediaType", d.media_type);
  o.Set("digest", d.digest);
  o.Set("size", d.size);
  if (!d.urls.empty()) o.Set("urls", StringArray(d.urls));
  PutAnnotations(&o, d.annotations);
  if (d.data) o.Set("data", *d.data);
  if (d.platform) o.Set("platform", EncodePlatform(*d.platform));
  if (d.artifact_type) o.Set("artifactType", *d.artifact_type);
  return o;
}

json::Value EncodeManifest(const Manifest& m) {
  json::Value o{json::Object{}};
  o.Set("schemaVersion", m.schema_version);
  if (m.media_type) o.Set("mediaType", *m.media_type);
  if (m.artifact_type) o.Set("artifactType", *m.artifact_type);
  o.Set("config", EncodeDescriptor(m.config));
  json::Array layers;
  for (const auto& l : m.layers) layers.push_back(EncodeDescriptor(l));
  o.Set("layers", json::Value(std::move(layers)));
  if (m.subject) o.Set("subject", EncodeDescriptor(*m.subject));
  PutAnnotations(&o, m.annotations);
  return o;
}

json::Value EncodeIndex(const Index& idx) {
  json::Value o{json::Object{}};
  o.Set("schemaVersion", idx.schema_version);
  if (idx.media_type) o.Set("mediaType", *idx.media_type);
  if (idx.artifact_type) o.Set("artifactType", *idx.artifact_type);
  json::Array ms;
  for (const auto& d : idx.manifests) ms.push_back(EncodeDescriptor(d));
  o.Set("manifests", json::Value(std::move(ms)));
  if (idx.subject) o.Set("subject", EncodeDescriptor(*idx.subject));
  PutAnnotations(&o, idx.annotations);
  return o;
}

json::Value EncodeImage(const Image& img) {
  json::Value o{json::Object{}};
  if (img.created) o.Set("created", *img.created);
  if (img.author) o.Set("author", *img.author);
  o.Set("architecture", img.platform.architecture);
  o.Set("os", img.platform.os);
  if (img.platform.os_version) o.Set("os.version", *img.platform.os_version);
  if (!img.platform.os_features.empty()) {
    o.Set("os.features", StringArray(img.platform.os_features));
  }
  if (img.platform.variant) o.Set("variant", *img.platform.variant);
  const ImageConfig& ic = img.config;
  json::Value c{json::Object{}};
  if (ic.user) c.Set("User", *ic.user);
  if (!ic.exposed_ports.empty()) c.Set("ExposedPorts", KeySet(ic.exposed_ports));
  if (!ic.env.empty()) c.Set("Env", StringArray(ic.env));
  if (ic.entrypoint) c.Set("Entrypoint", StringArray(*ic.entrypoint));
  if (ic.cmd) c.Set("Cmd", StringArray(*ic.cmd));
  if (!ic.volumes.empty()) c.Set("Volumes", KeySet(ic.volumes));
  if (ic.working_dir) c.Set("WorkingDir", *ic.working_dir);
  if (!ic.labels.empty()) {
    json::Value l{json::Object{}};
    for (const auto& [k, v] : ic.labels) l.Set(k, v);
    c.Set("Labels", std::move(l));
  }
  if (ic.stop_signal) c.Set("StopSignal", *ic.stop_signal);
  if (ic.args_escaped) c.Set("ArgsEscaped", *ic.args_escaped);
  o.Set("config", std::move(c));
  json::Value rf{json::Object{}};
  rf.Set("type", img.rootfs.type);
  rf.Set("diff_ids", StringArray(img.rootfs.diff_ids));
  o.Set("rootfs", std::move(rf));
  if (!img.history.empty()) {
    json::Array hs;
    for (const auto& h : img.history) {
      json::Value ho{json::Object{}};
      if (h.created) ho.Set("created", *h.created);
      if (h.created_by) ho.Set("created_by", *h.created_by);
      if (h.author) ho.Set("author", *h.author);
      if (h.comment) ho.Set("comment", *h.comment);
      if (h.empty_layer) ho.Set("empty_layer", *h.empty_layer);
      hs.push_back(std::move(ho));
    }
    o.Set("history", json::Value(std::move(hs)));
  }
  return o;
}

json::Value EncodeImageLayout(const ImageLayout& l) {
  json::Value o{json::Object{}};
  o.Set("imageLayoutVersion", l.version);
  return o;
}

std::string EmitManifest(const Manifest& m) { return json::Emit(EncodeManifest(m)); }
std::string EmitIndex(const Index& i) { return json::Emit(EncodeIndex(i)); }
std::string EmitImage(const Image& img) { return json::Emit(EncodeImage(img)); }

}  // namespace hull::spec
