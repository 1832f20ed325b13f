// Reads fields of /proc/self/status, where the kernel reports what is really in force.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace hull::linux::testing {

// The value after "Name:\t", or "" when absent.
inline std::string ProcStatusField(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = name + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      std::string v = line.substr(prefix.size());
      size_t start = v.find_first_not_of(" \t");
      return start == std::string::npos ? "" : v.substr(start);
    }
  }
  return "";
}

// CapEff/CapPrm/CapBnd/CapInh/CapAmb as a number.
inline uint64_t ProcCapField(const std::string& name) {
  return std::stoull(ProcStatusField(name), nullptr, 16);
}

}  // namespace hull::linux::testing
