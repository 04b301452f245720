#include "mixq/costmodel/mapper.hpp"

#include <algorithm>
#include <vector>

#include "mixq/costmodel/analytic.hpp"

namespace mixq::costmodel {
namespace {

// Candidate tile sizes for a dimension of size `total`: the whole, powers of two, and
// multiples of `align` (the array extent the dimension unrolls on), deduplicated.
std::vector<std::int64_t> candidates(std::int64_t total, std::int64_t align) {
  std::vector<std::int64_t> out{total};
  for (std::int64_t t = 1; t < total; t *= 2) out.push_back(t);
  if (align > 1) {
    for (std::int64_t t = align; t < total; t *= 2) out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// M tiles: a run within one output row, whole output rows, or whole samples.
std::vector<std::int64_t> m_candidates(const Mapping& m) {
  std::vector<std::int64_t> out;
  const std::int64_t pq = m.p * m.q;
  for (std::int64_t t = 1; t < m.q; t *= 2) out.push_back(t);
  for (std::int64_t rows = 1; rows < m.p; rows *= 2) out.push_back(rows * m.q);
  for (std::int64_t n = 1; n * pq < m.gemm.m; n *= 2) out.push_back(n * pq);
  out.push_back(pq);
  out.push_back(m.gemm.m);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double score(const LayerCost& c, Objective o) {
  switch (o) {
    case Objective::kLatency: return static_cast<double>(c.cycles);
    case Objective::kEnergy: return c.energy_pj;
    case Objective::kEdp: return c.energy_pj * static_cast<double>(c.cycles);
  }
  return 0;
}

double tie_break(const LayerCost& c, Objective o) {
  return o == Objective::kLatency ? c.energy_pj : static_cast<double>(c.cycles);
}

constexpr std::array<LoopOrder, 6> kOrders{{
    {TileDim::kM, TileDim::kC, TileDim::kK},
    {TileDim::kM, TileDim::kK, TileDim::kC},
    {TileDim::kC, TileDim::kM, TileDim::kK},
    {TileDim::kC, TileDim::kK, TileDim::kM},
    {TileDim::kK, TileDim::kM, TileDim::kC},
    {TileDim::kK, TileDim::kC, TileDim::kM},
}};

}  // namespace

const char* to_string(Objective o) noexcept {
  switch (o) {
    case Objective::kLatency: return "latency";
    case Objective::kEnergy: return "energy";
    case Objective::kEdp: return "edp";
  }
  return "?";
}

bool parse_objective(const std::string& text, Objective& out) noexcept {
  for (const auto o : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    if (text == to_string(o)) {
      out = o;
      return true;
    }
  }
  return false;
}

Mapping base_mapping(const workloads::Layer& layer, const arch::Accelerator& acc,
                     const Precision& bits, const PeRate& rate) {
  Mapping m;
  m.dataflow = acc.array.dataflow;
  const std::int64_t c_per_group = layer.c / layer.groups;
  m.gemm.groups = layer.groups;
  m.gemm.m = layer.n * layer.p * layer.q;
  m.gemm.kr = c_per_group * layer.r * layer.s;
  m.gemm.nf = layer.k / layer.groups;
  m.gemm.filter_passes = acc.array.rows_unroll_filter ? 1 : layer.r * layer.s;
  m.w_bits = bits.w_bits;
  m.a_bits = bits.a_bits;
  m.out_bits = bits.out_bits;
  m.spatial_factor = rate.spatial_factor;
  m.temporal_factor = rate.temporal_factor;
  m.energy_per_mac_pj = rate.energy_per_mac_pj;
  m.tile_m = m.gemm.m;
  m.tile_c = c_per_group;
  m.tile_k = m.gemm.nf;
  m.p = layer.p;
  m.q = layer.q;
  m.r = layer.r;
  m.s = layer.s;
  m.stride_h = layer.stride_h;
  m.stride_w = layer.stride_w;
  m.dilation_h = layer.dilation_h;
  m.dilation_w = layer.dilation_w;
  // Padding is not stored in DRAM: an input tile covers at most the real input map.
  m.h = layer.h;
  m.w = layer.w;
  m.c_per_group = c_per_group;
  return m;
}

MapResult map_layer(const workloads::Layer& layer, const arch::Accelerator& acc,
                    const Precision& bits, const PeRate& rate, Objective objective) {
  MapResult result;
  if (!layer.has_weights()) {
    result.reason = "layer '" + layer.name + "' has no weights: it does not run on the array";
    return result;
  }
  if (!rate.supported) {
    result.reason = rate.reason;
    return result;
  }
  const Mapping base = base_mapping(layer, acc, bits, rate);
  const std::int64_t row_align =
      acc.array.rows * rate.spatial_factor / (acc.array.rows_unroll_filter ? layer.r * layer.s : 1);
  const auto ms = m_candidates(base);
  const auto cs = candidates(base.c_per_group, std::max<std::int64_t>(row_align, 1));
  const auto ks = candidates(base.gemm.nf, acc.array.cols);

  double best = 0;
  double best_tie = 0;
  Mapping m = base;
  for (const auto kt : ks) {
    m.tile_k = kt;
    for (const auto ct : cs) {
      m.tile_c = ct;
      for (const auto mt : ms) {
        m.tile_m = mt;
        if (!tiles_fit(m, acc, nullptr)) continue;
        for (const auto& order : kOrders) {
          m.order = order;
          const LayerCost cost = evaluate(m, acc);
          const double s = score(cost, objective);
          const double t = tie_break(cost, objective);
          if (!result.feasible || s < best || (s == best && t < best_tie)) {
            result.feasible = true;
            result.mapping = m;
            result.cost = cost;
            best = s;
            best_tie = t;
          }
        }
      }
    }
  }
  if (!result.feasible) {
    Mapping smallest = base;
    smallest.tile_m = smallest.tile_c = smallest.tile_k = 1;
    std::string why;
    (void)tiles_fit(smallest, acc, &why);
    result.reason = "no tiling of layer '" + layer.name + "' fits the buffers: even 1×1×1 " + why;
  }
  return result;
}

}  // namespace mixq::costmodel
