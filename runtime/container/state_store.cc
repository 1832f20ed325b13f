#include "runtime/container/state_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/status.h"

namespace hull::container {
namespace {

constexpr char kStateFile[] = "state.json";

std::string GetString(const json::Value& v, const std::string& key) {
  const json::Value* f = v.Find(key);
  return f && f->is_string() ? f->as_string() : std::string();
}

int64_t GetInt(const json::Value& v, const std::string& key) {
  const json::Value* f = v.Find(key);
  if (!f || !f->is_integer()) return 0;
  return f->as_int64().value_or(0);
}

absl::Status LockFd(int fd, bool exclusive) {
  while (::flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) return ErrnoError("flock container directory");
  }
  return absl::OkStatus();
}

// Removes everything below dir_fd (no symlink following: unlinkat on entries).
absl::Status RemoveTreeAt(int dir_fd) {
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoError("dup");
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return ErrnoError("fdopendir");
  }
  ::rewinddir(d);
  absl::Status result;
  while (struct dirent* e = ::readdir(d)) {
    absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(dir_fd, e->d_name, 0) == 0) continue;
    if (errno == EISDIR || errno == EPERM) {
      int sub = ::openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        absl::Status st = RemoveTreeAt(sub);
        ::close(sub);
        if (!st.ok()) result = st;
      }
      if (::unlinkat(dir_fd, e->d_name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
        result = ErrnoError(absl::StrCat("remove ", name));
      }
    } else if (errno != ENOENT) {
      result = ErrnoError(absl::StrCat("remove ", name));
    }
  }
  ::closedir(d);
  return result;
}

}  // namespace

absl::Status ValidateContainerId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("container id cannot be empty");
  if (id == "." || id == "..") {
    return absl::InvalidArgumentError(absl::StrCat("invalid container id: ", id));
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.';
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("invalid container id: ", id));
  }
  if (id.size() > 1024) return absl::InvalidArgumentError("container id too long");
  return absl::OkStatus();
}

namespace {

// The record without its cgroup and config, the two big parts (see Save).
json::Value EncodeRecordFields(const ContainerRecord& r) {
  json::Value v;
  v.Set("id", r.id);
  v.Set("phase", r.phase);
  v.Set("pid", static_cast<int64_t>(r.pid));
  v.Set("pid_start_time", static_cast<uint64_t>(r.pid_start_time));
  v.Set("bundle", r.bundle);
  v.Set("rootfs", r.rootfs);
  v.Set("created", r.created);
  v.Set("owner", r.owner);
  json::Value ann = json::Object{};
  for (const auto& [k, val] : r.annotations) ann.Set(k, val);
  v.Set("annotations", std::move(ann));
  if (r.exit_code) v.Set("exit_code", static_cast<int64_t>(*r.exit_code));
  if (!r.stopped_at.empty()) v.Set("stopped_at", r.stopped_at);
  v.Set("systemd_cgroup", r.systemd_cgroup);
  return v;
}

}  // namespace

json::Value EncodeRecord(const ContainerRecord& r) {
  json::Value v = EncodeRecordFields(r);
  v.Set("cgroup", r.cgroup);
  v.Set("config", r.config);
  return v;
}

absl::StatusOr<ContainerRecord> DecodeRecord(const json::Value& v) {
  if (!v.is_object()) return absl::DataLossError("state file is not a JSON object");
  ContainerRecord r;
  r.id = GetString(v, "id");
  r.phase = GetString(v, "phase");
  r.pid = static_cast<pid_t>(GetInt(v, "pid"));
  if (const json::Value* f = v.Find("pid_start_time"); f && f->is_integer()) {
    r.pid_start_time = f->as_uint64().value_or(0);
  }
  r.bundle = GetString(v, "bundle");
  r.rootfs = GetString(v, "rootfs");
  r.created = GetString(v, "created");
  r.owner = GetString(v, "owner");
  if (const json::Value* a = v.Find("annotations"); a && a->is_object()) {
    for (const auto& [k, val] : a->as_object()) {
      if (val.is_string()) r.annotations[k] = val.as_string();
    }
  }
  if (const json::Value* c = v.Find("cgroup")) r.cgroup = *c;
  if (const json::Value* e = v.Find("exit_code"); e && e->is_integer()) {
    r.exit_code = static_cast<int>(e->as_int64().value_or(0));
  }
  r.stopped_at = GetString(v, "stopped_at");
  if (const json::Value* s = v.Find("systemd_cgroup"); s && s->is_bool()) {
    r.systemd_cgroup = s->as_bool();
  }
  if (const json::Value* c = v.Find("config")) r.config = *c;
  if (r.id.empty()) return absl::DataLossError("state file has no id");
  return r;
}

