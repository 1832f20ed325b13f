// Builds tar archives in memory (libarchive, pax format) for layer tests, optionally gzip or zstd
// compressed. Header-only so the integration tests can use it too.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace hull::pull::testing {

class TarBuilder {
 public:
  enum class Compression { kNone, kGzip, kZstd };

  TarBuilder& File(const std::string& name, const std::string& data, int mode = 0644, int uid = 0,
                   int gid = 0) {
    Entry e{name, AE_IFREG, mode, data, "", "", uid, gid};
    entries_.push_back(e);
    return *this;
  }
  TarBuilder& Dir(const std::string& name, int mode = 0755) {
    entries_.push_back(Entry{name, AE_IFDIR, mode, "", "", "", 0, 0});
    return *this;
  }
  TarBuilder& Symlink(const std::string& name, const std::string& target) {
    entries_.push_back(Entry{name, AE_IFLNK, 0777, "", target, "", 0, 0});
    return *this;
  }
  TarBuilder& Hardlink(const std::string& name, const std::string& target) {
    entries_.push_back(Entry{name, AE_IFREG, 0644, "", "", target, 0, 0});
    return *this;
  }
  TarBuilder& Fifo(const std::string& name) {
    entries_.push_back(Entry{name, AE_IFIFO, 0644, "", "", "", 0, 0});
    return *this;
  }
  TarBuilder& CharDevice(const std::string& name, int major, int minor) {
    Entry e{name, AE_IFCHR, 0666, "", "", "", 0, 0};
    e.major = major;
    e.minor = minor;
    entries_.push_back(e);
    return *this;
  }
  TarBuilder& Xattr(const std::string& key, const std::string& value) {
    entries_.back().xattrs.emplace_back(key, value);
    return *this;
  }
  TarBuilder& Mtime(time_t t) {
    entries_.back().mtime = t;
    return *this;
  }

  std::string Build(Compression c = Compression::kNone) const {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (c == Compression::kGzip) archive_write_add_filter_gzip(a);
    if (c == Compression::kZstd) archive_write_add_filter_zstd(a);
    // No padding after the compressed stream (zstd readers reject trailing zeros).
    archive_write_set_bytes_in_last_block(a, 1);
    std::string out;
    archive_write_open(a, &out, nullptr, &Write, nullptr);
    for (const auto& e : entries_) {
      struct archive_entry* ae = archive_entry_new();
      archive_entry_set_pathname(ae, e.name.c_str());
      archive_entry_set_uid(ae, e.uid);
      archive_entry_set_gid(ae, e.gid);
      archive_entry_set_mtime(ae, e.mtime, 0);
      if (!e.hardlink.empty()) {
        archive_entry_set_hardlink(ae, e.hardlink.c_str());
        archive_entry_set_size(ae, 0);
      } else {
        archive_entry_set_filetype(ae, e.type);
        archive_entry_set_perm(ae, e.mode);
        if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.target.c_str());
        if (e.type == AE_IFCHR) {
          archive_entry_set_rdevmajor(ae, e.major);
          archive_entry_set_rdevminor(ae, e.minor);
        }
        archive_entry_set_size(ae, e.type == AE_IFREG ? static_cast<la_int64_t>(e.data.size()) : 0);
      }
      for (const auto& [k, v] : e.xattrs)
        archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
      archive_write_header(a, ae);
      if (e.type == AE_IFREG && e.hardlink.empty() && !e.data.empty()) {
        archive_write_data(a, e.data.data(), e.data.size());
      }
      archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
  }

 private:
  struct Entry {
    std::string name;
    unsigned type;
    int mode;
    std::string data;
    std::string target;
    std::string hardlink;
    int uid;
    int gid;
    int major = 0;
    int minor = 0;
    time_t mtime = 1700000000;
    std::vector<std::pair<std::string, std::string>> xattrs;
  };
  static la_ssize_t Write(struct archive*, void* ud, const void* buf, size_t n) {
    static_cast<std::string*>(ud)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  std::vector<Entry> entries_;
};

}  // namespace hull::pull::testing
