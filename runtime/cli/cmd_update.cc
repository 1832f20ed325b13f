// update: change a container's resource limits, with runc's flags and merge rules (update.go):
// either `--resources FILE|-` (a LinuxResources JSON object; every other resource flag is then
// ignored) or individual flags; only the fields given change.
#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/units.h"
#include "runtime/container/cgroup_ops.h"

namespace hull::cli {
namespace {

absl::Status InvalidValue(absl::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid value for ", flag, ": ", why));
}

absl::StatusOr<uint64_t> FlagUint(absl::string_view flag, const std::string& v) {
  uint64_t out;
  if (v.empty() || v[0] == '-' || !absl::SimpleAtoi(v, &out)) {
    return InvalidValue(flag,
                        absl::StrCat("strconv.ParseUint: parsing \"", v, "\": invalid syntax"));
  }
  return out;
}

absl::StatusOr<int64_t> FlagInt(absl::string_view flag, const std::string& v) {
  int64_t out;
  if (!absl::SimpleAtoi(v, &out)) {
    return InvalidValue(flag,
                        absl::StrCat("strconv.ParseInt: parsing \"", v, "\": invalid syntax"));
  }
  return out;
}

// Memory sizes: "-1" (unlimited) or a human size ("100M").
absl::StatusOr<int64_t> FlagMemory(absl::string_view flag, const std::string& v) {
  if (v == "-1") return -1;
  auto n = ParseRamInBytes(v);
  if (!n.ok()) return InvalidValue(flag, n.status().message());
  return *n;
}

absl::StatusOr<spec::LinuxResources> ResourcesFromFlags(const ParsedArgs& a) {
  spec::LinuxResources r;
  spec::LinuxMemory mem;
  spec::LinuxCPU cpu;
  if (a.Has("blkio-weight")) {
    ASSIGN_OR_RETURN(int64_t w, FlagInt("blkio-weight", a.Get("blkio-weight")));
    if (w < 0 || w > UINT16_MAX) return InvalidValue("blkio-weight", "out of range");
    if (w != 0) r.block_io = spec::LinuxBlockIO{.weight = static_cast<uint16_t>(w)};
  }
  if (std::string v = a.Get("cpuset-cpus"); !v.empty()) cpu.cpus = v;
  if (std::string v = a.Get("cpuset-mems"); !v.empty()) cpu.mems = v;
  if (std::string v = a.Get("cpu-idle"); !v.empty()) {
    ASSIGN_OR_RETURN(cpu.idle, FlagInt("cpu-idle", v));
  }
  // runc spells it --cpu-share; --cpu-shares (docker's spelling) is accepted too.
  std::string shares = a.Get("cpu-share", a.Get("cpu-shares"));
  for (auto [flag, value, dest] :
       {std::tuple{"cpu-burst", a.Get("cpu-burst"), &cpu.burst},
        std::tuple{"cpu-period", a.Get("cpu-period"), &cpu.period},
        std::tuple{"cpu-rt-period", a.Get("cpu-rt-period"), &cpu.realtime_period},
        std::tuple{"cpu-share", shares, &cpu.shares}}) {
    if (value.empty()) continue;
    ASSIGN_OR_RETURN(*dest, FlagUint(flag, value));
  }
  for (auto [flag, dest] :
       {std::pair{"cpu-quota", &cpu.quota}, std::pair{"cpu-rt-runtime", &cpu.realtime_runtime}}) {
    if (std::string v = a.Get(flag); !v.empty()) {
      ASSIGN_OR_RETURN(*dest, FlagInt(flag, v));
    }
  }
  for (auto [flag, dest] : {std::pair{"memory", &mem.limit}, std::pair{"memory-swap", &mem.swap},
                            std::pair{"memory-reservation", &mem.reservation}}) {
    if (std::string v = a.Get(flag); !v.empty()) {
      ASSIGN_OR_RETURN(*dest, FlagMemory(flag, v));
    }
  }
  for (const char* flag : {"kernel-memory", "kernel-memory-tcp"}) {
    if (!a.Get(flag).empty())
      log::Warn(absl::StrCat("Setting --", flag, " is ignored and will be removed"));
  }
  if (a.Has("pids-limit")) {
    ASSIGN_OR_RETURN(int64_t limit, FlagInt("pids-limit", a.Get("pids-limit")));
    // runc: 0 (the flag's default) leaves the limit alone; -1 removes it.
    if (limit != 0) r.pids = spec::LinuxPids{.limit = limit};
  }
  if (mem != spec::LinuxMemory{}) r.memory = mem;
  if (cpu != spec::LinuxCPU{}) r.cpu = cpu;
  return r;
}

absl::StatusOr<spec::LinuxResources> ResourcesFromJson(const std::string& in) {
  absl::StatusOr<std::string> text = in == "-" ? ReadFd(STDIN_FILENO) : ReadFile(in);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("read resources from ", in == "-" ? "stdin" : in, ": ",
                                     text.status().message()));
  }
  auto r = container::ParseResources(*text);
  if (!r.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decode resources from ", in == "-" ? "stdin" : in, ": ", r.status().message()));
  }
  return r;
}

