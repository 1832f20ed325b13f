#include "runtime/cgroups/device_filter.h"

#include <gtest/gtest.h>

namespace hull::cgroups {
namespace {

// Runs the generated program in a tiny interpreter of exactly the instruction forms the
// generator emits, so the tests check meaning, not only bytes.
int RunProg(const std::vector<bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major,
            uint32_t minor) {
  uint64_t r[11] = {};
  const uint32_t ctx[3] = {(access << 16) | type, major, minor};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const bpf_insn& i = prog[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(i.src_reg, BPF_REG_1);
        r[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) & static_cast<uint32_t>(i.imm);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(i.imm);
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]);
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<uint32_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (r[i.dst_reg] == static_cast<uint64_t>(static_cast<uint32_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(r[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code) << " at " << pc;
        return -1;
    }
  }
  ADD_FAILURE() << "fell off the end";
  return -1;
}

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kR = BPF_DEVCG_ACC_READ, kW = BPF_DEVCG_ACC_WRITE, kM = BPF_DEVCG_ACC_MKNOD;

TEST(GenerateDeviceProgram, EmptyRulesDenyEverything) {
  auto prog = GenerateDeviceProgram({});
  ASSERT_TRUE(prog.ok()) << prog.status();
  // 6 prologue loads + "r0 = 0; exit"
  ASSERT_EQ(prog->size(), 8u);
  EXPECT_EQ((*prog)[6].code, BPF_ALU | BPF_MOV | BPF_K);
  EXPECT_EQ((*prog)[6].imm, 0);
  EXPECT_EQ((*prog)[7].code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(RunProg(*prog, kChar, kR, 1, 3), 0);
}

TEST(GenerateDeviceProgram, SingleRuleInstructions) {
  auto prog = GenerateDeviceProgram({{true, 'c', 1, 3, "rwm"}});
  ASSERT_TRUE(prog.ok()) << prog.status();
  // prologue (6), type check, major check, minor check, r0=1, exit, r0=0, exit
  ASSERT_EQ(prog->size(), 13u);
  const bpf_insn& type_check = (*prog)[6];
  EXPECT_EQ(type_check.code, BPF_JMP | BPF_JNE | BPF_K);
  EXPECT_EQ(type_check.dst_reg, BPF_REG_2);
  EXPECT_EQ(type_check.imm, static_cast<int32_t>(kChar));
  EXPECT_EQ(type_check.off, 4);  // to the instruction after this rule's exit
  EXPECT_EQ((*prog)[7].dst_reg, BPF_REG_4);
  EXPECT_EQ((*prog)[7].imm, 1);
  EXPECT_EQ((*prog)[7].off, 3);
  EXPECT_EQ((*prog)[8].dst_reg, BPF_REG_5);
  EXPECT_EQ((*prog)[8].imm, 3);
  EXPECT_EQ((*prog)[8].off, 2);
  EXPECT_EQ((*prog)[9].imm, 1);
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 1, 3), 1);
  EXPECT_EQ(RunProg(*prog, kChar, kR, 1, 5), 0);
  EXPECT_EQ(RunProg(*prog, kBlock, kR, 1, 3), 0);
}

TEST(GenerateDeviceProgram, LaterRulesWinLikeV1) {
  // deny all, allow c 1:3 rw, then deny writes to it again
  auto prog = GenerateDeviceProgram(
      {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rw"}, {false, 'c', 1, 3, "w"}});
  ASSERT_TRUE(prog.ok()) << prog.status();
  EXPECT_EQ(RunProg(*prog, kChar, kR, 1, 3), 1);
  EXPECT_EQ(RunProg(*prog, kChar, kW, 1, 3), 0);
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 1, 3), 0);
  EXPECT_EQ(RunProg(*prog, kChar, kM, 1, 3), 0);  // m was never allowed
  EXPECT_EQ(RunProg(*prog, kChar, kR, 1, 5), 0);
  // The unconditional deny-all ends the program: no unreachable default epilogue.
  EXPECT_EQ(prog->back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ((*prog)[prog->size() - 2].imm, 0);
}

TEST(GenerateDeviceProgram, AllowAllThenDenyOne) {
  auto prog = GenerateDeviceProgram({{true, 'a', -1, -1, "rwm"}, {false, 'b', 8, -1, "rwm"}});
  ASSERT_TRUE(prog.ok()) << prog.status();
  EXPECT_EQ(RunProg(*prog, kBlock, kR, 8, 1), 0);
  EXPECT_EQ(RunProg(*prog, kBlock, kR, 9, 1), 1);
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 8, 1), 1);
}

