#include "ctr-pull/bundle.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "ctr-pull/in_root.h"
#include "ctr-pull/util.h"

namespace hull::pull {
namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
};
struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

bool ParseId(std::string_view s, uint32_t* out) {
  return !s.empty() && absl::SimpleAtoi(Av(s), out);
}

std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for (absl::string_view line : absl::StrSplit(Av(text), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, ':');
    if (f.size() < 4) continue;
    PasswdEntry e;
    e.name = f[0];
    if (!ParseId(f[2], &e.uid) || !ParseId(f[3], &e.gid)) continue;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> out;
  for (absl::string_view line : absl::StrSplit(Av(text), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, ':');
    if (f.size() < 3) continue;
    GroupEntry e;
    e.name = f[0];
    if (!ParseId(f[2], &e.gid)) continue;
    if (f.size() >= 4 && !f[3].empty()) e.members = absl::StrSplit(f[3], ',');
    out.push_back(std::move(e));
  }
  return out;
}

void PutEnv(std::vector<std::string>* env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (auto& e : *env) {
    if (e.substr(0, e.find('=')) == key) {
      e = kv;
      return;
    }
  }
  env->push_back(kv);
}

bool HasEnv(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& e : env) {
    if (std::string_view(e).substr(0, e.find('=')) == key) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ResolvedUser> ResolveUser(std::string_view spec_user, std::string_view passwd,
                                         std::string_view group) {
  std::string_view user_part = spec_user;
  std::optional<std::string_view> group_part;
  if (size_t colon = spec_user.find(':'); colon != std::string_view::npos) {
    user_part = spec_user.substr(0, colon);
    group_part = spec_user.substr(colon + 1);
  }
  std::vector<PasswdEntry> users = ParsePasswd(passwd);
  std::vector<GroupEntry> groups = ParseGroup(group);
  ResolvedUser out;
  std::optional<std::string> username;
  uint32_t id = 0;
  if (user_part.empty()) {
    out.uid = 0;
  } else if (ParseId(user_part, &id)) {
    out.uid = id;
    auto it = std::find_if(users.begin(), users.end(), [&](auto& u) { return u.uid == id; });
    if (it != users.end()) {
      out.gid = it->gid;
      username = it->name;
    }
  } else {
    auto it =
        std::find_if(users.begin(), users.end(), [&](auto& u) { return u.name == user_part; });
    if (it == users.end()) {
      return absl::NotFoundError(
          absl::StrCat("user \"", Av(user_part), "\" not found in the image's /etc/passwd"));
    }
    out.uid = it->uid;
    out.gid = it->gid;
    username = it->name;
  }
  if (group_part) {
    if (ParseId(*group_part, &id)) {
      out.gid = id;
    } else {
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](auto& g) { return g.name == *group_part; });
      if (it == groups.end()) {
        return absl::NotFoundError(
            absl::StrCat("group \"", Av(*group_part), "\" not found in the image's /etc/group"));
      }
      out.gid = it->gid;
    }
    // conversion.md: with an explicit group, additionalGids are left alone.
    return out;
  }
  if (username) {
    for (const auto& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), *username) != g.members.end() &&
          std::find(out.additional_gids.begin(), out.additional_gids.end(), g.gid) ==
              out.additional_gids.end()) {
        out.additional_gids.push_back(g.gid);
      }
    }
  }
  return out;
}

