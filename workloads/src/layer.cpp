#include "mixq/workloads/layer.hpp"

#include <array>
#include <utility>

namespace mixq::workloads {
namespace {

constexpr std::array<std::pair<OpKind, std::string_view>, 8> kOpNames{{
    {OpKind::kConv, "conv"},
    {OpKind::kDepthwiseConv, "dwconv"},
    {OpKind::kFullyConnected, "fc"},
    {OpKind::kGemm, "gemm"},
    {OpKind::kMaxPool, "maxpool"},
    {OpKind::kAvgPool, "avgpool"},
    {OpKind::kAdd, "add"},
    {OpKind::kConcat, "concat"},
}};

}  // namespace

std::string_view to_string(OpKind op) noexcept {
  for (const auto& [kind, name] : kOpNames) {
    if (kind == op) return name;
  }
  return "?";
}

std::string_view to_string(Activation act) noexcept {
  switch (act) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kRelu6: return "relu6";
  }
  return "?";
}

bool parse_op(std::string_view name, OpKind& op) noexcept {
  for (const auto& [kind, op_name] : kOpNames) {
    if (op_name == name) {
      op = kind;
      return true;
    }
  }
  return false;
}

bool Layer::has_weights() const noexcept {
  return op == OpKind::kConv || op == OpKind::kDepthwiseConv || op == OpKind::kFullyConnected ||
         op == OpKind::kGemm;
}

std::int64_t Layer::weights_per_kernel() const noexcept {
  return has_weights() ? (c / groups) * r * s : 0;
}

std::int64_t Layer::weight_count() const noexcept { return k * weights_per_kernel(); }

std::int64_t Layer::macs_per_sample() const noexcept { return weight_count() * p * q; }

std::int64_t Layer::macs() const noexcept { return n * macs_per_sample(); }

std::int64_t Layer::params() const noexcept {
  if (!has_weights()) return 0;
  return weight_count() + (bias ? k : 0) + (bn ? 2 * k : 0);
}

}  // namespace mixq::workloads
