// list: runc's table/json, -q, and a docker-ps style view (--format ps).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/cli/commands.h"
#include "spec/config.h"

namespace hull::cli {
namespace {

// Pads columns like Go's tabwriter (min width 12, padding 1... runc uses 12,1,3).
std::string Table(const std::vector<std::vector<std::string>>& rows, size_t pad = 3) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    if (widths.size() < r.size()) widths.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line += std::string(std::max<size_t>(widths[i] + pad, 12) - r[i].size(), ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string HumanDuration(absl::Duration d) {
  int64_t s = absl::ToInt64Seconds(d);
  if (s < 1) return "Less than a second";
  if (s == 1) return "1 second";
  if (s < 60) return absl::StrCat(s, " seconds");
  int64_t m = s / 60;
  if (m == 1) return "About a minute";
  if (m < 60) return absl::StrCat(m, " minutes");
  int64_t h = m / 60;
  if (h == 1) return "About an hour";
  if (h < 48) return absl::StrCat(h, " hours");
  return absl::StrCat(h / 24, " days");
}

absl::Time ParseTime(const std::string& s) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) return absl::Now();
  return t;
}

std::string CommandLine(const container::ContainerRecord& r) {
  auto spec = spec::DecodeConfig(r.config);
  if (!spec.ok() || !spec->process) return "";
  std::string cmd = absl::StrJoin(spec->process->args, " ");
  if (cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
  return absl::StrCat("\"", cmd, "\"");
}

int RunList(const Context& ctx, const ParsedArgs& a) {
  auto entries = container::List(ctx.globals);
  if (!entries.ok()) return Fail(entries.status());
  std::string format = a.Get("format", "table");
  if (a.Bool("quiet")) {
    for (const auto& e : *entries) std::printf("%s\n", e.record.id.c_str());
    return 0;
  }
  if (format == "json") {
    json::Value arr = json::Array{};
    for (const auto& e : *entries) {
      json::Value v;
      v.Set("ociVersion", "1.3.0");
      v.Set("id", e.record.id);
      v.Set("pid", static_cast<int64_t>(e.status == "stopped" ? 0 : e.record.pid));
      v.Set("status", e.status);
      v.Set("bundle", e.record.bundle);
      v.Set("rootfs", e.record.rootfs);
      v.Set("created", e.record.created);
      if (!e.record.annotations.empty()) {
        json::Value ann = json::Object{};
        for (const auto& [k, val] : e.record.annotations) ann.Set(k, val);
        v.Set("annotations", ann);
      }
      v.Set("owner", e.record.owner);
      arr.Push(v);
    }
    std::printf("%s\n", json::Emit(arr).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  if (format == "ps") {
    rows.push_back({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS"});
    absl::Time now = absl::Now();
    for (const auto& e : *entries) {
      const auto& r = e.record;
      auto img = r.annotations.find("org.opencontainers.image.ref.name");
      std::string image = img == r.annotations.end() ? "-" : img->second;
      absl::Time created = ParseTime(r.created);
      std::string status;
      if (e.status == "running") {
        status = "Up " + HumanDuration(now - created);
      } else if (e.status == "paused") {
        status = "Up " + HumanDuration(now - created) + " (Paused)";
      } else if (e.status == "created" || e.status == "creating") {
        status = "Created";
      } else if (r.exit_code) {
        absl::Time stopped = r.stopped_at.empty() ? now : ParseTime(r.stopped_at);
        status = absl::StrCat("Exited (", *r.exit_code, ") ", HumanDuration(now - stopped), " ago");
      } else {
        status = "Exited";
      }
      rows.push_back({r.id.substr(0, 12), image, CommandLine(r),
                      HumanDuration(now - created) + " ago", status});
    }
  } else if (format == "table") {
    rows.push_back({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
    for (const auto& e : *entries) {
      const auto& r = e.record;
      rows.push_back({r.id, std::to_string(e.status == "stopped" ? 0 : r.pid), e.status, r.bundle,
                      r.created, r.owner});
    }
  } else {
    return Fail(absl::StrCat("invalid format option: ", format));
  }
  std::fputs(Table(rows).c_str(), stdout);
  return 0;
}

}  // namespace

Command ListCommand() {
  return {"list",
          "list [command options]",
          "lists containers started by hull with the given root",
          {{"format", 'f', true, "select one of: table, json or ps (docker ps style)"},
           {"quiet", 'q', false, "display only container IDs"}},
          -1,
          RunList};
}

}  // namespace hull::cli
