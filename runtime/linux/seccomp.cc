// CompileSeccomp: config.json profile -> libseccomp filter -> exported BPF -> -ENOSYS stub.
//
// The -ENOSYS stub (runc's libcontainer/seccomp/patchbpf behaviour): with a deny-by-default
// profile, a syscall newer than the profile would get the default action (usually EPERM), and
// libcs that probe new syscalls (clone3, faccessat2, ...) only fall back to the old ones on ENOSYS.
// So every syscall numbered above the highest number the profile names for an architecture gets
// ERRNO(ENOSYS). We prepend a few BPF instructions to libseccomp's exported program rather than
// adding ERRNO(ENOSYS) rules for the numbers libseccomp knows: the comparison also covers syscalls
// the kernel has and libseccomp 2.5.4 does not, stays a handful of instructions, and works per
// architecture in a multi-arch filter. Like runc we skip the stub when the default action lets
// the syscall through (ALLOW, LOG, TRACE) or already is ERRNO(ENOSYS); unlike runc we also cover
// the native architecture when the profile lists no architectures (libseccomp filters it anyway).
#include "runtime/linux/seccomp.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/status.h"
#include "runtime/linux/seccomp_sha256.h"
#include "runtime/linux/seccomp_tables.h"

namespace hull::linux {
namespace {

namespace tables = seccomp_tables;

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

constexpr uint32_t kX32SyscallBit = 0x40000000;
constexpr int kMaxSyscallArgs = 6;

// The spec types use std::optional for omitempty fields; these accept either shape so a field
// that is plain in spec/config.h compiles too.
absl::string_view Str(const std::string& s) { return s; }
absl::string_view Str(const std::optional<std::string>& s) {
  return s ? absl::string_view(*s) : absl::string_view();
}
template <typename T>
std::optional<uint64_t> OptU64(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return static_cast<uint64_t>(*v);
}
template <typename T>
requires std::is_integral_v<T> std::optional<uint64_t> OptU64(const T& v) {
  return static_cast<uint64_t>(v);
}

absl::Status PathError(absl::string_view path, absl::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", msg));
}

// Resolves an action name plus optional errnoRet into the SCMP_ACT_* value.
absl::StatusOr<uint32_t> ResolveAction(absl::string_view name, std::optional<uint64_t> errno_ret,
                                       absl::string_view path, absl::string_view action_field,
                                       absl::string_view errno_field) {
  const tables::ActionEntry* entry = tables::FindAction(name);
  if (entry == nullptr) {
    return PathError(absl::StrCat(path, ".", action_field),
                     absl::StrCat("unknown action \"", name, "\""));
  }
  if (!entry->takes_errno) {
    if (errno_ret) {
      return PathError(absl::StrCat(path, ".", errno_field),
                       absl::StrCat("not supported with action ", name,
                                    " (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno)"));
    }
    return entry->value;
  }
  uint64_t err = errno_ret.value_or(EPERM);
  if (err > 0xffff) {
    return PathError(absl::StrCat(path, ".", errno_field),
                     absl::StrCat("value ", err, " does not fit in 16 bits"));
  }
  return entry->value | static_cast<uint32_t>(err);
}

struct FilterDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using FilterPtr = std::unique_ptr<void, FilterDeleter>;

// Adds the rules of syscalls[i] for one resolved syscall number, the way runc does.
absl::Status AddRules(scmp_filter_ctx ctx, uint32_t action, int nr, absl::string_view name,
                      const std::vector<scmp_arg_cmp>& conds, bool separate,
                      absl::string_view path) {
  auto fail = [&](int rc) {
    return PathError(path, absl::StrCat("add rule for \"", name, "\": ", strerror(-rc)));
  };
  if (!separate) {
    int rc = seccomp_rule_add_array(ctx, action, nr, conds.size(), conds.data());
    return rc < 0 ? fail(rc) : absl::OkStatus();
  }
  // Two conditions on the same argument cannot be ANDed by libseccomp; runc falls back to one
  // rule per condition (OR), and so do we.
  for (const scmp_arg_cmp& cond : conds) {
    int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cond);
    if (rc < 0) return fail(rc);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<sock_filter>> ExportBpf(scmp_filter_ctx ctx) {
  // A memfd rather than a pipe: the export is written in one go and could exceed a pipe buffer.
  UniqueFd fd(memfd_create("hull-seccomp-bpf", MFD_CLOEXEC));
  if (!fd) return ErrnoError("memfd_create for seccomp export");
  if (int rc = seccomp_export_bpf(ctx, fd.get()); rc < 0) {
    return ErrnoError(-rc, "seccomp_export_bpf");
  }
  if (lseek(fd.get(), 0, SEEK_SET) < 0) return ErrnoError("lseek seccomp export");
  ASSIGN_OR_RETURN(std::string bytes, ReadFd(fd.get()));
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
    return absl::InternalError(
        absl::StrCat("seccomp_export_bpf produced ", bytes.size(), " bytes, not whole insns"));
  }
  std::vector<sock_filter> filter(bytes.size() / sizeof(sock_filter));
  memcpy(filter.data(), bytes.data(), bytes.size());
  return filter;
}

// A tiny forward-only assembler for the stub: jumps name labels, resolved in Finish().
class StubAssembler {
 public:
  static constexpr int kNext = -1;  // fall through

