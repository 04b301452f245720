// Quantizer forward values and gradients. Rounding makes the forward piecewise constant, so
// finite differences check the straight-through function (round → identity, the function
// the STE differentiates); the rounding terms are checked against LSQ's closed form.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "mixq/train/quantizer.hpp"

namespace q = mixq::train::quant;
using mixq::train::GradMod;

namespace {

std::vector<float> values(std::size_t n, float lo, float hi, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

double weighted_sum(const q::Spec& spec, const q::Group& g, const std::vector<float>& x,
                    const std::vector<float>& r) {
  std::vector<float> y(x.size());
  q::forward(spec, g, x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * r[i];
  return s;
}

}  // namespace

TEST_CASE("LSQ levels: signed and unsigned Q_N, Q_P at the bit-width boundaries", "[train][quant]") {
  CHECK(q::qp(2, true) == 1);
  CHECK(q::qn(2, true) == 2);
  CHECK(q::qp(4, true) == 7);
  CHECK(q::qn(4, true) == 8);
  CHECK(q::qp(4, false) == 15);
  CHECK(q::qn(4, false) == 0);
  CHECK(q::qp(8, false) == 255);
  // Forward: 4-bit signed with step 0.5 clips to [-4, 3.5] on a grid of 0.5.
  q::Spec spec;
  q::Group g;
  g.step = 0.5F;
  g.bits = 4;
  const std::vector<float> x{-10.0F, -4.1F, -0.26F, -0.24F, 0.74F, 3.4F, 3.76F, 100.0F};
  std::vector<float> y(x.size());
  q::forward(spec, g, x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  CHECK(y == std::vector<float>{-4.0F, -4.0F, -0.5F, -0.0F, 0.5F, 3.5F, 3.5F, 3.5F});
  spec.is_signed = false;
  q::forward(spec, g, x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  CHECK(y == std::vector<float>{0.0F, 0.0F, 0.0F, 0.0F, 0.5F, 3.5F, 4.0F, 7.5F});
}

TEST_CASE("LSQ step gradient: round(u) - u inside, -Q_N and Q_P at the clips", "[train][quant]") {
  q::Spec spec;
  q::Group g;
  g.step = 0.25F;
  g.bits = 3;  // signed: [-4, 3]
  const std::vector<float> x{-2.0F, 0.3F, 0.6F, 5.0F};
  const std::vector<float> dy{1.0F, 1.0F, 1.0F, 1.0F};
  std::vector<float> dx(4);
  for (std::size_t i = 0; i < x.size(); ++i) {
    q::Grad grad;
    q::backward(spec, g, &x[i], &dy[i], &dx[i], 1, grad);
    const double u = x[i] / g.step;
    double expect = std::nearbyint(u) - u;
    if (u <= -4) expect = -4;
    if (u >= 3) expect = 3;
    CHECK(grad.step == Approx(expect).margin(1e-6));
    CHECK(dx[i] == ((u > -4 && u < 3) ? 1.0F : 0.0F));
  }
}

TEST_CASE("LSQ and learned-range gradients match finite differences of the STE function", "[train][quant]") {
  // Away from the clip points (±1.7, 0.9, -1.2, 2.1, 0), where the function has kinks.
  std::vector<float> x;
  for (float v : values(240, -3, 3, 1)) {
    bool near = false;
    for (float k : {1.7F, -1.7F, 0.9F, -1.2F, 2.1F, 0.0F}) near = near || std::fabs(v - k) < 0.01F;
    if (!near) x.push_back(v);
  }
  const auto r = values(x.size(), -1, 1, 2);
  for (bool is_signed : {true, false}) {
    for (q::Mode mode : {q::Mode::kLsq, q::Mode::kLearned}) {
      q::Spec spec;
      spec.is_signed = is_signed;
      spec.mode = mode;
      spec.rounding = q::Rounding::kIdentity;
      q::Group g;
      g.step = 0.3F;
      g.bits = 3;
      g.range = 1.7F;
      q::Grad grad;
      std::vector<float> dx(x.size());
      q::backward(spec, g, x.data(), r.data(), dx.data(), static_cast<std::int64_t>(x.size()), grad);
      const float eps = 1e-3F;
      q::Group up = g, down = g;
      up.step += eps;
      down.step -= eps;
      const double fd_step = (weighted_sum(spec, up, x, r) - weighted_sum(spec, down, x, r)) / (2 * eps);
      INFO("signed " << is_signed << ", mode " << static_cast<int>(mode));
      CHECK(grad.step == Approx(fd_step).margin(2e-2));
      if (mode == q::Mode::kLearned) {
        up = g;
        down = g;
        up.range += eps;
        down.range -= eps;
        const double fd_range = (weighted_sum(spec, up, x, r) - weighted_sum(spec, down, x, r)) / (2 * eps);
        CHECK(grad.range == Approx(fd_range).margin(2e-2));
      }
      // ∂L/∂x: finite differences element by element (away from the clip points).
      auto xm = x;
      for (std::size_t i = 0; i < x.size(); i += 17) {
        const float keep = xm[i];
        xm[i] = keep + eps;
        const double a = weighted_sum(spec, g, xm, r);
        xm[i] = keep - eps;
        const double b = weighted_sum(spec, g, xm, r);
        xm[i] = keep;
        CHECK(dx[i] == Approx((a - b) / (2 * eps)).margin(2e-2));
      }
    }
  }
}

TEST_CASE("learned bits: b = log2(range/step + 1) + sign, its derivatives, deployment rounding", "[train][quant]") {
  CHECK(q::learned_bits(1.0, 7.0, true) == Approx(4.0));
  CHECK(q::learned_bits(1.0, 15.0, false) == Approx(4.0));
  // Exactly on a power of two: 4 bits, not 5; just above: 5.
  CHECK(q::deploy_bits(1.0, 7.0, true, 2, 8) == 4);
  CHECK(q::deploy_bits(1.0, 7.1, true, 2, 8) == 5);
  CHECK(q::deploy_bits(1.0, 0.5, true, 2, 8) == 2);
  CHECK(q::deploy_bits(1.0, 1e6, true, 2, 8) == 8);
  // The deployed grid holds every value the training forward produced.
  for (double range : {0.9, 2.5, 6.9, 30.0}) {
    const int b = q::deploy_bits(1.0, range, true, 2, 16);
    CHECK(q::qp(b, true) >= std::nearbyint(range));
  }
  const double s = 0.2, rg = 1.3, h = 1e-6;
  const double db_dlr = (q::learned_bits(s, rg * std::exp(h), true) - q::learned_bits(s, rg * std::exp(-h), true)) / (2 * h);
  const double db_dls = (q::learned_bits(s * std::exp(h), rg, true) - q::learned_bits(s * std::exp(-h), rg, true)) / (2 * h);
  CHECK(q::dbits_dlog_range(s, rg) == Approx(db_dlr).epsilon(1e-5));
  CHECK(q::dbits_dlog_step(s, rg) == Approx(db_dls).epsilon(1e-5));
}

TEST_CASE("gradient modification: EWGS, PSG and inverse-tanh scale the STE gradient", "[train][quant]") {
  q::Group g;
  g.step = 1.0F;
  g.bits = 8;
  const float x = 2.3F;  // u - round(u) = 0.3
  const float dy = 2.0F;
  for (GradMod m : {GradMod::kNone, GradMod::kEwgs, GradMod::kPsg, GradMod::kAtanh}) {
    q::Spec spec;
    spec.grad_mod = m;
    spec.delta = 0.1;
    float dx = 0;
    q::Grad grad;
    q::backward(spec, g, &x, &dy, &dx, 1, grad);
    const double e = 0.3;
    double h = 0;
    if (m == GradMod::kEwgs) h = e;
    if (m == GradMod::kPsg) h = std::fabs(e);
    if (m == GradMod::kAtanh) h = 0.5 / std::atanh(0.95) * std::atanh(1.9 * e);
    INFO("mode " << static_cast<int>(m));
    CHECK(dx == Approx(dy * (1 + 0.1 * h)).epsilon(1e-5));
  }
  // The inverse-tanh form agrees with EWGS at the half-step (h(0.5) = 0.5).
  CHECK(0.5 / std::atanh(0.95) * std::atanh(1.9 * 0.5) == Approx(0.5));
}

TEST_CASE("grad scale, initial step and MSE calibration", "[train][quant]") {
  CHECK(q::grad_scale(100, 7) == Approx(1.0 / std::sqrt(700.0)));
  const std::vector<float> v{1, -1, 3, -3};
  CHECK(q::init_step(v.data(), 4, 4) == Approx(2.0 * 2.0 / 2.0));
  // Uniform data in [-1, 1] at 8 bits: the MSE step is close to max/Q_P.
  const auto u = values(4000, -1, 1, 3);
  const float s8 = q::mse_step(u.data(), 4000, 8, true);
  CHECK(s8 == Approx(1.0 / 127).epsilon(0.1));
  // Gaussian-like data at 2 bits clips well inside the largest value.
  std::mt19937 rng(4);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> gv(4000);
  for (auto& x : gv) x = nd(rng);
  const float s2 = q::mse_step(gv.data(), 4000, 2, true);
  float mx = 0;
  for (float x : gv) mx = std::max(mx, std::fabs(x));
  CHECK(s2 * q::qp(2, true) < 0.6 * mx);
}
