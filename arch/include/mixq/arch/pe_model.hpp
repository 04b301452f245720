// PE models: what one processing-element unit of an accelerator delivers at a given
// (weight bits, activation bits): MACs per cycle and energy per MAC. Families (fixed,
// bit_serial, bit_fusion, swp, bitblade) are registered by name (pe_registry.hpp) and built
// from YAML; formulas, units, parameters and sources are in docs/pe-models.md.
//
// Contract:
//  - A model is immutable once built and safe to query from many threads at once.
//  - query() is a table lookup (the table is filled when the model is built), noexcept, and
//    accepts any int: bits outside 1..32 and precisions the hardware cannot run come back
//    unsupported with a reason. An optimizer scores such a point as infeasible; nothing is
//    thrown and nothing is silently priced.
//  - When supported: macs_per_cycle = parallel_macs / cycles_per_step, and
//    energy_per_mac_pj = (energy of the unit over one step) / parallel_macs.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mixq::yaml {
class Node;
}

namespace mixq::arch {

// Operand precisions a PE is asked about (the range PrecisionAssignment allows).
inline constexpr int kPeMinBits = 1;
inline constexpr int kPeMaxBits = 32;

// Throughput and energy of ONE PE unit. The unit is what the family calls a PE (a fixed MAC,
// a Bit Fusion fusion unit, a group of bit-serial lanes...); an array's peak is
// rows · cols · macs_per_cycle.
struct PeCost {
  double macs_per_cycle = 0;     // MACs completed per cycle, on average over a step
  double energy_per_mac_pj = 0;  // dynamic energy of the unit per MAC, picojoules
};

// The answer to "can this PE run w_bits × a_bits, and at what cost?".
struct PeQuery {
  bool supported = false;
  PeCost cost;
  // How the throughput is arranged, for mappers that need more than the average: the unit
  // computes `parallel_macs` products at once (fused bricks, sub-words, serial lanes) and
  // each such step takes `cycles_per_step` cycles (bit-serial passes; 1 for bit-parallel
  // units). Both are 0 when unsupported.
  int parallel_macs = 0;
  int cycles_per_step = 0;
  std::string reason;  // why not, when unsupported ("family: ..."); empty otherwise
};

// A parameter value a model was built with, as text, for reports and reproducibility.
struct ParamValue {
  std::string name;
  std::string value;
  bool from_default = false;
};

// What a family hands to the PeModel base when it builds a model.
struct PeModelInfo {
  std::string family;
  std::string description;  // one line with the values that matter, e.g. "8×8 fixed MAC"
  std::string source;       // the `source:` of the YAML node (empty when absent)
  std::vector<ParamValue> parameters;
};

class PeModel {
 public:
  virtual ~PeModel() = default;
  PeModel(const PeModel&) = delete;
  PeModel& operator=(const PeModel&) = delete;
  PeModel(PeModel&&) = delete;
  PeModel& operator=(PeModel&&) = delete;

  [[nodiscard]] const std::string& family() const noexcept { return info_.family; }
  [[nodiscard]] const std::string& description() const noexcept { return info_.description; }
  [[nodiscard]] const std::string& source() const noexcept { return info_.source; }
  [[nodiscard]] const std::vector<ParamValue>& parameters() const noexcept {
    return info_.parameters;
  }

  // O(1): one lookup in a 34 × 34 table (indices 0 and 33 hold the out-of-range answers).
  [[nodiscard]] const PeQuery& query(int w_bits, int a_bits) const noexcept {
    return table_[index(w_bits) * kSide + index(a_bits)];
  }
  [[nodiscard]] bool supports(int w_bits, int a_bits) const noexcept {
    return query(w_bits, a_bits).supported;
  }

  // Every supported (w_bits, a_bits), w-major in increasing order.
  [[nodiscard]] std::vector<std::pair<int, int>> supported_precisions() const;
  // The widest weight (activation) precision supported with any activation (weight)
  // precision; 0 when nothing is supported.
  [[nodiscard]] int max_w_bits() const noexcept { return max_w_bits_; }
  [[nodiscard]] int max_a_bits() const noexcept { return max_a_bits_; }
  // The highest macs_per_cycle over all supported precisions (peak of the unit).
  [[nodiscard]] double peak_macs_per_cycle() const noexcept { return peak_macs_per_cycle_; }

 protected:
  explicit PeModel(PeModelInfo info);

  // The family's rule for one precision with both bits in 1..32. An unsupported answer
  // needs only `reason`; build_table() adds the family prefix.
  [[nodiscard]] virtual PeQuery rule(int w_bits, int a_bits) const = 0;

  // Fills the table from rule(). Every family calls it last in its constructor (a family
  // class is final, so rule() dispatches to it there).
  void build_table();

 private:
  static constexpr int kSide = kPeMaxBits + 2;
  static constexpr int index(int bits) noexcept {
    return bits < kPeMinBits ? 0 : (bits > kPeMaxBits ? kPeMaxBits + 1 : bits);
  }

  PeModelInfo info_;
  std::array<PeQuery, static_cast<std::size_t>(kSide) * kSide> table_{};
  int max_w_bits_ = 0;
  int max_a_bits_ = 0;
  double peak_macs_per_cycle_ = 0;
};

// Builds a model from a YAML map such as
//   {family: bit_fusion, max_bits: 8, energy_per_unit_cycle_pj: 0.459, source: "..."}
// through the built-in registry (pe_registry.hpp). Keys other than `family`, `source` and
// the family's declared parameters are errors. Throws InputError naming file, line and key
// path: kMissingKey (no family), kValue (unknown family, value out of range, inconsistent
// parameters), kUnknownKey, kType.
[[nodiscard]] std::unique_ptr<PeModel> make_pe_model(const yaml::Node& pe_node);

}  // namespace mixq::arch