  int NewLabel() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void Bind(int label) { labels_[label] = static_cast<int>(insns_.size()); }
  void LoadWord(uint32_t offset) {
    insns_.push_back({BPF_LD | BPF_W | BPF_ABS, kNext, kNext, offset});
  }
  void JumpIf(uint16_t op, uint32_t k, int jt, int jf) {
    insns_.push_back({static_cast<uint16_t>(BPF_JMP | op | BPF_K), jt, jf, k});
  }
  void JumpAlways(int label) { insns_.push_back({BPF_JMP | BPF_JA, label, kNext, 0}); }
  void Return(uint32_t k) { insns_.push_back({BPF_RET | BPF_K, kNext, kNext, k}); }

  absl::StatusOr<std::vector<sock_filter>> Finish() const {
    std::vector<sock_filter> out;
    for (size_t i = 0; i < insns_.size(); ++i) {
      const Insn& in = insns_[i];
      auto offset = [&](int label) -> int {
        return label == kNext ? 0 : labels_[label] - static_cast<int>(i) - 1;
      };
      sock_filter f{in.code, 0, 0, in.k};
      if ((in.code & 0x07) == BPF_JMP && (in.code & 0xf0) == BPF_JA) {
        f.k = static_cast<uint32_t>(offset(in.jt));
      } else if ((in.code & 0x07) == BPF_JMP) {
        int jt = offset(in.jt), jf = offset(in.jf);
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
          return absl::InternalError("seccomp -ENOSYS stub: jump out of range");
        }
        f.jt = static_cast<uint8_t>(jt);
        f.jf = static_cast<uint8_t>(jf);
      }
      out.push_back(f);
    }
    return out;
  }

