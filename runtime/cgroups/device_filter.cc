#include "runtime/cgroups/device_filter.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace hull::cgroups {
namespace {

// Access bits in bpf_cgroup_dev_ctx.access_type >> 16 and device types in its low 16 bits.
uint32_t AccessMask(const std::string& access) {
  uint32_t m = 0;
  for (char c : access) {
    if (c == 'm') m |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') m |= BPF_DEVCG_ACC_READ;
    if (c == 'w') m |= BPF_DEVCG_ACC_WRITE;
  }
  return m;
}
constexpr uint32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  std::memset(&i, 0, sizeof(i));
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn LoadCtxWord(uint8_t dst, int16_t off) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
}
bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn Mov32Reg(uint8_t dst, uint8_t src) {
  return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
// Jumps to the end of the current rule block; the offset is patched when the block is complete.
constexpr int16_t kToNextRule = 0x7fff;
bpf_insn JumpImm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_JMP | op | BPF_K, dst, 0, kToNextRule, imm);
}
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

long Bpf(int cmd, bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

}  // namespace

absl::StatusOr<DeviceRule> NormalizeRule(DeviceRule rule) {
  if (rule.type != 'a' && rule.type != 'c' && rule.type != 'b') {
    return absl::InvalidArgumentError(absl::StrCat(
        "device rule: invalid type '", std::string(1, rule.type), "' (want a, c or b)"));
  }
  if (rule.access.empty()) rule.access = "rwm";
  for (char c : rule.access) {
    if (c != 'r' && c != 'w' && c != 'm') {
      return absl::InvalidArgumentError(
          absl::StrCat("device rule: invalid access \"", rule.access, "\" (want letters of rwm)"));
    }
  }
  if (rule.major < -1 || rule.minor < -1 || rule.major > UINT32_MAX || rule.minor > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("device rule: invalid device number ", rule.major, ":", rule.minor));
  }
  if (rule.type == 'a') {
    // "a" always means every device; v1 ignores numbers on it.
    rule.major = rule.minor = -1;
  }
  return rule;
}

