// Fake quantizers for training (docs/training.md, "Quantizers").
//
// LSQ (Esser et al., ICLR 2020), fixed bits b and learned step s:
//   v̂ = s · round(clip(v/s, −Q_N, Q_P)); signed Q_N = 2^(b−1), Q_P = 2^(b−1) − 1;
//   unsigned Q_N = 0, Q_P = 2^b − 1.
//   ∂v̂/∂v = 1 inside the clip range (straight-through estimator), 0 outside;
//   ∂v̂/∂s = round(v/s) − v/s inside, −Q_N or Q_P at the clips.
// Learned bits (Uhlich et al., "Mixed Precision DNNs: All you need is a good
// parametrization", ICLR 2020, their best case: step d and range q_max; seed 000 uses it):
//   v̂ = d · round(clip(v, −q_max, q_max)/d)  (unsigned: clip to [0, q_max]);
//   b = log2(q_max/d + 1) + 1[signed], rounded up for deployment, so that the deployed
//   integer grid holds every value the training forward produced;
//   ∂v̂/∂v = 1 inside; ∂v̂/∂d = round(u) − u with u = clip(v)/d; ∂v̂/∂q_max = sign(v) outside.
//   The cost's gradient reaches d and q_max through ∂b/∂q_max = 1/((q_max + d)·ln 2) and
//   ∂b/∂d = −q_max/(d·(q_max + d)·ln 2), the rounding of b passed straight through.
// Gradient modification multiplies the straight-through gradient inside the range by
// 1 + δ·sign(g)·h(u − round(u)): EWGS h(e) = e (Lee et al., CVPR 2021), PSG h(e) = |e|, and
// seed 000's inverse-tanh form h(e) = (0.5/atanh(α/2))·atanh(α·e), α = 1.9.
// Steps and ranges are trained as logarithms (callers chain by d·∂/∂d), which keeps Adam's
// relative update the same for a weight step of 0.01 and an activation step of 0.1.
#pragma once

#include <cstdint>

#include "mixq/train/config.hpp"

namespace mixq::train::quant {

enum class Mode { kLsq, kLearned };
// kIdentity replaces round() by the identity: the function the straight-through estimator
// differentiates, so that finite differences can check the backward pass.
enum class Rounding { kNearest, kIdentity };

struct Spec {
  bool is_signed = true;
  Mode mode = Mode::kLsq;
  GradMod grad_mod = GradMod::kNone;
  double delta = 0;
  Rounding rounding = Rounding::kNearest;
};

// One group's parameters: LSQ uses step and bits; learned uses step and range.
struct Group {
  float step = 1;
  float range = 1;
  int bits = 8;
};

struct Grad {
  double step = 0;   // ∂L/∂step, unscaled
  double range = 0;  // ∂L/∂range, unscaled
};

[[nodiscard]] double qp(int bits, bool is_signed) noexcept;
[[nodiscard]] double qn(int bits, bool is_signed) noexcept;
// Continuous bits of a learned quantizer, and the integer bits it deploys with (rounded up,
// clamped to [min_bits, max_bits]).
[[nodiscard]] double learned_bits(double step, double range, bool is_signed) noexcept;
[[nodiscard]] int deploy_bits(double step, double range, bool is_signed, int min_bits,
                              int max_bits) noexcept;
// ∂b/∂log(range) and ∂b/∂log(step) for learned_bits.
[[nodiscard]] double dbits_dlog_range(double step, double range) noexcept;
[[nodiscard]] double dbits_dlog_step(double step, double range) noexcept;
// LSQ's gradient scale g = 1/sqrt(N·Q_P) (N: elements per group, or features per sample).
[[nodiscard]] double grad_scale(std::int64_t n, double qp_value) noexcept;
// LSQ's initial step 2·mean(|v|)/sqrt(Q_P).
[[nodiscard]] float init_step(const float* v, std::int64_t n, double qp_value) noexcept;
// The step minimizing Σ(v − v̂)² over a grid of clip ranges (post-training calibration).
[[nodiscard]] float mse_step(const float* v, std::int64_t n, int bits, bool is_signed);

void forward(const Spec& spec, const Group& g, const float* x, float* y, std::int64_t n);
// dx (may alias dy) gets the straight-through gradient; step and range gradients add to `grad`.
void backward(const Spec& spec, const Group& g, const float* x, const float* dy, float* dx,
              std::int64_t n, Grad& grad);

}  // namespace mixq::train::quant
