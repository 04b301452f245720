// The analytic evaluator: prices a Mapping in closed form (docs/cost-model.md).
#pragma once

#include "mixq/costmodel/layer_cost.hpp"
#include "mixq/costmodel/mapping.hpp"

namespace mixq::costmodel {

// Compute cycles of the array alone. Per fold the systolic pipeline takes
// 2·R + C + T − 2 cycles for an R × C array streaming T elements (the pipeline model of
// systolic simulators such as SCALE-Sim: R cycles to fill the stationary operand, then T
// streamed elements skewed across R + C − 1 diagonals, then drain). Valid for WS, OS and IS
// with the dims of arch::ArraySpec; T is stretched by the PE's temporal factor. A broadcast
// array (ArraySpec::systolic false) pays fold_overhead_cycles + T per fold instead.
[[nodiscard]] std::int64_t compute_cycles(const Mapping& m, const arch::Accelerator& acc);

// Bits of each operand's tile in its buffer (the output at accumulator precision when the
// reduction is split over tiles), before doubling for double buffering.
struct TileBits {
  std::int64_t weight = 0;
  std::int64_t input = 0;
  std::int64_t output = 0;
};
[[nodiscard]] TileBits tile_bits(const Mapping& m, const arch::Accelerator& acc);
// Whether the tiles fit their buffers; otherwise `reason` says which buffer overflows.
[[nodiscard]] bool tiles_fit(const Mapping& m, const arch::Accelerator& acc, std::string* reason);

// Full evaluation: cycles with memory overlap, energy by component, traffic, utilization.
[[nodiscard]] LayerCost evaluate(const Mapping& m, const arch::Accelerator& acc);

}  // namespace mixq::costmodel
