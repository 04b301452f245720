// The training engine's layer kernels: forward and backward of one layer on a mini-batch.
//
// Tensors are channel-major over the batch, C × N × H × W ("CNHW"), so that a convolution
// is one GEMM over the whole batch: W[K × C·R·S] · cols[C·R·S × N·P·Q] = y[K × N·P·Q], and a
// batch-norm channel is one contiguous run. Fully connected layers flatten each sample in
// PyTorch's order (c, h, w). Backward functions accumulate (+=) weight, bias and scale
// gradients and overwrite input gradients. Geometry comes from the workloads::Layer (the
// same 7-D description the cost model prices). Every backward is checked against finite
// differences in tests/train.
#pragma once

#include <cstdint>
#include <vector>

#include "mixq/workloads/layer.hpp"

namespace mixq::train::ops {

struct Shape {
  std::int64_t c = 1, n = 1, h = 1, w = 1;
  [[nodiscard]] std::int64_t elements() const noexcept { return c * n * h * w; }
  [[nodiscard]] std::int64_t plane() const noexcept { return h * w; }
};

// cols[(c·R + r)·S + s][(n·P + p)·Q + q] = x[c][n][p·stride − pad + r·dil][...] (0 outside).
void im2col(const workloads::Layer& l, std::int64_t n, const float* x, float* cols);
// The adjoint of im2col: dx = Σ over the windows (overwrites dx).
void col2im(const workloads::Layer& l, std::int64_t n, const float* dcols, float* dx);

// Convolution (groups ≥ 1: grouped and depthwise too). w: K × (C/groups)·R·S, bias: K or
// nullptr; y: K × N·P·Q. `cols` is resized and kept for the backward pass.
void conv_forward(const workloads::Layer& l, std::int64_t n, const float* x, const float* w,
                  const float* bias, float* y, std::vector<float>& cols);
// dx may be nullptr (first layer). `scratch` holds dcols.
void conv_backward(const workloads::Layer& l, std::int64_t n, const float* cols, const float* w,
                   const float* dy, float* dw, float* db, float* dx,
                   std::vector<float>& scratch);

// Fully connected: x is `in` (CNHW), features F = C·H·W, w: K × F, y: K × N.
// `xmat` (F × N) is kept for the backward pass.
void fc_forward(const Shape& in, std::int64_t k, const float* x, const float* w,
                const float* bias, float* y, std::vector<float>& xmat);
void fc_backward(const Shape& in, std::int64_t k, const float* xmat, const float* w,
                 const float* dy, float* dw, float* db, float* dx, std::vector<float>& scratch);

// Pooling with the layer's window (r × s), stride and padding; out is C × N × P × Q.
// Max pooling records the winning input index per output; average pooling divides by R·S
// (padding counts as zeros, PyTorch's count_include_pad).
void maxpool_forward(const workloads::Layer& l, std::int64_t n, const float* x, float* y,
                     std::int32_t* argmax);
void maxpool_backward(const workloads::Layer& l, std::int64_t n, const float* dy,
                      const std::int32_t* argmax, float* dx);
void avgpool_forward(const workloads::Layer& l, std::int64_t n, const float* x, float* y);
void avgpool_backward(const workloads::Layer& l, std::int64_t n, const float* dy, float* dx);

// Batch norm over N·H·W per channel (Ioffe & Szegedy 2015). Training mode writes the
// batch mean and biased variance (for the running averages), x̂ and 1/σ for the backward.
inline constexpr float kBnEps = 1e-5F;
void bn_forward_train(const Shape& s, const float* x, const float* gamma, const float* beta,
                      float* y, float* xhat, float* inv_std, float* mean, float* var);
void bn_forward_eval(const Shape& s, const float* x, const float* gamma, const float* beta,
                     const float* mean, const float* var, float* y);
void bn_backward(const Shape& s, const float* dy, const float* xhat, const float* inv_std,
                 const float* gamma, float* dx, float* dgamma, float* dbeta);

// In place on y; the backward uses the output y (ReLU: y > 0; ReLU6: 0 < y < 6).
void act_forward(workloads::Activation a, float* y, std::int64_t count);
void act_backward(workloads::Activation a, const float* y, float* dy, std::int64_t count);

// Softmax cross-entropy over logits[K × N] (CNHW with H = W = 1). Returns the summed loss
// over the N samples; writes dlogits = scale · (softmax − onehot) and counts correct top-1.
double softmax_xent(const float* logits, std::int64_t classes, std::int64_t n,
                    const std::uint8_t* labels, float scale, float* dlogits,
                    std::int64_t& correct);

}  // namespace mixq::train::ops