 private:
  struct Insn {
    uint16_t code;
    int jt, jf;  // labels (or the JA target in jt)
    uint32_t k;
  };
  std::vector<Insn> insns_;
  std::vector<int> labels_;
};

// Highest syscall number the profile names, per kernel AUDIT_ARCH; x86_64 tracks native and x32
// numbers (which carry the x32 bit) separately because they share one AUDIT_ARCH.
struct ArchMax {
  int64_t max = -1;      // every arch but x32
  int64_t x32_max = -1;  // SCMP_ARCH_X32, on AUDIT_ARCH_X86_64
};

absl::StatusOr<std::vector<sock_filter>> BuildEnosysStub(const spec::LinuxSeccomp& seccomp,
                                                         const std::vector<uint32_t>& arch_tokens) {
  std::map<uint32_t, ArchMax> per_arch;
  for (uint32_t token : arch_tokens) {
    bool x32 = token == SCMP_ARCH_X32;
    int64_t max = -1;
    for (const auto& sc : seccomp.syscalls) {
      for (const std::string& name : sc.names) {
        int nr = seccomp_syscall_resolve_name_arch(token, name.c_str());
        if (nr >= 0) max = std::max<int64_t>(max, nr);  // negative: unknown or pseudo-syscall
      }
    }
    if (max < 0) continue;  // nothing named for this arch: leave it to the filter, as runc does
    ArchMax& entry = per_arch[x32 ? AUDIT_ARCH_X86_64 : token];
    (x32 ? entry.x32_max : entry.max) = max;
  }
  if (per_arch.empty()) return std::vector<sock_filter>{};

  StubAssembler a;
  int enosys = a.NewLabel();
  int filter_start = a.NewLabel();
  struct Section {
    uint32_t audit_arch;
    const ArchMax* max;
    int label;
  };
  std::vector<Section> sections;
  a.LoadWord(offsetof(struct seccomp_data, arch));
  for (const auto& [audit_arch, entry] : per_arch) {
    int label = a.NewLabel();
    sections.push_back({audit_arch, &entry, label});
    a.JumpIf(BPF_JEQ, audit_arch, label, StubAssembler::kNext);
  }
  a.JumpAlways(filter_start);
  for (const auto& [audit_arch, entry, label] : sections) {
    a.Bind(label);
    a.LoadWord(offsetof(struct seccomp_data, nr));
    if (entry->x32_max >= 0 && entry->max >= 0) {
      int x32 = a.NewLabel();
      a.JumpIf(BPF_JSET, kX32SyscallBit, x32, StubAssembler::kNext);
      a.JumpIf(BPF_JGT, static_cast<uint32_t>(entry->max), enosys, filter_start);
      a.Bind(x32);
      a.JumpIf(BPF_JGT, static_cast<uint32_t>(entry->x32_max), enosys, filter_start);
    } else if (entry->x32_max >= 0) {
      a.JumpIf(BPF_JSET, kX32SyscallBit, StubAssembler::kNext, filter_start);
      a.JumpIf(BPF_JGT, static_cast<uint32_t>(entry->x32_max), enosys, filter_start);
    } else {
      // On x86_64 an x32 syscall number is far above any native one: never stub it here, the
      // filter decides (it is a bad-arch for libseccomp unless SCMP_ARCH_X32 is listed).
      if (audit_arch == AUDIT_ARCH_X86_64)
        a.JumpIf(BPF_JSET, kX32SyscallBit, filter_start, StubAssembler::kNext);
      a.JumpIf(BPF_JGT, static_cast<uint32_t>(entry->max), enosys, filter_start);
    }
  }
  a.Bind(enosys);
  a.Return(SECCOMP_RET_ERRNO | ENOSYS);
  a.Bind(filter_start);
  return a.Finish();
}

bool DefaultLetsSyscallsThrough(uint32_t default_action) {
  uint32_t kind = default_action & SECCOMP_RET_ACTION_FULL;
  return kind == SCMP_ACT_ALLOW || kind == SCMP_ACT_LOG || kind == (SCMP_ACT_TRACE(0)) ||
         default_action == SCMP_ACT_ERRNO(ENOSYS);
}

}  // namespace