absl::StatusOr<ImageRuntimeConfig> ConvertImageConfig(const spec::Image& image, int rootfs_fd,
                                                      const ConvertOptions& opts) {
  const spec::ImageConfig& ic = image.config;
  ImageRuntimeConfig c;

  // process.args: Entrypoint + Cmd, with docker's override rules.
  std::vector<std::string> entrypoint =
      opts.entrypoint ? *opts.entrypoint : ic.entrypoint.value_or(std::vector<std::string>{});
  std::vector<std::string> cmd;
  if (!opts.command.empty()) {
    cmd = opts.command;
  } else if (!opts.entrypoint) {
    cmd = ic.cmd.value_or(std::vector<std::string>{});
  }
  c.args = entrypoint;
  c.args.insert(c.args.end(), cmd.begin(), cmd.end());
  if (c.args.empty()) {
    return absl::InvalidArgumentError(
        "the image has no Entrypoint or Cmd: give a command after \"--\"");
  }

  // process.env: the image's Env on top of a default PATH, then -e.
  c.env = ic.env;
  if (!HasEnv(c.env, "PATH")) c.env.insert(c.env.begin(), kDefaultPath);
  if (opts.tty && !HasEnv(c.env, "TERM")) c.env.push_back("TERM=xterm");
  for (const auto& kv : opts.env) PutEnv(&c.env, kv.find('=') == std::string::npos ? kv + "=" : kv);

  std::string cwd = opts.workdir ? *opts.workdir : ic.working_dir.value_or("");
  if (cwd.empty()) cwd = "/";
  if (cwd.front() != '/') cwd = "/" + cwd;
  c.cwd = cwd;

  std::string user = opts.user ? *opts.user : ic.user.value_or("");
  if (!user.empty()) {
    // Missing files are fine for numeric users; names then fail to resolve, as they should.
    absl::StatusOr<std::string> passwd = ReadFileInRoot(rootfs_fd, "etc/passwd");
    absl::StatusOr<std::string> group = ReadFileInRoot(rootfs_fd, "etc/group");
    absl::StatusOr<ResolvedUser> u =
        ResolveUser(user, passwd.ok() ? *passwd : "", group.ok() ? *group : "");
    if (!u.ok()) return Annotate(u.status(), "image config User");
    c.uid = u->uid;
    c.gid = u->gid;
    c.additional_gids = u->additional_gids;
  }
  c.terminal = opts.tty;

  // Annotations: implicit ones first, Labels override them (conversion.md "Annotations").
  auto& a = c.annotations;
  if (!image.platform.os.empty()) a["org.opencontainers.image.os"] = image.platform.os;
  if (!image.platform.architecture.empty()) {
    a["org.opencontainers.image.architecture"] = image.platform.architecture;
  }
  if (image.platform.variant) a["org.opencontainers.image.variant"] = *image.platform.variant;
  if (image.platform.os_version)
    a["org.opencontainers.image.os.version"] = *image.platform.os_version;
  if (!image.platform.os_features.empty()) {
    a["org.opencontainers.image.os.features"] = absl::StrJoin(image.platform.os_features, ",");
  }
  if (image.author) a["org.opencontainers.image.author"] = *image.author;
  if (image.created) a["org.opencontainers.image.created"] = *image.created;
  if (ic.stop_signal) a["org.opencontainers.image.stopSignal"] = *ic.stop_signal;
  if (!ic.exposed_ports.empty()) {
    a["org.opencontainers.image.exposedPorts"] = absl::StrJoin(ic.exposed_ports, ",");
  }
  if (!opts.ref_name.empty()) a[std::string(spec::kAnnotationRefName)] = opts.ref_name;
  if (!opts.manifest_digest.empty()) {
    a[std::string(spec::kAnnotationBaseDigest)] = opts.manifest_digest;
  }
  for (const auto& [k, v] : ic.labels) a[k] = v;
  return c;
}

void ApplyToSpec(const ImageRuntimeConfig& c, spec::Spec* s) {
  if (!s->process) s->process.emplace();
  spec::Process& p = *s->process;
  p.args = c.args;
  p.env = c.env;
  p.cwd = c.cwd;
  p.user.uid = c.uid;
  p.user.gid = c.gid;
  p.user.additional_gids = c.additional_gids;
  p.terminal = c.terminal;
  for (const auto& [k, v] : c.annotations) s->annotations[k] = v;
}

}  // namespace hull::pull
