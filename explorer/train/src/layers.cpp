// Layer kernels on Eigen (see layers.hpp for the layout). The GEMMs are Eigen's blocked
// SGEMM on row-major maps; everything else is plain loops the compiler vectorizes.
#include "mixq/train/layers.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mixq::train::ops {

namespace {

using RMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapC = Eigen::Map<const RMat>;
using Map = Eigen::Map<RMat>;

}  // namespace

void im2col(const workloads::Layer& l, std::int64_t n, const float* x, float* cols) {
  const std::int64_t pq = l.p * l.q;
  const std::int64_t npq = n * pq;
  const std::int64_t hw = l.h * l.w;
  for (std::int64_t c = 0; c < l.c; ++c) {
    for (std::int64_t r = 0; r < l.r; ++r) {
      for (std::int64_t s = 0; s < l.s; ++s) {
        float* row = cols + ((c * l.r + r) * l.s + s) * npq;
        const std::int64_t dr = r * l.dilation_h - l.pad_h;
        const std::int64_t ds = s * l.dilation_w - l.pad_w;
        for (std::int64_t b = 0; b < n; ++b) {
          const float* plane = x + (c * n + b) * hw;
          for (std::int64_t p = 0; p < l.p; ++p) {
            float* out = row + b * pq + p * l.q;
            const std::int64_t ih = p * l.stride_h + dr;
            if (ih < 0 || ih >= l.h) {
              std::fill(out, out + l.q, 0.0F);
              continue;
            }
            const float* in = plane + ih * l.w;
            if (l.stride_w == 1) {
              // Contiguous run: zero the padded ends, copy the middle.
              const std::int64_t q0 = std::clamp<std::int64_t>(-ds, 0, l.q);
              const std::int64_t q1 = std::clamp<std::int64_t>(l.w - ds, q0, l.q);
              std::fill(out, out + q0, 0.0F);
              std::memcpy(out + q0, in + q0 + ds, sizeof(float) * static_cast<std::size_t>(q1 - q0));
              std::fill(out + q1, out + l.q, 0.0F);
            } else {
              for (std::int64_t q = 0; q < l.q; ++q) {
                const std::int64_t iw = q * l.stride_w + ds;
                out[q] = (iw >= 0 && iw < l.w) ? in[iw] : 0.0F;
              }
            }
          }
        }
      }
    }
  }
}

void col2im(const workloads::Layer& l, std::int64_t n, const float* dcols, float* dx) {
  const std::int64_t pq = l.p * l.q;
  const std::int64_t npq = n * pq;
  const std::int64_t hw = l.h * l.w;
  std::fill(dx, dx + l.c * n * hw, 0.0F);
  for (std::int64_t c = 0; c < l.c; ++c) {
    for (std::int64_t r = 0; r < l.r; ++r) {
      for (std::int64_t s = 0; s < l.s; ++s) {
        const float* row = dcols + ((c * l.r + r) * l.s + s) * npq;
        const std::int64_t dr = r * l.dilation_h - l.pad_h;
        const std::int64_t ds = s * l.dilation_w - l.pad_w;
        for (std::int64_t b = 0; b < n; ++b) {
          float* plane = dx + (c * n + b) * hw;
          for (std::int64_t p = 0; p < l.p; ++p) {
            const std::int64_t ih = p * l.stride_h + dr;
            if (ih < 0 || ih >= l.h) continue;
            const float* in = row + b * pq + p * l.q;
            float* out = plane + ih * l.w;
            for (std::int64_t q = 0; q < l.q; ++q) {
              const std::int64_t iw = q * l.stride_w + ds;
              if (iw >= 0 && iw < l.w) out[iw] += in[q];
            }
          }
        }
      }
    }
  }
}

void conv_forward(const workloads::Layer& l, std::int64_t n, const float* x, const float* w,
                  const float* bias, float* y, std::vector<float>& cols) {
  const std::int64_t npq = n * l.p * l.q;
  const std::int64_t g = l.groups;
  const std::int64_t kg = l.k / g;
  const std::int64_t crs = (l.c / g) * l.r * l.s;
  cols.resize(static_cast<std::size_t>(l.c * l.r * l.s * npq));
  im2col(l, n, x, cols.data());
  // y starts as the bias and the product is added: Eigen's `y = A·B` would zero-fill y first.
  for (std::int64_t k = 0; k < l.k; ++k) std::fill(y + k * npq, y + (k + 1) * npq, bias != nullptr ? bias[k] : 0.0F);
  for (std::int64_t gi = 0; gi < g; ++gi) {
    MapC wm(w + gi * kg * crs, kg, crs);
    MapC cm(cols.data() + gi * crs * npq, crs, npq);
    Map ym(y + gi * kg * npq, kg, npq);
    ym.noalias() += wm * cm;
  }
}

