// The `proxy` accuracy source: a quantization-noise sensitivity score.
//
// Model. A uniform b-bit quantizer adds noise of variance Δ²/12 with Δ = range / 2^b, i.e.
// ∝ 2^(−2b) = 4^(−b) (Widrow and Kollár, Quantization Noise, 2008, ch. 4). Noise injected
// at different layers adds up at the output, so the output's noise-to-signal ratio is the
// sum of the layers' (Lin, Talathi and Annapureddy, "Fixed point quantization of deep
// convolutional networks", ICML 2016, eq. 5: 1/SQNR_out = Σ_l 1/SQNR_l). Hence the noise
// of an assignment, relative to the all-8-bit network:
//
//   N = Σ_l [ s_w,l · 4^(8 − w_l) + s_a,l · 4^(8 − a_l) ] / Σ_l (s_w,l + s_a,l)
//
// (N = 1 at 8 bits everywhere, 256 at 4 bits, 4096 at 2 bits), and the proxy accuracy
//
//   acc = base_accuracy · exp(−k · N),   k = −ln(1 − drop_at_4bit) / 256,
//
// so that the uniform 4-bit network loses exactly `drop_at_4bit` of base_accuracy. The map is
// monotone: fewer bits on a more sensitive layer never scores higher.
//
// Sensitivities s_w,l, s_a,l come from a file (`sensitivities:` in the sweep, e.g. HAWQ
// Hessian traces measured elsewhere) or are computed by mixq from the network alone:
// s_w = s_a = 1 / sqrt(fan-in), fan-in = (C/groups)·R·S, normalized to mean 1. Why: the
// relative error of a dot product whose inputs carry independent quantization errors falls
// as the errors average over the fan-in, which is why depthwise layers (fan-in 9) are the
// ones that break under low precision (Krishnamoorthi, "Quantizing deep convolutional
// networks for efficient inference", 2018, section 3.1; Sheng et al., "A quantization-
// friendly separable convolution for MobileNets", 2018). This is a heuristic: it orders
// layers plausibly, it does not predict a trained network's accuracy. Use ptq/qat for that.
#pragma once

#include <vector>

#include "mixq/explorer/accuracy.hpp"

namespace mixq::explorer {

class ProxyAccuracy final : public AccuracySource {
 public:
  ProxyAccuracy(const Space& space, const ProxySpec& spec);

  [[nodiscard]] std::string name() const override { return "proxy"; }
  void score(const Space& space, std::span<const ChoiceIndices* const> batch,
             std::span<double> accuracy) const override;

  // N for one assignment (see above).
  [[nodiscard]] double noise(const ChoiceIndices& idx) const noexcept;
  // One weighted layer's share of N at (w_bits, a_bits): the separable term greedy and ILP use.
  [[nodiscard]] double layer_noise(std::size_t layer, int w_bits, int a_bits) const noexcept;
  [[nodiscard]] double accuracy_of_noise(double n) const noexcept;
  // Per layer (network order, 0 for layers without weights).
  [[nodiscard]] const std::vector<double>& weight_sensitivity() const noexcept { return s_w_; }
  [[nodiscard]] const std::vector<double>& activation_sensitivity() const noexcept { return s_a_; }

 private:
  std::vector<double> s_w_, s_a_;
  std::vector<double> w_term_;  // [layer][w choice] = s_w · 4^(8 − w) / norm
  std::vector<double> a_term_;
  std::size_t w_n_ = 0, a_n_ = 0;
  double norm_ = 1;
  double base_ = 0.9;
  double k_ = 0;
};

}  // namespace mixq::explorer
