// `hull features` data for seccomp (features-linux.md "seccomp").
#include <algorithm>

#include "runtime/linux/seccomp.h"
#include "runtime/linux/seccomp_tables.h"

namespace hull::linux {

SeccompFeatures GetSeccompFeatures() {
  namespace tables = seccomp_tables;
  SeccompFeatures f;
  for (const auto& a : tables::Actions()) f.actions.emplace_back(a.name);
  for (const auto& o : tables::Operators()) f.operators.emplace_back(o.name);
  for (const auto& a : tables::Archs()) f.archs.emplace_back(a.name);
  for (const auto& fl : tables::Flags()) {
    f.known_flags.emplace_back(fl.name);
    if (tables::KernelAcceptsFlags(fl.flag)) f.supported_flags.emplace_back(fl.name);
  }
  // Sorted, like runc's output, so the document is stable.
  for (auto* list : {&f.actions, &f.operators, &f.archs, &f.known_flags, &f.supported_flags}) {
    std::sort(list->begin(), list->end());
  }
  return f;
}

spec::features::Seccomp GetSeccompFeaturesSpec() {
  SeccompFeatures f = GetSeccompFeatures();
  spec::features::Seccomp out;
  out.enabled = f.enabled;
  out.actions = std::move(f.actions);
  out.operators = std::move(f.operators);
  out.archs = std::move(f.archs);
  out.known_flags = std::move(f.known_flags);
  out.supported_flags = std::move(f.supported_flags);
  return out;
}

}  // namespace hull::linux
