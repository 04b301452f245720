#include "mixq/explorer/objective.hpp"

#include "mixq/common/error.hpp"

namespace mixq::explorer {

const std::vector<ObjectiveInfo>& all_objectives() noexcept {
  static const std::vector<ObjectiveInfo> kAll{
      {ObjectiveKind::kLatency, "latency", "s", false},
      {ObjectiveKind::kEnergy, "energy", "pJ", false},
      {ObjectiveKind::kEdp, "edp", "pJ*s", false},
      {ObjectiveKind::kWeightMemory, "weight_memory", "bit", false},
      {ObjectiveKind::kActivationMemory, "activation_memory", "bit", false},
      {ObjectiveKind::kBops, "bops", "BOP", false},
      {ObjectiveKind::kAccuracy, "accuracy", "", true},
  };
  return kAll;
}

const ObjectiveInfo& info(ObjectiveKind kind) noexcept {
  return all_objectives()[static_cast<std::size_t>(kind)];
}

bool parse_objective_kind(std::string_view name, ObjectiveKind& out) noexcept {
  for (const auto& o : all_objectives()) {
    if (name == o.name) {
      out = o.kind;
      return true;
    }
  }
  return false;
}

std::vector<double> to_minimized(std::span<const ObjectiveKind> kinds,
                                 std::span<const double> values) {
  if (kinds.size() != values.size()) throw Error("to_minimized: size mismatch");
  std::vector<double> out(values.begin(), values.end());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (info(kinds[i]).maximize) out[i] = -out[i];
  }
  return out;
}

double from_minimized(ObjectiveKind kind, double minimized) noexcept {
  return info(kind).maximize ? -minimized : minimized;
}

}  // namespace mixq::explorer
