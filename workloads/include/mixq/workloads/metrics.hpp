// Hardware-independent metrics of a network under a precision assignment: memory footprint,
// BOPs and EBOPs.
#pragma once

#include <cstdint>
#include <vector>

#include "mixq/workloads/precision.hpp"

namespace mixq::workloads {

struct LayerMetrics {
  std::int64_t macs = 0;
  std::int64_t params = 0;
  // Σ over precision groups of weights × w_bits. Biases and batch-norm parameters are not
  // counted: they stay in high precision and are folded or kept beside the accumulator, as
  // in the mixed-precision literature's weight-memory figures.
  std::int64_t weight_bits = 0;
  // The layer's output tensor (all N samples) at the precision it is stored in: the largest
  // a_bits among the layers that read it (the producer's own a_bits for a network output).
  std::int64_t output_bits = 0;
  int output_tensor_bits = 0;
  // BOPs = MACs · max w_bits · max a_bits: the layer as one datapath width (HAWQ-V3's
  // definition, Yao et al. ICML 2021).
  double bops = 0;
  // EBOPs = Σ_groups MACs_g · w_g · a_g: the exact bit-operation count of per-channel and
  // per-weight precision (HGQ, Sun et al. 2024); equals BOPs for a uniform layer.
  double ebops = 0;
};

struct NetworkMetrics {
  std::vector<LayerMetrics> layers;
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t weight_bits = 0;
  // Activation memory, three definitions (all tensors include the batch N):
  //  - sum: every tensor of the network, input included, stored at once (the definition of
  //    "activation memory" summed over layers);
  //  - peak: the largest set of tensors live at once when layers run one at a time in
  //    topological order (a tensor lives from its producer until its last reader; network
  //    inputs from the start, outputs until the end): what an on-chip buffer must hold;
  //  - max_tensor: the largest single tensor (the definition some learned-precision papers
  //    use for their activation-memory target).
  std::int64_t activation_bits_sum = 0;
  std::int64_t activation_bits_peak = 0;
  std::int64_t activation_bits_max_tensor = 0;
  std::int64_t input_bits = 0;  // the network input tensor
  double bops = 0;
  double ebops = 0;
};

// Storage precision of every layer's output tensor: the largest a_bits among the layers that
// read it, the producer's own largest a_bits for a tensor nobody reads (a network output).
[[nodiscard]] std::vector<int> output_tensor_bits(const Network& net, const PrecisionAssignment& a);
// The same for the network input (8 when no layer reads it, which a valid network excludes).
[[nodiscard]] int input_tensor_bits(const Network& net, const PrecisionAssignment& a);

// Bits (batch included) of each tensor layer i reads, one per producer in inputs_of(i) order,
// and of the tensor it writes, stored at the precisions above (`out_bits` from
// output_tensor_bits, `in_bits` from input_tensor_bits): what moving a layer's data costs.
[[nodiscard]] std::vector<double> read_tensor_bits(const Network& net, std::size_t i,
                                                   const std::vector<int>& out_bits, int in_bits);
[[nodiscard]] double written_tensor_bits(const Network& net, std::size_t i, const std::vector<int>& out_bits);

// Throws InputError when `a` does not fit `net` (see PrecisionAssignment::validate).
[[nodiscard]] NetworkMetrics compute_metrics(const Network& net, const PrecisionAssignment& a);

// Bits → megabytes (10^6 bytes), the unit of the CLI tables.
[[nodiscard]] inline double bits_to_mb(std::int64_t bits) noexcept {
  return static_cast<double>(bits) / 8e6;
}

}  // namespace mixq::workloads
