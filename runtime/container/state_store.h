// The on-disk state of containers: <root>/<id>/state.json, written atomically (temp + rename)
// while holding an flock on the container directory, so concurrent hull processes never see or
// make a torn state. A record is written early in create (before the init process exists) and
// updated as create progresses, so a hull killed at any point leaves enough behind for
// `hull delete --force` to clean up.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"
#include "spec/json.h"

namespace hull::container {

struct ContainerRecord {
  std::string id;
  // "creating" until create finished; then "created". Runtime status (running/stopped/paused)
  // is derived from the live process and the exec FIFO, never stored.
  std::string phase = "creating";
  pid_t pid = 0;
  uint64_t pid_start_time = 0;  // field 22 of /proc/PID/stat: guards against PID reuse
  std::string bundle;
  std::string rootfs;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;
  std::map<std::string, std::string> annotations;
  json::Value cgroup;            // cgroups::Manager::Serialize()
  std::optional<int> exit_code;  // known only when a foreground `run` reaped the process
  std::string stopped_at;        // when exit_code was recorded
  bool systemd_cgroup = false;
  std::vector<std::string> poststop_hooks_json;  // unused placeholder for now
  json::Value config;  // the parsed config.json as given (for exec, hooks, ps view)
  // When set, the text `config` was parsed from (create: config.json's bytes), which Save
  // embeds as it is instead of encoding `config` again. Never read back: loaded records have
  // only `config`.
  std::string config_text;
};

json::Value EncodeRecord(const ContainerRecord& r);
absl::StatusOr<ContainerRecord> DecodeRecord(const json::Value& v);

// Container ids: runc's rule, ^[\w+\-.]+$ and not "." or "..".
absl::Status ValidateContainerId(absl::string_view id);

class ContainerDir;

class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string DirOf(absl::string_view id) const;

  // Creates <root>/<id> exclusively and locks it. AlreadyExists -> "container with given ID already
  // exists" (runc's text).
  absl::StatusOr<ContainerDir> CreateNew(absl::string_view id) const;
  enum class Lock { kExclusive, kShared, kNone };
  // Opens (and locks) an existing container. NotFound -> "container does not exist".
  // kNone is for readers such as `list` that must not wait behind a create in progress; the
  // state file is replaced atomically, so they still never see a torn record.
  absl::StatusOr<ContainerDir> Open(absl::string_view id, Lock lock = Lock::kExclusive) const;
  // Ids of every container directory (sorted). Directories without a state file are included.
  absl::StatusOr<std::vector<std::string>> List() const;

 private:
  std::string root_;
};

// A locked container directory. The lock is released when this is destroyed.
class ContainerDir {
 public:
  ContainerDir(std::string id, std::string path, UniqueFd dir_fd)
      : id_(std::move(id)), path_(std::move(path)), fd_(std::move(dir_fd)) {}
  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

  absl::StatusOr<ContainerRecord> Load() const;
  absl::Status Save(const ContainerRecord& r) const;
  bool HasRecord() const;
  // Removes the directory and everything in it. The object is unusable afterwards.
  absl::Status Remove();

 private:
  std::string id_;
  std::string path_;
  UniqueFd fd_;
};

}  // namespace hull::container
