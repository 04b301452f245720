// The hardware term of the training loss, as a function of continuous bits, with its
// gradient per layer.
//
// Bits are continuous during the learned-bit phase: w[l][g] for weight group g of weighted
// layer l (groups as in the PrecisionAssignment), a[l] for the activations layer l
// multiplies. Cost kinds:
//  - memory: Σ_g weights_g·w_g + Σ_l input_elements_l·a_l (per sample): exact and linear;
//  - bops:   Σ_l MACs_l·max_g(w_g)·a_l (HAWQ-V3's BOPs; the gradient goes to the widest group);
//  - ebops:  Σ_l Σ_g MACs_g·w_g·a_l (HGQ's EBOPs);
//  - latency / energy: the cost model (mixq::costmodel::PriceTable) on an accelerator, the
//    network priced with every layer at integer bits. The cost at continuous bits is the
//    piecewise-linear interpolation, per layer and per operand, between the integer
//    bitwidths where the layer's price changes (a staircase such as Bit Fusion's 2/4/8-bit
//    modes becomes the line through its steps' right ends, so the slope is non-zero where
//    lowering bits pays off later). The derivative with respect to a layer's bits is that
//    interpolant's slope, the other layers held at their current (rounded-up) bits: finite
//    differences of the cost model between integer bitwidths, as issue 6 asks. Weight
//    groups of one layer share the layer's slope, scaled by their share of the channels
//    (the layer is priced at its channel-weighted mean bits).
// Every cost is divided by its value with every layer at 8 bits, so beta is dimensionless.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mixq/train/config.hpp"
#include "mixq/workloads/network.hpp"

namespace mixq::train {

struct LayerBits {
  std::vector<double> w;            // per weight group
  std::vector<std::int64_t> count;  // channels (or weights) per group
  double a = 8;
};

struct CostValue {
  double cost = 0;  // normalized
  std::vector<LayerBits> grad;  // d cost / d bits, same shape as the input
};

class HardwareCost {
 public:
  // Throws InputError for an arch that cannot be loaded (latency / energy).
  HardwareCost(const workloads::Network& net, const CostConfig& config, int min_bits,
               int max_bits);
  ~HardwareCost();
  HardwareCost(HardwareCost&&) noexcept;
  HardwareCost& operator=(HardwareCost&&) noexcept;

  // `bits` has one entry per network layer (weightless layers are ignored).
  [[nodiscard]] CostValue evaluate(const std::vector<LayerBits>& bits) const;
  // Un-normalized cost of an integer assignment (latency in seconds, energy in pJ, bits,
  // BOPs), for reports and tests.
  [[nodiscard]] double absolute(const workloads::PrecisionAssignment& a) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixq::train
