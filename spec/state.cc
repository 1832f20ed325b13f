#include "spec/state.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "spec/decode_util.h"
#include "spec/encode_util.h"
#include "spec/enums.h"

namespace hull::spec {

using internal::Errors;
using internal::ObjectReader;
using internal::ObjectWriter;

absl::StatusOr<State> DecodeState(const json::Value& doc) {
  Errors e;
  State s;
  ObjectReader r(e, doc, "");
  if (r.Required("ociVersion", s.oci_version) && !internal::IsSemVer(s.oci_version)) {
    e.Add("ociVersion", absl::StrCat("invalid version ", json::Emit(json::Value(s.oci_version)),
                                     "; expected SemVer 2.0.0"));
  }
  if (r.Required("id", s.id) && s.id.empty()) e.Add("id", "must not be empty");
  bool has_status = r.Required("status", s.status) &&
                    internal::CheckEnum(e, "status", s.status, "status", kContainerStatuses);
  if (r.Optional("pid", s.pid) && *s.pid < 0) {
    e.Add("pid", absl::StrCat("must not be negative, got ", *s.pid));
  }
  if (has_status && !s.pid.has_value() && !r.Has("pid") &&
      (s.status == "created" || s.status == "running")) {
    e.Add("pid", absl::StrCat("required when status is ", s.status));
  }
  if (r.Required("bundle", s.bundle) && !internal::IsAbsolutePath(s.bundle)) {
    e.Add("bundle", "must be an absolute path");
  }
  r.Optional("annotations", s.annotations);
  RETURN_IF_ERROR(e.ToStatus());
  return s;
}

absl::StatusOr<State> ParseState(std::string_view json_text) {
  ASSIGN_OR_RETURN(json::Value doc, json::Parse(json_text));
  return DecodeState(doc);
}

json::Value EncodeState(const State& s) {
  ObjectWriter w;
  w.Put("ociVersion", s.oci_version);
  w.Put("id", s.id);
  w.Put("status", s.status);
  w.Put("pid", s.pid);
  w.Put("bundle", s.bundle);
  w.Put("annotations", s.annotations);
  return w.Finish();
}

std::string EmitState(const State& state, bool pretty) {
  return json::Emit(EncodeState(state), {.pretty = pretty});
}

json::Value EncodeContainerProcessState(const ContainerProcessState& s) {
  ObjectWriter w;
  w.Put("ociVersion", s.oci_version);
  // Always written, even when empty (Go: no omitempty).
  w.Put("fds", internal::ToJson(s.fds));
  w.Put("pid", s.pid);
  w.Put("metadata", s.metadata);
  w.Put("state", EncodeState(s.state));
  return w.Finish();
}

std::string EmitContainerProcessState(const ContainerProcessState& s) {
  return json::Emit(EncodeContainerProcessState(s));
}

}  // namespace hull::spec