absl::StatusOr<SeccompProgram> CompileSeccomp(const spec::LinuxSeccomp& seccomp) {
  constexpr absl::string_view kPath = "linux.seccomp";
  SeccompProgram program;

  // Default action.
  absl::string_view default_name = Str(seccomp.default_action);
  if (default_name == "SCMP_ACT_NOTIFY") {
    return PathError("linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  }
  ASSIGN_OR_RETURN(uint32_t default_action,
                   ResolveAction(default_name, OptU64(seccomp.default_errno_ret), kPath,
                                 "defaultAction", "defaultErrnoRet"));
  FilterPtr ctx(seccomp_init(default_action));
  if (!ctx) {
    // libseccomp refuses actions the running kernel does not implement.
    return PathError("linux.seccomp.defaultAction",
                     absl::StrCat(default_name, " is not supported by the kernel"));
  }
  // We load the program ourselves; no_new_privs is the process layer's decision.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);

  // Architectures (the native one is always in the filter).
  std::vector<uint32_t> arch_tokens = {seccomp_arch_native()};
  for (size_t i = 0; i < seccomp.architectures.size(); ++i) {
    absl::string_view name = Str(seccomp.architectures[i]);
    std::string path = absl::StrCat(kPath, ".architectures[", i, "]");
    const tables::ArchEntry* arch = tables::FindArch(name);
    if (arch == nullptr) {
      return PathError(
          path, tables::IsSpecArchNewerThanLibseccomp(name)
                    ? absl::StrCat("architecture \"", name, "\" is not supported by libseccomp ",
                                   LibseccompVersion())
                    : absl::StrCat("unknown architecture \"", name, "\""));
    }
    int rc = seccomp_arch_add(ctx.get(), arch->token);
    if (rc < 0 && rc != -EEXIST) {
      return PathError(path, absl::StrCat("seccomp_arch_add: ", strerror(-rc)));
    }
    if (std::find(arch_tokens.begin(), arch_tokens.end(), arch->token) == arch_tokens.end()) {
      arch_tokens.push_back(arch->token);
    }
  }

  // Flags.
  uint32_t flags = 0;
  for (size_t i = 0; i < seccomp.flags.size(); ++i) {
    absl::string_view name = Str(seccomp.flags[i]);
    std::string path = absl::StrCat(kPath, ".flags[", i, "]");
    const tables::FlagEntry* flag = tables::FindFlag(name);
    if (flag == nullptr) return PathError(path, absl::StrCat("unknown flag \"", name, "\""));
    if (!tables::KernelAcceptsFlags(flag->flag)) {
      return PathError(path, absl::StrCat("flag ", name, " is not supported by the kernel"));
    }
    flags |= flag->flag;
  }

  // Rules.
  bool uses_notify = false;
  for (size_t i = 0; i < seccomp.syscalls.size(); ++i) {
    const auto& sc = seccomp.syscalls[i];
    std::string path = absl::StrCat(kPath, ".syscalls[", i, "]");
    if (sc.names.empty()) return PathError(path + ".names", "must contain at least one entry");
    absl::string_view action_name = Str(sc.action);
    ASSIGN_OR_RETURN(uint32_t action,
                     ResolveAction(action_name, OptU64(sc.errno_ret), path, "action", "errnoRet"));
    if (action == SCMP_ACT_NOTIFY) {
      for (const std::string& name : sc.names) {
        // runc's rule: the runtime itself writes to its sync pipe after loading the filter.
        if (name == "write") {
          return PathError(path, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
        }
      }
    }

    std::vector<scmp_arg_cmp> conds;
    int per_index[kMaxSyscallArgs] = {};
    bool separate = false;
    for (size_t j = 0; j < sc.args.size(); ++j) {
      const auto& arg = sc.args[j];
      std::string arg_path = absl::StrCat(path, ".args[", j, "]");
      uint64_t index = static_cast<uint64_t>(arg.index);
      if (index >= kMaxSyscallArgs) {
        return PathError(arg_path + ".index",
                         absl::StrCat("index ", index, " out of range (syscalls have 6 args)"));
      }
      const tables::OperatorEntry* op = tables::FindOperator(Str(arg.op));
      if (op == nullptr) {
        return PathError(arg_path + ".op", absl::StrCat("unknown operator \"", Str(arg.op), "\""));
      }
      // For SCMP_CMP_MASKED_EQ libseccomp wants (mask, value): OCI's value is the mask and
      // valueTwo the value, exactly that order.
      scmp_arg_cmp cond{};
      cond.arg = static_cast<unsigned int>(index);
      cond.op = static_cast<scmp_compare>(op->op);
      cond.datum_a = static_cast<uint64_t>(arg.value);
      cond.datum_b = OptU64(arg.value_two).value_or(0);
      conds.push_back(cond);
      if (++per_index[index] > 1) separate = true;
    }

    // runc skips rules that would only restate the default (libseccomp rejects them too).
    if (action == default_action) continue;
    if (action == SCMP_ACT_NOTIFY) uses_notify = true;
    for (const std::string& name : sc.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown to libseccomp: skipped, as runc does
      RETURN_IF_ERROR(AddRules(ctx.get(), action, nr, name, conds, separate, path));
    }
  }

  if (uses_notify) {
    if (Str(seccomp.listener_path).empty()) {
      return PathError("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used");
    }
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // TSYNC and NEW_LISTENER are only compatible with TSYNC_ESRCH (failure as -ESRCH instead
    // of a thread id, which would be indistinguishable from the listener fd).
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  } else {
    // WAIT_KILLABLE_RECV only means something with a listener (libseccomp 2.6 drops it too).
    flags &= ~static_cast<uint32_t>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
  }
  if (!Str(seccomp.listener_metadata).empty() && Str(seccomp.listener_path).empty()) {
    return PathError("linux.seccomp.listenerMetadata", "must not be set without listenerPath");
  }

  ASSIGN_OR_RETURN(std::vector<sock_filter> filter, ExportBpf(ctx.get()));
  std::vector<sock_filter> stub;
  if (!DefaultLetsSyscallsThrough(default_action)) {
    ASSIGN_OR_RETURN(stub, BuildEnosysStub(seccomp, arch_tokens));
  }
  program.filter = std::move(stub);
  program.filter.insert(program.filter.end(), filter.begin(), filter.end());
  if (program.filter.size() > BPF_MAXINSNS) {
    return PathError(kPath, absl::StrCat("compiled filter has ", program.filter.size(),
                                         " instructions, the kernel allows ", BPF_MAXINSNS));
  }
  program.flags = flags;
  program.uses_notify = uses_notify;
  return program;
}

std::string LibseccompVersion() {
  const scmp_version* v = seccomp_version();
  return absl::StrFormat("%u.%u.%u", v->major, v->minor, v->micro);
}

std::string ProfileHash(const spec::LinuxSeccomp& seccomp) {
  // Canonical, unambiguous encoding: every string length-prefixed, every list counted.
  // Bump the version whenever CompileSeccomp's output changes for the same input (e.g. the stub),
  // so cached programs from an older hull are not reused.
  // The build time of this file is part of the key too: a program cached by another hull build
  // (whose compiler may differ) is never reused, even if someone forgets the bump.
  std::string buf = "hull-seccomp-profile-v1 " __DATE__ " " __TIME__;
  auto add = [&](absl::string_view s) { absl::StrAppend(&buf, "|", s.size(), ":", s); };
  auto add_num = [&](std::optional<uint64_t> n) { add(n ? absl::StrCat(*n) : "-"); };
  add(LibseccompVersion());
  add_num(seccomp_arch_native());
  add(Str(seccomp.default_action));
  add_num(OptU64(seccomp.default_errno_ret));
  add_num(seccomp.architectures.size());
  for (const auto& a : seccomp.architectures) add(Str(a));
  add_num(seccomp.flags.size());
  for (const auto& f : seccomp.flags) add(Str(f));
  // listenerPath itself does not change the program, only whether it is set (validation).
  add_num(Str(seccomp.listener_path).empty() ? 0 : 1);
  add_num(Str(seccomp.listener_metadata).empty() ? 0 : 1);
  add_num(seccomp.syscalls.size());
  for (const auto& sc : seccomp.syscalls) {
    add_num(sc.names.size());
    for (const auto& n : sc.names) add(n);
    add(Str(sc.action));
    add_num(OptU64(sc.errno_ret));
    add_num(sc.args.size());
    for (const auto& arg : sc.args) {
      add_num(static_cast<uint64_t>(arg.index));
      add_num(static_cast<uint64_t>(arg.value));
      add_num(OptU64(arg.value_two));
      add(Str(arg.op));
    }
  }
  return Sha256Hex(buf);
}

namespace {
constexpr absl::string_view kProgramMagic = "HULLBPF1";
}  // namespace

std::string SerializeSeccompProgram(const SeccompProgram& program) {
  std::string out(kProgramMagic);
  uint32_t header[3] = {program.flags, program.uses_notify ? 1u : 0u,
                        static_cast<uint32_t>(program.filter.size())};
  out.append(reinterpret_cast<const char*>(header), sizeof(header));
  out.append(reinterpret_cast<const char*>(program.filter.data()),
             program.filter.size() * sizeof(sock_filter));
  return out;
}

absl::StatusOr<SeccompProgram> ParseSeccompProgram(std::string_view std_data) {
  absl::string_view data(std_data.data(), std_data.size());
  uint32_t header[3];
  if (data.size() < kProgramMagic.size() + sizeof(header) ||
      data.substr(0, kProgramMagic.size()) != kProgramMagic) {
    return absl::DataLossError("seccomp program cache entry: bad header");
  }
  memcpy(header, data.data() + kProgramMagic.size(), sizeof(header));
  data.remove_prefix(kProgramMagic.size() + sizeof(header));
  if (header[1] > 1 || header[2] == 0 || header[2] > BPF_MAXINSNS ||
      data.size() != header[2] * sizeof(sock_filter)) {
    return absl::DataLossError("seccomp program cache entry: bad size");
  }
  SeccompProgram program;
  program.flags = header[0];
  program.uses_notify = header[1] == 1;
  program.filter.resize(header[2]);
  memcpy(program.filter.data(), data.data(), data.size());
  return program;
}

}  // namespace hull::linux