void conv_backward(const workloads::Layer& l, std::int64_t n, const float* cols, const float* w,
                   const float* dy, float* dw, float* db, float* dx, std::vector<float>& scratch) {
  const std::int64_t npq = n * l.p * l.q;
  const std::int64_t g = l.groups;
  const std::int64_t kg = l.k / g;
  const std::int64_t crs = (l.c / g) * l.r * l.s;
  if (db != nullptr) {
    for (std::int64_t k = 0; k < l.k; ++k) {
      const float* row = dy + k * npq;
      double sum = 0;
      for (std::int64_t i = 0; i < npq; ++i) sum += row[i];
      db[k] += static_cast<float>(sum);
    }
  }
  if (dx != nullptr) scratch.resize(static_cast<std::size_t>(l.c * l.r * l.s * npq));
  for (std::int64_t gi = 0; gi < g; ++gi) {
    MapC dym(dy + gi * kg * npq, kg, npq);
    MapC cm(cols + gi * crs * npq, crs, npq);
    Map dwm(dw + gi * kg * crs, kg, crs);
    dwm.noalias() += dym * cm.transpose();
    if (dx != nullptr) {
      MapC wm(w + gi * kg * crs, kg, crs);
      Map dcm(scratch.data() + gi * crs * npq, crs, npq);
      dcm.noalias() = wm.transpose() * dym;
    }
  }
  if (dx != nullptr) col2im(l, n, scratch.data(), dx);
}

void fc_forward(const Shape& in, std::int64_t k, const float* x, const float* w,
                const float* bias, float* y, std::vector<float>& xmat) {
  const std::int64_t f = in.c * in.plane();
  const std::int64_t hw = in.plane();
  xmat.resize(static_cast<std::size_t>(f * in.n));
  // xmat[(c·HW + i)][b] = x[c][b][i]
  for (std::int64_t c = 0; c < in.c; ++c) {
    for (std::int64_t b = 0; b < in.n; ++b) {
      const float* src = x + (c * in.n + b) * hw;
      for (std::int64_t i = 0; i < hw; ++i) xmat[static_cast<std::size_t>((c * hw + i) * in.n + b)] = src[i];
    }
  }
  MapC wm(w, k, f);
  MapC xm(xmat.data(), f, in.n);
  Map ym(y, k, in.n);
  for (std::int64_t j = 0; j < k; ++j) std::fill(y + j * in.n, y + (j + 1) * in.n, bias != nullptr ? bias[j] : 0.0F);
  ym.noalias() += wm * xm;
}

void fc_backward(const Shape& in, std::int64_t k, const float* xmat, const float* w,
                 const float* dy, float* dw, float* db, float* dx, std::vector<float>& scratch) {
  const std::int64_t f = in.c * in.plane();
  const std::int64_t hw = in.plane();
  MapC dym(dy, k, in.n);
  MapC xm(xmat, f, in.n);
  Map dwm(dw, k, f);
  dwm.noalias() += dym * xm.transpose();
  if (db != nullptr) {
    for (std::int64_t j = 0; j < k; ++j) {
      double sum = 0;
      for (std::int64_t b = 0; b < in.n; ++b) sum += dy[j * in.n + b];
      db[j] += static_cast<float>(sum);
    }
  }
  if (dx != nullptr) {
    scratch.resize(static_cast<std::size_t>(f * in.n));
    MapC wm(w, k, f);
    Map dxm(scratch.data(), f, in.n);
    dxm.noalias() = wm.transpose() * dym;
    for (std::int64_t c = 0; c < in.c; ++c) {
      for (std::int64_t b = 0; b < in.n; ++b) {
        float* dst = dx + (c * in.n + b) * hw;
        for (std::int64_t i = 0; i < hw; ++i) dst[i] = scratch[static_cast<std::size_t>((c * hw + i) * in.n + b)];
      }
    }
  }
}

