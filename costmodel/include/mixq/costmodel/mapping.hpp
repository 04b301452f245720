// A Mapping: how one layer (at one precision) runs on one accelerator. The analytic model
// prices it in closed form; the simulator executes the same value tile by tile.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "mixq/arch/accelerator.hpp"

namespace mixq::costmodel {

// The layer in the GEMM view the array sees, per group (depthwise: G = C groups of one
// channel). M = N·P·Q output pixels, Kr = (C/G)·R·S reduction, Nf = K/G filters.
struct GemmView {
  std::int64_t groups = 1;
  std::int64_t m = 1;
  std::int64_t kr = 1;
  std::int64_t nf = 1;
  // R·S when the rows unroll C alone (R and S are temporal passes), else 1: the spatial
  // reduction on the rows is then C/G instead of C/G·R·S.
  std::int64_t filter_passes = 1;
};

// Tile loops at the buffer level, outermost first, over the GEMM dims.
enum class TileDim : std::uint8_t { kM = 0, kC = 1, kK = 2 };
using LoopOrder = std::array<TileDim, 3>;
[[nodiscard]] std::string to_string(const LoopOrder& order);

struct Mapping {
  arch::Dataflow dataflow = arch::Dataflow::kWeightStationary;
  GemmView gemm;
  // Precision: how the PE's throughput at (w_bits, a_bits) is arranged. spatial_factor
  // products are summed per PE per step along the reduction (Bit Fusion's fused BitBricks);
  // temporal_factor cycles are spent per streamed element (bit-serial PEs).
  int w_bits = 8;
  int a_bits = 8;
  int out_bits = 8;
  std::int64_t spatial_factor = 1;
  double temporal_factor = 1.0;
  double energy_per_mac_pj = 0;
  // Tile sizes at the buffer level: output pixels, input channels (per group), filters.
  std::int64_t tile_m = 1;
  std::int64_t tile_c = 1;
  std::int64_t tile_k = 1;
  LoopOrder order{TileDim::kK, TileDim::kC, TileDim::kM};
  // Conv geometry needed to size input tiles (halo included).
  std::int64_t p = 1, q = 1, r = 1, s = 1, stride_h = 1, stride_w = 1, dilation_h = 1,
               dilation_w = 1, h = 1, w = 1, c_per_group = 1;
};

}  // namespace mixq::costmodel
