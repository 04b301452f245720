// The precision-aware mapper: for (layer, precision, accelerator) it picks the tile sizes
// and the loop order at the buffer level (the spatial unrolling follows from the array's
// dataflow and the PE's precision modes), under buffer capacities counted in bits.
#pragma once

#include <optional>
#include <string>

#include "mixq/costmodel/layer_cost.hpp"
#include "mixq/costmodel/mapping.hpp"
#include "mixq/workloads/layer.hpp"

namespace mixq::costmodel {

enum class Objective { kLatency, kEnergy, kEdp };
[[nodiscard]] const char* to_string(Objective o) noexcept;
[[nodiscard]] bool parse_objective(const std::string& text, Objective& out) noexcept;

// How a PE runs one precision (derived from arch::PeModel; see pe_rate.hpp).
struct PeRate {
  bool supported = false;
  std::string reason;                // why not, when unsupported
  std::int64_t spatial_factor = 1;   // products summed per PE per step
  double temporal_factor = 1.0;      // cycles per streamed element
  double energy_per_mac_pj = 0;
};

struct Precision {
  int w_bits = 8;
  int a_bits = 8;
  int out_bits = 8;  // storage precision of the layer's output tensor
};

// Either a mapping with its cost, or the reason no mapping exists (an infeasible point in an
// optimizer loop scores as infeasible; it is not an exception).
struct MapResult {
  bool feasible = false;
  std::string reason;
  Mapping mapping;
  LayerCost cost;
};

// The GEMM view and conv geometry of a weighted layer on an array (tiles left at full size).
[[nodiscard]] Mapping base_mapping(const workloads::Layer& layer, const arch::Accelerator& acc,
                                   const Precision& bits, const PeRate& rate);

// Searches tile sizes (whole layer, powers of two, array-aligned sizes, output rows and
// samples for M) and the six loop orders; keeps the best by `objective` (ties broken by the
// other of latency and energy).
[[nodiscard]] MapResult map_layer(const workloads::Layer& layer, const arch::Accelerator& acc,
                                  const Precision& bits, const PeRate& rate,
                                  Objective objective = Objective::kLatency);

}  // namespace mixq::costmodel
