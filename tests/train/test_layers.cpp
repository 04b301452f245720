// Every layer's backward pass against central finite differences of its forward pass.
// The scalar checked is L = Σ r_i · y_i with fixed random r, so ∂L/∂y = r.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "mixq/train/layers.hpp"

using mixq::train::ops::Shape;
using mixq::workloads::Activation;
using mixq::workloads::Layer;
using mixq::workloads::OpKind;

namespace {

std::vector<float> random_vec(std::size_t n, std::uint32_t seed, float lo = -1, float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Compares `analytic` with central differences of `loss` over every element of `x`.
void check_grad(std::vector<float>& x, const std::vector<float>& analytic,
                const std::function<double()>& loss, float eps = 1e-2F, double tol = 2e-3) {
  REQUIRE(analytic.size() == x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float keep = x[i];
    x[i] = keep + eps;
    const double up = loss();
    x[i] = keep - eps;
    const double down = loss();
    x[i] = keep;
    const double fd = (up - down) / (2.0 * eps);
    INFO("element " << i << ": analytic " << analytic[i] << ", finite difference " << fd);
    CHECK(std::fabs(fd - analytic[i]) <= tol * (1.0 + std::fabs(fd)));
  }
}

Layer conv_layer(std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t k, std::int64_t r,
                 std::int64_t stride, std::int64_t pad, std::int64_t groups) {
  Layer l;
  l.op = groups == c && k == c && groups > 1 ? OpKind::kDepthwiseConv : OpKind::kConv;
  l.c = c;
  l.h = h;
  l.w = w;
  l.k = k;
  l.r = l.s = r;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.groups = groups;
  l.p = (h + 2 * pad - r) / stride + 1;
  l.q = (w + 2 * pad - r) / stride + 1;
  return l;
}

void check_conv(const Layer& l, std::int64_t n) {
  const std::int64_t kernel = (l.c / l.groups) * l.r * l.s;
  auto x = random_vec(static_cast<std::size_t>(l.c * n * l.h * l.w), 1);
  auto w = random_vec(static_cast<std::size_t>(l.k * kernel), 2);
  auto b = random_vec(static_cast<std::size_t>(l.k), 3);
  const auto r = random_vec(static_cast<std::size_t>(l.k * n * l.p * l.q), 4);
  std::vector<float> y(r.size()), cols, scratch;
  auto loss = [&] {
    mixq::train::ops::conv_forward(l, n, x.data(), w.data(), b.data(), y.data(), cols);
    return dot(y, r);
  };
  loss();
  std::vector<float> dw(w.size(), 0.0F), db(b.size(), 0.0F), dx(x.size());
  mixq::train::ops::conv_backward(l, n, cols.data(), w.data(), r.data(), dw.data(), db.data(),
                                  dx.data(), scratch);
  check_grad(x, dx, loss);
  check_grad(w, dw, loss);
  check_grad(b, db, loss);
}

}  // namespace

TEST_CASE("conv backward matches finite differences (3x3, pad 1, stride 1)", "[train][layers]") {
  check_conv(conv_layer(2, 5, 6, 3, 3, 1, 1, 1), 2);
}

TEST_CASE("conv backward matches finite differences (stride 2, no pad, 1x1 and grouped)", "[train][layers]") {
  check_conv(conv_layer(3, 7, 7, 2, 3, 2, 0, 1), 2);
  check_conv(conv_layer(2, 4, 4, 3, 1, 1, 0, 1), 3);
  check_conv(conv_layer(4, 5, 5, 6, 3, 1, 1, 2), 2);
}

TEST_CASE("depthwise conv backward matches finite differences", "[train][layers]") {
  check_conv(conv_layer(3, 6, 5, 3, 3, 2, 1, 3), 2);
}

TEST_CASE("fully connected backward matches finite differences (flattening c, h, w)", "[train][layers]") {
  const Shape in{3, 2, 2, 2};
  const std::int64_t k = 4;
  const std::int64_t f = in.c * in.plane();
  auto x = random_vec(static_cast<std::size_t>(in.elements()), 5);
  auto w = random_vec(static_cast<std::size_t>(k * f), 6);
  auto b = random_vec(static_cast<std::size_t>(k), 7);
  const auto r = random_vec(static_cast<std::size_t>(k * in.n), 8);
  std::vector<float> y(r.size()), xmat, scratch;
  auto loss = [&] {
    mixq::train::ops::fc_forward(in, k, x.data(), w.data(), b.data(), y.data(), xmat);
    return dot(y, r);
  };
  loss();
  std::vector<float> dw(w.size(), 0.0F), db(b.size(), 0.0F), dx(x.size());
  mixq::train::ops::fc_backward(in, k, xmat.data(), w.data(), r.data(), dw.data(), db.data(), dx.data(), scratch);
  check_grad(x, dx, loss);
  check_grad(w, dw, loss);
  check_grad(b, db, loss);
  // PyTorch's flattening order: output 0 of sample 0 is Σ_f w[0][f]·x_f with f = c·HW + h·W + w.
  double manual = b[0];
  for (std::int64_t c = 0; c < in.c; ++c) {
    for (std::int64_t i = 0; i < in.plane(); ++i) manual += w[static_cast<std::size_t>(c * in.plane() + i)] * x[static_cast<std::size_t>((c * in.n + 0) * in.plane() + i)];
  }
  CHECK(y[0] == Approx(manual).epsilon(1e-5));
}

TEST_CASE("max and average pooling backward match finite differences", "[train][layers]") {
  Layer l;
  l.op = OpKind::kMaxPool;
  l.c = l.k = 2;
  l.h = 5;
  l.w = 6;
  l.r = l.s = 2;
  l.stride_h = l.stride_w = 2;
  l.p = 2;
  l.q = 3;
  const std::int64_t n = 2;
  for (int pass = 0; pass < 3; ++pass) {
    Layer pl = l;
    if (pass == 2) {  // overlapping 3x3 windows with padding: the generic path
      pl.r = pl.s = 3;
      pl.pad_h = pl.pad_w = 1;
      pl.p = 3;
      pl.q = 3;
    }
    const bool avg = pass == 1;
    auto x = random_vec(static_cast<std::size_t>(pl.c * n * pl.h * pl.w), 9 + static_cast<std::uint32_t>(pass));
    const auto r = random_vec(static_cast<std::size_t>(pl.c * n * pl.p * pl.q), 10);
    std::vector<float> y(r.size());
    std::vector<std::int32_t> arg(r.size());
    auto loss = [&] {
      if (avg) {
        mixq::train::ops::avgpool_forward(pl, n, x.data(), y.data());
      } else {
        mixq::train::ops::maxpool_forward(pl, n, x.data(), y.data(), arg.data());
      }
      return dot(y, r);
    };
    loss();
    std::vector<float> dx(x.size());
    if (avg) {
      mixq::train::ops::avgpool_backward(pl, n, r.data(), dx.data());
    } else {
      mixq::train::ops::maxpool_backward(pl, n, r.data(), arg.data(), dx.data());
    }
    // Steps small enough not to change which element wins a window.
    check_grad(x, dx, loss, 1e-3F, 5e-3);
  }
}

TEST_CASE("batch norm backward matches finite differences", "[train][layers]") {
  const Shape s{3, 4, 2, 3};
  auto x = random_vec(static_cast<std::size_t>(s.elements()), 11);
  auto gamma = random_vec(3, 12, 0.5F, 1.5F);
  auto beta = random_vec(3, 13);
  const auto r = random_vec(x.size(), 14);
  std::vector<float> y(x.size()), xhat(x.size()), inv(3), mean(3), var(3);
  auto loss = [&] {
    mixq::train::ops::bn_forward_train(s, x.data(), gamma.data(), beta.data(), y.data(), xhat.data(),
                                       inv.data(), mean.data(), var.data());
    return dot(y, r);
  };
  loss();
  std::vector<float> dx(x.size()), dg(3, 0.0F), dbeta(3, 0.0F);
  mixq::train::ops::bn_backward(s, r.data(), xhat.data(), inv.data(), gamma.data(), dx.data(), dg.data(), dbeta.data());
  check_grad(x, dx, loss, 1e-2F, 5e-3);
  check_grad(gamma, dg, loss);
  check_grad(beta, dbeta, loss);
  // Inference with the batch's own statistics reproduces the training output.
  loss();
  std::vector<float> y2(x.size());
  mixq::train::ops::bn_forward_eval(s, x.data(), gamma.data(), beta.data(), mean.data(), var.data(), y2.data());
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(y2[i] == Approx(y[i]).margin(1e-4));
}

TEST_CASE("ReLU and ReLU6 backward match finite differences away from their kinks", "[train][layers]") {
  for (Activation a : {Activation::kRelu, Activation::kRelu6}) {
    auto x = random_vec(64, 15, -2, 8);
    for (auto& v : x) {
      if (std::fabs(v) < 0.05F || std::fabs(v - 6) < 0.05F) v += 0.1F;
    }
    const auto r = random_vec(x.size(), 16);
    std::vector<float> y(x.size());
    auto loss = [&] {
      y = x;
      mixq::train::ops::act_forward(a, y.data(), static_cast<std::int64_t>(y.size()));
      return dot(y, r);
    };
    loss();
    std::vector<float> dy = r;
    mixq::train::ops::act_backward(a, y.data(), dy.data(), static_cast<std::int64_t>(dy.size()));
    check_grad(x, dy, loss, 1e-2F);
  }
}

TEST_CASE("softmax cross-entropy gradient matches finite differences and counts top-1", "[train][layers]") {
  const std::int64_t classes = 4;
  const std::int64_t n = 3;
  auto logits = random_vec(static_cast<std::size_t>(classes * n), 17, -3, 3);
  const std::vector<std::uint8_t> labels{1, 3, 0};
  std::vector<float> d(logits.size());
  std::int64_t correct = 0;
  auto loss = [&] {
    std::int64_t c = 0;
    return mixq::train::ops::softmax_xent(logits.data(), classes, n, labels.data(), 1.0F, nullptr, c);
  };
  mixq::train::ops::softmax_xent(logits.data(), classes, n, labels.data(), 1.0F, d.data(), correct);
  check_grad(logits, d, loss, 1e-2F);
  std::int64_t expect = 0;
  for (std::int64_t b = 0; b < n; ++b) {
    std::int64_t arg = 0;
    for (std::int64_t k = 1; k < classes; ++k) {
      if (logits[k * n + b] > logits[arg * n + b]) arg = k;
    }
    expect += arg == labels[b] ? 1 : 0;
  }
  CHECK(correct == expect);
}