TEST(GenerateDeviceProgram, DefaultAllowList) {
  std::vector<DeviceRule> rules = {{false, 'a', -1, -1, "rwm"}};
  for (const auto& r : DefaultAllowedDevices()) rules.push_back(r);
  auto prog = GenerateDeviceProgram(rules);
  ASSERT_TRUE(prog.ok()) << prog.status();
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 1, 3), 1);    // /dev/null
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 136, 7), 1);  // /dev/pts/7
  EXPECT_EQ(RunProg(*prog, kChar, kR | kW, 5, 2), 1);    // /dev/ptmx
  EXPECT_EQ(RunProg(*prog, kBlock, kM, 8, 0), 1);        // mknod of anything
  EXPECT_EQ(RunProg(*prog, kBlock, kR, 8, 0), 0);        // but no reading a disk
  EXPECT_EQ(RunProg(*prog, kChar, kR, 1, 1), 0);         // /dev/mem
}

TEST(GenerateDeviceProgram, RejectsBadRules) {
  EXPECT_FALSE(GenerateDeviceProgram({{true, 'x', 1, 1, "r"}}).ok());
  EXPECT_FALSE(GenerateDeviceProgram({{true, 'c', 1, 1, "rx"}}).ok());
  EXPECT_FALSE(GenerateDeviceProgram({{true, 'c', -5, 1, "r"}}).ok());
}

TEST(V1RuleString, Formats) {
  EXPECT_EQ(V1RuleString({true, 'c', 1, 3, "rwm"}), "c 1:3 rwm");
  EXPECT_EQ(V1RuleString({true, 'c', 136, -1, "rwm"}), "c 136:* rwm");
  EXPECT_EQ(V1RuleString({false, 'a', -1, -1, "rwm"}), "a *:* rwm");
}

// The verifier is the judge of whether the bytes are a valid program.
TEST(LoadDeviceProgram, KernelVerifierAcceptsGeneratedPrograms) {
  std::vector<std::vector<DeviceRule>> sets = {
      {},
      {{false, 'a', -1, -1, "rwm"}},
      {{true, 'a', -1, -1, "rwm"}, {false, 'b', 8, -1, "rw"}},
      {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rw"}, {false, 'c', 1, 3, "w"}},
  };
  std::vector<DeviceRule> with_defaults = {{false, 'a', -1, -1, "rwm"}};
  for (const auto& r : DefaultAllowedDevices()) with_defaults.push_back(r);
  sets.push_back(with_defaults);
  for (const auto& rules : sets) {
    auto prog = GenerateDeviceProgram(rules);
    ASSERT_TRUE(prog.ok()) << prog.status();
    auto fd = LoadDeviceProgram(*prog);
    if (!fd.ok() && (fd.status().message().find("Operation not permitted") != std::string::npos ||
                     fd.status().message().find("Function not implemented") != std::string::npos)) {
      GTEST_SKIP() << "bpf(2) not permitted here: " << fd.status();
    }
    ASSERT_TRUE(fd.ok()) << fd.status() << " (" << rules.size() << " rules)";
    EXPECT_TRUE(fd->valid());
  }
}

TEST(LoadDeviceProgram, KernelRejectsAnInvalidProgram) {
  // A program that never sets r0 before exit must not load.
  std::vector<bpf_insn> bad(1);
  bad[0] = {};
  bad[0].code = BPF_JMP | BPF_EXIT;
  auto fd = LoadDeviceProgram(bad);
  EXPECT_FALSE(fd.ok());
}

}  // namespace
}  // namespace hull::cgroups
