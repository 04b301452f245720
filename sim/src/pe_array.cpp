#include "mixq/sim/pe_array.hpp"

#include "mixq/costmodel/analytic.hpp"

namespace mixq::sim {
namespace {

using arch::Dataflow;
using arch::Operand;

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
constexpr std::size_t idx(Operand o) { return static_cast<std::size_t>(o); }

}  // namespace

PeArray::PeArray(const costmodel::Mapping& m, const arch::Accelerator& acc) : m_(&m), acc_(&acc) {
  cache_.reserve(16);  // every distinct (m, c, k, first_c): references stay valid
}

costmodel::Mapping PeArray::tile_mapping(const costmodel::Mapping& m, std::int64_t mt,
                                         std::int64_t ct, std::int64_t kt) {
  costmodel::Mapping t = m;
  t.gemm.groups = 1;
  t.gemm.m = mt;
  t.gemm.nf = kt;
  t.gemm.kr = ct * m.r * m.s;
  t.c_per_group = ct;
  t.tile_m = mt;
  t.tile_c = ct;
  t.tile_k = kt;
  return t;
}

const TileWork& PeArray::work(const TileShape& t) {
  for (const auto& e : cache_) {
    if (e.shape.m == t.m && e.shape.c == t.c && e.shape.k == t.k && e.shape.first_c == t.first_c)
      return e.work;
  }
  cache_.push_back({t, compute(t)});
  return cache_.back().work;
}

// Array-side traffic per tile, per dataflow: docs/cost-model.md "Buffers" (the analytic model
// counts the same quantities summed over all tiles). The stationary operand is read once per
// tile, the streamed one once per fold it crosses; partial sums leave the array once per
// reduction fold and are read back for all but the output's very first fold.
TileWork PeArray::compute(const TileShape& t) const {
  const auto& m = *m_;
  const auto& a = acc_->array;
  const double acc_bits = acc_->accumulator_bits;
  const std::int64_t rs = m.r * m.s;
  const double red_elems = static_cast<double>(t.m * t.c * rs);  // im2col inputs of the tile
  const double weights = static_cast<double>(t.k * t.c * rs);
  const double outputs = static_cast<double>(t.m * t.k);
  const std::int64_t spatial_red = m.gemm.filter_passes == 1 ? t.c * rs : t.c;
  const std::int64_t red_folds =
      ceil_div(spatial_red, a.rows * m.spatial_factor) * m.gemm.filter_passes;
  TileWork w;
  w.compute_cycles = costmodel::compute_cycles(tile_mapping(m, t.m, t.c, t.k), *acc_);
  w.macs = t.m * t.c * rs * t.k;
  const double first = t.first_c ? 1.0 : 0.0;
  switch (m.dataflow) {
    case Dataflow::kWeightStationary:
      w.read_bits[idx(Operand::kWeight)] = weights * m.w_bits;
      w.read_bits[idx(Operand::kInput)] =
          red_elems * static_cast<double>(ceil_div(t.k, a.cols)) * m.a_bits;
      w.write_bits[idx(Operand::kOutput)] = outputs * static_cast<double>(red_folds) * acc_bits;
      w.read_bits[idx(Operand::kOutput)] =
          outputs * (static_cast<double>(red_folds) - first) * acc_bits;
      break;
    case Dataflow::kOutputStationary:
      w.read_bits[idx(Operand::kWeight)] =
          weights * static_cast<double>(ceil_div(t.m, a.rows)) * m.w_bits;
      w.read_bits[idx(Operand::kInput)] =
          red_elems * static_cast<double>(ceil_div(t.k, a.cols)) * m.a_bits;
      w.write_bits[idx(Operand::kOutput)] = outputs * acc_bits;
      w.read_bits[idx(Operand::kOutput)] = outputs * (1.0 - first) * acc_bits;
      break;
    case Dataflow::kInputStationary:
      w.read_bits[idx(Operand::kInput)] = red_elems * m.a_bits;
      w.read_bits[idx(Operand::kWeight)] =
          weights * static_cast<double>(ceil_div(t.m, a.cols)) * m.w_bits;
      w.write_bits[idx(Operand::kOutput)] = outputs * static_cast<double>(red_folds) * acc_bits;
      w.read_bits[idx(Operand::kOutput)] =
          outputs * (static_cast<double>(red_folds) - first) * acc_bits;
      break;
  }
  return w;
}

}  // namespace mixq::sim
