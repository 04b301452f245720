// `bitblade`: BitBlade (Ryu, Kim, Yi, Kim, "BitBlade: Area and energy-efficient precision-
// scalable neural network accelerator with bitwise summation", DAC 2019).
//
// Same 2-bit-brick decomposition and therefore the same throughput as Bit Fusion
// (fused_brick_rule: (max_bits/w')·(max_bits/a') MACs per unit per cycle). The difference
// is cost: BitBlade first sums 2x2-bit products that share a shift amount across inputs
// (bitwise summation) and shifts once per group, instead of shifting every brick's product,
// which removes most of the variable shift-add logic of each unit.
//
// Energy: the paper reports, in 28 nm, 41 % less area and 36-46 % less energy than the
// state-of-the-art precision-scalable design it compares against (Bit Fusion); it gives no
// absolute figure we could confirm. The default applies the midpoint, 41 % less energy, to
// Bit Fusion's 45 nm figure: 0.459 pJ · 0.59 = 0.271 pJ per unit per cycle. It is a ratio
// carried across technology nodes, not a synthesis result: presets that want a measured
// number set energy_per_unit_cycle_pj themselves.
#include <sstream>

#include "mixq/arch/pe_registry.hpp"

namespace mixq::arch {
namespace {

struct BladeParams {
  int max_bits = 8;
  double energy_per_unit_cycle_pj = 0;
};

class BitBladePe final : public PeModel {
 public:
  BitBladePe(const BladeParams& p, PeModelInfo info) : PeModel(std::move(info)), p_(p) {
    build_table();
  }

 private:
  [[nodiscard]] PeQuery rule(int w_bits, int a_bits) const override {
    return fused_brick_rule(w_bits, a_bits, p_.max_bits, p_.energy_per_unit_cycle_pj);
  }

  BladeParams p_;
};

std::unique_ptr<PeModel> create(PeParamReader& in) {
  BladeParams p;
  p.max_bits = static_cast<int>(in.integer("max_bits"));
  p.energy_per_unit_cycle_pj = in.number("energy_per_unit_cycle_pj");
  if ((p.max_bits & (p.max_bits - 1)) != 0) {
    in.fail("max_bits", "max_bits " + std::to_string(p.max_bits) +
                            " must be a power of two (2-bit products combine in powers of two)");
  }
  std::ostringstream d;
  d << "BitBlade unit of " << (p.max_bits / 2) * (p.max_bits / 2)
    << " 2x2-bit multipliers with bitwise summation, up to " << p.max_bits << "x" << p.max_bits
    << " bits, " << p.energy_per_unit_cycle_pj << " pJ per unit per cycle";
  return std::make_unique<BitBladePe>(p, in.finish(d.str()));
}

}  // namespace

PeFamily bitblade_pe_family() {
  return PeFamily{
      "bitblade",
      "Bit Fusion's throughput from 2x2-bit products summed bitwise before one shift per "
      "group: less energy and area per unit",
      "Ryu et al., BitBlade, DAC 2019",
      {
          {"max_bits", ParamType::kInt,
           "widest operand, bits, a power of two; the unit holds (max_bits/2)^2 2x2-bit "
           "multipliers; default 8 as in the paper",
           "8", 2, kPeMaxBits, {}},
          {"energy_per_unit_cycle_pj", ParamType::kNumber,
           "energy of one unit per cycle, pJ; default 0.271 = Bit Fusion's 0.459 pJ at 45 nm "
           "(Sharma et al., ISCA 2018) x 0.59, the midpoint of BitBlade's 36-46% energy "
           "saving over Bit Fusion at 28 nm (Ryu et al., DAC 2019): a derived ratio, not a "
           "measured figure",
           "0.271", 0, 1e6, {}},
      },
      &create,
  };
}

}  // namespace mixq::arch
