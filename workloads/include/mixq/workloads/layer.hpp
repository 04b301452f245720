// One layer in the 7-D convention (N, K, C, R, S, P, Q; see docs/workload-format.md).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace mixq::workloads {

enum class OpKind { kConv, kDepthwiseConv, kFullyConnected, kGemm, kMaxPool, kAvgPool, kAdd, kConcat };
enum class Activation { kNone, kRelu, kRelu6 };

[[nodiscard]] std::string_view to_string(OpKind op) noexcept;
[[nodiscard]] std::string_view to_string(Activation act) noexcept;
// The YAML names ("conv", "dwconv", ...); false when `name` is not an op.
[[nodiscard]] bool parse_op(std::string_view name, OpKind& op) noexcept;

// Per-sample tensor shape (channels × height × width); the batch is the network's N.
struct TensorShape {
  std::int64_t c = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;
  [[nodiscard]] std::int64_t elements() const noexcept { return c * h * w; }
  friend bool operator==(const TensorShape&, const TensorShape&) = default;
  friend std::ostream& operator<<(std::ostream& os, const TensorShape& t) {
    return os << t.c << "x" << t.h << "x" << t.w;
  }
};

struct Layer {
  std::string name;
  OpKind op = OpKind::kConv;
  // 7-D loop bounds.
  std::int64_t n = 1, k = 1, c = 1, r = 1, s = 1, p = 1, q = 1;
  // Input feature map (derived, kept for the memory-traffic and footprint counters).
  std::int64_t h = 1, w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  bool bias = false;
  bool bn = false;
  Activation act = Activation::kNone;

  // True for layers that multiply by weights (conv, dwconv, fc, gemm).
  [[nodiscard]] bool has_weights() const noexcept;
  // MACs = N·K·(C/groups)·R·S·P·Q for weighted layers, 0 otherwise.
  [[nodiscard]] std::int64_t macs() const noexcept;
  // MACs per sample (N = 1).
  [[nodiscard]] std::int64_t macs_per_sample() const noexcept;
  // Weight elements K·(C/groups)·R·S (0 for weightless layers).
  [[nodiscard]] std::int64_t weight_count() const noexcept;
  // Weights per output channel (kernel): (C/groups)·R·S.
  [[nodiscard]] std::int64_t weights_per_kernel() const noexcept;
  // Trainable parameters: weights + bias + batch-norm scale and shift.
  [[nodiscard]] std::int64_t params() const noexcept;
  [[nodiscard]] TensorShape output_shape() const noexcept { return {k, p, q}; }
  // The layer's primary input as a per-sample tensor. For fc layers this is the flattened
  // vector (C × 1 × 1); add and concat have several inputs, see Network::inputs_of.
  [[nodiscard]] TensorShape input_shape() const noexcept { return {c, h, w}; }
};

}  // namespace mixq::workloads
