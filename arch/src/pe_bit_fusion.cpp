// `bit_fusion`: Bit Fusion's fusion unit (Sharma et al., "Bit Fusion: Bit-level dynamically
// composable architecture for accelerating deep neural networks", ISCA 2018).
//
// A fusion unit holds (max_bits / 2)² BitBricks, each a 2-bit × 2-bit multiplier; bricks fuse
// into wider multipliers in powers of two. An operand of b bits runs at the fused width
// b' = the smallest of 2, 4, 8, ... that is >= b (1-bit operands use a 2-bit brick; 3 runs
// as 4; 5..8 as 8), and the unit completes
//   macs_per_cycle = (max_bits / w') · (max_bits / a')
// products per cycle, summed into one result (8x8 -> 1, 8x4 -> 2, 4x4 -> 4, 8x2 -> 4,
// 2x2 -> 16 for max_bits 8). The unit draws the same power in every mode, so
//   energy_per_mac = energy_per_unit_cycle_pj / macs_per_cycle;
// with the paper's 45 nm synthesis, 0.459 pJ per unit per cycle inside the array gives
// 0.459 / 0.115 / 0.0287 pJ per MAC at 8 / 4 / 2 bits.
#include <array>
#include <sstream>

#include "mixq/arch/pe_registry.hpp"

namespace mixq::arch {
namespace {

// Fused operand width per requested bits (index = bits), the rule above as a table.
constexpr std::array<int, kPeMaxBits + 1> kFusedWidth = [] {
  std::array<int, kPeMaxBits + 1> width{};
  for (int bits = 0; bits <= kPeMaxBits; ++bits) {
    int w = 2;
    while (w < bits) w *= 2;
    width[static_cast<std::size_t>(bits)] = w;
  }
  return width;
}();

struct FusionParams {
  int max_bits = 8;
  double energy_per_unit_cycle_pj = 0;
};

class BitFusionPe final : public PeModel {
 public:
  BitFusionPe(const FusionParams& p, PeModelInfo info) : PeModel(std::move(info)), p_(p) {
    build_table();
  }

 private:
  [[nodiscard]] PeQuery rule(int w_bits, int a_bits) const override {
    return fused_brick_rule(w_bits, a_bits, p_.max_bits, p_.energy_per_unit_cycle_pj);
  }

  FusionParams p_;
};

std::unique_ptr<PeModel> create(PeParamReader& in) {
  FusionParams p;
  p.max_bits = static_cast<int>(in.integer("max_bits"));
  p.energy_per_unit_cycle_pj = in.number("energy_per_unit_cycle_pj");
  if (kFusedWidth[static_cast<std::size_t>(p.max_bits)] != p.max_bits) {
    in.fail("max_bits", "max_bits " + std::to_string(p.max_bits) +
                            " must be a power of two (bricks fuse in powers of two)");
  }
  std::ostringstream d;
  d << "Bit Fusion unit of " << (p.max_bits / 2) * (p.max_bits / 2)
    << " 2-bit BitBricks, up to " << p.max_bits << "x" << p.max_bits << " bits, "
    << p.energy_per_unit_cycle_pj << " pJ per unit per cycle";
  return std::make_unique<BitFusionPe>(p, in.finish(d.str()));
}

}  // namespace

PeQuery fused_brick_rule(int w_bits, int a_bits, int max_bits, double energy_per_unit_cycle_pj) {
  PeQuery q;
  if (w_bits > max_bits || a_bits > max_bits) {
    const bool w_wide = w_bits > max_bits;
    q.reason = std::string(w_wide ? "w_bits " : "a_bits ") +
               std::to_string(w_wide ? w_bits : a_bits) + " exceeds the unit's " +
               std::to_string(max_bits) + "-bit fused width";
    return q;
  }
  const int w_fused = kFusedWidth[static_cast<std::size_t>(w_bits)];
  const int a_fused = kFusedWidth[static_cast<std::size_t>(a_bits)];
  q.supported = true;
  q.parallel_macs = (max_bits / w_fused) * (max_bits / a_fused);
  q.cycles_per_step = 1;
  q.cost.macs_per_cycle = q.parallel_macs;
  q.cost.energy_per_mac_pj = energy_per_unit_cycle_pj / q.parallel_macs;
  return q;
}

PeFamily bit_fusion_pe_family() {
  return PeFamily{
      "bit_fusion",
      "fusion unit of 2-bit BitBricks fused in powers of two: (max_bits/w')·(max_bits/a') "
      "MACs per cycle, 1-bit operands run as 2-bit",
      "Sharma et al., Bit Fusion, ISCA 2018",
      {
          {"max_bits", ParamType::kInt,
           "widest operand the unit fuses, bits, a power of two; the unit holds "
           "(max_bits/2)^2 BitBricks; default 8 as in the paper",
           "8", 2, kPeMaxBits, {}},
          {"energy_per_unit_cycle_pj", ParamType::kNumber,
           "energy of one fusion unit per cycle, pJ; default 0.459: 45 nm, 500 MHz "
           "synthesis inside the array (Sharma et al., ISCA 2018)",
           "0.459", 0, 1e6, {}},
      },
      &create,
  };
}

}  // namespace mixq::arch