// Intel RDT (resctrl): hull has no RDT manager; say why the flag cannot work, as runc does
// on hosts without the feature.
absl::Status CheckRdtFlags(const ParsedArgs& a) {
  if (!a.Get("l3-cache-schema").empty()) {
    if (!PathExists("/sys/fs/resctrl/info/L3")) {
      return absl::FailedPreconditionError("Intel RDT/CAT: l3 cache schema is not enabled");
    }
    return absl::UnimplementedError("Intel RDT/CAT: l3 cache schema: not supported by hull");
  }
  if (!a.Get("mem-bw-schema").empty()) {
    if (!PathExists("/sys/fs/resctrl/info/MB")) {
      return absl::FailedPreconditionError("Intel RDT/MBA: memory bandwidth schema is not enabled");
    }
    return absl::UnimplementedError(
        "Intel RDT/MBA: memory bandwidth schema: not supported by hull");
  }
  return absl::OkStatus();
}

int RunUpdate(const Context& ctx, const ParsedArgs& a) {
  if (!CheckArgs(a, 1, 1, "update")) return 1;
  const std::string& id = a.positional[0];
  absl::StatusOr<spec::LinuxResources> r =
      a.Get("resources").empty() ? ResourcesFromFlags(a) : ResourcesFromJson(a.Get("resources"));
  if (!r.ok()) return Fail(r.status());
  if (auto ignored = container::IgnoredUpdateFields(*r); !ignored.empty()) {
    log::Warn(absl::StrCat("update cannot change ", absl::StrJoin(ignored, ", "), "; ignored"));
  }
  if (absl::Status st = CheckRdtFlags(a); !st.ok()) return Fail(st);
  absl::Status st = container::UpdateResources(ctx.globals, id, *r);
  return st.ok() ? 0 : Fail(st);
}

std::vector<FlagSpec> UpdateFlags() {
  return {
      {"resources", 'r', true,
       "path to the file containing the resources to update or '-' to read from the standard "
       "input; all other resource options are then ignored",
       "value"},
      {"blkio-weight", 0, true, "Specifies per cgroup weight, range is from 10 to 1000"},
      {"cpu-period", 0, true,
       "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
      {"cpu-quota", 0, true,
       "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
      {"cpu-burst", 0, true,
       "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for "
       "burst a given period"},
      {"cpu-share", 0, true, "CPU shares (relative weight vs. other containers)"},
      {"cpu-shares", 0, true, "alias of --cpu-share"},
      {"cpu-rt-period", 0, true,
       "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
      {"cpu-rt-runtime", 0, true,
       "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
      {"cpuset-cpus", 0, true, "CPU(s) to use"},
      {"cpuset-mems", 0, true, "Memory node(s) to use"},
      {"kernel-memory", 0, true, "(obsoleted; do not use)"},
      {"kernel-memory-tcp", 0, true, "(obsoleted; do not use)"},
      {"memory", 0, true, "Memory limit (in bytes, or with a unit: 100M)"},
      {"cpu-idle", 0, true, "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
      {"memory-reservation", 0, true, "Memory reservation or soft_limit (in bytes)"},
      {"memory-swap", 0, true,
       "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
      {"pids-limit", 0, true, "Maximum number of pids allowed in the container"},
      {"l3-cache-schema", 0, true, "The string of Intel RDT/CAT L3 cache schema"},
      {"mem-bw-schema", 0, true, "The string of Intel RDT/MBA memory bandwidth schema"},
  };
}

}  // namespace

Command UpdateCommand() {
  return {"update",
          "update [command options] <container-id>",
          "update container resource constraints",
          UpdateFlags(),
          -1,
          RunUpdate};
}

}  // namespace hull::cli
