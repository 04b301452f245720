#include "mixq/train/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mixq::train::quant {

namespace {

inline float round_to(Rounding r, float u) { return r == Rounding::kNearest ? std::nearbyint(u) : u; }

// The multiplier of the straight-through gradient g at fractional error e = u − round(u).
inline float grad_factor(const Spec& spec, float g, float e) {
  if (spec.grad_mod == GradMod::kNone || spec.delta == 0) return 1.0F;
  const float sg = g > 0 ? 1.0F : (g < 0 ? -1.0F : 0.0F);
  float h = 0;
  switch (spec.grad_mod) {
    case GradMod::kNone: return 1.0F;
    case GradMod::kEwgs: h = e; break;
    case GradMod::kPsg: h = std::fabs(e); break;
    case GradMod::kAtanh: {
      constexpr float kAlpha = 1.9F;
      static const float kNorm = 0.5F / std::atanh(kAlpha / 2.0F);
      h = kNorm * std::atanh(kAlpha * e);
      break;
    }
  }
  return 1.0F + static_cast<float>(spec.delta) * sg * h;
}

}  // namespace

double qp(int bits, bool is_signed) noexcept {
  return is_signed ? std::ldexp(1.0, bits - 1) - 1.0 : std::ldexp(1.0, bits) - 1.0;
}
double qn(int bits, bool is_signed) noexcept { return is_signed ? std::ldexp(1.0, bits - 1) : 0.0; }

double learned_bits(double step, double range, bool is_signed) noexcept {
  return std::log2(range / step + 1.0) + (is_signed ? 1.0 : 0.0);
}

int deploy_bits(double step, double range, bool is_signed, int min_bits, int max_bits) noexcept {
  // A small tolerance: a range exactly on a power of two must not round up to the next bit.
  const double b = learned_bits(step, range, is_signed);
  const int up = static_cast<int>(std::ceil(b - 1e-3));
  return std::clamp(up, min_bits, max_bits);
}

double dbits_dlog_range(double step, double range) noexcept {
  return range / ((range + step) * std::log(2.0));
}
double dbits_dlog_step(double step, double range) noexcept {
  return -range / ((range + step) * std::log(2.0));
}

double grad_scale(std::int64_t n, double qp_value) noexcept {
  return 1.0 / std::sqrt(static_cast<double>(std::max<std::int64_t>(n, 1)) * std::max(qp_value, 1.0));
}

float init_step(const float* v, std::int64_t n, double qp_value) noexcept {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) sum += std::fabs(v[i]);
  const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
  return static_cast<float>(std::max(2.0 * mean / std::sqrt(std::max(qp_value, 1.0)), 1e-8));
}

float mse_step(const float* v, std::int64_t n, int bits, bool is_signed) {
  float mx = 0;
  for (std::int64_t i = 0; i < n; ++i) mx = std::max(mx, std::fabs(v[i]));
  if (mx <= 0) return 1.0F;
  const double p = qp(bits, is_signed);
  const double lo = -qn(bits, is_signed);
  float best_step = static_cast<float>(mx / p);
  double best_err = -1;
  // Clip ranges from 5% to 100% of the largest magnitude, 96 candidates (a coarse grid is
  // enough: the error is flat near its minimum).
  for (int i = 1; i <= 96; ++i) {
    const double clip = mx * (0.05 + 0.95 * i / 96.0);
    const auto s = static_cast<float>(clip / p);
    double err = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      const float u = std::clamp(v[j] / s, static_cast<float>(lo), static_cast<float>(p));
      const float d = std::nearbyint(u) * s - v[j];
      err += static_cast<double>(d) * d;
    }
    if (best_err < 0 || err < best_err) {
      best_err = err;
      best_step = s;
    }
  }
  return best_step;
}

void forward(const Spec& spec, const Group& g, const float* x, float* y, std::int64_t n) {
  const float s = g.step;
  if (spec.mode == Mode::kLsq) {
    const auto hi = static_cast<float>(qp(g.bits, spec.is_signed));
    const auto lo = static_cast<float>(-qn(g.bits, spec.is_signed));
    const float inv = 1.0F / s;
    for (std::int64_t i = 0; i < n; ++i) y[i] = round_to(spec.rounding, std::clamp(x[i] * inv, lo, hi)) * s;
  } else {
    const float hi = g.range;
    const float lo = spec.is_signed ? -g.range : 0.0F;
    const float inv = 1.0F / s;
    for (std::int64_t i = 0; i < n; ++i) y[i] = round_to(spec.rounding, std::clamp(x[i], lo, hi) * inv) * s;
  }
}

void backward(const Spec& spec, const Group& g, const float* x, const float* dy, float* dx,
              std::int64_t n, Grad& grad) {
  const float s = g.step;
  const float inv = 1.0F / s;
  double gstep = 0;
  double grange = 0;
  if (spec.mode == Mode::kLsq) {
    const auto hi = static_cast<float>(qp(g.bits, spec.is_signed));
    const auto lo = static_cast<float>(-qn(g.bits, spec.is_signed));
    for (std::int64_t i = 0; i < n; ++i) {
      const float u = x[i] * inv;
      const float gi = dy[i];
      if (u <= lo) {
        gstep += static_cast<double>(gi) * lo;
        dx[i] = 0;
      } else if (u >= hi) {
        gstep += static_cast<double>(gi) * hi;
        dx[i] = 0;
      } else {
        const float e = u - round_to(spec.rounding, u);
        gstep -= static_cast<double>(gi) * e;
        dx[i] = gi * grad_factor(spec, gi, e);
      }
    }
  } else {
    const float hi = g.range;
    const float lo = spec.is_signed ? -g.range : 0.0F;
    for (std::int64_t i = 0; i < n; ++i) {
      const float gi = dy[i];
      const float xi = x[i];
      if (xi >= hi) {
        const float u = hi * inv;
        gstep -= static_cast<double>(gi) * (u - round_to(spec.rounding, u));
        grange += gi;
        dx[i] = 0;
      } else if (xi <= lo) {
        if (spec.is_signed) {
          const float u = lo * inv;
          gstep -= static_cast<double>(gi) * (u - round_to(spec.rounding, u));
          grange -= gi;
        }
        dx[i] = 0;
      } else {
        const float u = xi * inv;
        const float e = u - round_to(spec.rounding, u);
        gstep -= static_cast<double>(gi) * e;
        dx[i] = gi * grad_factor(spec, gi, e);
      }
    }
  }
  grad.step += gstep;
  grad.range += grange;
}

}  // namespace mixq::train::quant