void maxpool_forward(const workloads::Layer& l, std::int64_t n, const float* x, float* y,
                     std::int32_t* argmax) {
  const std::int64_t hw = l.h * l.w;
  const std::int64_t pq = l.p * l.q;
  if (l.r == 2 && l.s == 2 && l.stride_h == 2 && l.stride_w == 2 && l.pad_h == 0 && l.pad_w == 0 &&
      l.p * 2 <= l.h && l.q * 2 <= l.w) {
    // The common 2×2/2 window without padding: no bounds checks.
    for (std::int64_t cb = 0; cb < l.c * n; ++cb) {
      const float* plane = x + cb * hw;
      float* out = y + cb * pq;
      std::int32_t* arg = argmax + cb * pq;
      for (std::int64_t p = 0; p < l.p; ++p) {
        const float* r0 = plane + 2 * p * l.w;
        const float* r1 = r0 + l.w;
        const auto base = static_cast<std::int32_t>(2 * p * l.w);
        const auto w = static_cast<std::int32_t>(l.w);
        for (std::int64_t q = 0; q < l.q; ++q) {
          const auto c0 = static_cast<std::int32_t>(2 * q);
          float best = r0[c0];
          std::int32_t bi = base + c0;
          if (r0[c0 + 1] > best) { best = r0[c0 + 1]; bi = base + c0 + 1; }
          if (r1[c0] > best) { best = r1[c0]; bi = base + w + c0; }
          if (r1[c0 + 1] > best) { best = r1[c0 + 1]; bi = base + w + c0 + 1; }
          out[p * l.q + q] = best;
          arg[p * l.q + q] = bi;
        }
      }
    }
    return;
  }
  for (std::int64_t cb = 0; cb < l.c * n; ++cb) {
    const float* plane = x + cb * hw;
    float* out = y + cb * pq;
    std::int32_t* arg = argmax + cb * pq;
    for (std::int64_t p = 0; p < l.p; ++p) {
      for (std::int64_t q = 0; q < l.q; ++q) {
        float best = -std::numeric_limits<float>::infinity();
        std::int32_t best_i = -1;
        for (std::int64_t r = 0; r < l.r; ++r) {
          const std::int64_t ih = p * l.stride_h - l.pad_h + r;
          if (ih < 0 || ih >= l.h) continue;
          for (std::int64_t s = 0; s < l.s; ++s) {
            const std::int64_t iw = q * l.stride_w - l.pad_w + s;
            if (iw < 0 || iw >= l.w) continue;
            const float v = plane[ih * l.w + iw];
            if (v > best) {
              best = v;
              best_i = static_cast<std::int32_t>(ih * l.w + iw);
            }
          }
        }
        out[p * l.q + q] = best_i >= 0 ? best : 0.0F;
        arg[p * l.q + q] = best_i;
      }
    }
  }
}

void maxpool_backward(const workloads::Layer& l, std::int64_t n, const float* dy,
                      const std::int32_t* argmax, float* dx) {
  const std::int64_t hw = l.h * l.w;
  const std::int64_t pq = l.p * l.q;
  std::fill(dx, dx + l.c * n * hw, 0.0F);
  for (std::int64_t cb = 0; cb < l.c * n; ++cb) {
    for (std::int64_t i = 0; i < pq; ++i) {
      const std::int32_t a = argmax[cb * pq + i];
      if (a >= 0) dx[cb * hw + a] += dy[cb * pq + i];
    }
  }
}

void avgpool_forward(const workloads::Layer& l, std::int64_t n, const float* x, float* y) {
  const std::int64_t hw = l.h * l.w;
  const std::int64_t pq = l.p * l.q;
  const float inv = 1.0F / static_cast<float>(l.r * l.s);
  for (std::int64_t cb = 0; cb < l.c * n; ++cb) {
    const float* plane = x + cb * hw;
    for (std::int64_t p = 0; p < l.p; ++p) {
      for (std::int64_t q = 0; q < l.q; ++q) {
        float sum = 0;
        for (std::int64_t r = 0; r < l.r; ++r) {
          const std::int64_t ih = p * l.stride_h - l.pad_h + r;
          if (ih < 0 || ih >= l.h) continue;
          for (std::int64_t s = 0; s < l.s; ++s) {
            const std::int64_t iw = q * l.stride_w - l.pad_w + s;
            if (iw >= 0 && iw < l.w) sum += plane[ih * l.w + iw];
          }
        }
        y[cb * pq + p * l.q + q] = sum * inv;
      }
    }
  }
}

void avgpool_backward(const workloads::Layer& l, std::int64_t n, const float* dy, float* dx) {
  const std::int64_t hw = l.h * l.w;
  const std::int64_t pq = l.p * l.q;
  const float inv = 1.0F / static_cast<float>(l.r * l.s);
  std::fill(dx, dx + l.c * n * hw, 0.0F);
  for (std::int64_t cb = 0; cb < l.c * n; ++cb) {
    float* plane = dx + cb * hw;
    for (std::int64_t p = 0; p < l.p; ++p) {
      for (std::int64_t q = 0; q < l.q; ++q) {
        const float g = dy[cb * pq + p * l.q + q] * inv;
        for (std::int64_t r = 0; r < l.r; ++r) {
          const std::int64_t ih = p * l.stride_h - l.pad_h + r;
          if (ih < 0 || ih >= l.h) continue;
          for (std::int64_t s = 0; s < l.s; ++s) {
            const std::int64_t iw = q * l.stride_w - l.pad_w + s;
            if (iw >= 0 && iw < l.w) plane[ih * l.w + iw] += g;
          }
        }
      }
    }
  }
}

