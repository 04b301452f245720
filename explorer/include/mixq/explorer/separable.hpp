// A per-layer (separable) cost model for the strategies that reason layer by layer (greedy
// bit lowering, the ILP): the cost of one weighted layer at (w_bits, a_bits), summed over
// layers. Exact for BOPs and weight memory; for latency and energy it is the layer's own
// mapping at out_bits = a_bits (the coupling through the next layer's input precision is
// ignored, as HAWQ-V3 does with its per-layer latency lookup table).
#pragma once

#include <string>
#include <vector>

#include "mixq/common/yaml.hpp"
#include "mixq/explorer/space.hpp"

namespace mixq::explorer {

enum class SeparableCost { kBops, kWeightMemory, kLatency, kEnergy };

// Reads `cost:` of a strategy map (default bops); throws a located InputError.
[[nodiscard]] SeparableCost parse_separable_cost(const yaml::Node& params);

// table[j][wi][ai] for free layer j, its allowed w_bits[wi], a_bits[ai], on variant `hw`.
// Infeasible mappings cost +inf.
[[nodiscard]] std::vector<std::vector<std::vector<double>>> separable_costs(const Space& space,
                                                                             std::size_t hw,
                                                                             SeparableCost cost);

}  // namespace mixq::explorer