std::vector<DeviceRule> DefaultAllowedDevices() {
  return {
      {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
      {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"},
      {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"},    {true, 'c', 136, -1, "rwm"},
      {true, 'c', 5, 2, "rwm"}, {true, 'c', 10, 200, "rwm"},
  };
}

std::string V1RuleString(const DeviceRule& r) {
  auto num = [](int64_t n) { return n < 0 ? std::string("*") : absl::StrCat(n); };
  if (r.type == 'a') return absl::StrCat("a *:* ", r.access);
  return absl::StrCat(std::string(1, r.type), " ", num(r.major), ":", num(r.minor), " ", r.access);
}

absl::StatusOr<std::vector<bpf_insn>> GenerateDeviceProgram(absl::Span<const DeviceRule> rules) {
  std::vector<bpf_insn> prog;
  // Prologue: r2 = type, r3 = access, r4 = major, r5 = minor (bpf_cgroup_dev_ctx in r1).
  prog.push_back(LoadCtxWord(BPF_REG_2, offsetof(bpf_cgroup_dev_ctx, access_type)));
  prog.push_back(Alu32Imm(BPF_AND, BPF_REG_2, 0xffff));
  prog.push_back(LoadCtxWord(BPF_REG_3, offsetof(bpf_cgroup_dev_ctx, access_type)));
  prog.push_back(Alu32Imm(BPF_RSH, BPF_REG_3, 16));
  prog.push_back(LoadCtxWord(BPF_REG_4, offsetof(bpf_cgroup_dev_ctx, major)));
  prog.push_back(LoadCtxWord(BPF_REG_5, offsetof(bpf_cgroup_dev_ctx, minor)));
  // Rules are checked from the last to the first: the first match (the latest rule) decides.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    ASSIGN_OR_RETURN(DeviceRule r, NormalizeRule(*it));
    std::vector<bpf_insn> block;
    if (r.type != 'a') {
      block.push_back(
          JumpImm(BPF_JNE, BPF_REG_2, r.type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
    }
    const uint32_t mask = AccessMask(r.access);
    if (mask != kAllAccess) {
      block.push_back(Mov32Reg(BPF_REG_1, BPF_REG_3));
      if (r.allow) {
        // allow matches only if no requested bit lies outside the rule's access
        block.push_back(Alu32Imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(~mask & kAllAccess)));
        block.push_back(JumpImm(BPF_JNE, BPF_REG_1, 0));
      } else {
        // deny matches if any requested bit is one the rule denies
        block.push_back(Alu32Imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(mask)));
        block.push_back(JumpImm(BPF_JEQ, BPF_REG_1, 0));
      }
    }
    if (r.major >= 0) block.push_back(JumpImm(BPF_JNE, BPF_REG_4, static_cast<int32_t>(r.major)));
    if (r.minor >= 0) block.push_back(JumpImm(BPF_JNE, BPF_REG_5, static_cast<int32_t>(r.minor)));
    block.push_back(Insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r.allow ? 1 : 0));
    block.push_back(Exit());
    for (size_t i = 0; i < block.size(); ++i) {
      if (block[i].off == kToNextRule && BPF_CLASS(block[i].code) == BPF_JMP) {
        block[i].off = static_cast<int16_t>(block.size() - i - 1);
      }
    }
    prog.insert(prog.end(), block.begin(), block.end());
    if (prog.size() > 100000) return absl::InvalidArgumentError("device rules: too many rules");
    // A rule that matches every request ends the program: what follows could never run, and
    // the verifier rejects unreachable instructions.
    if (block.size() == 2) return prog;
  }
  // Nothing matched: deny.
  prog.push_back(Insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
  prog.push_back(Exit());
  return prog;
}

absl::StatusOr<UniqueFd> LoadDeviceProgram(absl::Span<const bpf_insn> insns) {
  static const char kLicense[] = "Apache";
  std::string log(64 * 1024, '\0');
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  long fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0 && errno == ENOSPC) {
    // The log buffer was too small for the verifier's chatter; load again without a log.
    attr.log_buf = 0;
    attr.log_size = 0;
    attr.log_level = 0;
    fd = Bpf(BPF_PROG_LOAD, &attr);
  }
  if (fd < 0) {
    int err = errno;
    log.resize(strnlen(log.data(), log.size()));
    return ErrnoError(err, absl::StrCat("bpf(BPF_PROG_LOAD) of the device filter (", insns.size(),
                                        " instructions)", log.empty() ? "" : ", verifier: " + log));
  }
  // bpf() sets O_CLOEXEC on the fds it returns.
  return UniqueFd(static_cast<int>(fd));
}

namespace {

absl::StatusOr<std::vector<uint32_t>> QueryPrograms(int cgroup_dir_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.query.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (Bpf(BPF_PROG_QUERY, &attr) < 0) return ErrnoError("bpf(BPF_PROG_QUERY) on the cgroup");
  ids.resize(attr.query.prog_cnt);
  return ids;
}

}  // namespace

absl::StatusOr<int> CountDevicePrograms(int cgroup_dir_fd) {
  ASSIGN_OR_RETURN(std::vector<uint32_t> ids, QueryPrograms(cgroup_dir_fd));
  return static_cast<int>(ids.size());
}

absl::Status ReplaceDeviceProgram(int cgroup_dir_fd, int prog_fd) {
  ASSIGN_OR_RETURN(std::vector<uint32_t> old_ids, QueryPrograms(cgroup_dir_fd));
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, &attr) < 0) {
    return ErrnoError("bpf(BPF_PROG_ATTACH) of the device filter to the cgroup");
  }
  for (uint32_t id : old_ids) {
    bpf_attr get;
    std::memset(&get, 0, sizeof(get));
    get.prog_id = id;
    long old_fd = Bpf(BPF_PROG_GET_FD_BY_ID, &get);
    if (old_fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      return ErrnoError(absl::StrCat("bpf(BPF_PROG_GET_FD_BY_ID) for old device filter ", id));
    }
    UniqueFd old(static_cast<int>(old_fd));
    bpf_attr det;
    std::memset(&det, 0, sizeof(det));
    det.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
    det.attach_bpf_fd = static_cast<uint32_t>(old.get());
    det.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, &det) < 0 && errno != ENOENT) {
      return ErrnoError(absl::StrCat("bpf(BPF_PROG_DETACH) of old device filter ", id));
    }
  }
  return absl::OkStatus();
}

}  // namespace hull::cgroups