void bn_forward_train(const Shape& s, const float* x, const float* gamma, const float* beta,
                      float* y, float* xhat, float* inv_std, float* mean, float* var) {
  const std::int64_t m = s.n * s.plane();
  for (std::int64_t c = 0; c < s.c; ++c) {
    const float* xc = x + c * m;
    double sum = 0;
    for (std::int64_t i = 0; i < m; ++i) sum += xc[i];
    const double mu = sum / static_cast<double>(m);
    double sq = 0;
    for (std::int64_t i = 0; i < m; ++i) sq += (xc[i] - mu) * (xc[i] - mu);
    const double v = sq / static_cast<double>(m);
    const auto is = static_cast<float>(1.0 / std::sqrt(v + kBnEps));
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(v);
    inv_std[c] = is;
    float* hc = xhat + c * m;
    float* yc = y + c * m;
    const auto muf = static_cast<float>(mu);
    for (std::int64_t i = 0; i < m; ++i) {
      hc[i] = (xc[i] - muf) * is;
      yc[i] = gamma[c] * hc[i] + beta[c];
    }
  }
}

void bn_forward_eval(const Shape& s, const float* x, const float* gamma, const float* beta,
                     const float* mean, const float* var, float* y) {
  const std::int64_t m = s.n * s.plane();
  for (std::int64_t c = 0; c < s.c; ++c) {
    const float a = gamma[c] / std::sqrt(var[c] + kBnEps);
    const float b = beta[c] - a * mean[c];
    for (std::int64_t i = 0; i < m; ++i) y[c * m + i] = a * x[c * m + i] + b;
  }
}

void bn_backward(const Shape& s, const float* dy, const float* xhat, const float* inv_std,
                 const float* gamma, float* dx, float* dgamma, float* dbeta) {
  const std::int64_t m = s.n * s.plane();
  for (std::int64_t c = 0; c < s.c; ++c) {
    const float* dyc = dy + c * m;
    const float* hc = xhat + c * m;
    double sum_dy = 0;
    double sum_dy_h = 0;
    for (std::int64_t i = 0; i < m; ++i) {
      sum_dy += dyc[i];
      sum_dy_h += dyc[i] * hc[i];
    }
    dgamma[c] += static_cast<float>(sum_dy_h);
    dbeta[c] += static_cast<float>(sum_dy);
    // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂))
    const auto mean_dy = static_cast<float>(sum_dy / static_cast<double>(m));
    const auto mean_dyh = static_cast<float>(sum_dy_h / static_cast<double>(m));
    const float k = gamma[c] * inv_std[c];
    float* dxc = dx + c * m;
    for (std::int64_t i = 0; i < m; ++i) dxc[i] = k * (dyc[i] - mean_dy - hc[i] * mean_dyh);
  }
}

void act_forward(workloads::Activation a, float* y, std::int64_t count) {
  switch (a) {
    case workloads::Activation::kNone: return;
    case workloads::Activation::kRelu:
      for (std::int64_t i = 0; i < count; ++i) y[i] = std::max(y[i], 0.0F);
      return;
    case workloads::Activation::kRelu6:
      for (std::int64_t i = 0; i < count; ++i) y[i] = std::clamp(y[i], 0.0F, 6.0F);
      return;
  }
}

void act_backward(workloads::Activation a, const float* y, float* dy, std::int64_t count) {
  switch (a) {
    case workloads::Activation::kNone: return;
    case workloads::Activation::kRelu:
      for (std::int64_t i = 0; i < count; ++i) dy[i] = y[i] > 0.0F ? dy[i] : 0.0F;
      return;
    case workloads::Activation::kRelu6:
      for (std::int64_t i = 0; i < count; ++i) dy[i] = (y[i] > 0.0F && y[i] < 6.0F) ? dy[i] : 0.0F;
      return;
  }
}

double softmax_xent(const float* logits, std::int64_t classes, std::int64_t n,
                    const std::uint8_t* labels, float scale, float* dlogits,
                    std::int64_t& correct) {
  double loss = 0;
  for (std::int64_t b = 0; b < n; ++b) {
    float mx = logits[b];
    std::int64_t arg = 0;
    for (std::int64_t k = 1; k < classes; ++k) {
      if (logits[k * n + b] > mx) {
        mx = logits[k * n + b];
        arg = k;
      }
    }
    if (arg == labels[b]) ++correct;
    double z = 0;
    for (std::int64_t k = 0; k < classes; ++k) z += std::exp(static_cast<double>(logits[k * n + b] - mx));
    const double log_z = std::log(z) + mx;
    loss += log_z - logits[labels[b] * n + b];
    if (dlogits != nullptr) {
      for (std::int64_t k = 0; k < classes; ++k) {
        const double p = std::exp(static_cast<double>(logits[k * n + b]) - log_z);
        dlogits[k * n + b] = scale * static_cast<float>(p - (k == labels[b] ? 1.0 : 0.0));
      }
    }
  }
  return loss;
}

}  // namespace mixq::train::ops