std::string StateStore::DirOf(absl::string_view id) const { return absl::StrCat(root_, "/", id); }

absl::StatusOr<ContainerDir> StateStore::CreateNew(absl::string_view id) const {
  RETURN_IF_ERROR(ValidateContainerId(id));
  RETURN_IF_ERROR_CTX(MakeDirs(root_, 0711), "create state root");
  std::string path = DirOf(id);
  if (::mkdir(path.c_str(), 0711) != 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError("container with given ID already exists");
    return ErrnoError(absl::StrCat("mkdir ", path));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", path));
  UniqueFd dir(fd);
  RETURN_IF_ERROR(LockFd(dir.get(), true));
  return ContainerDir(std::string(id), path, std::move(dir));
}

absl::StatusOr<ContainerDir> StateStore::Open(absl::string_view id, Lock lock) const {
  RETURN_IF_ERROR(ValidateContainerId(id));
  std::string path = DirOf(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError("container does not exist");
    return ErrnoError(absl::StrCat("open ", path));
  }
  UniqueFd dir(fd);
  if (lock != Lock::kNone) RETURN_IF_ERROR(LockFd(dir.get(), lock == Lock::kExclusive));
  // Deleted while we waited for the lock?
  struct stat st;
  if (::fstat(dir.get(), &st) != 0 || st.st_nlink == 0) {
    return absl::NotFoundError("container does not exist");
  }
  return ContainerDir(std::string(id), path, std::move(dir));
}

absl::StatusOr<std::vector<std::string>> StateStore::List() const {
  std::vector<std::string> ids;
  DIR* d = ::opendir(root_.c_str());
  if (!d) {
    if (errno == ENOENT) return ids;
    return ErrnoError(absl::StrCat("open ", root_));
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    if (!ValidateContainerId(name).ok()) continue;
    ids.push_back(name);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool ContainerDir::HasRecord() const {
  struct stat st;
  return ::fstatat(fd_.get(), kStateFile, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

absl::StatusOr<ContainerRecord> ContainerDir::Load() const {
  int fd = ::openat(fd_.get(), kStateFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError("container does not exist");
    return ErrnoError("open state.json");
  }
  UniqueFd file(fd);
  ASSIGN_OR_RETURN(std::string text, ReadFd(file.get()));
  auto parsed = json::Parse(text);
  if (!parsed.ok()) return Annotate(parsed.status(), path_ + "/state.json");
  return DecodeRecord(*parsed);
}

absl::Status ContainerDir::Save(const ContainerRecord& r) const {
  // The cgroup and the config are most of the record: emitted from the record itself rather
  // than deep-copied into a document first (a create saves three times). Same document as
  // EncodeRecord's.
  std::string text = json::Emit(EncodeRecordFields(r));
  text.pop_back();  // the object's closing '}'
  absl::StrAppend(&text, ",\"cgroup\":", json::Emit(r.cgroup));
  // The config's own text, when we have it and it is one object (it parsed, so it is JSON; a
  // byte-order mark or the like would not embed).
  absl::string_view raw = absl::StripAsciiWhitespace(r.config_text);
  if (!raw.empty() && raw.front() == '{' && raw.back() == '}') {
    absl::StrAppend(&text, ",\"config\":", raw, "}");
  } else {
    absl::StrAppend(&text, ",\"config\":", json::Emit(r.config), "}");
  }
  return WriteFileAtomic(absl::StrCat(path_, "/", kStateFile), text, 0600);
}

absl::Status ContainerDir::Remove() {
  if (!fd_) return absl::OkStatus();
  RETURN_IF_ERROR_CTX(RemoveTreeAt(fd_.get()), "remove " + path_);
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT) return ErrnoError("rmdir " + path_);
  fd_.reset();
  return absl::OkStatus();
}

}  // namespace hull::container
