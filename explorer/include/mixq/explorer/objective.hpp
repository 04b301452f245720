// The quantities a sweep can optimize. Every objective has a natural unit and a sense;
// search and Pareto code work on the minimized view (maximized objectives negated).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mixq::explorer {

enum class ObjectiveKind {
  kLatency,           // seconds per inference batch (PriceTable cycles / clock)
  kEnergy,            // picojoules per batch
  kEdp,               // energy-delay product, pJ·s
  kWeightMemory,      // bits: Σ weights · w_bits (workloads::compute_metrics' weight_bits)
  kActivationMemory,  // bits: every tensor at its storage precision (activation_bits_sum)
  kBops,              // Σ MACs · w_bits · a_bits (HAWQ-V3's BOPs)
  kAccuracy,          // top-1 in [0, 1], from the sweep's accuracy source (maximized)
};

struct ObjectiveInfo {
  ObjectiveKind kind;
  const char* name;   // the YAML name: "latency", "energy", ...
  const char* unit;   // "s", "pJ", "pJ*s", "bit", "BOP", ""
  bool maximize;
};

[[nodiscard]] const ObjectiveInfo& info(ObjectiveKind kind) noexcept;
[[nodiscard]] const std::vector<ObjectiveInfo>& all_objectives() noexcept;
// False when `name` is not an objective.
[[nodiscard]] bool parse_objective_kind(std::string_view name, ObjectiveKind& out) noexcept;

// Natural values → minimized view (maximized objectives negated), and back.
[[nodiscard]] std::vector<double> to_minimized(std::span<const ObjectiveKind> kinds,
                                               std::span<const double> values);
[[nodiscard]] double from_minimized(ObjectiveKind kind, double minimized) noexcept;

}  // namespace mixq::explorer
