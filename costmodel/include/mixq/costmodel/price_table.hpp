// Warm re-pricing for search loops: every layer pre-priced at every (w, a, output) precision
// of a fixed choice set, so that pricing a per-layer assignment is a handful of table
// lookups and additions (no hashing, no allocation).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mixq/costmodel/network_cost.hpp"

namespace mixq::costmodel {

class PriceTable {
 public:
  struct Price {
    bool feasible = false;
    std::int64_t cycles = 0;
    double energy_pj = 0;
  };

  // Maps every weighted layer at every (w, a, out) in w_choices × a_choices × a_choices
  // (out: the storage precision of its output, which its readers' a_bits decide). Layers off
  // the array are priced at lookup time from their tensor sizes (exactly as CostModel does).
  PriceTable(const CostModel& model, const workloads::Network& net, std::vector<int> w_choices,
             std::vector<int> a_choices);

  [[nodiscard]] const std::vector<int>& w_choices() const noexcept { return w_choices_; }
  [[nodiscard]] const std::vector<int>& a_choices() const noexcept { return a_choices_; }
  [[nodiscard]] std::size_t layers() const noexcept { return layers_.size(); }

  // w_index[i] / a_index[i] index w_choices / a_choices for layer i (all layers, weighted
  // or not; a weightless layer's w_index is ignored). Equal to CostModel::evaluate() of the
  // uniform-per-layer assignment: cycles exactly, energy to rounding.
  [[nodiscard]] Price price(std::span<const std::uint8_t> w_index,
                            std::span<const std::uint8_t> a_index) const;

 private:
  struct Entry {
    std::int64_t cycles = -1;  // -1: infeasible
    double energy_pj = 0;
  };
  struct LayerInfo {
    bool weighted = false;
    std::vector<std::int32_t> producers;   // -1 for the network input
    std::vector<std::int32_t> consumers;
    std::vector<double> producer_elements; // per producer, batch included
    double out_elements = 0;
    std::size_t table_offset = 0;
  };
  std::vector<int> w_choices_;
  std::vector<int> a_choices_;
  std::vector<LayerInfo> layers_;
  std::vector<std::int32_t> input_consumers_;
  std::vector<Entry> table_;  // per weighted layer: [w][a][out]
  double dram_bits_per_cycle_ = 1;
  double move_energy_pj_per_bit_in_ = 0;   // DRAM + input-buffer write
  double move_energy_pj_per_bit_out_ = 0;  // DRAM + output-buffer read
};

}  // namespace mixq::costmodel
